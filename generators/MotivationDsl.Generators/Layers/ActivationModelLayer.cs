
namespace MotivationDsl.Generators;

/// <summary><c>[ReLU]</c>, <c>[SiLU]</c>, <c>[GELU]</c> at model level: an elementwise function, any input.</summary>
internal sealed class ActivationModelLayer : ModelLayer
{
    public ActivationModelLayer(LayerKind kind) => Kind = kind;

    public override LayerKind Kind { get; }

    public override bool Resolve(ModelBuilder builder, VariantDraft rv, LayerDraft r, LayerFlow flow) => true;

    public override void Layer(VariantText w, RLayer r) => w.Line("." + Kind + "()");
}
