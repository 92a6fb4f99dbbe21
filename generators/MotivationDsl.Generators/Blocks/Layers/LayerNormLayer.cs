using static MotivationDsl.Generators.CodeWriter;

namespace MotivationDsl.Generators;

/// <summary>
/// <c>LayerNorm(name)</c> in a block, on features: weight and bias <c>[C]</c>, prefix map. Its statistics span every
/// feature, so a widened one is not function preserving (function-preserving growth reports MOT034).
/// </summary>
internal sealed class LayerNormLayer : BlockLayer
{
    public override bool Resolve(BlockBody body, LayerSpec l)
    {
        var r = body.Request;
        if (body.Rank != 1)
        {
            body.Builder.Report(DiagnosticDescriptors.Unsupported, l.Location, l.Display,
                $"LayerNorm normalises features but receives {body.Shape} in {r.Key}; add [Flatten] (after an adaptive pooling) before it");
            return false;
        }
        foreach (var p in new[] { "weight", "bias" })
        {
            body.Builder.AddT(body.Variant, new TensorDesc($"{r.Key}.{l.Name}.{p}", false, new[] { body.C }, r.Stage.Name, r.Index, $"{l.Name}.{p}"));
            body.Split($"{l.Name}.{p}", 0);
        }
        return true;
    }

    public override string? FieldType => "__Modules.LayerNorm";

    public override void Construct(CodeWriter w, LayerSpec l, BlockEmit e) =>
        w.Line($"this.{l.Name} = __nn.LayerNorm(normalized_shape: new long[] {{ __c }}{(l.Eps == 1e-5 ? "" : ", eps: " + D(l.Eps))});");

    public override string Forward(LayerSpec l) => $"__x = this.{l.Name}.forward(__x);";

    public override void Describe(CodeWriter w, LayerSpec l, BlockEmit e) => w.Line($"m.LayerNorm({S(l.Name!)});");
}
