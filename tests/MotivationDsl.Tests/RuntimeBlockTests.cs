using MotivationDsl.Blocks;
using MotivationDsl.Testing;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MotivationDsl.Tests;

/// <summary>
/// The built-in block modules the generated code constructs (runtime classes, <c>MotivationDsl.Blocks</c>): each one's
/// state_dict is exactly what its static <c>Describe</c> states (names, shapes, parameter or buffer), and its output has
/// the size <c>Describe</c> leaves in the metadata builder, for every shortcut option and a non-default kernel.
/// </summary>
public class RuntimeBlockTests
{
    public static TheoryData<string> ImageBlocks => new()
    {
        "basic-identity", "basic-A", "basic-B", "basic-k5", "bottleneck-identity", "bottleneck-A", "bottleneck-B",
        "bottleneck-k5", "mbconv-expand-se", "mbconv-noexpand-nose", "mbconv-residual",
    };

    [Theory]
    [MemberData(nameof(ImageBlocks))]
    public void AnImageBlocksStateAndOutputAreWhatDescribeStates(string config)
    {
        var m = new VariantMetadataBuilder(config, null, 10, [8, 12, 12]);
        nn.Module<Tensor, Tensor> block = config switch
        {
            "basic-identity" => Both(() => new BasicBlock(8, 8, 1, null), () => BasicBlock.Describe(m, 8, 8, 1, null)),
            "basic-A" => Both(() => new BasicBlock(8, 16, 2, Shortcut.A), () => BasicBlock.Describe(m, 8, 16, 2, Shortcut.A)),
            "basic-B" => Both(() => new BasicBlock(8, 16, 2, Shortcut.B), () => BasicBlock.Describe(m, 8, 16, 2, Shortcut.B)),
            "basic-k5" => Both(() => new BasicBlock(8, 8, 1, null, kernel: 5), () => BasicBlock.Describe(m, 8, 8, 1, null, kernel: 5)),
            "bottleneck-identity" => Both(() => new Bottleneck(8, 2, 1, null), () => Bottleneck.Describe(m, 8, 2, 1, null)),
            "bottleneck-A" => Both(() => new Bottleneck(8, 4, 2, Shortcut.A), () => Bottleneck.Describe(m, 8, 4, 2, Shortcut.A)),
            "bottleneck-B" => Both(() => new Bottleneck(8, 4, 2, Shortcut.B), () => Bottleneck.Describe(m, 8, 4, 2, Shortcut.B)),
            "bottleneck-k5" => Both(() => new Bottleneck(8, 2, 1, null, kernel: 5), () => Bottleneck.Describe(m, 8, 2, 1, null, kernel: 5)),
            "mbconv-expand-se" => Both(() => new MBConv(8, 16, 2, 32, 5, 2, 0.1), () => MBConv.Describe(m, 8, 16, 2, 32, 5, 2, 0.1)),
            "mbconv-noexpand-nose" => Both(() => new MBConv(8, 12, 1, 8, 3, 0, 0.0), () => MBConv.Describe(m, 8, 12, 1, 8, 3, 0, 0.0)),
            "mbconv-residual" => Both(() => new MBConv(8, 8, 1, 24, 3, 2, 0.0), () => MBConv.Describe(m, 8, 8, 1, 24, 3, 2, 0.0)),
            _ => throw new ArgumentException(config),
        };
        using (block)
        {
            AssertStateIsDescribed(block, m.Build());
            block.eval();
            using var y = block.call(randn(2, 8, 12, 12, generator: new Generator(3)));
            Assert.Equal(new[] { 2L, m.Channels, m.Height, m.Width }, y.shape);
        }
    }

    [Fact]
    public void TokenBlocksStateAndOutputAreWhatDescribeStates()
    {
        var e = VariantMetadataBuilder.ForTokens("encoder", null, vocabulary: 11, contextLength: 6);
        e.TokenEmbedding("wte", 12);
        using (var encoder = Both(() => new EncoderBlock(12, 3, 20), () => EncoderBlock.Describe(e, 12, 3, 20)))
        {
            AssertStateIsDescribed(encoder, e.Build(), skip: "wte.");
            using var y = encoder.call(randn(2, 6, 12, generator: new Generator(4)));
            Assert.Equal(new[] { 2L, 6, 12 }, y.shape);
        }
        var d = VariantMetadataBuilder.ForTokens("decoder", null, vocabulary: 11, contextLength: 6);
        using (var decoder = Both(() => new CausalDecoderBlock(12, 2, 6), () => CausalDecoderBlock.Describe(d, 12, 2, 6)))
        {
            AssertStateIsDescribed(decoder, d.Build());
            using var y = decoder.call(randn(2, 4, 12, generator: new Generator(5)));
            Assert.Equal(new[] { 2L, 4, 12 }, y.shape);
        }
    }

    [Fact]
    public void OptionAPadsTheSubsampledInputWithZeroChannelsOnBothSides()
    {
        // The shortcut alone: with every weight of the residual branch zero, a BasicBlock outputs relu(shortcut(x)).
        using var block = new BasicBlock(4, 8, 2, Shortcut.A);
        using (no_grad())
            foreach (var (name, p) in block.named_parameters())
                if (name.StartsWith("bn2.", StringComparison.Ordinal)) p.zero_();
        block.eval();
        using var x = rand(1, 4, 6, 6, generator: new Generator(6));
        using var y = block.call(x);
        using var expected = nn.functional.pad(x[.., .., TensorIndex.Slice(0, 6, 2), TensorIndex.Slice(0, 6, 2)], [0, 0, 0, 0, 2, 2]);
        Numerics.AssertClose(expected, y, Numerics.Shallow, "option A shortcut");
    }

    private static nn.Module<Tensor, Tensor> Both(Func<nn.Module<Tensor, Tensor>> create, Action describe)
    {
        describe();
        return create();
    }

    private static void AssertStateIsDescribed(nn.Module<Tensor, Tensor> block, VariantInfo described, string? skip = null)
    {
        var expected = described.Tensors.Where(t => skip is null || !t.Name.StartsWith(skip, StringComparison.Ordinal))
            .Select(t => $"{t.Name} {t.Kind} [{string.Join(", ", t.Shape)}]").ToList();
        var parameters = block.named_parameters().Select(p => p.name).ToHashSet();
        var actual = block.state_dict().Select(kv =>
            $"{kv.Key} {(parameters.Contains(kv.Key) ? TensorKind.Parameter : TensorKind.Buffer)} [{string.Join(", ", kv.Value.shape)}]").ToList();
        Assert.Equal(expected.Order(StringComparer.Ordinal), actual.Order(StringComparer.Ordinal));
    }
}
