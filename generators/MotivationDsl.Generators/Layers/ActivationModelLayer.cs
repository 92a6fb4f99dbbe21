using static MotivationDsl.Generators.Forward;

namespace MotivationDsl.Generators;

/// <summary><c>[ReLU]</c>, <c>[SiLU]</c>, <c>[GELU]</c> at model level: an elementwise function, any input.</summary>
internal sealed class ActivationModelLayer : ModelLayer
{
    public ActivationModelLayer(LayerKind kind) => Kind = kind;

    public override LayerKind Kind { get; }

    public override bool Resolve(ModelBuilder builder, VariantDraft rv, LayerDraft r, LayerFlow flow) => true;

    public override string Forward(RLayer r) => Step(r.Spec, r.Kernel, r.Stride, r.Padding);
}
