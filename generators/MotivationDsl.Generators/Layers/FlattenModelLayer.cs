using static MotivationDsl.Generators.Forward;

namespace MotivationDsl.Generators;

/// <summary><c>[Flatten]</c> at model level: an image [C, H, W] becomes C x H x W features; features stay as they are.</summary>
internal sealed class FlattenModelLayer : ModelLayer
{
    public override LayerKind Kind => LayerKind.Flatten;

    public override bool Resolve(ModelBuilder builder, VariantDraft rv, LayerDraft r, LayerFlow flow)
    {
        if (flow.Rank == 3)
        {
            flow.IsOutput = false;
            flow.Channels *= flow.Height * flow.Width;
            flow.Height = flow.Width = 1;
            flow.Rank = 1;
        }
        return true;
    }

    public override string Forward(RLayer r) => Step(r.Spec, r.Kernel, r.Stride, r.Padding);

    public override void Describe(VariantText w, RLayer r)
    {
        if (r.InRank == 3) w.Line("m.Flatten();");
    }
}
