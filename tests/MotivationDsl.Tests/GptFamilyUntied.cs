using MotivationDsl;

namespace MotivationDsl.Tests.Models;

/// <summary>
/// examples/Gpt's family with a head of its own (not tied to the token embedding): nanoGPT's <c>GPT</c> after
/// <c>model.lm_head.weight = nn.Parameter(model.lm_head.weight.clone())</c>; for the untied parameter counts and checks.
/// </summary>
[ScalableModel(Base = "ByteBase", Motivated = "ByteDeep", Init = WeightInit.Gpt2)]
[Pair("Gpt2Small", "Gpt2Medium")]
[Variant("ByteBase", Depth = new[] { 2 }, Heads = 4)]
[Variant("ByteDeep", Depth = new[] { 6 }, Heads = 4)]
[Variant("Gpt2Small", Depth = new[] { 12 }, WidthMultiplier = 6, Heads = 12, Vocabulary = 50257, ContextLength = 1024)]
[Variant("Gpt2Medium", Depth = new[] { 24 }, WidthMultiplier = 8, Heads = 16, Vocabulary = 50257, ContextLength = 1024)]
[TokenEmbedding("transformer.wte", 128, Vocabulary = 256, ContextLength = 128)]
[TokenPositions("transformer.wpe")]
[Stage("transformer.h", Block.CausalDecoder, 128, Blocks = 2, Heads = 4)]
[LayerNorm("transformer.ln_f")]
[LanguageModelHead("lm_head")]
public partial class GptFamilyUntied
{
}
