using static MotivationDsl.Generators.CodeWriter;

namespace MotivationDsl.Generators;

/// <summary>
/// <c>[TokenPositions(name)]</c>: a learned position embedding over the tokens, <c>nn.Embedding(context length, dim)</c>
/// (nanoGPT's <c>transformer.wpe</c>); position t's row is added to token t.
/// </summary>
internal sealed class TokenPositionsLayer : ModelLayer
{
    public override LayerKind Kind => LayerKind.TokenPositions;

    public override bool Named => true;

    public override bool Resolve(ModelBuilder builder, VariantDraft rv, LayerDraft r, LayerFlow flow)
    {
        var l = r.Spec;
        if (flow.Rank != 2 || rv.Context == 0)
        {
            builder.Report(DiagnosticDescriptors.Unsupported, l.Location, l.Display, $"TokenPositions needs the tokens of a TokenEmbedding but receives {flow.InShape}");
            return false;
        }
        builder.AddT(rv, new TensorDesc(l.Name + ".weight", false, new[] { rv.Context, flow.Channels }, null, -1, l.Name + ".weight"));
        r.In = rv.Context; r.Out = flow.Channels;
        return true;
    }

    public override void Layer(VariantText w, RLayer r) => w.Line($".TokenPositions({S(r.Spec.Name!)})");
}
