using static MotivationDsl.Generators.CodeWriter;

namespace MotivationDsl.Generators;

/// <summary>
/// <c>Flatten</c> in a block: an image [C, s, s] becomes C x s x s features (channel-major, so a channel prefix stays a
/// feature prefix). The area must not depend on the input size (an adaptive or global pooling before it, MOT060): the
/// block's module is built from channel counts only. On features it does nothing.
/// </summary>
internal sealed class FlattenLayer : BlockLayer
{
    public override bool Resolve(BlockBody body, LayerSpec l)
    {
        if (body.Rank != 3) return true;
        if (body.Area is null)
        {
            body.Builder.Report(DiagnosticDescriptors.FlattenNeedsFixedSize, l.Location, body.Request.Key, body.Shape);
            return false;
        }
        var area = body.H * body.W;
        if (body.Segments is not null) body.Segments = System.Linq.Enumerable.ToArray(System.Linq.Enumerable.Select(body.Segments, s => s * area));
        body.C *= area;
        body.H = body.W = 1;
        body.Rank = 1;
        body.Area = null;
        return true;
    }

    public override void Construct(CodeWriter w, LayerSpec l, BlockEmit e)
    {
        if (e.Area is { } area && area != 1) w.Line($"__c = {L(area)} * __c;");
        e.Area = null;
    }

    public override void Describe(CodeWriter w, LayerSpec l, BlockEmit e)
    {
        if (e.Area is not null) w.Line("m.Flatten();");
        e.Area = null;
    }
}
