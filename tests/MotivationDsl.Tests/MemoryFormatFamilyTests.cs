using MotivationDsl.Tests.Models;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MotivationDsl.Tests;

/// <summary>
/// Generated families (the fixture models of TestModels.cs) with channels-last weights (<see cref="MemoryFormat"/>):
/// same logits as NCHW, growth still preserves the function.
/// </summary>
public class MemoryFormatFamilyTests
{
    public static TheoryData<string, bool> Families => new()
    {
        { "ResNet", false }, { "ResNet", true }, { "EfficientNet", false }, { "EfficientNet", true },
        { "ViT", false }, { "CustomNet", true },
    };

    private static (ScalableModelDefinition Definition, ModelOptions? Options) Family(string name) => name switch
    {
        "ResNet" => (TinyCifarResNet.Definition, null),
        "EfficientNet" => (TinyEfficientNet.Definition, null),
        "ViT" => (TinyViT.Definition, null),
        "CustomNet" => (CustomNet.Definition, null),
        _ => throw new ArgumentException(name),
    };

    private static Tensor Input(ScalableModelDefinition d, ModelOptions? o) =>
        randn([2, .. d.Describe(d.BaseVariant, o).InputShape.Select(x => (long)x)], generator: new Generator(4));

    [Theory]
    [MemberData(nameof(Families))]
    public void Channels_last_pairs_give_the_logits_of_NCHW_pairs(string family, bool zeroCopy)
    {
        torch.set_num_threads(1);
        var (def, options) = Family(family);
        using var nchw = def.CreatePair(null, 5, options, zeroCopy, MemoryFormat.Contiguous);
        using var nhwc = def.CreatePair(null, 5, options, zeroCopy, MemoryFormat.ChannelsLast);
        Assert.Equal(MemoryFormat.ChannelsLast, nhwc.Motivated.MemoryFormatOf());
        using var x = Input(def, options);
        using var xl = x.In(MemoryFormat.ChannelsLast);
        using var _ = no_grad();
        foreach (var (a, b) in new[] { (nchw.Base, nhwc.Base), (nchw.Motivated, nhwc.Motivated) })
        {
            a.eval(); b.eval();
            using var la = a.call(x);
            using var lb = b.call(xl);
            var scale = la.abs().max().item<float>();
            var gap = (la - lb).abs().max().item<float>();
            Assert.True(gap <= 1e-4 * Math.Max(1, scale), $"{family}: NCHW and channels-last logits differ by {gap} (scale {scale})");
        }
    }

    [Theory]
    [InlineData("ResNet", false)]
    [InlineData("EfficientNet", true)]
    public void Function_preserving_growth_works_on_channels_last_weights(string family, bool zeroCopy)
    {
        torch.set_num_threads(1);
        var (def, options) = Family(family);
        using var pair = def.WithPair(def.BaseVariant, def.MotivatedVariant, Growth.FunctionPreserving)
            .CreatePair(null, 9, options, zeroCopy, MemoryFormat.ChannelsLast);
        pair.Map.CopyBaseToMotivated();
        pair.Map.ApplyGrowth();
        Assert.Equal(MemoryFormat.ChannelsLast, pair.Motivated.MemoryFormatOf());
        using var x = Input(def, options).In(MemoryFormat.ChannelsLast);
        using var _ = no_grad();
        pair.Base.eval();
        pair.Motivated.eval();
        using var lb = pair.Base.call(x);
        using var lm = pair.Motivated.call(x);
        var gap = (lb - lm).abs().max().item<float>();
        Assert.True(gap <= 1e-5 * Math.Max(1, lb.abs().max().item<float>()), $"{family}: growth on channels-last weights changed the function by {gap}");
    }
}
