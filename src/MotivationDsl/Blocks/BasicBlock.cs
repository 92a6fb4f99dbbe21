using TorchSharp;
using static TorchSharp.torch;

namespace MotivationDsl.Blocks;

/// <summary>
/// He et al.'s basic block (<c>Block.Basic</c>): conv3x3-bn-relu-conv3x3-bn, add the shortcut, relu. Every model's
/// generated variant modules construct it; state_dict keys <c>conv1</c>, <c>bn1</c>, <c>conv2</c>, <c>bn2</c> and, with
/// option B, <c>shortcut.0</c>, <c>shortcut.1</c>.
/// </summary>
public sealed class BasicBlock : nn.Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.Conv2d conv1;
    private readonly TorchSharp.Modules.BatchNorm2d bn1;
    private readonly TorchSharp.Modules.Conv2d conv2;
    private readonly TorchSharp.Modules.BatchNorm2d bn2;
    private readonly TorchSharp.Modules.Sequential? shortcut;
    private readonly ResidualShortcut _shortcut;

    /// <param name="inPlanes">Input channels.</param>
    /// <param name="planes">The stage's channels (both convolutions output them).</param>
    /// <param name="stride">The block's stride (the stage's stride in its first block, else 1), on <c>conv1</c>.</param>
    /// <param name="shortcut">Null: identity; A: subsample, zero-pad; B: 1x1 conv, batch norm.</param>
    /// <param name="kernel">The convolutions' kernel (a variant's <c>Kernels</c>), padding kernel / 2.</param>
    public BasicBlock(long inPlanes, long planes, long stride, Shortcut? shortcut, long kernel = 3) : base(nameof(BasicBlock))
    {
        conv1 = nn.Conv2d(in_channels: inPlanes, out_channels: planes, kernel_size: kernel, stride: stride, padding: kernel / 2, bias: false);
        bn1 = nn.BatchNorm2d(num_features: planes);
        conv2 = nn.Conv2d(in_channels: planes, out_channels: planes, kernel_size: kernel, padding: kernel / 2, bias: false);
        bn2 = nn.BatchNorm2d(num_features: planes);
        this.shortcut = ResidualShortcut.Projection(shortcut, inPlanes, planes, stride);
        _shortcut = new ResidualShortcut(shortcut, inPlanes, planes, stride);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = nn.functional.relu(bn1.forward(conv1.forward(input)));
        x = bn2.forward(conv2.forward(x));
        x = nn.functional.relu(x + _shortcut.Apply(input, shortcut));
        return scope.MoveToOuter(x);
    }

    /// <summary>This block as a layer list states it (<see cref="LayerList.Blocks"/>): its constructor and <c>Describe</c>.</summary>
    public static BlockDescription Of(long inPlanes, long planes, long stride, Shortcut? shortcut, long kernel = 3) =>
        new(() => new BasicBlock(inPlanes, planes, stride, shortcut, kernel), m => Describe(m, inPlanes, planes, stride, shortcut, kernel));

    /// <summary>This block's tensors and MACs (the constructor's arguments) added to <paramref name="m"/>.</summary>
    public static void Describe(VariantMetadataBuilder m, long inPlanes, long planes, long stride, Shortcut? shortcut, long kernel = 3)
    {
        ArgumentNullException.ThrowIfNull(m);
        m.Conv2d("conv1", outChannels: planes, kernel: kernel, stride: stride, padding: kernel / 2, bias: false);
        m.BatchNorm2d("bn1");
        m.Conv2d("conv2", outChannels: planes, kernel: kernel, padding: kernel / 2, bias: false);
        m.BatchNorm2d("bn2");
        ResidualShortcut.Describe(m, "shortcut", shortcut, inPlanes);
    }
}
