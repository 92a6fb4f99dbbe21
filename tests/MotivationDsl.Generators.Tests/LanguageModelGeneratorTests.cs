using Xunit;
using static MotivationDsl.Generators.Tests.Sources;

namespace MotivationDsl.Generators.Tests;

/// <summary>
/// The language-model constructs: token input, Block.CausalDecoder, tied head (one tensor, proven tied), per-variant
/// vocabulary and context, the maps (head-aware width, depth growth) and each diagnostic they add.
/// </summary>
public class LanguageModelGeneratorTests
{
    private static DiagnosticAssertion Expect(string source, string id)
    {
        var run = GeneratorHarness.Run(source);
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id is "CS8785" or "AD0001" or "MOT999");
        Assert.Empty(run.Result.Results.SelectMany(r => r.GeneratedSources));
        return DiagnosticAssertion.Single(run, id);
    }

    [Fact]
    public void Tied_head_is_one_tensor_and_untied_head_has_its_own()
    {
        // Per block 12 d^2 + 13 d (d = 16): 3,280; S has one; wte 32 x 16, wpe 8 x 16, ln_f 2 x 16; an untied head adds 32 x 16.
        var tied = GeneratorHarness.Run(MiniGpt).Source("MiniGpt")!;
        Assert.Contains("Variant <c>S</c>: 3,952 parameters", tied);
        Assert.DoesNotContain("\"lm_head.weight\"", GeneratorHarness.Manifest(tied));
        var untied = GeneratorHarness.Run(MiniGpt.Replace(", TiedTo = \"transformer.wte\"", "")).Source("MiniGpt")!;
        Assert.Contains("Variant <c>S</c>: 4,464 parameters", untied);
        Assert.Contains("\"lm_head.weight\"", GeneratorHarness.Manifest(untied));
    }

    [Fact]
    public void Width_pair_maps_the_fused_attention_head_by_head()
    {
        var run = GeneratorHarness.Run(MiniGpt);
        Assert.Empty(run.OutputErrors);
        var source = run.Source("MiniGpt")!;
        // S (2 heads x 8) -> W (4 heads x 8): q head 1 [8, 16) stays at [8, 16); k head 0 [16, 24) goes to [32, 40).
        Assert.Contains("{ \"\"base\"\": [[8, 16], [0, 16]], \"\"motivated\"\": [[8, 16], [0, 16]] }", source);
        Assert.Contains("{ \"\"base\"\": [[16, 24], [0, 16]], \"\"motivated\"\": [[32, 40], [0, 16]] }", source);
    }

    [Fact]
    public void MOT029_HeadsDoNotDivideTheWidth()
    {
        var src = MiniGpt.Replace("[Variant(\"S\", Depth = new[] { 1 }, Heads = 2)]", "[Variant(\"S\", Depth = new[] { 1 }, Heads = 3)]");
        Expect(src, "MOT029").WithMessage("Variant 'S': stage 'transformer.h' has 3 attention heads, which do not divide its width 16").At(src, "Heads = 3");
    }

    [Fact]
    public void MOT040_HeadTiedToALayerThatIsNotTheEmbedding()
    {
        var src = MiniGpt.Replace("TiedTo = \"transformer.wte\"", "TiedTo = \"transformer.wpe\"");
        Expect(src, "MOT040").WithMessage("Language-model head 'lm_head' is tied to 'transformer.wpe', but it is a TokenPositions, not the TokenEmbedding")
            .At(src, "TiedTo = ");
    }

    [Fact]
    public void MOT040_HeadTiedToAnUnknownLayer()
    {
        var src = MiniGpt.Replace("TiedTo = \"transformer.wte\"", "TiedTo = \"wte\"");
        Expect(src, "MOT040").WithMessage("Language-model head 'lm_head' is tied to 'wte', but no layer before the head has that name").At(src, "TiedTo = ");
    }

    [Fact]
    public void MOT041_PairedVariantsWithDifferentVocabularies()
    {
        var src = MiniGpt.Replace("WidthMultiplier = 2, Heads = 4)]", "WidthMultiplier = 2, Heads = 4, Vocabulary = 64)]");
        Expect(src, "MOT041").WithMessage("Variants 'S' and 'W' have different vocabularies (32 and 64); a weights map needs the same vocabularies in both, since the token rows and position rows of one are not those of the other")
            .At(src, "Pair(\"S\", \"W\")");
    }

    [Fact]
    public void MOT041_PairedVariantsWithDifferentContextLengths()
    {
        var src = MiniGpt.Replace("[Variant(\"L\", Depth = new[] { 3 }, Heads = 2)]", "[Variant(\"L\", Depth = new[] { 3 }, Heads = 2, ContextLength = 16)]");
        Expect(src, "MOT041").WithMessage("Variants 'S' and 'L' have different context lengths (8 and 16); a weights map needs the same context lengths in both, since the token rows and position rows of one are not those of the other")
            .At(src, "Motivated = \"L\"");
    }

    [Fact]
    public void MOT034_WidthGrowthOfALanguageModelIsNotFunctionPreserving()
    {
        var src = MiniGpt.Replace("[Pair(\"S\", \"W\")]", "[Pair(\"S\", \"W\", Growth = Growth.FunctionPreserving)]");
        Expect(src, "MOT034").WithMessage("Function-preserving growth S -> W: 'transformer.wte' cannot start as the base's function: the width grows from 16 to 32: the LayerNorms then normalise over the new features too, and the language-model head reads them, so no zeroing or copying of the new features keeps the logits; grow depth, or use Growth.Paper")
            .At(src, "WidthMultiplier = 2");
    }

    [Fact]
    public void MOT014_TokenEmbeddingMustComeFirst()
    {
        var src = MiniGpt.Replace("[TokenEmbedding(\"transformer.wte\", 16, Vocabulary = 32, ContextLength = 8)]\n[TokenPositions(\"transformer.wpe\")]",
            "[TokenPositions(\"transformer.wpe\")]\n[TokenEmbedding(\"transformer.wte\", 16, Vocabulary = 32, ContextLength = 8)]");
        Assert.Contains("[TokenPositions(\"transformer.wpe\")]\n[TokenEmbedding", src);
        Expect(src, "MOT014").WithMessage("Layer 'transformer.wte': TokenEmbedding reads the token ids, so it must be the model's first layer")
            .At(src, "TokenEmbedding(");
    }

    [Fact]
    public void MOT014_LanguageModelWithAnImageInputShape()
    {
        var src = MiniGpt.Replace("[ScalableModel(Base", "[ScalableModel(InputShape = new[] { 3, 8, 8 }, Base");
        Expect(src, "MOT014").WithMessage("Layer 'MiniGpt': a language model's input and output sizes are its TokenEmbedding's ContextLength and Vocabulary; remove InputShape and Classes")
            .At(src, "InputShape =");
    }

    [Fact]
    public void MOT014_TokenLayerInsideABlock()
    {
        var block = UserBlock.Replace("[ScalableBlock(ReLUAfterAdd = false)]", "[ScalableBlock(ReLUAfterAdd = false)]\n[TokenPositions(\"wpe\")]");
        Assert.Contains("[TokenPositions(\"wpe\")]", block);
        var run = GeneratorHarness.Run(UserBlockModel, block);
        DiagnosticAssertion.Single(run, "MOT014").WithMessage("Layer 'wpe': this layer is not supported inside a [ScalableBlock]").At(block, "TokenPositions(");
    }

    [Fact]
    public void MOT014_ArgumentsThatWouldBeIgnored()
    {
        var mlp = MiniGpt.Replace("Blocks = 1, Heads = 2)]", "Blocks = 1, Heads = 2, MlpDim = 32)]");
        Expect(mlp, "MOT014").WithMessage("Layer 'transformer.h': a CausalDecoder block's MLP is four times its width (GPT-2's); remove MlpDim").At(mlp, "MlpDim = 32");
        var image = MiniViT.Replace("[Variant(\"Ti\", Heads = 2)]", "[Variant(\"Ti\", Heads = 2, ContextLength = 64)]");
        Expect(image, "MOT014").WithMessage("Layer 'Ti': ContextLength applies to language models (a model whose first layer is a TokenEmbedding)").At(image, "ContextLength = 64");
    }

    [Fact]
    public void MOT027_VocabularyMissing()
    {
        var src = MiniGpt.Replace("16, Vocabulary = 32, ContextLength = 8)]", "16, ContextLength = 8)]");
        Expect(src, "MOT027").WithMessage("Layer 'transformer.wte': Vocabulary is 0; a language model needs a vocabulary of 2 to 1000000 tokens")
            .At(src, "TokenEmbedding(");
    }

    [Fact]
    public void MOT042_MapThatUntiesATiedWeight()
    {
        var wte = new TensorDesc("wte.weight", false, new long[] { 32, 16 }, null, -1, "wte.weight");
        var entries = new[] { new MapEntryDesc("wte.weight", "wte.weight", false, wte.Shape, wte.Shape, new (long, long)[] { (0, 32), (0, 16) }) };
        var tie = new[] { ("lm_head.weight", "wte.weight") };
        Assert.Empty(MapChecker.CheckTies("S", "L", tie, tie, entries));
        var untied = Assert.Single(MapChecker.CheckTies("S", "L", tie, Array.Empty<(string, string)>(), entries));
        Assert.Equal("MOT042: Weights map S -> L: 'lm_head.weight' is tied to 'wte.weight' in the base, but the motivated variant 'L' does not tie them, so the base's one tensor cannot stand for both", untied.ToString());
        var tiedLater = Assert.Single(MapChecker.CheckTies("S", "L", Array.Empty<(string, string)>(), tie, entries));
        Assert.Equal("MOT042: Weights map S -> L: 'lm_head.weight' is tied to 'wte.weight' in the motivated variant, but the base 'S' keeps two tensors, which cannot both be copied into one", tiedLater.ToString());
        var elsewhere = new[] { new MapEntryDesc("wte.weight", "wpe.weight", false, wte.Shape, wte.Shape, new (long, long)[] { (0, 32), (0, 16) }) };
        Assert.Contains("the map sends it to 'wpe.weight'", Assert.Single(MapChecker.CheckTies("S", "L", tie, tie, elsewhere)).ToString());
        var twice = entries.Append(new MapEntryDesc("lm_head.weight", "lm_head.weight", false, wte.Shape, wte.Shape, new (long, long)[] { (0, 32), (0, 16) })).ToArray();
        Assert.Contains("the map has an entry of its own for 'lm_head.weight'", Assert.Single(MapChecker.CheckTies("S", "L", tie, tie, twice)).ToString());
    }
}
