using static MotivationDsl.Generators.Forward;

namespace MotivationDsl.Generators;

/// <summary><c>[ReLU]</c>, <c>[SiLU]</c>, <c>[GELU]</c> at model level: an elementwise function, any input.</summary>
internal sealed class ActivationModelLayer : IModelLayerKind
{
    public ActivationModelLayer(LayerKind kind) => Kind = kind;

    public LayerKind Kind { get; }

    public bool Named => false;

    public void Validate(IDiagnosticReporter reporter, LayerSpec l) { }

    public bool Resolve(ModelBuilder builder, VariantDraft rv, LayerDraft r, LayerFlow flow) => true;

    public string? ModuleType(RLayer r) => null;

    public bool ReadsInfo(RLayer r) => false;

    public void Construct(ModelLayerEmit e, RLayer r) { }

    public string Forward(RLayer r) => Step(r.Spec, r.Kernel, r.Stride, r.Padding);

    public void Describe(VariantText w, RLayer r) { }
}
