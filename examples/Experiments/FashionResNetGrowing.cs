using MotivationDsl;

namespace MotivationDsl.Examples.Experiments;

/// <summary>
/// <see cref="FashionResNet"/> with function-preserving growth (<see cref="Growth.FunctionPreserving"/>): the same
/// variants, layers and initialisation, but the ResNet-20 blocks map to the FIRST three ResNet-32 blocks of every stage
/// and the two extra blocks start as identities (zero last BatchNorm scale), so at its first activation ResNet-32
/// computes exactly ResNet-20's function. A second declaration, so that the experiment runner can train both rules
/// side by side (<c>--growth-model FashionResNetGrowing</c>).
/// </summary>
[ScalableModel(InputShape = new[] { 1, 28, 28 }, Classes = 10, Base = "ResNet20", Motivated = "ResNet32", Init = WeightInit.KaimingNormal,
    Growth = Growth.FunctionPreserving)]
[Variant("ResNet20", Depth = new[] { 3, 3, 3 })]
[Variant("ResNet32", Depth = new[] { 5, 5, 5 })]
[Conv2d("conv1", 16, Kernel = 3, Padding = 1, Bias = false)]
[BatchNorm2d("bn1")]
[ReLU]
[Stage("layer1", Block.Basic, 16, Stride = 1, Shortcut = Shortcut.A)]
[Stage("layer2", Block.Basic, 32, Stride = 2, Shortcut = Shortcut.A)]
[Stage("layer3", Block.Basic, 64, Stride = 2, Shortcut = Shortcut.A)]
[GlobalAvgPool]
[Flatten]
[Linear("linear")]
public partial class FashionResNetGrowing
{
}
