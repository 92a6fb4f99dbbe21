
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

    public override void Layer(VariantText w, RLayer r) => w.Line(r.InRank == 3 ? ".Flatten()" : ".Flatten(image: false)");
}
