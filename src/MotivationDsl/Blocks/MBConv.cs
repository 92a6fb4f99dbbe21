using TorchSharp;
using static TorchSharp.torch;

namespace MotivationDsl.Blocks;

/// <summary>
/// EfficientNet's MBConv (<c>Block.MBConv</c>) as torchvision: <c>block.0</c> expand 1x1 conv-BN-SiLU (absent when the
/// expanded width equals the input), depthwise kxk conv-BN-SiLU, squeeze-and-excitation (<c>fc1</c>-SiLU-<c>fc2</c>-sigmoid
/// on the average), project 1x1 conv-BN; residual with stochastic depth (row mode, training only) when the stride is 1
/// and the channels do not change.
/// </summary>
public sealed class MBConv : nn.Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.Sequential block;
    private readonly bool _residual;
    private readonly double _stochasticDepth;

    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="stride">The depthwise convolution's stride.</param>
    /// <param name="expanded">The expanded width (inChannels x expansion, made divisible by 8).</param>
    /// <param name="kernel">The depthwise convolution's kernel, padding (kernel - 1) / 2.</param>
    /// <param name="squeeze">Squeeze channels; 0: no squeeze-and-excitation.</param>
    /// <param name="stochasticDepth">The probability of dropping the residual branch of a sample while training.</param>
    public MBConv(long inChannels, long outChannels, long stride, long expanded, long kernel, long squeeze,
        double stochasticDepth) : base(nameof(MBConv))
    {
        var items = new List<(string, nn.Module<Tensor, Tensor>)>();
        string Next() => items.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (expanded != inChannels) items.Add((Next(), ConvNormActivation(inChannels, expanded, 1, 1, 1)));
        items.Add((Next(), ConvNormActivation(expanded, expanded, kernel, stride, expanded)));
        if (squeeze > 0) items.Add((Next(), SqueezeExcitationModule.WithSqueeze(expanded, squeeze, SqueezeActivation.SiLU)));
        items.Add((Next(), nn.Sequential(
            ("0", nn.Conv2d(in_channels: expanded, out_channels: outChannels, kernel_size: 1, bias: false)),
            ("1", nn.BatchNorm2d(num_features: outChannels)))));
        block = nn.Sequential(items);
        _residual = stride == 1 && inChannels == outChannels;
        _stochasticDepth = stochasticDepth;
        RegisterComponents();
    }

    private static nn.Module<Tensor, Tensor> ConvNormActivation(long inChannels, long outChannels, long kernel, long stride, long groups) =>
        nn.Sequential(
            ("0", nn.Conv2d(in_channels: inChannels, out_channels: outChannels, kernel_size: kernel, stride: stride,
                padding: (kernel - 1) / 2, groups: groups, bias: false)),
            ("1", nn.BatchNorm2d(num_features: outChannels)),
            ("2", nn.SiLU()));

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = block.forward(input);
        if (_residual)
        {
            if (training && _stochasticDepth > 0)
            {
                var keep = 1.0 - _stochasticDepth;
                var noise = empty([x.shape[0], 1, 1, 1], x.dtype, x.device).bernoulli_(keep);
                if (keep > 0) noise.div_(keep);
                x = x * noise;
            }
            x = x + input;
        }
        return scope.MoveToOuter(x);
    }

    /// <summary>This block as a layer list states it (<see cref="LayerList.Blocks"/>): its constructor and <c>Describe</c>.</summary>
    public static BlockDescription Of(long inChannels, long outChannels, long stride, long expanded, long kernel, long squeeze,
        double stochasticDepth) =>
        new(() => new MBConv(inChannels, outChannels, stride, expanded, kernel, squeeze, stochasticDepth),
            m => Describe(m, inChannels, outChannels, stride, expanded, kernel, squeeze, stochasticDepth));

    /// <summary>This block's tensors and MACs (the constructor's arguments) added to <paramref name="m"/>.</summary>
    public static void Describe(VariantMetadataBuilder m, long inChannels, long outChannels, long stride, long expanded,
        long kernel, long squeeze, double stochasticDepth)
    {
        ArgumentNullException.ThrowIfNull(m);
        var i = 0;
        if (expanded != inChannels)
        {
            m.Conv2d("block.0.0", outChannels: expanded, kernel: 1, bias: false);
            m.BatchNorm2d("block.0.1");
            i++;
        }
        m.Conv2d($"block.{i}.0", outChannels: expanded, kernel: kernel, stride: stride, padding: (kernel - 1) / 2, groups: expanded, bias: false);
        m.BatchNorm2d($"block.{i}.1");
        i++;
        if (squeeze > 0)
        {
            m.Parameter($"block.{i}.fc1.weight", squeeze, expanded, 1, 1);
            m.Parameter($"block.{i}.fc1.bias", squeeze);
            m.Parameter($"block.{i}.fc2.weight", expanded, squeeze, 1, 1);
            m.Parameter($"block.{i}.fc2.bias", expanded);
            m.AddMacs(2 * expanded * squeeze);
            i++;
        }
        m.Conv2d($"block.{i}.0", outChannels: outChannels, kernel: 1, bias: false);
        m.BatchNorm2d($"block.{i}.1");
    }
}
