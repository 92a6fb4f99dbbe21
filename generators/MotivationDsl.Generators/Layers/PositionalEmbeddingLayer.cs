using static MotivationDsl.Generators.CodeWriter;

namespace MotivationDsl.Generators;

/// <summary>
/// <c>[PositionalEmbedding(name)]</c>: a ViT's learned position embedding, a parameter [1, tokens, dim] (normal, std 0.02)
/// added to the tokens.
/// </summary>
internal sealed class PositionalEmbeddingLayer : ModelLayer
{
    public override LayerKind Kind => LayerKind.PositionalEmbedding;

    public override bool Named => true;

    public override bool Resolve(ModelBuilder builder, VariantDraft rv, LayerDraft r, LayerFlow flow)
    {
        var l = r.Spec;
        if (flow.Rank != 2) { builder.Report(DiagnosticDescriptors.Unsupported, l.Location, l.Display, $"PositionalEmbedding needs a token sequence (after a PatchEmbedding) but receives {flow.InShape}"); return false; }
        r.In = r.Out = flow.Channels;
        builder.AddT(rv, new TensorDesc(l.Name!, false, new[] { 1L, rv.Seq, flow.Channels }, null, -1, l.Name!));
        return true;
    }

    public override void Layer(VariantText w, RLayer r) => w.Line($".PositionalEmbedding({S(r.Spec.Name!)})");
}
