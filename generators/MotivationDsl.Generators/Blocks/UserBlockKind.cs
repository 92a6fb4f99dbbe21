using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace MotivationDsl.Generators;

/// <summary>A <c>[ScalableBlock]</c> class of the user's (<c>Stage(..., typeof(MyBlock), ...)</c>): its declared layers.</summary>
internal sealed class UserBlockKind : ConvBlockKind, IGeneratedBlockKind
{
    public override BlockKindId Id => BlockKindId.User;

    public override string ModuleType(BuiltModel model, LayerSpec stage) => "__Blocks." + GeneratedClass(model, stage);

    /// <summary>
    /// <c>{Block}Module</c>; blocks of the same simple name from different namespaces get a numeric suffix, and so do
    /// blocks named as the built-in modules were when they were generated into the same class (so that no user block's
    /// module changed its name when those moved to the runtime).
    /// </summary>
    protected override string GeneratedClass(BuiltModel model, LayerSpec stage)
    {
        var block = model.BlockSpecs[stage.BlockType!];
        var index = model.UserBlocks.IndexOf(block);
        var clash = model.UserBlocks.Take(index).Any(b => b.ClassName == block.ClassName)
            || block.ClassName is "BasicBlock" or "Bottleneck" or "MBConv" or "EncoderBlock" or "Node" or "SqueezeExcitation" or "SelfAttention";
        return block.ClassName + "Module" + (clash ? (index + 1).ToString(CultureInfo.InvariantCulture) : "");
    }

    protected override ConvBlockLayout Layout(IReadOnlyDictionary<string, BlockSpec> blocks, LayerSpec stage)
    {
        var block = blocks[stage.BlockType!];
        return new ConvBlockLayout(block.Layers.ToArray(), block.Residual, block.ReLUAfterAdd, "shortcut",
            $"The module generated from the [ScalableBlock] {block.ClassName}.", UserDeclared: true);
    }

    /// <summary>An image, or features (a block of Linear and LayerNorm layers after a Flatten); not tokens.</summary>
    public override string? WhyNotInput(int rank, string inShape) =>
        rank is 3 or 1 ? null : $"a stage of [ScalableBlock] blocks needs an image [C, H, W] or features [C] but receives {inShape}";

    public override string? WhyNotIdentity(ModelBuilder builder, LayerSpec stage, RBlock block)
    {
        var user = builder.Blocks[stage.BlockType!];
        if (!user.Residual) return $"[ScalableBlock] {user.ClassName} has no residual path (Residual = false), so its output is never its input";
        var last = user.Layers.LastOrDefault(l => l.Kind is LayerKind.Conv2d or LayerKind.BatchNorm2d or LayerKind.Linear
            or LayerKind.LayerNorm or LayerKind.SqueezeExcitation);
        var layers = user.Layers.ToList();
        if (last is not null && layers.FindLastIndex(l => l.Kind == LayerKind.Join) > layers.IndexOf(last))
            return $"[ScalableBlock] {user.ClassName} ends with branches joined by [Join]: zeroing one branch's last layer leaves the others, so the residual branch cannot start at zero; put a Conv2d or BatchNorm2d after the [Join]";
        return last?.Kind == LayerKind.SqueezeExcitation
            ? $"the last parametrised layer of [ScalableBlock] {user.ClassName} is squeeze-and-excitation '{last.Name}', which scales its input (by sigmoid(0) = 0.5 when zeroed), so the residual branch cannot start at zero"
            : null;
    }
}
