using static MotivationDsl.Generators.CodeWriter;

namespace MotivationDsl.Generators;

/// <summary>
/// <c>[ClassToken(name)]</c>: a ViT's learned class token, a parameter [1, 1, dim] (zeros) put before the patch tokens.
/// </summary>
internal sealed class ClassTokenLayer : ModelLayer
{
    public override LayerKind Kind => LayerKind.ClassToken;

    public override bool Named => true;

    public override bool Resolve(ModelBuilder builder, VariantDraft rv, LayerDraft r, LayerFlow flow)
    {
        var l = r.Spec;
        if (flow.Rank != 2) { builder.Report(DiagnosticDescriptors.Unsupported, l.Location, l.Display, $"ClassToken needs a token sequence (after a PatchEmbedding) but receives {flow.InShape}"); return false; }
        r.In = r.Out = flow.Channels;
        builder.AddT(rv, new TensorDesc(l.Name!, false, new[] { 1L, 1L, flow.Channels }, null, -1, l.Name!));
        rv.Seq += 1;
        return true;
    }

    public override void Layer(VariantText w, RLayer r) => w.Line($".ClassToken({S(r.Spec.Name!)})");
}
