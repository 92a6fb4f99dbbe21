namespace MotivationDsl.Generators;

/// <summary><c>[ClassTokenSelect]</c>: a ViT's head input, the class token's features (token 0) of the sequence.</summary>
internal sealed class ClassTokenSelectLayer : IModelLayerKind
{
    public LayerKind Kind => LayerKind.ClassTokenSelect;

    public bool Named => false;

    public void Validate(IDiagnosticReporter reporter, LayerSpec l) { }

    public bool Resolve(ModelBuilder builder, VariantDraft rv, LayerDraft r, LayerFlow flow)
    {
        var l = r.Spec;
        if (flow.Rank != 2) { builder.Report(DiagnosticDescriptors.Unsupported, l.Location, l.AttributeName, $"ClassTokenSelect needs a token sequence but receives {flow.InShape}"); return false; }
        flow.Rank = 1; flow.IsOutput = false;
        return true;
    }

    public string? ModuleType(RLayer r) => null;

    public bool ReadsInfo(RLayer r) => false;

    public void Construct(ModelLayerEmit e, RLayer r) { }

    public string Forward(RLayer r) => "__x = __x.select(1, 0);";

    public void Describe(VariantText w, RLayer r) { }
}
