using static MotivationDsl.Generators.CodeWriter;

namespace MotivationDsl.Generators;

/// <summary><c>BatchNorm2d(name)</c> in a block: per channel of an image.</summary>
internal sealed class BatchNormLayer : BlockLayer
{
    public override bool Resolve(BlockBody body, LayerSpec l)
    {
        if (!body.NeedsImage(l, "BatchNorm2d")) return false;
        var r = body.Request;
        body.Builder.AddBn(body.Variant, r.Key, r.Stage.Name, r.Index, l.Name!, body.C);
        foreach (var t in new[] { "weight", "bias", "running_mean", "running_var" }) body.Split($"{l.Name}.{t}", 0);
        return true;
    }

    public override string? FieldType => "__Modules.BatchNorm2d";

    public override void Construct(CodeWriter w, LayerSpec l, BlockEmit e) =>
        w.Line($"this.{l.Name} = __nn.BatchNorm2d({ConvBlockKind.BatchNormArgs("__c", l)});");

    public override void Describe(CodeWriter w, LayerSpec l, BlockEmit e) => w.Line($"m.BatchNorm2d({S(l.Name!)});");
}
