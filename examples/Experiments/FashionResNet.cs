using MotivationDsl;

namespace MotivationDsl.Examples.Experiments;

/// <summary>
/// He et al.'s CIFAR ResNets adapted to Fashion-MNIST: 1x28x28 input, conv3x3(16) without bias, BN, ReLU, three stages
/// of basic blocks with 16/32/64 channels and option A (parameter-free) shortcuts (28 -> 14 -> 7), global average
/// pooling and a 10-way classifier. ResNet-20 (3 blocks per stage) -> ResNet-32 (5 blocks per stage) with the paper's
/// last-to-last depth map (the generator's default for depth growth). kaiming_normal_ init as in the reference.
/// </summary>
[ScalableModel(InputShape = new[] { 1, 28, 28 }, Classes = 10, Base = "ResNet20", Motivated = "ResNet32", Init = WeightInit.KaimingNormal)]
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
public partial class FashionResNet
{
}

/// <summary>
/// The same family with a 5-way head, for transfer learning on a Fashion-MNIST class split (pre-train on classes 0-4
/// with <see cref="FashionResNet"/>... or any 10-way model, fine-tune here on classes 5-9 relabelled 0-4). Every tensor
/// except the head (<c>linear.weight</c>, <c>linear.bias</c>) has the same name and shape as in <see cref="FashionResNet"/>,
/// so a checkpoint of that family loads here by name. (Until the generator's ModelOptions API can set the class count
/// at creation, a second declaration is how a head with another class count is made.)
/// </summary>
[ScalableModel(InputShape = new[] { 1, 28, 28 }, Classes = 5, Base = "ResNet20", Motivated = "ResNet32", Init = WeightInit.KaimingNormal)]
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
public partial class FashionResNet5
{
}
