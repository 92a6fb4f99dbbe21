using TorchSharp;
using static TorchSharp.torch;

namespace MotivationDsl.Blocks;

/// <summary>
/// The bottleneck block (<c>Block.Bottleneck</c>, torchvision v1.5: stride on the 3x3 convolution):
/// conv1x1-bn-relu-conv3x3-bn-relu-conv1x1(x4)-bn, add the shortcut, relu. State_dict keys <c>conv1</c>..<c>conv3</c>,
/// <c>bn1</c>..<c>bn3</c> and, with option B, <c>downsample.0</c>, <c>downsample.1</c> (torchvision's names).
/// </summary>
public sealed class Bottleneck : nn.Module<Tensor, Tensor>
{
    /// <summary>The last convolution outputs this many times the stage's channels.</summary>
    public const long Expansion = 4;

    private readonly TorchSharp.Modules.Conv2d conv1;
    private readonly TorchSharp.Modules.BatchNorm2d bn1;
    private readonly TorchSharp.Modules.Conv2d conv2;
    private readonly TorchSharp.Modules.BatchNorm2d bn2;
    private readonly TorchSharp.Modules.Conv2d conv3;
    private readonly TorchSharp.Modules.BatchNorm2d bn3;
    private readonly TorchSharp.Modules.Sequential? downsample;
    private readonly ResidualShortcut _shortcut;

    /// <param name="inPlanes">Input channels.</param>
    /// <param name="planes">The stage's channels (<c>conv3</c> outputs <see cref="Expansion"/> x planes).</param>
    /// <param name="stride">The block's stride (the stage's stride in its first block, else 1), on <c>conv2</c>.</param>
    /// <param name="shortcut">Null: identity; A: subsample, zero-pad; B: 1x1 conv, batch norm.</param>
    /// <param name="kernel">The middle convolution's kernel (a variant's <c>Kernels</c>), padding kernel / 2.</param>
    public Bottleneck(long inPlanes, long planes, long stride, Shortcut? shortcut, long kernel = 3) : base(nameof(Bottleneck))
    {
        conv1 = nn.Conv2d(in_channels: inPlanes, out_channels: planes, kernel_size: 1, bias: false);
        bn1 = nn.BatchNorm2d(num_features: planes);
        conv2 = nn.Conv2d(in_channels: planes, out_channels: planes, kernel_size: kernel, stride: stride, padding: kernel / 2, bias: false);
        bn2 = nn.BatchNorm2d(num_features: planes);
        conv3 = nn.Conv2d(in_channels: planes, out_channels: Expansion * planes, kernel_size: 1, bias: false);
        bn3 = nn.BatchNorm2d(num_features: Expansion * planes);
        downsample = ResidualShortcut.Projection(shortcut, inPlanes, Expansion * planes, stride);
        _shortcut = new ResidualShortcut(shortcut, inPlanes, Expansion * planes, stride);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = nn.functional.relu(bn1.forward(conv1.forward(input)));
        x = nn.functional.relu(bn2.forward(conv2.forward(x)));
        x = bn3.forward(conv3.forward(x));
        x = nn.functional.relu(x + _shortcut.Apply(input, downsample));
        return scope.MoveToOuter(x);
    }

    /// <summary>This block as a layer list states it (<see cref="LayerList.Blocks"/>): its constructor and <c>Describe</c>.</summary>
    public static BlockDescription Of(long inPlanes, long planes, long stride, Shortcut? shortcut, long kernel = 3) =>
        new(() => new Bottleneck(inPlanes, planes, stride, shortcut, kernel), m => Describe(m, inPlanes, planes, stride, shortcut, kernel));

    /// <summary>This block's tensors and MACs (the constructor's arguments) added to <paramref name="m"/>.</summary>
    public static void Describe(VariantMetadataBuilder m, long inPlanes, long planes, long stride, Shortcut? shortcut, long kernel = 3)
    {
        ArgumentNullException.ThrowIfNull(m);
        m.Conv2d("conv1", outChannels: planes, kernel: 1, bias: false);
        m.BatchNorm2d("bn1");
        m.Conv2d("conv2", outChannels: planes, kernel: kernel, stride: stride, padding: kernel / 2, bias: false);
        m.BatchNorm2d("bn2");
        m.Conv2d("conv3", outChannels: Expansion * planes, kernel: 1, bias: false);
        m.BatchNorm2d("bn3");
        ResidualShortcut.Describe(m, "downsample", shortcut, inPlanes);
    }
}
