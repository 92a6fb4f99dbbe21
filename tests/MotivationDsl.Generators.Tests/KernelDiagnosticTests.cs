using Xunit;
using static MotivationDsl.Generators.Tests.DiagnosticTests;
using static MotivationDsl.Generators.Tests.VocabularySources;

namespace MotivationDsl.Generators.Tests;

/// <summary>A kernel per variant outside MBConv (<c>Kernels</c> on Basic, Bottleneck and [ScalableBlock] stages).</summary>
public class KernelDiagnosticTests
{
    [Fact]
    public void TheBaseKernelIsMappedIntoTheCentreOfTheMotivatedOne()
    {
        var run = GeneratorHarness.Run(Kernels);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.OutputErrors);
        using var doc = System.Text.Json.JsonDocument.Parse(GeneratorHarness.Manifest(run.Source("KernelNet")!));
        var map = doc.RootElement.GetProperty("map").EnumerateArray().ToList();
        string Region(string name) => map.Single(e => e.GetProperty("base").GetString() == name).GetProperty("region").GetRawText().Replace(" ", "");
        // [8, 8, 3, 3] in [8, 8, 5, 5]: one from each edge (a region is [start, end) per dimension).
        Assert.Equal("[[0,8],[0,8],[1,4],[1,4]]", Region("layer1.0.conv1.weight"));
        Assert.Equal("[[0,8],[0,8],[1,4],[1,4]]", Region("layer1.0.conv2.weight"));
        Assert.Equal("[[0,16],[0,8],[1,4],[1,4]]", Region("layer2.0.conv1.weight"));
        // The 1x1 convolutions keep their kernel: the whole base tensor at the origin.
        Assert.Equal("[[0,16],[0,16],[0,1],[0,1]]", Region("layer2.0.conv2.weight"));
        Assert.Equal("[[0,16],[0,8],[0,1],[0,1]]", Region("layer2.0.shortcut.0.weight"));
    }

    [Fact]
    public void MOT065_AKxKConvolutionWithoutSamePadding()
    {
        var src = Kernels.Replace("Kernel = 3, Padding = 1, StageStride", "Kernel = 3, Padding = 0, StageStride");
        Expect(src, "MOT065").WithMessage("Kernels of variant 'S' on stage 'layer2': convolution 'conv1' has kernel 3 and padding 0; a kernel per variant needs odd kernels with padding kernel / 2 on every kxk convolution of the block, so that the output size does not depend on the kernel and a smaller kernel sits in the centre of a larger one")
            .At(src, "Conv2d(\"conv1\", Kernel = 3, Padding = 0");
    }

    [Fact]
    public void MOT065_AnEvenDeclaredKernel()
    {
        var src = Kernels.Replace("Kernel = 3, Padding = 1, StageStride", "Kernel = 4, Padding = 2, StageStride");
        Expect(src, "MOT065").WithMessage("Kernels of variant 'S' on stage 'layer2': convolution 'conv1' has kernel 4 and padding 2; a kernel per variant needs odd kernels with padding kernel / 2 on every kxk convolution of the block, so that the output size does not depend on the kernel and a smaller kernel sits in the centre of a larger one");
    }

    [Fact]
    public void MOT066_TheBaseKernelIsLarger()
    {
        var src = Kernels.Replace("Kernels = new[] { 3, 3 }", "Kernels = new[] { 7, 3 }");
        Expect(src, "MOT066").WithMessage("Block 'layer1.0' of base 'S' has 7x7 kernels but block 'layer1.0' of motivated 'L' has 5x5: a base kernel is mapped into the centre of the motivated one, so it cannot be larger")
            .At(src, "Kernels = new[] { 5, 5 }");
    }

    [Fact]
    public void MOT067_NoKernelToSet()
    {
        var src = Kernels.Replace("Kernel = 3, Padding = 1, StageStride", "Kernel = 1, StageStride");
        Expect(src, "MOT067").WithMessage("Kernels of variant 'S' on stage 'layer2': [ScalableBlock] KernelBlock has no convolution larger than 1x1; a kernel per variant replaces the one kernel size of the kxk (k > 1) convolutions of a block without branches")
            .At(src, "Kernels = new[] { 3, 3 }");
    }

    [Fact]
    public void MOT067_TwoKernelSizes()
    {
        var src = Kernels.Replace("[Conv2d(\"conv2\", Kernel = 1, Bias = false)]", "[Conv2d(\"conv2\", Kernel = 5, Padding = 2, Bias = false)]");
        Expect(src, "MOT067").WithMessage("Kernels of variant 'S' on stage 'layer2': [ScalableBlock] KernelBlock has convolutions of kernels 3 and 5; a kernel per variant replaces the one kernel size of the kxk (k > 1) convolutions of a block without branches");
    }

    [Fact]
    public void MOT067_Branches()
    {
        var src = Kernels.Replace("[Conv2d(\"conv2\", Kernel = 1, Bias = false)]\n[BatchNorm2d(\"bn2\")]",
            "[Branch(\"a\")]\n[Conv2d(\"conv2\", Kernel = 1, Bias = false)]\n[Branch(\"b\")]\n[Conv2d(\"conv3\", Kernel = 1, Bias = false)]\n[Join(JoinMode.Add)]\n[BatchNorm2d(\"bn2\")]");
        Expect(src, "MOT067").WithMessage("Kernels of variant 'S' on stage 'layer2': [ScalableBlock] KernelBlock has branches ([Branch]); a kernel per variant replaces the one kernel size of the kxk (k > 1) convolutions of a block without branches");
    }

    [Theory]
    [InlineData("4")]
    [InlineData("0")]
    [InlineData("1001")]
    public void MOT027_AKernelThatIsNotOddPositiveAndSmall(string kernel)
    {
        var src = Kernels.Replace("Kernels = new[] { 5, 5 }", $"Kernels = new[] {{ {kernel}, 5 }}");
        Expect(src, "MOT027").WithMessage($"Layer 'layer1': Kernels is {kernel}; a kernel per variant must be odd, positive and at most 999: a smaller kernel is mapped into the centre of a larger one, (k_m - k_b) / 2 from each edge")
            .At(src, $"Kernels = new[] {{ {kernel}, 5 }}");
    }
}
