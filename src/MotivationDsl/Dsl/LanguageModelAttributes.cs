namespace MotivationDsl;

/// <summary>
/// The token input of a language model and its embedding (<c>torch.nn.Embedding(Vocabulary, dim)</c>, nanoGPT's
/// <c>transformer.wte</c>): the model's first layer. Input token ids <c>[B, T]</c> with T up to <see cref="ContextLength"/>,
/// output <c>[B, T, dim]</c>; <paramref name="dim"/> scales with the variant's width. Such a model's
/// <see cref="ModelTask"/> is <see cref="ModelTask.LanguageModel"/> and it ends with a <see cref="LanguageModelHeadAttribute"/>;
/// a variant may set its own <see cref="VariantAttribute.Vocabulary"/> and <see cref="VariantAttribute.ContextLength"/>.
/// </summary>
public sealed class TokenEmbeddingAttribute(string name, int dim) : LayerAttribute
{
    public string Name { get; } = name;
    public int Dim { get; } = dim;

    /// <summary>Tokens in the vocabulary (256 for bytes, 50,257 for GPT-2's BPE).</summary>
    public int Vocabulary { get; set; }

    /// <summary>The longest input sequence (nanoGPT's <c>block_size</c>).</summary>
    public int ContextLength { get; set; }
}

/// <summary>
/// A learned position embedding over the tokens, <c>torch.nn.Embedding(context length, d)</c> (nanoGPT's
/// <c>transformer.wpe</c>): row t is added to the token at position t.
/// </summary>
public sealed class TokenPositionsAttribute(string name) : LayerAttribute
{
    public string Name { get; } = name;
}

/// <summary>
/// The language-model head: logits over the vocabulary for every position, <c>torch.nn.Linear(d, vocabulary, bias: false)</c>
/// (nanoGPT's <c>lm_head</c>). With <see cref="TiedTo"/> naming the <see cref="TokenEmbeddingAttribute"/> its weight is the
/// embedding's weight: one tensor (the state_dict lists it under both names, as PyTorch does; it is counted, mapped and
/// optimised once, and the generator proves the map keeps it tied).
/// </summary>
public sealed class LanguageModelHeadAttribute(string name) : LayerAttribute
{
    public string Name { get; } = name;

    /// <summary>The token embedding whose weight the head shares; null: the head has its own weight.</summary>
    public string? TiedTo { get; set; }
}
