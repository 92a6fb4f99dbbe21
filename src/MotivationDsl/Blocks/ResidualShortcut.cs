using TorchSharp;
using static TorchSharp.torch;

namespace MotivationDsl.Blocks;

/// <summary>
/// The shortcut of a residual convolution block (<see cref="BasicBlock"/>, <see cref="Bottleneck"/>, and the generated
/// modules of residual <c>[ScalableBlock]</c>s): null the identity, option A subsample by the stride and zero-pad the
/// extra channels (half before, half after), option B a 1x1 convolution with the stride and a batch norm
/// (<see cref="Projection"/>, registered by the block under its state_dict name). Not a module: it holds no tensors.
/// </summary>
public sealed class ResidualShortcut(Shortcut? kind, long inChannels, long outChannels, long stride)
{
    private readonly long _padLeft = (outChannels - inChannels) / 2;

    /// <summary>Option B's <c>0</c> (1x1 convolution) and <c>1</c> (batch norm); null for the identity and option A.</summary>
    public static TorchSharp.Modules.Sequential? Projection(Shortcut? kind, long inChannels, long outChannels, long stride) =>
        kind == Shortcut.B
            ? nn.Sequential(
                ("0", nn.Conv2d(in_channels: inChannels, out_channels: outChannels, kernel_size: 1, stride: stride, bias: false)),
                ("1", nn.BatchNorm2d(num_features: outChannels)))
            : null;

    /// <summary>The shortcut's output for the block's <paramref name="input"/>.</summary>
    public Tensor Apply(Tensor input, TorchSharp.Modules.Sequential? projection) => kind switch
    {
        Shortcut.A => nn.functional.pad(
            input.slice(2, 0, input.shape[2], stride).slice(3, 0, input.shape[3], stride),
            [0, 0, 0, 0, _padLeft, outChannels - inChannels - _padLeft]),
        Shortcut.B => projection!.forward(input),
        _ => input,
    };

    /// <summary>Option B's tensors and MACs (after the block's body: <see cref="VariantMetadataBuilder.Channels"/> is its output).</summary>
    public static void Describe(VariantMetadataBuilder m, string name, Shortcut? kind, long inChannels)
    {
        if (kind != Shortcut.B) return;
        m.Conv2d(name + ".0", outChannels: m.Channels, kernel: 1, bias: false, inChannels: inChannels);
        m.BatchNorm2d(name + ".1");
    }
}
