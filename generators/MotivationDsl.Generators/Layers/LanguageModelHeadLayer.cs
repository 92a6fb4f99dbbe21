using System.Linq;
using static MotivationDsl.Generators.CodeWriter;

namespace MotivationDsl.Generators;

/// <summary>
/// <c>[LanguageModelHead(name, TiedTo = embedding)]</c>: logits over the vocabulary for every position,
/// <c>nn.Linear(dim, vocabulary, bias: false)</c> (nanoGPT's <c>lm_head</c>). Tied: its weight is the TokenEmbedding's
/// weight, one tensor (the state_dict lists it under both names, as PyTorch does; parameters, maps and optimizers once).
/// </summary>
internal sealed class LanguageModelHeadLayer : ModelLayer
{
    public override LayerKind Kind => LayerKind.LanguageModelHead;

    public override bool Named => true;

    public override bool Resolve(ModelBuilder builder, VariantDraft rv, LayerDraft r, LayerFlow flow)
    {
        var l = r.Spec;
        if (flow.Rank != 2 || rv.Vocabulary == 0)
        {
            builder.Report(DiagnosticDescriptors.Unsupported, l.Location, l.Display, $"LanguageModelHead needs the tokens of a TokenEmbedding but receives {flow.InShape}");
            return false;
        }
        if (l.TiedTo is { } tied)
        {
            var embedding = rv.Layers.FirstOrDefault(x => x.Spec.Name == tied);
            var why = embedding is null ? "no layer before the head has that name"
                : embedding.Kind != LayerKind.TokenEmbedding ? $"it is a {embedding.Spec.AttributeName}, not the TokenEmbedding"
                : embedding.Out != flow.Channels ? $"its width {embedding.Out} differs from the {flow.Channels} features the head receives"
                : null;
            if (why is not null)
            {
                builder.Report(DiagnosticDescriptors.TiedHeadTarget, l.At("TiedTo"), l.Display, tied, why);
                return false;
            }
            rv.Ties.Add((l.Name + ".weight", tied + ".weight"));
        }
        else builder.AddT(rv, new TensorDesc(l.Name + ".weight", false, new[] { rv.Vocabulary, flow.Channels }, null, -1, l.Name + ".weight"));
        builder.Mac(rv, rv.Context * flow.Channels * rv.Vocabulary);
        r.In = flow.Channels; r.Out = rv.Vocabulary; r.Bias = false;
        flow.Channels = rv.Vocabulary;
        flow.IsOutput = true;
        return true;
    }

    public override void Layer(VariantText w, RLayer r) =>
        w.Line(r.Spec.TiedTo is { } tied
            ? $".LanguageModelHead({S(r.Spec.Name!)}, tiedTo: {S(tied)})"
            : $".LanguageModelHead({S(r.Spec.Name!)})");
}
