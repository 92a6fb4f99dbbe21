using System.Collections.Generic;

namespace MotivationDsl.Generators;

/// <summary>He et al.'s basic block (<c>Block.Basic</c>): conv3x3-bn-relu-conv3x3-bn, add the shortcut, relu.</summary>
internal sealed class BasicBlockKind : ConvBlockKind
{
    private static readonly ConvBlockLayout Shape = new(new[]
    {
        new LayerSpec { Kind = LayerKind.Conv2d, Name = "conv1", Kernel = 3, Padding = 1, Bias = false, StageStride = true },
        new LayerSpec { Kind = LayerKind.BatchNorm2d, Name = "bn1" },
        new LayerSpec { Kind = LayerKind.ReLU },
        new LayerSpec { Kind = LayerKind.Conv2d, Name = "conv2", Kernel = 3, Padding = 1, Bias = false },
        new LayerSpec { Kind = LayerKind.BatchNorm2d, Name = "bn2" },
    }, Residual: true, ReLUAfterAdd: true, ShortcutName: "shortcut",
        Summary: "He et al.'s basic block: conv3x3-bn-relu-conv3x3-bn, add shortcut, relu.", UserDeclared: false);

    public override BlockKindId Id => BlockKindId.Basic;

    public override string ModuleType(BuiltModel model, LayerSpec stage) => "__Dsl.Blocks.BasicBlock";

    protected override ConvBlockLayout Layout(IReadOnlyDictionary<string, BlockSpec> blocks, LayerSpec stage) => Shape;
}
