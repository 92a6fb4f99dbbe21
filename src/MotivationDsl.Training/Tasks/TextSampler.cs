using static TorchSharp.torch;

namespace MotivationDsl.Training;

/// <summary>How <see cref="TextSampler"/> draws tokens.</summary>
/// <param name="Temperature">Logits are divided by it before the softmax; must be positive (small: nearly greedy).</param>
/// <param name="TopK">Draw only among the K most likely tokens; null: all tokens.</param>
/// <param name="Seed">Seed of the sampler's own generator (the global torch generator is not touched).</param>
public sealed record SamplingOptions(double Temperature = 1.0, int? TopK = null, long Seed = 0)
{
    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming a bad value.</summary>
    public SamplingOptions Validate(int vocabulary)
    {
        if (!(Temperature > 0) || double.IsInfinity(Temperature))
            throw new ArgumentOutOfRangeException(nameof(Temperature), $"The temperature must be a positive number, got {Temperature}.");
        if (TopK is { } k && (k < 1 || k > vocabulary))
            throw new ArgumentOutOfRangeException(nameof(TopK), $"Top-k must be between 1 and the vocabulary size {vocabulary}, got {k}.");
        return this;
    }
}

/// <summary>
/// Autoregressive generation from a next-token language model (<see cref="ModelTask.LanguageModel"/>: token ids [B, T] ->
/// logits [B, T, V]), as nanoGPT's <c>generate</c>: the last context-length tokens go in, the last position's logits are
/// divided by the temperature, cut to the top k, and one token is drawn from the softmax; repeated.
/// </summary>
public static class TextSampler
{
    /// <summary>
    /// Appends <paramref name="newTokens"/> tokens to <paramref name="prompt"/> (at least one token) and returns the new ones.
    /// The model is put in eval mode for the call and restored after; no gradients are recorded.
    /// </summary>
    public static long[] Generate(nn.Module<Tensor, Tensor> model, IReadOnlyList<long> prompt, int newTokens, int contextLength, int vocabulary,
                                  SamplingOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(prompt);
        options.Validate(vocabulary);
        if (prompt.Count == 0) throw new ArgumentException("The prompt must hold at least one token.", nameof(prompt));
        if (newTokens < 0) throw new ArgumentOutOfRangeException(nameof(newTokens), $"The number of new tokens must be >= 0, got {newTokens}.");
        if (contextLength < 1) throw new ArgumentOutOfRangeException(nameof(contextLength));
        foreach (var t in prompt)
            if (t < 0 || t >= vocabulary) throw new ArgumentException($"Prompt token {t} is outside the vocabulary 0..{vocabulary - 1}.", nameof(prompt));

        var device = model.parameters().FirstOrDefault()?.device ?? CPU;
        var wasTraining = model.training;
        model.eval();
        try
        {
            using var _ = no_grad();
            using var generator = new Generator(unchecked((ulong)options.Seed), device);
            var tokens = new List<long>(prompt);
            for (var i = 0; i < newTokens; i++)
            {
                using var scope = NewDisposeScope();
                var start = Math.Max(0, tokens.Count - contextLength);
                var window = tensor(tokens.GetRange(start, tokens.Count - start).ToArray(), ScalarType.Int64, device).unsqueeze(0);
                var logits = model.call(window).select(1, -1).squeeze(0).to_type(ScalarType.Float32).div(options.Temperature);
                if (options.TopK is { } k && k < vocabulary)
                {
                    var kth = logits.topk(k).values.narrow(0, k - 1, 1);
                    logits = logits.masked_fill(logits.lt(kth), double.NegativeInfinity);
                }
                var probabilities = nn.functional.softmax(logits, 0);
                tokens.Add(multinomial(probabilities, 1, generator: generator).item<long>());
            }
            return tokens.GetRange(prompt.Count, newTokens).ToArray();
        }
        finally
        {
            if (wasTraining) model.train();
        }
    }
}
