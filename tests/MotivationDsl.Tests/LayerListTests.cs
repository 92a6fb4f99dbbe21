using MotivationDsl.Blocks;
using Xunit;

namespace MotivationDsl.Tests;

/// <summary>
/// A generated variant's <see cref="LayerList"/> is one static instance shared by every module of the variant: once it
/// has described or built a variant it takes no more layers, so a later module cannot drift from the proven metadata.
/// </summary>
public class LayerListTests
{
    private static LayerList Small() =>
        new LayerList(classes: 10, inputShape: [3, 8, 8], init: WeightInit.PyTorchDefault)
            .Conv2d("conv1", outChannels: 4, kernel: 3, padding: 1, bias: false)
            .BatchNorm2d("bn1")
            .ReLU()
            .Stage("layer1", blockPrefix: "")
            .Blocks(count: 1, BasicBlock.Of(inPlanes: 4, planes: 4, stride: 1, shortcut: null))
            .GlobalAvgPool()
            .Flatten()
            .Linear("fc");

    [Fact]
    public void ALayerListThatDescribedAVariantTakesNoMoreLayers()
    {
        var layers = Small();
        var before = layers.Describe("Small", null);
        var error = Assert.Throws<InvalidOperationException>(() => layers.ReLU());
        Assert.Contains("already described or built", error.Message);
        Assert.Throws<InvalidOperationException>(() =>
            layers.Blocks(count: 1, BasicBlock.Of(inPlanes: 4, planes: 4, stride: 1, shortcut: null)));
        var after = layers.Describe("Small", null);
        Assert.Equal(before.Tensors.Select(t => t.Name), after.Tensors.Select(t => t.Name));
        Assert.Equal(before.ParameterCount, after.ParameterCount);
    }

    [Fact]
    public void ALayerListThatBuiltAModuleTakesNoMoreLayers()
    {
        var layers = Small();
        using var module = new SmallModule(layers);
        Assert.Throws<InvalidOperationException>(() => layers.Linear("extra"));
        using var again = new SmallModule(layers);
        Assert.Equal(module.state_dict().Keys, again.state_dict().Keys);
    }

    [Fact]
    public void ALayerListTakesLayersUntilItIsUsed()
    {
        var layers = Small().Dropout(0.1);
        Assert.Equal(Small().Describe("Small", null).ParameterCount, layers.Describe("Small", null).ParameterCount);
    }

    private sealed class SmallModule(LayerList layers) : VariantModule("Small", layers, null);
}
