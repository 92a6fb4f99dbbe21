using System.Globalization;
using MotivationDsl.Examples.EfficientNet;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MotivationDsl.Tests;

/// <summary>WeightInit.EfficientNet (examples/EfficientNet) initialises as torchvision's EfficientNet.</summary>
public class WeightInitTests
{
    /// <summary>
    /// Every tensor follows the law torchvision draws it from (tests/reference/compare_init.py checks ours and torchvision's
    /// against it), and the eval logits at init have torchvision's scale: about 1e-13 on random 32 px input, where PyTorch's
    /// default initialisation gives about 1e-2.
    /// </summary>
    [PyTorchTheory]
    [InlineData("B0", "efficientnet_b0")]
    [InlineData("B3", "efficientnet_b3")]
    public void EfficientNet_starts_as_torchvision_initialises_it(string variant, string arch)
    {
        torch.set_num_threads(1);
        torch.manual_seed(8);
        using var m = EfficientNet.Create(variant, new ModelOptions { Classes = 10, InputSize = 32 });
        m.eval();
        using var x = randn([4, 3, 32, 32], generator: new Generator(17));
        using var y = m.forward(x);
        var stdout = PyTorchReference.Run(m, x, y, "compare_init.py", $"{arch} 10");
        Assert.DoesNotContain("MISMATCH", stdout);
        Assert.Contains($"checked {m.state_dict().Count}\n", stdout);
        var scales = stdout.Split("scale ")[1].Trim().Split(' ').Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        Assert.True(Math.Abs(Math.Log10(scales[0] / scales[1])) <= 1,
            $"eval logits at init: ours up to {scales[0]:G3}, torchvision's up to {scales[1]:G3} (should be within a factor 10)");
    }

    [Fact]
    public void EfficientNet_init_zeroes_biases_and_sets_BatchNorm_to_identity()
    {
        torch.manual_seed(2);
        using var m = EfficientNet.Create("B0", new ModelOptions { Classes = 10, InputSize = 32 });
        var p = m.named_parameters().ToDictionary(x => x.name, x => (Tensor)x.parameter);
        Assert.Equal(0, p["classifier.1.bias"].abs().max().item<float>());
        Assert.Equal(0, p["features.2.0.block.2.fc1.bias"].abs().max().item<float>());
        Assert.Equal(1, p["features.2.0.block.0.1.weight"].min().item<float>());
        Assert.True(p["classifier.1.weight"].abs().max().item<float>() <= 1 / Math.Sqrt(10)); // uniform(+-1/sqrt(out_features))
        // Stem 3x3 convolution, 32 outputs: kaiming_normal_ fan-out std sqrt(2 / (32 x 9)); PyTorch's default gives 1/sqrt(3 x 27).
        var expected = Math.Sqrt(2.0 / (32 * 9));
        Assert.InRange(p["features.0.0.weight"].std().item<float>(), expected * 0.85, expected * 1.15);
        Assert.Throws<ArgumentOutOfRangeException>(() => WeightInitialization.Apply(m, (WeightInit)7));
    }
}
