using MotivationDsl.Tests.Models;
using MotivationDsl.Testing;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MotivationDsl.Tests;

/// <summary>
/// A kernel per variant outside MBConv (<c>KernelNet</c>: 3x3 base, 5x5 motivated): the map copies each base kernel
/// into the centre of the motivated one, and a centre-embedded kernel with zeros around it computes the same
/// convolution at padding kernel / 2 (what Growth.FunctionPreserving relies on; FunctionPreservingGrowthTests checks the
/// whole model).
/// </summary>
public class KernelMapTests
{
    [Fact]
    public void The_map_copies_the_base_kernel_into_the_centre_of_the_motivated_one()
    {
        using var pair = KernelNet.Definition.CreatePair(null, 3);
        var b = pair.Base.state_dict();
        var m = pair.Motivated.state_dict();
        foreach (var name in new[] { "layer1.0.conv1.weight", "layer1.0.conv2.weight", "layer2.0.conv1.weight" })
        {
            Assert.Equal(3, b[name].shape[2]);
            Assert.Equal(5, m[name].shape[2]);
            var (o, i) = (b[name].shape[0], b[name].shape[1]);
            var centre = m[name].narrow(0, 0, o).narrow(1, 0, i).narrow(2, 1, 3).narrow(3, 1, 3);
            Assert.True(centre.allclose(b[name], 0, 0), $"{name}: the motivated kernel's centre is the base kernel");
            // The ring keeps the motivated model's own initialisation under the paper's rule.
            Assert.True(m[name].narrow(2, 0, 1).abs().sum().item<float>() > 0, $"{name}: the ring was overwritten");
        }
        // A 1x1 convolution keeps its kernel: a channel prefix.
        var shortcut = "layer2.0.shortcut.0.weight";
        Assert.True(m[shortcut].narrow(0, 0, 16).narrow(1, 0, 8).allclose(b[shortcut], 0, 0));
    }

    [Fact]
    public void A_zero_copy_pair_shares_the_centre_of_the_motivated_kernel()
    {
        using var pair = KernelNet.Definition.CreatePair(null, 3, true);
        Assert.True(pair.Map.SharedCount > 0);
        var b = pair.Base.named_parameters().Single(p => p.name == "layer1.0.conv1.weight").parameter;
        var m = pair.Motivated.named_parameters().Single(p => p.name == "layer1.0.conv1.weight").parameter;
        using (no_grad()) b.fill_(0.25f);
        Assert.Equal(0.25f, m.narrow(2, 1, 3).narrow(3, 1, 3).min().item<float>());
        Assert.Equal(0.25f, m.narrow(2, 1, 3).narrow(3, 1, 3).max().item<float>());
        Assert.NotEqual(0.25f, m.narrow(2, 0, 1).max().item<float>());
    }

    [Fact]
    public void Function_preserving_growth_zeroes_the_ring_only()
    {
        using var pair = KernelNet.WithPair("S", "L", Growth.FunctionPreserving).CreatePair(null, 3);
        pair.Map.CopyBaseToMotivated();
        pair.Map.ApplyGrowth();
        var w = pair.Motivated.state_dict()["layer1.0.conv1.weight"];
        using var ring = ones(5, 5);
        ring.narrow(0, 1, 3).narrow(1, 1, 3).zero_();
        Assert.Equal(0f, (w * ring).abs().max().item<float>());
        Assert.True(w.narrow(2, 1, 3).narrow(3, 1, 3).abs().min().item<float>() > 0, "the centre (the base's kernel) was zeroed");
    }

    [Theory]
    [InlineData(3, 5, 1)]
    [InlineData(3, 7, 2)]
    [InlineData(1, 5, 1)]
    public void A_centred_kernel_with_zeros_around_it_computes_the_same_convolution(int small, int large, int stride)
    {
        torch.set_num_threads(1);
        var generator = new Generator(7);
        using var x = randn([2, 4, 11, 9], generator: generator);
        using var kb = randn([6, 4, small, small], generator: generator);
        using var km = zeros(6, 4, large, large);
        var offset = (large - small) / 2;
        km.narrow(2, offset, small).narrow(3, offset, small).copy_(kb);
        using var yb = nn.functional.conv2d(x, kb, strides: [stride, stride], padding: [small / 2, small / 2]);
        using var ym = nn.functional.conv2d(x, km, strides: [stride, stride], padding: [large / 2, large / 2]);
        Assert.Equal(yb.shape, ym.shape);
        Numerics.AssertClose(yb, ym, Numerics.Shallow, $"{small}x{small} in the centre of {large}x{large}, stride {stride}");
    }
}
