using MotivationDsl.Testing;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MotivationDsl.Tests;

/// <summary>The runtime's squeeze-and-excitation: x * sigmoid(fc2(act(fc1(mean(x))))) for each activation the DSL offers.</summary>
public class SqueezeExcitationModuleTests
{
    [Theory]
    [InlineData(SqueezeActivation.ReLU)]
    [InlineData(SqueezeActivation.SiLU)]
    [InlineData(SqueezeActivation.GELU)]
    public void Computes_the_scaled_input_with_its_activation(SqueezeActivation activation)
    {
        torch.set_num_threads(1);
        torch.manual_seed(5);
        using var se = new SqueezeExcitationModule(channels: 8, ratio: 0.25, activation);
        using var x = randn([2, 8, 5, 5], generator: new Generator(9));
        var p = se.named_parameters().ToDictionary(n => n.name, n => n.parameter);
        using var s = nn.functional.conv2d(x.mean([2, 3], true), p["fc1.weight"], p["fc1.bias"]);
        using var a = activation switch
        {
            SqueezeActivation.SiLU => nn.functional.silu(s),
            SqueezeActivation.GELU => nn.functional.gelu(s),
            _ => nn.functional.relu(s),
        };
        using var expected = x * torch.sigmoid(nn.functional.conv2d(a, p["fc2.weight"], p["fc2.bias"]));
        using var actual = se.call(x);
        Numerics.AssertClose(expected, actual, Numerics.Shallow, $"SE with {activation}");
    }

    [Fact]
    public void Rejects_an_unknown_activation() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new SqueezeExcitationModule(8, 0.25, (SqueezeActivation)7));
}
