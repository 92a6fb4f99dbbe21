using MotivationDsl;

namespace MotivationDsl.Examples.Experiments;

/// <summary>
/// A width pair for Fashion-MNIST (issue 14, width growth on real data): the CIFAR ResNet-20 layout of
/// <see cref="FashionResNet"/> (3 basic blocks per stage, 28 -> 14 -> 7) at half width, 8/16/32 channels, grown to the
/// full 16/32/64, with the same depth, under the paper's rule (extra channels keep their random initialisation).
/// Unlike <see cref="FashionResNet"/> it uses option B (projection) shortcuts and a stem that widens with the stages
/// (<c>WidthMultiplier</c> scales <c>conv1</c> too): option A pads channels around the centre, which moves the base's
/// channels away from the prefix the weights map uses (MOT018/MOT019), while a 1x1 projection keeps them a prefix.
/// </summary>
[ScalableModel(InputShape = new[] { 1, 28, 28 }, Classes = 10, Base = "HalfWidth", Motivated = "FullWidth", Init = WeightInit.KaimingNormal)]
[Variant("HalfWidth", Depth = new[] { 3, 3, 3 }, WidthMultiplier = 0.5)]
[Variant("FullWidth", Depth = new[] { 3, 3, 3 })]
[Conv2d("conv1", 16, Kernel = 3, Padding = 1, Bias = false)]
[BatchNorm2d("bn1")]
[ReLU]
[Stage("layer1", Block.Basic, 16, Stride = 1, Shortcut = Shortcut.B)]
[Stage("layer2", Block.Basic, 32, Stride = 2, Shortcut = Shortcut.B)]
[Stage("layer3", Block.Basic, 64, Stride = 2, Shortcut = Shortcut.B)]
[GlobalAvgPool]
[Flatten]
[Linear("linear")]
public partial class FashionResNetWidth
{
}

/// <summary>
/// <see cref="FashionResNetWidth"/> with function-preserving growth: the weights from the extra input channels into
/// the base's channels (every convolution, the projections, the classifier) are zeroed at the first activation, so the
/// full-width model computes exactly the half-width model's function then (<c>--growth-model FashionResNetWidthGrowing</c>).
/// </summary>
[ScalableModel(InputShape = new[] { 1, 28, 28 }, Classes = 10, Base = "HalfWidth", Motivated = "FullWidth", Init = WeightInit.KaimingNormal,
    Growth = Growth.FunctionPreserving)]
[Variant("HalfWidth", Depth = new[] { 3, 3, 3 }, WidthMultiplier = 0.5)]
[Variant("FullWidth", Depth = new[] { 3, 3, 3 })]
[Conv2d("conv1", 16, Kernel = 3, Padding = 1, Bias = false)]
[BatchNorm2d("bn1")]
[ReLU]
[Stage("layer1", Block.Basic, 16, Stride = 1, Shortcut = Shortcut.B)]
[Stage("layer2", Block.Basic, 32, Stride = 2, Shortcut = Shortcut.B)]
[Stage("layer3", Block.Basic, 64, Stride = 2, Shortcut = Shortcut.B)]
[GlobalAvgPool]
[Flatten]
[Linear("linear")]
public partial class FashionResNetWidthGrowing
{
}
