using MotivationDsl.Testing;
using TorchSharp;
using Xunit;

namespace MotivationDsl.Tests;

/// <summary>
/// The TinyGpt test fixture (nanoGPT layout) against nanoGPT's PyTorch definition (tests/reference/nanogpt_model.py):
/// its state_dict loads with <c>load_state_dict(strict=True)</c> and the logits of every position agree within 1e-4.
/// </summary>
public class GptFixtureReferenceTests
{
    [PyTorchTheory]
    [InlineData(1)]
    [InlineData(3)]
    public void LogitsEqualNanoGptsWithAStrictLoad(int layers)
    {
        var definition = new TinyGptFixtureDefinition(baseDepth: layers, motivatedDepth: layers + 1, context: 16, embedding: 32, heads: 4);
        torch.manual_seed(layers);
        using var model = definition.Create(definition.BaseVariant);
        // Away from the initialisation (LayerNorm weights 1, biases 0), so every tensor matters.
        using (torch.no_grad()) foreach (var p in model.parameters()) p.add_(torch.randn_like(p).mul_(0.05));
        model.eval();
        using var tokens = torch.randint(0, TinyGptFixtureDefinition.Vocabulary, [3, 17], dtype: torch.ScalarType.Int64);
        using var input = tokens.narrow(1, 0, 16);
        using var logits = model.call(input);
        Assert.Equal(new long[] { 3, 16, 256 }, logits.shape);
        var (diff, scale) = PyTorchReference.Compare(model, tokens, logits, "compare_nanogpt.py", $"{layers} 4 32 16 256");
        Assert.True(diff <= 1e-4, $"TorchSharp and nanoGPT logits differ by {diff} (largest logit {scale})");
    }
}
