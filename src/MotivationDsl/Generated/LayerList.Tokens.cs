using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MotivationDsl;

/// <summary>The token layers of a <see cref="LayerList"/>: a ViT's patch tokens and a language model's embeddings and head.</summary>
public sealed partial class LayerList
{
    /// <summary>A language model's layers: token ids [<paramref name="contextLength"/>] in, logits over <paramref name="vocabulary"/> out.</summary>
    public static LayerList ForTokens(int vocabulary, int contextLength, WeightInit init) =>
        new((variant, options) => VariantMetadataBuilder.ForTokens(variant, options, vocabulary, contextLength), init);

    /// <summary>A stride-<paramref name="patch"/> convolution whose positions become tokens [N, tokens, dim].</summary>
    public LayerList PatchEmbedding(string name, long dim, long patch) =>
        Add(m => m.PatchEmbedding(name, dim, patch), (module, m) =>
        {
            var conv = nn.Conv2d(in_channels: m.Channels, out_channels: dim, kernel_size: patch, stride: patch);
            module.Add(name, conv);
            return x => conv.forward(x).flatten(2).transpose(1, 2);
        });

    /// <summary>A learned class token [1, 1, dim] (zeros) put before the tokens.</summary>
    public LayerList ClassToken(string name) =>
        Add(m => m.ClassToken(name), (module, m) =>
        {
            var token = module.AddParameter(name, zeros(1, 1, m.Channels));
            return x => cat([token().expand(x.shape[0], -1, -1), x], 1);
        });

    /// <summary>A learned position embedding [1, tokens, dim] (normal, std 0.02) added to the tokens.</summary>
    public LayerList PositionalEmbedding(string name) =>
        Add(m => m.PositionalEmbedding(name), (module, m) =>
        {
            var embedding = module.AddParameter(name, empty(1, m.Tokens, m.Channels).normal_(0.0, 0.02));
            return x => x + embedding();
        });

    /// <summary>The class token's features (token 0).</summary>
    public LayerList ClassTokenSelect() => Add(_ => { }, (_, _) => static x => x.select(1, 0));

    /// <summary>A language model's token embedding [vocabulary, <paramref name="dim"/>]; longer sequences than the context are refused.</summary>
    public LayerList TokenEmbedding(string name, long dim) =>
        Add(m => m.TokenEmbedding(name, dim), (module, m) =>
        {
            var (table, context) = (new TokenTable(tokens: m.Classes, dim: dim), m.Tokens);
            module.Add(name, table);
            return x => x.shape[1] > context
                ? throw new ArgumentException("The sequence has " + x.shape[1] + " tokens; the context length is " + context + ".", "input")
                : table.forward(x);
        });

    /// <summary>A learned position embedding [context length, dim] added to every sequence.</summary>
    public LayerList TokenPositions(string name) =>
        Add(m => m.TokenPositions(name), (module, m) =>
        {
            var positions = nn.Embedding(num_embeddings: m.Tokens, embedding_dims: m.Channels);
            module.Add(name, positions);
            return x => x + positions.forward(arange(x.shape[1], dtype: ScalarType.Int64, device: x.device));
        });

    /// <summary>Logits over the vocabulary (no bias); tied to <paramref name="tiedTo"/>'s token table, it has no weight of its own.</summary>
    public LayerList LanguageModelHead(string name, string? tiedTo = null) =>
        Add(m => m.LanguageModelHead(name, tiedTo), (module, m) => module.Add(name, tiedTo is null
            ? nn.Linear(inputSize: m.Channels, outputSize: m.Classes, hasBias: false)
            : new TiedHead(module.Find<TokenTable>(tiedTo))));
}
