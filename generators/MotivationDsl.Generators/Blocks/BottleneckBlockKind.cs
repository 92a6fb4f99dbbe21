using System.Collections.Generic;

namespace MotivationDsl.Generators;

/// <summary>
/// The bottleneck block (<c>Block.Bottleneck</c>, torchvision v1.5: stride on the 3x3 convolution):
/// conv1x1-bn-relu-conv3x3-bn-relu-conv1x1(x4)-bn, add the <c>downsample</c> shortcut, relu.
/// </summary>
internal sealed class BottleneckBlockKind : ConvBlockKind
{
    private static readonly ConvBlockLayout Shape = new(new[]
    {
        new LayerSpec { Kind = LayerKind.Conv2d, Name = "conv1", Kernel = 1, Bias = false },
        new LayerSpec { Kind = LayerKind.BatchNorm2d, Name = "bn1" },
        new LayerSpec { Kind = LayerKind.ReLU },
        new LayerSpec { Kind = LayerKind.Conv2d, Name = "conv2", Kernel = 3, Padding = 1, Bias = false, StageStride = true },
        new LayerSpec { Kind = LayerKind.BatchNorm2d, Name = "bn2" },
        new LayerSpec { Kind = LayerKind.ReLU },
        new LayerSpec { Kind = LayerKind.Conv2d, Name = "conv3", Kernel = 1, Bias = false, Expansion = 4 },
        new LayerSpec { Kind = LayerKind.BatchNorm2d, Name = "bn3" },
    }, Residual: true, ReLUAfterAdd: true, ShortcutName: "downsample",
        Summary: "The bottleneck block (torchvision v1.5: stride on the 3x3 convolution):\n"
            + "/// conv1x1-bn-relu-conv3x3-bn-relu-conv1x1(x4)-bn, add, relu.", UserDeclared: false);

    public override BlockKindId Id => BlockKindId.Bottleneck;

    public override string ModuleType(BuiltModel model, LayerSpec stage) => "__Dsl.Blocks.Bottleneck";

    protected override ConvBlockLayout Layout(IReadOnlyDictionary<string, BlockSpec> blocks, LayerSpec stage) => Shape;
}
