using System.Collections.Generic;
using static MotivationDsl.Generators.CodeWriter;

namespace MotivationDsl.Generators;

/// <summary>
/// <c>[Conv2d(name, outChannels)]</c> at model level: <c>nn.Conv2d</c> on an image, its output channels scaled by the
/// variant's <c>WidthMultiplier</c> or set by <c>[LayerWidth]</c> (a depthwise one keeps its input channels).
/// </summary>
internal sealed class Conv2dModelLayer : ModelLayer
{
    public override LayerKind Kind => LayerKind.Conv2d;

    public override bool Named => true;

    public override bool Resolve(ModelBuilder builder, VariantDraft rv, LayerDraft r, LayerFlow flow)
    {
        var (l, v) = (r.Spec, rv.Spec);
        if (flow.Rank != 3) { builder.Report(DiagnosticDescriptors.Unsupported, l.Location, l.Display, $"Conv2d needs a [C, H, W] input but receives {flow.InShape}"); return false; }
        var c = flow.Channels;
        long? o = l.Depthwise ? c : builder.OutWidth(v, l);
        if (o is null)
        {
            builder.Report(DiagnosticDescriptors.NotWhole, v.At("WidthMultiplier"), v.Name, "the output channels", l.Display, l.Out, ModelBuilder.Num(v.WidthMultiplier), ModelBuilder.Num(l.Out * v.WidthMultiplier));
            return false;
        }
        var groups = l.Depthwise ? c : l.Groups;
        if (!l.Depthwise && !builder.GroupsOk(l, c, o.Value)) return false;
        r.In = c; r.Out = o.Value; r.Kernel = l.Kernel; r.Stride = l.Stride; r.Padding = l.Padding; r.Groups = groups; r.Bias = l.Bias; r.Depthwise = l.Depthwise;
        var (nh, nw) = (ModelBuilder.Spatial(flow.Height, l.Kernel, l.Stride, l.Padding), ModelBuilder.Spatial(flow.Width, l.Kernel, l.Stride, l.Padding));
        if (nh <= 0 || nw <= 0) { builder.Report(DiagnosticDescriptors.SpatialCollapse, l.Location, v.Name, l.Display, flow.InShape, $"[{o}, {nh}, {nw}]"); return false; }
        builder.AddConv(rv, null, null, -1, l.Name!, c, o.Value, l.Kernel, groups, l.Bias);
        builder.Mac(rv, o.Value * nh * nw * (c / groups) * l.Kernel * l.Kernel);
        flow.Channels = o.Value; flow.Height = nh; flow.Width = nw;
        return true;
    }

    /// <summary>The arguments that differ from their defaults, named alike in <c>nn.Conv2d</c> and the metadata builder.</summary>
    private static IEnumerable<string> OptionalArguments(RLayer r)
    {
        if (r.Stride != 1) yield return "stride: " + L(r.Stride);
        if (r.Padding != 0) yield return "padding: " + L(r.Padding);
        if (r.Groups != 1) yield return "groups: " + L(r.Groups);
        if (!r.Bias) yield return "bias: false";
    }

    public override void Layer(VariantText w, RLayer r)
    {
        var args = new List<string> { S(r.Spec.Name!), "outChannels: " + L(r.Out), "kernel: " + L(r.Kernel) };
        args.AddRange(OptionalArguments(r));
        w.Call(".Conv2d", args, "");
    }
}
