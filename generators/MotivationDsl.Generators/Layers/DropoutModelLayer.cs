using static MotivationDsl.Generators.CodeWriter;

namespace MotivationDsl.Generators;

/// <summary><c>[Dropout(p)]</c> at model level: its probability, or the variant's <c>Dropout</c> when set.</summary>
internal sealed class DropoutModelLayer : ModelLayer
{
    public override LayerKind Kind => LayerKind.Dropout;

    public override bool Resolve(ModelBuilder builder, VariantDraft rv, LayerDraft r, LayerFlow flow)
    {
        var v = rv.Spec;
        r.P = double.IsNaN(v.Dropout) ? r.Spec.P : v.Dropout;
        if (!(r.P >= 0 && r.P < 1)) { builder.Report(DiagnosticDescriptors.InvalidValue, v.At("Dropout"), v.Name, "Dropout", r.P, "it must be in [0, 1)"); return false; }
        return true;
    }

    public override void Layer(VariantText w, RLayer r) => w.Line($".Dropout(p: {D(r.P)})");
}
