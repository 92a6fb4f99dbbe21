using System.Collections.Generic;
using static MotivationDsl.Generators.CodeWriter;

namespace MotivationDsl.Generators;

/// <summary><c>Conv2d(name)</c> in a block: <c>Expansion x planes</c> outputs (depthwise: the input channels), <c>StageStride</c>.</summary>
internal sealed class ConvLayer : BlockLayer
{
    public override bool Resolve(BlockBody body, LayerSpec l)
    {
        if (!body.NeedsImage(l, "Conv2d")) return false;
        var r = body.Request;
        var c = body.C;
        var o = l.Depthwise ? c : l.Expansion * r.Planes;
        var g = l.Depthwise ? c : l.Groups;
        if (!l.Depthwise && !body.Builder.GroupsOk(l, c, o)) return false;
        var stride = l.StageStride ? r.Stride : l.Stride;
        body.Builder.AddConv(body.Variant, r.Key, r.Stage.Name, r.Index, l.Name!, c, o, l.Kernel, g, l.Bias);
        var nh = ModelBuilder.Spatial(body.H, l.Kernel, stride, l.Padding);
        var nw = ModelBuilder.Spatial(body.W, l.Kernel, stride, l.Padding);
        body.Builder.Mac(body.Variant, o * System.Math.Max(nh, 0) * System.Math.Max(nw, 0) * (c / g) * l.Kernel * l.Kernel);
        body.Block.Convs.Add(l.Depthwise ? (l.Name!, o, o, 1, stride) : (l.Name!, c, o, g, stride));
        if (l.Depthwise)
        {
            body.Split(l.Name + ".weight", 0);  // per channel: the channels keep their places
            if (l.Bias) body.Split(l.Name + ".bias", 0);
        }
        else
        {
            if (body.Segments is not null && g != 1)
            {
                body.Builder.Report(DiagnosticDescriptors.Groups, l.At("Groups"), $"{r.Key}.{l.Name}", g, "its input is a concatenation of branches, whose channels a group would split differently in base and motivated variants");
                return false;
            }
            body.Split(l.Name + ".weight", 1);  // reads the concatenated channels, writes a fresh prefix
            body.Segments = null;
        }
        body.C = o; body.H = nh; body.W = nw; body.Area = null;
        if (body.UserDeclared && (nh <= 0 || nw <= 0))
        {
            body.Builder.Report(DiagnosticDescriptors.SpatialCollapse, l.Location, body.Variant.Name, $"{r.Key}.{l.Name}", body.InShape, $"[{o}, {nh}, {nw}]");
            return false;
        }
        return true;
    }

    public override string? FieldType => "__Modules.Conv2d";

    public override void Construct(CodeWriter w, LayerSpec l, BlockEmit e)
    {
        var outC = l.Depthwise ? "__c" : Times(l.Expansion, "planes");
        w.Call($"this.{l.Name} = __nn.Conv2d", ConvBlockKind.ConvArgs("__c", outC, l, l.StageStride ? "stride" : null, l.Depthwise ? "__c" : null), ";");
        if (!l.Depthwise) w.Line($"__c = {outC};");
        e.Area = null;
    }

    public override string Forward(LayerSpec l) => $"__x = this.{l.Name}.forward(__x);";

    public override void Describe(CodeWriter w, LayerSpec l, BlockEmit e)
    {
        var args = new List<string> { S(l.Name!), "outChannels: " + (l.Depthwise ? "m.Channels" : Times(l.Expansion, "planes")), "kernel: " + (l.VariantKernel ? "kernel" : L(l.Kernel)) };
        if (l.StageStride) args.Add("stride: stride"); else if (l.Stride != 1) args.Add("stride: " + L(l.Stride));
        if (l.VariantKernel) args.Add("padding: kernel / 2");
        else if (l.Padding != 0) args.Add("padding: " + L(l.Padding));
        if (l.Depthwise) args.Add("groups: m.Channels"); else if (l.Groups != 1) args.Add("groups: " + L(l.Groups));
        if (!l.Bias) args.Add("bias: false");
        w.Call("m.Conv2d", args, ";");
        e.Area = null;
    }
}
