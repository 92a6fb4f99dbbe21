using System.Text.Json;
using MotivationDsl.Examples.Gpt;
using MotivationDsl.Tests.Models;
using MotivationDsl.Testing;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MotivationDsl.Tests;

/// <summary>
/// The generated GPT family (examples/Gpt) against nanoGPT's PyTorch definition: parameter counts (tied and untied head),
/// a strict state_dict load with logits within 1e-4, the tied head as one tensor through maps and zero-copy binding, and
/// function-preserving depth growth.
/// </summary>
public class GptFamilyTests
{
    private static ScalableModelDefinition Family(bool tied) => tied ? GptFamily.Definition : GptFamilyUntied.Definition;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Parameter_counts_equal_nanoGPTs(bool tied)
    {
        // tests/reference/nanogpt_counts.py (PyTorch 1.13, nanoGPT's GPT) wrote nanogpt_counts.json.
        var path = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "reference", "nanogpt_counts.json");
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        var reference = json.RootElement.GetProperty("parameters");
        var definition = Family(tied);
        Assert.Equal(ModelTask.LanguageModel, definition.ModelTask);
        foreach (var v in definition.Variants)
            Assert.Equal(reference.GetProperty(v.Name).GetProperty(tied ? "tied" : "untied").GetInt64(), v.ParameterCount);
        Assert.Equal(124_439_808, definition.GetVariant("Gpt2Small").ParameterCount + (tied ? 0 : -50257L * 768));
        var small = definition.GetVariant("Gpt2Small");
        Assert.Equal(new[] { 1024 }, small.InputShape);
        Assert.Equal(50257, small.Classes);
        Assert.Equal(new[] { 128 }, definition.GetVariant("ByteBase").InputShape);
        Assert.Equal(256, definition.GetVariant("ByteBase").Classes);
    }

    [PyTorchTheory]
    [InlineData(true, "ByteBase", 2, 4, 128)]
    [InlineData(true, "ByteWide", 4, 8, 256)]
    [InlineData(false, "ByteDeep", 6, 4, 128)]
    public void State_dict_loads_strictly_into_nanoGPT_with_equal_logits(bool tied, string variant, int layers, int heads, int width)
    {
        torch.manual_seed(layers);
        using var model = Family(tied).Create(variant);
        // Away from the initialisation (LayerNorm weights 1, biases 0), so every tensor matters.
        using (no_grad()) foreach (var p in model.parameters()) p.add_(randn_like(p).mul_(0.05));
        model.eval();
        using var tokens = randint(0, 256, [3, 33], dtype: ScalarType.Int64);
        using var input = tokens.narrow(1, 0, 32);
        using var logits = model.call(input);
        Assert.Equal(new long[] { 3, 32, 256 }, logits.shape);
        var state = model.state_dict();
        Assert.True(state.ContainsKey("lm_head.weight") && state.ContainsKey("transformer.wte.weight"));
        Assert.Equal(tied, state["lm_head.weight"].Handle == state["transformer.wte.weight"].Handle);
        Assert.Equal(tied, !model.named_parameters().Any(p => p.name == "lm_head.weight"));
        var (diff, scale) = PyTorchReference.Compare(model, tokens, logits, "compare_nanogpt.py",
            $"{layers} {heads} {width} 128 256 {(tied ? "tied" : "untied")}");
        Assert.True(diff <= 1e-4, $"TorchSharp and nanoGPT logits differ by {diff} (largest logit {scale})");
    }

    [Fact]
    public void Gpt2_initialisation_is_nanoGPTs()
    {
        torch.manual_seed(2);
        using var model = GptFamily.Create("ByteDeep"); // 6 blocks: residual projections std 0.02 / sqrt(12)
        var state = model.state_dict();
        double Std(string name) => state[name].std().item<float>();
        Assert.InRange(Std("transformer.wte.weight"), 0.019, 0.021);
        Assert.InRange(Std("transformer.wpe.weight"), 0.019, 0.021);
        Assert.InRange(Std("transformer.h.3.attn.c_attn.weight"), 0.019, 0.021);
        Assert.InRange(Std("transformer.h.3.mlp.c_proj.weight"), 0.95 * 0.02 / Math.Sqrt(12), 1.05 * 0.02 / Math.Sqrt(12));
        Assert.InRange(Std("transformer.h.3.attn.c_proj.weight"), 0.9 * 0.02 / Math.Sqrt(12), 1.1 * 0.02 / Math.Sqrt(12));
        Assert.Equal(0, state["transformer.h.3.attn.c_attn.bias"].abs().sum().item<float>());
        Assert.True(state["transformer.h.3.ln_1.weight"].eq(1).all().item<bool>());
        Assert.Equal(0, state["transformer.ln_f.bias"].abs().sum().item<float>());
    }

    [Fact]
    public void Context_longer_than_declared_is_an_error_naming_it()
    {
        using var model = GptFamily.Create("ByteBase");
        using var tokens = zeros([1, 129], ScalarType.Int64);
        var e = Assert.Throws<ArgumentException>(() => model.call(tokens));
        Assert.Contains("the context length is 128", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Tied_head_stays_one_tensor_through_the_map(bool zeroCopy)
    {
        torch.set_num_threads(1);
        using var pair = GptFamily.Definition.CreatePair(null, 3, null, zeroCopy);
        Assert.DoesNotContain(GptFamily.Map.Entries, e => e.BaseName == "lm_head.weight" || e.MotivatedName == "lm_head.weight");
        using (no_grad()) foreach (var p in pair.Base.parameters()) p.add_(1.0);
        pair.Map.CopyBaseToMotivated();
        foreach (var module in new[] { pair.Base, pair.Motivated })
        {
            var state = module.state_dict();
            Assert.Equal(state["transformer.wte.weight"].Handle, state["lm_head.weight"].Handle);
        }
        var b = pair.Base.state_dict()["lm_head.weight"];
        var m = pair.Motivated.state_dict()["lm_head.weight"];
        Assert.True(b.allclose(m, 0, 0), "the motivated head holds the base's tied weight");
    }

    [Fact]
    public void Function_preserving_depth_growth_starts_the_deeper_model_from_the_base_function()
    {
        torch.set_num_threads(1);
        var (preservingBase, preservingMotivated) = GrownLogits(GptFamily.WithPair("ByteBase", "ByteDeep", Growth.FunctionPreserving));
        Numerics.AssertClose(preservingBase, preservingMotivated, Numerics.Deep, "GPT ByteBase -> ByteDeep, function-preserving: logits");
        var (paperBase, paperMotivated) = GrownLogits(GptFamily.WithPair("ByteBase", "ByteDeep", Growth.Paper));
        Numerics.AssertDifferent(paperBase, paperMotivated, 1e-2, "GPT ByteBase -> ByteDeep, paper's rule: logits");
        var growth = GptFamily.WithPair("ByteBase", "ByteDeep", Growth.FunctionPreserving).Map.Growth;
        Assert.Equal(4 * 4, growth.Count); // blocks 2..5: attn.c_proj and mlp.c_proj, weight and bias
        Assert.All(growth, g => Assert.Matches(@"^transformer\.h\.[2-5]\.(attn|mlp)\.c_proj\.(weight|bias)$", g.Tensor));
    }

    [Fact]
    public void Every_declared_pair_of_a_language_model_keeps_its_task()
    {
        // A pair view that fell back to the base class's Classification made the trainer use the classification loss on
        // [B, T, V] logits (a crash) and drop bits per byte.
        foreach (var (b, m) in GptFamily.Definition.Pairs)
            Assert.Equal(ModelTask.LanguageModel, GptFamily.Definition.WithPair(b, m).ModelTask);
        Assert.Equal(ModelTask.LanguageModel, GptFamily.Definition.WithPair("ByteBase", "ByteDeep", Growth.FunctionPreserving).ModelTask);
    }

    [Fact]
    public void Width_pair_copies_each_base_head_into_the_same_motivated_head()
    {
        // ByteBase (128 wide, 4 heads of 32) -> ByteWide (256 wide, 8 heads of 32): base q/k/v head h, rows
        // [j 128 + 32 h, +32) of c_attn, land at rows [j 256 + 32 h, +32), input columns [0, 128).
        using var pair = GptFamily.WithPair("ByteBase", "ByteWide").CreatePair(null, 11);
        using (no_grad()) foreach (var p in pair.Motivated.parameters()) p.zero_();
        pair.Map.CopyBaseToMotivated();
        var b = pair.Base.state_dict()["transformer.h.0.attn.c_attn.weight"];
        var m = pair.Motivated.state_dict()["transformer.h.0.attn.c_attn.weight"];
        for (var j = 0; j < 3; j++)
            for (var h = 0; h < 4; h++)
            {
                using var baseRows = b.narrow(0, j * 128 + h * 32, 32);
                using var motivatedRows = m.narrow(0, j * 256 + h * 32, 32).narrow(1, 0, 128);
                Assert.True(baseRows.allclose(motivatedRows, 0, 0), $"block {j} head {h}");
            }
        // The motivated model's extra heads (4..7) and extra input columns hold nothing of the base.
        using var extraHeads = m.narrow(0, 128, 128);
        Assert.Equal(0, extraHeads.abs().sum().item<float>());
        var bo = pair.Base.state_dict()["transformer.h.0.attn.c_proj.weight"];
        var mo = pair.Motivated.state_dict()["transformer.h.0.attn.c_proj.weight"];
        using var outputOfBaseHeads = mo.narrow(0, 0, 128).narrow(1, 0, 128);
        Assert.True(bo.allclose(outputOfBaseHeads, 0, 0));
    }

    /// <summary>Trains the base a few steps on next-token loss, copies it into the motivated model and grows; both models' eval logits.</summary>
    private static (Tensor Base, Tensor Motivated) GrownLogits(ScalableModelDefinition definition)
    {
        using var pair = definition.CreatePair(null, 5);
        var tokens = randint(0, 256, [4, 33], generator: new Generator(17), dtype: ScalarType.Int64);
        var (x, y) = (tokens.narrow(1, 0, 32), tokens.narrow(1, 1, 32));
        using (var optimizer = optim.AdamW(pair.Base.parameters(), 1e-3))
        {
            pair.Base.train();
            for (var i = 0; i < 3; i++)
            {
                using var scope = NewDisposeScope();
                optimizer.zero_grad();
                nn.functional.cross_entropy(pair.Base.call(x).reshape(-1, 256), y.reshape(-1)).backward();
                optimizer.step();
            }
        }
        pair.Map.CopyBaseToMotivated();
        pair.Map.ApplyGrowth();
        using var _ = no_grad();
        pair.Base.eval();
        pair.Motivated.eval();
        return (pair.Base.call(x), pair.Motivated.call(x));
    }
}
