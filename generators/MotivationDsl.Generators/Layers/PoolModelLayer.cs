using static MotivationDsl.Generators.CodeWriter;

namespace MotivationDsl.Generators;

/// <summary>
/// Pooling at model level on an image: <c>[MaxPool2d(kernel)]</c> and <c>[AvgPool2d(kernel)]</c> (stride 0: the kernel),
/// <c>[AdaptiveAvgPool2d(size)]</c> and <c>[AdaptiveMaxPool2d(size)]</c> (size x size), <c>[GlobalAvgPool]</c> (1 x 1).
/// </summary>
internal sealed class PoolModelLayer : ModelLayer
{
    public PoolModelLayer(LayerKind kind) => Kind = kind;

    public override LayerKind Kind { get; }

    private bool Window => Kind is LayerKind.MaxPool2d or LayerKind.AvgPool2d;

    private bool Adaptive => Kind is LayerKind.AdaptiveAvgPool2d or LayerKind.AdaptiveMaxPool2d;

    public override bool Resolve(ModelBuilder builder, VariantDraft rv, LayerDraft r, LayerFlow flow)
    {
        var l = r.Spec;
        if (flow.Rank != 3)
        {
            var what = Kind == LayerKind.GlobalAvgPool ? "GlobalAvgPool" : "pooling";
            builder.Report(DiagnosticDescriptors.Unsupported, l.Location, l.AttributeName, $"{what} needs a [C, H, W] input but receives {flow.InShape}");
            return false;
        }
        if (Window)
        {
            var s = l.Stride == 0 ? l.Kernel : l.Stride;
            r.Kernel = l.Kernel; r.Stride = s; r.Padding = l.Padding;
            var (nh, nw) = (ModelBuilder.Spatial(flow.Height, l.Kernel, s, l.Padding), ModelBuilder.Spatial(flow.Width, l.Kernel, s, l.Padding));
            if (nh <= 0 || nw <= 0)
            {
                builder.Report(DiagnosticDescriptors.SpatialCollapse, l.Location, rv.Spec.Name, l.AttributeName, flow.InShape, $"[{flow.Channels}, {nh}, {nw}]");
                return false;
            }
            flow.Height = nh; flow.Width = nw;
        }
        else flow.Height = flow.Width = Adaptive ? l.OutputSize : 1;
        return true;
    }

    public override void Layer(VariantText w, RLayer r) =>
        w.Line(Window ? $".{Kind}(kernel: {L(r.Kernel)}, stride: {L(r.Stride)}, padding: {L(r.Padding)})"
            : Adaptive ? $".{Kind}(size: {L(r.Spec.OutputSize)})"
            : ".GlobalAvgPool()");
}
