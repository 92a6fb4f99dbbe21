using static MotivationDsl.Generators.CodeWriter;
using static MotivationDsl.Generators.Forward;

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

    public override string? ModuleType(RLayer r) => "__Modules.BatchNorm2d";

    public override void Construct(ModelLayerEmit e, RLayer r) => e.Module(r, $"__nn.BatchNorm2d({ConvBlockKind.BatchNormArgs(L(r.In), r.Spec)})");

    public override string Forward(RLayer r) => Step(r.Spec, r.Kernel, r.Stride, r.Padding);

    public override void Describe(VariantText w, RLayer r) => w.Line($"m.BatchNorm2d({S(r.Spec.Name!)});");
}
