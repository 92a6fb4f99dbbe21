using static MotivationDsl.Generators.CodeWriter;

namespace MotivationDsl.Generators;

/// <summary>
/// Pooling in a block: <c>MaxPool2d(k)</c> / <c>AvgPool2d(k)</c> (<c>Stride</c> defaults to k), <c>GlobalAvgPool</c>, and
/// <c>AdaptiveAvgPool2d(s)</c> / <c>AdaptiveMaxPool2d(s)</c> to s x s. No parameters, no MACs; the map is unaffected.
/// </summary>
internal sealed class PoolLayer : BlockLayer
{
    private static long Stride(LayerSpec l) => l.Stride == 0 ? l.Kernel : l.Stride;

    /// <summary>The output area when it does not depend on the input size; null for a window pooling.</summary>
    private static long? FixedArea(LayerSpec l) => l.Kind switch
    {
        LayerKind.GlobalAvgPool => 1,
        LayerKind.AdaptiveAvgPool2d or LayerKind.AdaptiveMaxPool2d => l.OutputSize * l.OutputSize,
        _ => null,
    };

    public override bool Resolve(BlockBody body, LayerSpec l)
    {
        if (!body.NeedsImage(l, l.AttributeName)) return false;
        switch (l.Kind)
        {
            case LayerKind.GlobalAvgPool: body.H = body.W = 1; break;
            case LayerKind.AdaptiveAvgPool2d:
            case LayerKind.AdaptiveMaxPool2d: body.H = body.W = l.OutputSize; break;
            default:
                var (nh, nw) = (ModelBuilder.Spatial(body.H, l.Kernel, Stride(l), l.Padding), ModelBuilder.Spatial(body.W, l.Kernel, Stride(l), l.Padding));
                if (nh <= 0 || nw <= 0)
                {
                    body.Builder.Report(DiagnosticDescriptors.SpatialCollapse, l.Location, body.Variant.Name, $"{body.Request.Key}.{l.AttributeName}", body.Shape, $"[{body.C}, {nh}, {nw}]");
                    return false;
                }
                body.H = nh; body.W = nw;
                break;
        }
        body.Area = FixedArea(l);
        return true;
    }

    public override void Construct(CodeWriter w, LayerSpec l, BlockEmit e) => e.Area = FixedArea(l);

    public override string Forward(LayerSpec l) => MotivationDsl.Generators.Forward.Step(l, l.Kernel, Stride(l), l.Padding);

    public override void Describe(CodeWriter w, LayerSpec l, BlockEmit e)
    {
        w.Line(l.Kind switch
        {
            LayerKind.GlobalAvgPool => "m.GlobalAvgPool();",
            LayerKind.AdaptiveAvgPool2d or LayerKind.AdaptiveMaxPool2d => $"m.AdaptivePool({L(l.OutputSize)});",
            _ => $"m.Pool(kernel: {L(l.Kernel)}, stride: {L(Stride(l))}, padding: {L(l.Padding)});",
        });
        e.Area = FixedArea(l);
    }
}
