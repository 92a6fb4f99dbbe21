using static MotivationDsl.Generators.CodeWriter;

namespace MotivationDsl.Generators;

/// <summary>
/// <c>[PatchEmbedding(name, dim, Patch)]</c>: a ViT's patch projection, <c>nn.Conv2d(C, dim, patch, stride: patch)</c>, whose
/// output [dim, H/patch, W/patch] becomes the token sequence [H W / patch², dim]. A variant may set its own <c>PatchSize</c>.
/// </summary>
internal sealed class PatchEmbeddingLayer : ModelLayer
{
    public override LayerKind Kind => LayerKind.PatchEmbedding;

    public override bool Named => true;

    public override void Validate(IDiagnosticReporter reporter, LayerSpec l)
    {
        if (l.Out <= 0) reporter.Report(DiagnosticDescriptors.InvalidValue, l.At("dim"), l.Display, "dim", l.Out, "it must be positive");
        else if (l.Out > ModelValidator.MaxSize) reporter.Report(DiagnosticDescriptors.InvalidValue, l.At("dim"), l.Display, "dim", l.Out, ModelValidator.TooLarge);
        if (l.Patch <= 0 || l.Patch > 1024) reporter.Report(DiagnosticDescriptors.InvalidValue, l.At("Patch"), l.Display, "Patch", l.Patch, "it must be a positive number");
    }

    public override bool Resolve(ModelBuilder builder, VariantDraft rv, LayerDraft r, LayerFlow flow)
    {
        var (l, v) = (r.Spec, rv.Spec);
        if (flow.Rank != 3) { builder.Report(DiagnosticDescriptors.Unsupported, l.Location, l.Display, $"PatchEmbedding needs a [C, H, W] input but receives {flow.InShape}"); return false; }
        var c = flow.Channels;
        var patch = v.PatchSize > 0 ? v.PatchSize : l.Patch;
        var o = builder.OutWidth(v, l);
        if (o is null)
        {
            builder.Report(DiagnosticDescriptors.NotWhole, v.At("WidthMultiplier"), v.Name, "the embedding dimension", l.Display, l.Out, ModelBuilder.Num(v.WidthMultiplier), ModelBuilder.Num(l.Out * v.WidthMultiplier));
            return false;
        }
        var (nh, nw) = (ModelBuilder.Spatial(flow.Height, patch, patch, 0), ModelBuilder.Spatial(flow.Width, patch, patch, 0));
        if (nh <= 0 || nw <= 0) { builder.Report(DiagnosticDescriptors.SpatialCollapse, l.Location, v.Name, l.Display, flow.InShape, $"[{o}, {nh}, {nw}]"); return false; }
        r.In = c; r.Out = o.Value; r.Kernel = patch; r.Stride = patch; r.Groups = 1; r.Bias = true;
        builder.AddConv(rv, null, null, -1, l.Name!, c, o.Value, patch, 1, true);
        builder.Mac(rv, o.Value * nh * nw * c * patch * patch);
        flow.Channels = o.Value; flow.Height = nh; flow.Width = nw;
        flow.Rank = 2; rv.Seq = nh * nw;
        return true;
    }

    public override void Layer(VariantText w, RLayer r) => w.Line($".PatchEmbedding({S(r.Spec.Name!)}, dim: {L(r.Out)}, patch: {L(r.Kernel)})");
}
