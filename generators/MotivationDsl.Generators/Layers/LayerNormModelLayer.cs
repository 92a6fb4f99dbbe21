using static MotivationDsl.Generators.CodeWriter;

namespace MotivationDsl.Generators;

/// <summary><c>[LayerNorm(name)]</c> at model level: <c>nn.LayerNorm</c> over the features of tokens or of a feature vector.</summary>
internal sealed class LayerNormModelLayer : ModelLayer
{
    public override LayerKind Kind => LayerKind.LayerNorm;

    public override bool Named => true;

    public override bool Resolve(ModelBuilder builder, VariantDraft rv, LayerDraft r, LayerFlow flow)
    {
        var l = r.Spec;
        if (flow.Rank == 3) { builder.Report(DiagnosticDescriptors.Unsupported, l.Location, l.Display, $"LayerNorm normalises tokens or features but receives {flow.InShape}"); return false; }
        var c = flow.Channels;
        r.In = r.Out = c;
        builder.AddT(rv, new TensorDesc(l.Name + ".weight", false, new[] { c }, null, -1, l.Name + ".weight"));
        builder.AddT(rv, new TensorDesc(l.Name + ".bias", false, new[] { c }, null, -1, l.Name + ".bias"));
        return true;
    }

    public override void Layer(VariantText w, RLayer r) =>
        w.Line($".LayerNorm({S(r.Spec.Name!)}{(r.Spec.Eps != 1e-5 ? ", eps: " + D(r.Spec.Eps) : "")})");
}
