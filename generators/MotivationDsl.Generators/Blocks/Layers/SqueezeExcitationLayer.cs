using static MotivationDsl.Generators.CodeWriter;

namespace MotivationDsl.Generators;

/// <summary>
/// <c>SqueezeExcitation(name)</c> in a block, on an image: <c>name.fc1</c> (C -> squeeze, 1x1, bias) and <c>name.fc2</c>
/// (squeeze -> C), with ReLU (default), SiLU or GELU between them, run by the runtime's <c>SqueezeExcitationModule</c>; squeeze = <c>max(1, floor(C x Ratio))</c>,
/// 2 x C x squeeze MACs. Both weights map as prefixes: a base squeeze unit reads the base's channels, a base channel's
/// scale reads the base's squeeze units.
/// </summary>
internal sealed class SqueezeExcitationLayer : BlockLayer
{
    public static long Squeeze(long channels, double ratio) => System.Math.Max(1L, (long)System.Math.Floor(channels * ratio));

    public override bool Resolve(BlockBody body, LayerSpec l)
    {
        if (!body.NeedsImage(l, "SqueezeExcitation")) return false;
        var r = body.Request;
        var c = body.C;
        var s = Squeeze(c, l.SERatio);
        body.Builder.AddConv(body.Variant, r.Key, r.Stage.Name, r.Index, l.Name + ".fc1", c, s, 1, 1, true);
        body.Builder.AddConv(body.Variant, r.Key, r.Stage.Name, r.Index, l.Name + ".fc2", s, c, 1, 1, true);
        body.Builder.Mac(body.Variant, 2 * c * s);
        body.Split(l.Name + ".fc1.weight", 1);
        body.Split(l.Name + ".fc2.weight", 0);
        body.Split(l.Name + ".fc2.bias", 0);
        return true;
    }

    public override string? FieldType => "__Dsl.SqueezeExcitationModule";

    public override void Construct(CodeWriter w, LayerSpec l, BlockEmit e) =>
        w.Line($"this.{l.Name} = new __Dsl.SqueezeExcitationModule(channels: __c, ratio: {D(l.SERatio)}"
            + (l.SEActivation == ActivationKind.ReLU ? "" : $", activation: __Dsl.SqueezeActivation.{l.SEActivation}") + ");");

    public override string Forward(LayerSpec l) => $"__x = this.{l.Name}.forward(__x);";

    public override void Describe(CodeWriter w, LayerSpec l, BlockEmit e) => w.Line($"m.SqueezeExcitation({S(l.Name!)}, ratio: {D(l.SERatio)});");
}
