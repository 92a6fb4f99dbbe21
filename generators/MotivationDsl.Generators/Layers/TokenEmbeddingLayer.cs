using static MotivationDsl.Generators.CodeWriter;

namespace MotivationDsl.Generators;

/// <summary>
/// <c>[TokenEmbedding(name, dim, Vocabulary, ContextLength)]</c>: the token input of a language model and its embedding
/// (<c>nn.Embedding(vocabulary, dim)</c>, nanoGPT's <c>transformer.wte</c>). The first layer; token ids [T] with T up to the
/// context length become [T, dim]. A variant may set its own <c>Vocabulary</c> and <c>ContextLength</c>.
/// </summary>
internal sealed class TokenEmbeddingLayer : ModelLayer
{
    public override LayerKind Kind => LayerKind.TokenEmbedding;

    public override bool Named => true;

    public override void Validate(IDiagnosticReporter builder, LayerSpec l)
    {
        if (l.Out <= 0 || l.Out > ModelValidator.MaxSize) builder.Report(DiagnosticDescriptors.InvalidValue, l.At("dim"), l.Display, "dim", l.Out, "it must be between 1 and 1000000");
        if (l.Vocabulary < 2 || l.Vocabulary > ModelValidator.MaxSize)
            builder.Report(DiagnosticDescriptors.InvalidValue, l.At("Vocabulary"), l.Display, "Vocabulary", l.Vocabulary, "a language model needs a vocabulary of 2 to 1000000 tokens");
        if (l.ContextLength < 1 || l.ContextLength > ModelValidator.MaxSize)
            builder.Report(DiagnosticDescriptors.InvalidValue, l.At("ContextLength"), l.Display, "ContextLength", l.ContextLength, "it must be between 1 and 1000000 tokens");
    }

    public override bool Resolve(ModelBuilder builder, VariantDraft rv, LayerDraft r, LayerFlow flow)
    {
        var (l, v) = (r.Spec, rv.Spec);
        if (flow.Rank != 0)
        {
            builder.Report(DiagnosticDescriptors.Unsupported, l.Location, l.Display, $"TokenEmbedding reads token ids, so it must be the model's first layer; it receives {flow.InShape}");
            return false;
        }
        var vocabulary = v.Vocabulary != 0 ? v.Vocabulary : l.Vocabulary;
        var context = v.ContextLength != 0 ? v.ContextLength : l.ContextLength;
        if (vocabulary < 2 || vocabulary > ModelValidator.MaxSize)
        { builder.Report(DiagnosticDescriptors.InvalidValue, v.At("Vocabulary"), v.Name, "Vocabulary", vocabulary, "a language model needs a vocabulary of 2 to 1000000 tokens"); return false; }
        if (context < 1 || context > ModelValidator.MaxSize)
        { builder.Report(DiagnosticDescriptors.InvalidValue, v.At("ContextLength"), v.Name, "ContextLength", context, "it must be between 1 and 1000000 tokens"); return false; }
        var dim = builder.ScaleChannels(l.Out, v.WidthMultiplier);
        if (dim is null)
        {
            builder.Report(DiagnosticDescriptors.NotWhole, v.At("WidthMultiplier"), v.Name, "the embedding dimension", l.Display, l.Out, ModelBuilder.Num(v.WidthMultiplier), ModelBuilder.Num(l.Out * v.WidthMultiplier));
            return false;
        }
        builder.AddT(rv, new TensorDesc(l.Name + ".weight", false, new[] { vocabulary, dim.Value }, null, -1, l.Name + ".weight"));
        rv.Vocabulary = vocabulary;
        rv.Context = context;
        rv.Seq = context;
        r.In = vocabulary; r.Out = dim.Value; r.Context = context;
        flow.Rank = 2; flow.Channels = dim.Value;
        return true;
    }

    public override void Layer(VariantText w, RLayer r) => w.Line($".TokenEmbedding({S(r.Spec.Name!)}, dim: {L(r.Out)})");

    /// <summary>True when the model is a language model: its first layer is a TokenEmbedding.</summary>
    public static bool IsLanguageModel(ModelSpec spec) => spec.Layers.Count > 0 && spec.Layers[0].Kind == LayerKind.TokenEmbedding;
}
