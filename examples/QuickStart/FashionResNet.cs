using MotivationDsl;

namespace MotivationDsl.Examples.QuickStart;

/// <summary>
/// A ResNet-20 -> ResNet-32-style pair for Fashion-MNIST (1x28x28, 10 classes): He et al.'s CIFAR ResNet layout
/// (conv3x3 stem, three stages of basic blocks with option A shortcuts, global average pooling, linear head),
/// 3 blocks per stage in the base and 5 in the motivated model, with the paper's last-to-last depth map.
/// Two changes keep a default run to a few minutes on two CPU cores: the stem convolution has stride 2 (28x28 -> 14x14,
/// so the stages run at 14x14, 7x7 and 4x4) and the widths are halved (8/16/32 instead of 16/32/64).
/// </summary>
[ScalableModel(InputShape = new[] { 1, 28, 28 }, Classes = 10, Base = "ResNet20", Motivated = "ResNet32", Init = WeightInit.KaimingNormal)]
[Variant("ResNet20", Depth = new[] { 3, 3, 3 })]
[Variant("ResNet32", Depth = new[] { 5, 5, 5 })]
[Conv2d("conv1", 8, Kernel = 3, Padding = 1, Stride = 2, Bias = false)]
[BatchNorm2d("bn1")]
[ReLU]
[Stage("layer1", Block.Basic, 8, Stride = 1, Shortcut = Shortcut.A)]
[Stage("layer2", Block.Basic, 16, Stride = 2, Shortcut = Shortcut.A)]
[Stage("layer3", Block.Basic, 32, Stride = 2, Shortcut = Shortcut.A)]
[GlobalAvgPool]
[Flatten]
[Linear("fc")]
public partial class FashionResNet;
