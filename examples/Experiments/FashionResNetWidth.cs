using MotivationDsl;

namespace MotivationDsl.Examples.Experiments;

/// <summary>
/// A width pair on Fashion-MNIST: ResNet-20 at 16/32/64 channels ("Narrow") -> ResNet-20 at 24/48/96 channels ("Wide",
/// about 2.2x the FLOPs), same depth, option A shortcuts, the paper's rule (the extra channels start random and feed
/// the base's channels). Its function-preserving twin is <see cref="FashionResNetWidthGrowing"/>
/// (<c>--model FashionResNetWidth --growth-model FashionResNetWidthGrowing</c>).
/// </summary>
[ScalableModel(InputShape = new[] { 1, 28, 28 }, Classes = 10, Base = "Narrow", Motivated = "Wide", Init = WeightInit.KaimingNormal)]
[Variant("Narrow", Depth = new[] { 3, 3, 3 })]
[Variant("Wide", Depth = new[] { 3, 3, 3 }, Width = new[] { 24, 48, 96 })]
[Conv2d("conv1", 16, Kernel = 3, Padding = 1, Bias = false)]
[BatchNorm2d("bn1")]
[ReLU]
[Stage("layer1", Block.Basic, 16, Stride = 1, Shortcut = Shortcut.A)]
[Stage("layer2", Block.Basic, 32, Stride = 2, Shortcut = Shortcut.A)]
[Stage("layer3", Block.Basic, 64, Stride = 2, Shortcut = Shortcut.A)]
[GlobalAvgPool]
[Flatten]
[Linear("linear")]
public partial class FashionResNetWidth
{
}

/// <summary>
/// <see cref="FashionResNetWidth"/> with function-preserving growth: the weights from the extra channels into the base's
/// channels and into the head start at zero, so the wide model computes the narrow one's function at its first activation.
/// </summary>
[ScalableModel(InputShape = new[] { 1, 28, 28 }, Classes = 10, Base = "Narrow", Motivated = "Wide", Init = WeightInit.KaimingNormal,
    Growth = Growth.FunctionPreserving)]
[Variant("Narrow", Depth = new[] { 3, 3, 3 })]
[Variant("Wide", Depth = new[] { 3, 3, 3 }, Width = new[] { 24, 48, 96 })]
[Conv2d("conv1", 16, Kernel = 3, Padding = 1, Bias = false)]
[BatchNorm2d("bn1")]
[ReLU]
[Stage("layer1", Block.Basic, 16, Stride = 1, Shortcut = Shortcut.A)]
[Stage("layer2", Block.Basic, 32, Stride = 2, Shortcut = Shortcut.A)]
[Stage("layer3", Block.Basic, 64, Stride = 2, Shortcut = Shortcut.A)]
[GlobalAvgPool]
[Flatten]
[Linear("linear")]
public partial class FashionResNetWidthGrowing
{
}
