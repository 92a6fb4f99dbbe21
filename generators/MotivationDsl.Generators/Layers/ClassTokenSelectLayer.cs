namespace MotivationDsl.Generators;

/// <summary><c>[ClassTokenSelect]</c>: a ViT's head input, the class token's features (token 0) of the sequence.</summary>
internal sealed class ClassTokenSelectLayer : ModelLayer
{
    public override LayerKind Kind => LayerKind.ClassTokenSelect;

    public override bool Resolve(ModelBuilder builder, VariantDraft rv, LayerDraft r, LayerFlow flow)
    {
        var l = r.Spec;
        if (flow.Rank != 2) { builder.Report(DiagnosticDescriptors.Unsupported, l.Location, l.AttributeName, $"ClassTokenSelect needs a token sequence but receives {flow.InShape}"); return false; }
        flow.Rank = 1; flow.IsOutput = false;
        return true;
    }

    public override void Layer(VariantText w, RLayer r) => w.Line(".ClassTokenSelect()");
}
