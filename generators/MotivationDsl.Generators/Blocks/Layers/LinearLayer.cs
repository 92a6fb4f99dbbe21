using static MotivationDsl.Generators.CodeWriter;

namespace MotivationDsl.Generators;

/// <summary>
/// <c>Linear(name)</c> in a block: a hidden layer with <c>Expansion x planes</c> output features (width-scaled with the
/// stage), on features. Its map is the prefix rule of every linear layer: the first <c>out_b</c> rows x the first
/// <c>in_b</c> inputs; after a <c>Flatten</c> in the block the inputs are channel-major with an area both variants share.
/// </summary>
internal sealed class LinearLayer : BlockLayer
{
    public override bool Resolve(BlockBody body, LayerSpec l)
    {
        var r = body.Request;
        if (body.Rank != 1)
        {
            body.Builder.Report(DiagnosticDescriptors.LinearNeedsFlatten, l.Location, $"{r.Key}.{l.Name}", body.Shape);
            return false;
        }
        var o = l.Expansion * r.Planes;
        var c = body.C;
        body.Builder.AddT(body.Variant, new TensorDesc($"{r.Key}.{l.Name}.weight", false, new[] { o, c }, r.Stage.Name, r.Index, l.Name + ".weight"));
        if (l.Bias) body.Builder.AddT(body.Variant, new TensorDesc($"{r.Key}.{l.Name}.bias", false, new[] { o }, r.Stage.Name, r.Index, l.Name + ".bias"));
        body.Builder.Mac(body.Variant, c * o);
        body.Split(l.Name + ".weight", 1);
        body.Segments = null;
        body.C = o;
        return true;
    }

    public override string? FieldType => "__Modules.Linear";

    public override void Construct(CodeWriter w, LayerSpec l, BlockEmit e)
    {
        var outF = Times(l.Expansion, "planes");
        w.Line($"this.{l.Name} = __nn.Linear(inputSize: __c, outputSize: {outF}{(l.Bias ? "" : ", hasBias: false")});");
        w.Line($"__c = {outF};");
    }

    public override string Forward(LayerSpec l) => $"__x = this.{l.Name}.forward(__x);";

    public override void Describe(CodeWriter w, LayerSpec l, BlockEmit e) =>
        w.Line($"m.Linear({S(l.Name!)}, {Times(l.Expansion, "planes")}{(l.Bias ? "" : ", bias: false")});");
}
