using TorchSharp;
using static TorchSharp.torch;

namespace MotivationDsl;

/// <summary>
/// Squeeze-and-excitation inside a user block (<c>[SqueezeExcitation(name)]</c>), as torchvision's
/// <c>ops.SqueezeExcitation</c>: <c>x * sigmoid(fc2(act(fc1(mean(x)))))</c>, act ReLU (its default), SiLU or GELU, <c>fc1</c> and
/// <c>fc2</c> 1x1 convolutions with bias. The generated block modules construct it; the field names are the state_dict keys.
/// </summary>
public sealed class SqueezeExcitationModule : nn.Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.Conv2d fc1;
    private readonly TorchSharp.Modules.Conv2d fc2;

    private readonly SqueezeActivation _activation;

    /// <param name="channels">Input (and output) channels.</param>
    /// <param name="ratio">Squeeze channels are <see cref="Squeeze"/>(<paramref name="channels"/>, ratio).</param>
    /// <param name="activation">The activation after <c>fc1</c>.</param>
    public SqueezeExcitationModule(long channels, double ratio, SqueezeActivation activation = SqueezeActivation.ReLU)
        : this(channels, Squeeze(channels, ratio), activation, nameof(SqueezeExcitationModule)) { }

    private SqueezeExcitationModule(long channels, long squeeze, SqueezeActivation activation, string name) : base(name)
    {
        _activation = activation is SqueezeActivation.ReLU or SqueezeActivation.SiLU or SqueezeActivation.GELU
            ? activation : throw new ArgumentOutOfRangeException(nameof(activation), activation, "use ReLU, SiLU or GELU");
        fc1 = nn.Conv2d(in_channels: channels, out_channels: squeeze, kernel_size: 1);
        fc2 = nn.Conv2d(in_channels: squeeze, out_channels: channels, kernel_size: 1);
        RegisterComponents();
    }

    /// <summary>
    /// MBConv's squeeze-and-excitation (torchvision's, SiLU): <paramref name="squeeze"/> channels given, not a ratio of
    /// <paramref name="channels"/> (EfficientNet squeezes by a ratio of the block's input, not of the expanded width).
    /// </summary>
    public static SqueezeExcitationModule WithSqueeze(long channels, long squeeze, SqueezeActivation activation) =>
        new(channels, squeeze, activation, "SqueezeExcitation");

    /// <summary>The squeeze channels: <c>max(1, floor(channels x ratio))</c> (the generator proves the same figure).</summary>
    public static long Squeeze(long channels, double ratio) => Math.Max(1L, (long)Math.Floor(channels * ratio));

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var s = input.mean([2, 3], true);
        s = fc1.forward(s);
        s = _activation switch
        {
            SqueezeActivation.SiLU => nn.functional.silu(s),
            SqueezeActivation.GELU => nn.functional.gelu(s),
            _ => nn.functional.relu(s),
        };
        s = torch.sigmoid(fc2.forward(s));
        return scope.MoveToOuter(input * s);
    }
}
