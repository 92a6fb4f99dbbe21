using System.Collections.Generic;
using static MotivationDsl.Generators.CodeWriter;

namespace MotivationDsl.Generators;

/// <summary><c>[BatchNorm2d(name)]</c> at model level: <c>nn.BatchNorm2d</c> over the image's channels.</summary>
internal sealed class BatchNorm2dModelLayer : ModelLayer
{
    public override LayerKind Kind => LayerKind.BatchNorm2d;

    public override bool Named => true;

    public override bool Resolve(ModelBuilder builder, VariantDraft rv, LayerDraft r, LayerFlow flow)
    {
        var l = r.Spec;
        if (flow.Rank != 3) { builder.Report(DiagnosticDescriptors.Unsupported, l.Location, l.Display, $"BatchNorm2d needs a [C, H, W] input but receives {flow.InShape}"); return false; }
        r.In = r.Out = flow.Channels;
        builder.AddBn(rv, null, null, -1, l.Name!, flow.Channels);
        return true;
    }

    public override void Layer(VariantText w, RLayer r)
    {
        var args = new List<string> { S(r.Spec.Name!) };
        if (r.Spec.Eps != 1e-5) args.Add("eps: " + D(r.Spec.Eps));
        if (r.Spec.Momentum != 0.1) args.Add("momentum: " + D(r.Spec.Momentum));
        w.Call(".BatchNorm2d", args, "");
    }
}
