using static MotivationDsl.Generators.CodeWriter;

namespace MotivationDsl.Generators;

/// <summary>
/// <c>[Linear(name)]</c> at model level on features: the classifier (no <c>outFeatures</c>: the class count, the model's
/// output), or a hidden layer whose <c>outFeatures</c> scale with <c>WidthMultiplier</c> or are set by <c>[LayerWidth]</c>.
/// Its module reads its sizes from the variant's metadata, so the class count can change at run time.
/// </summary>
internal sealed class LinearModelLayer : ModelLayer
{
    public override LayerKind Kind => LayerKind.Linear;

    public override bool Named => true;

    public override bool Resolve(ModelBuilder builder, VariantDraft rv, LayerDraft r, LayerFlow flow)
    {
        var (l, v) = (r.Spec, rv.Spec);
        if (flow.Rank != 1) { builder.Report(DiagnosticDescriptors.LinearNeedsFlatten, l.Location, l.Display, flow.InShape); return false; }
        var c = flow.Channels;
        long o;
        if (l.HasOut)
        {
            var so = builder.OutWidth(v, l);
            if (so is null)
            {
                builder.Report(DiagnosticDescriptors.NotWhole, v.At("WidthMultiplier"), v.Name, "the output features", l.Display, l.Out, ModelBuilder.Num(v.WidthMultiplier), ModelBuilder.Num(l.Out * v.WidthMultiplier));
                return false;
            }
            o = so.Value;
        }
        else o = builder.Spec.Classes;
        r.In = c; r.Out = o; r.Bias = l.Bias;
        builder.AddT(rv, new TensorDesc(l.Name + ".weight", false, new[] { o, c }, null, -1, l.Name + ".weight"));
        if (l.Bias) builder.AddT(rv, new TensorDesc(l.Name + ".bias", false, new[] { o }, null, -1, l.Name + ".bias"));
        builder.Mac(rv, c * o);
        flow.Channels = o; flow.IsOutput = !l.HasOut;
        return true;
    }

    public override void Layer(VariantText w, RLayer r) =>
        w.Line($".Linear({S(r.Spec.Name!)}{(r.Spec.HasOut ? ", outFeatures: " + L(r.Out) : "")}{(r.Bias ? "" : ", bias: false")})");
}
