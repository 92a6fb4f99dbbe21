using MotivationDsl;

namespace MotivationDsl.Examples.Gpt;

/// <summary>
/// A GPT family in nanoGPT's layout (<c>transformer.wte</c>, <c>transformer.wpe</c>, pre-LayerNorm blocks
/// <c>transformer.h.{i}</c>, <c>transformer.ln_f</c>, <c>lm_head</c> tied to <c>wte</c>), so every variant's state_dict loads
/// into nanoGPT's <c>GPT</c> with <c>load_state_dict(strict=True)</c>.
/// <list type="bullet">
/// <item>Byte level (vocabulary 256, context 128), small enough to train on two CPU cores:
/// <c>ByteBase</c> 2 blocks x 128 wide x 4 heads; <c>ByteDeep</c> 6 x 128 x 4 (the declared pair: depth growth, so both
/// growth rules apply); <c>ByteWide</c> 4 x 256 x 8 (a width pair, head-aware: head dimension 32 in both).</item>
/// <item>GPT-2 small (124M: 12 x 768 x 12) and medium (350M: 24 x 1024 x 16), vocabulary 50,257, context 1,024,
/// with their own proven pair (head dimension 64 in both).</item>
/// </list>
/// </summary>
[ScalableModel(Base = "ByteBase", Motivated = "ByteDeep", Init = WeightInit.Gpt2)]
[Pair("ByteBase", "ByteDeep", Growth = Growth.FunctionPreserving)]
[Pair("ByteBase", "ByteWide")]
[Pair("Gpt2Small", "Gpt2Medium")]
[Variant("ByteBase", Depth = new[] { 2 }, Heads = 4)]
[Variant("ByteDeep", Depth = new[] { 6 }, Heads = 4)]
[Variant("ByteWide", Depth = new[] { 4 }, WidthMultiplier = 2, Heads = 8)]
[Variant("Gpt2Small", Depth = new[] { 12 }, WidthMultiplier = 6, Heads = 12, Vocabulary = 50257, ContextLength = 1024)]
[Variant("Gpt2Medium", Depth = new[] { 24 }, WidthMultiplier = 8, Heads = 16, Vocabulary = 50257, ContextLength = 1024)]
[TokenEmbedding("transformer.wte", 128, Vocabulary = 256, ContextLength = 128)]
[TokenPositions("transformer.wpe")]
[Stage("transformer.h", Block.CausalDecoder, 128, Blocks = 2, Heads = 4)]
[LayerNorm("transformer.ln_f")]
[LanguageModelHead("lm_head", TiedTo = "transformer.wte")]
public partial class GptFamily
{
}
