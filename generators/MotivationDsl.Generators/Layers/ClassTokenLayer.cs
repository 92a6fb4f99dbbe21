using static MotivationDsl.Generators.CodeWriter;
using static MotivationDsl.Generators.Forward;

namespace MotivationDsl.Generators;

/// <summary>
/// <c>[ClassToken(name)]</c>: a ViT's learned class token, a parameter [1, 1, dim] (zeros) put before the patch tokens.
/// </summary>
internal sealed class ClassTokenLayer : ModelLayer
{
    public override LayerKind Kind => LayerKind.ClassToken;

    public override bool Named => true;

    public override bool Resolve(ModelBuilder builder, VariantDraft rv, LayerDraft r, LayerFlow flow)
    {
        var l = r.Spec;
        if (flow.Rank != 2) { builder.Report(DiagnosticDescriptors.Unsupported, l.Location, l.Display, $"ClassToken needs a token sequence (after a PatchEmbedding) but receives {flow.InShape}"); return false; }
        r.In = r.Out = flow.Channels;
        builder.AddT(rv, new TensorDesc(l.Name!, false, new[] { 1L, 1L, flow.Channels }, null, -1, l.Name!));
        rv.Seq += 1;
        return true;
    }

    public override bool ReadsInfo(RLayer r) => true;

    public override void Construct(ModelLayerEmit e, RLayer r) => Register(e, r.Spec.Name!, $"global::TorchSharp.torch.zeros(__info.Shape({S(r.Spec.Name!)}))");

    /// <summary>Registers a parameter of the variant's module (or of its container) created by <paramref name="init"/>.</summary>
    public static void Register(ModelLayerEmit e, string name, string init)
    {
        e.EnsureNode(Parent(name));
        e.Text.Line($"{Owner(name)}.register_parameter({S(Leaf(name))}, new __Modules.Parameter(");
        e.Text.Line($"    {init}));");
    }

    /// <summary>The parameter as an expression in forward.</summary>
    public static string Token(LayerSpec l) => $"{Owner(l.Name!)}.get_parameter({S(Leaf(l.Name!))})!";

    public override string Forward(RLayer r) => $"__x = global::TorchSharp.torch.cat(\n    new[] {{ {Token(r.Spec)}.expand(__x.shape[0], -1, -1), __x }}, 1);";

    public override void Describe(VariantText w, RLayer r) => w.Line($"m.ClassToken({S(r.Spec.Name!)});");
}
