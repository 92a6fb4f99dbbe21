using static TorchSharp.torch;

namespace MotivationDsl.Training;

/// <summary>
/// Next-token language modelling: [B, T, V] logits against [B, T] int64 next tokens; the loss is the cross entropy
/// averaged over all B x T positions. Evaluation reports the mean loss per token (nats), the token accuracy, the
/// perplexity exp(loss) and, when the bytes per token are known (1 for a byte-level vocabulary of 256), the bits per
/// byte loss / ln 2 / bytes per token.
/// </summary>
public sealed class LanguageModelTask : ITrainingTask
{
    /// <param name="contextLength">The model's context length T (tokens per sample, for the FLOPs per token).</param>
    /// <param name="vocabulary">Vocabulary size V.</param>
    /// <param name="bytesPerToken">Mean text bytes per token, for bits per byte; null when unknown (no bits per byte reported).</param>
    public LanguageModelTask(int contextLength, int vocabulary, double? bytesPerToken)
    {
        if (contextLength < 1) throw new ArgumentOutOfRangeException(nameof(contextLength), $"The context length must be at least 1, got {contextLength}.");
        if (vocabulary < 2) throw new ArgumentOutOfRangeException(nameof(vocabulary), $"The vocabulary must have at least 2 tokens, got {vocabulary}.");
        if (bytesPerToken is <= 0) throw new ArgumentOutOfRangeException(nameof(bytesPerToken), $"Bytes per token must be positive, got {bytesPerToken}.");
        ContextLength = contextLength;
        Vocabulary = vocabulary;
        BytesPerToken = bytesPerToken;
    }

    /// <summary>The task of a language-model variant: context length and vocabulary from its metadata; byte level (one byte per token) when the vocabulary has 256 tokens.</summary>
    public static LanguageModelTask For(VariantInfo model)
    {
        if (model.InputShape.Length != 1)
            throw new ArgumentException($"A language model's input shape is [context length]; '{model.Name}' has [{string.Join(", ", model.InputShape)}].", nameof(model));
        return new LanguageModelTask(model.InputShape[0], model.Classes, model.Classes == ByteVocabulary ? 1.0 : null);
    }

    /// <summary>The byte-level vocabulary: one token per byte value.</summary>
    public const int ByteVocabulary = 256;

    public int ContextLength { get; }
    public int Vocabulary { get; }
    public double? BytesPerToken { get; }

    public ModelTask Kind => ModelTask.LanguageModel;

    public Tensor Loss(Tensor output, Tensor target)
    {
        if (output.dim() != 3 || target.dim() != 2 || output.shape[0] != target.shape[0] || output.shape[1] != target.shape[1] || output.shape[2] != Vocabulary)
            throw new ArgumentException($"A language model's output must be [B, T, {Vocabulary}] and its target [B, T]; got output [{string.Join(", ", output.shape)}] and target [{string.Join(", ", target.shape)}].");
        return nn.functional.cross_entropy(output.reshape(-1, Vocabulary), target.reshape(-1));
    }

    public long Predictions(Tensor input, Tensor target) => target.numel();

    public Tensor? Correct(Tensor output, Tensor target) => output.argmax(-1).eq(target).sum();

    public long TokensPerSample(VariantInfo model) => ContextLength;

    public EvalResult Evaluation(double meanLoss, double accuracy, long samples, long predictions) => new(meanLoss, accuracy, samples)
    {
        Tokens = predictions,
        Perplexity = Math.Exp(meanLoss),
        BitsPerByte = BytesPerToken is { } b ? meanLoss / Math.Log(2) / b : null,
    };
}
