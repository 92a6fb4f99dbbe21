namespace MotivationDsl;

/// <summary>What a scalable model's output means, so trainers and tools pick the loss and metrics.</summary>
public enum ModelTask
{
    /// <summary>Input [B, ...<see cref="VariantInfo.InputShape"/>], output [B, <see cref="VariantInfo.Classes"/>] class logits.</summary>
    Classification = 0,

    /// <summary>
    /// Next-token language model: input int64 token ids [B, T] with T up to the context length
    /// (<see cref="VariantInfo.InputShape"/> = [context length]), output [B, T, vocabulary] logits for every position
    /// (<see cref="VariantInfo.Classes"/> = the vocabulary size); <see cref="VariantInfo.Macs"/> counts one sequence of
    /// the full context length.
    /// </summary>
    LanguageModel = 1,
}
