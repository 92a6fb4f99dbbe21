using MotivationDsl;

namespace MotivationDsl.Examples.ResNetCifar;

/// <summary>
/// He et al.'s CIFAR ResNets (arXiv:1512.03385, section 4.2), as in https://github.com/akamaster/pytorch_resnet_cifar10:
/// 3x32x32 input, conv3x3(16) without bias, BN, ReLU, three stages of basic blocks with 16/32/64 channels and option A
/// (parameter-free) shortcuts, global average pooling and a 10-way classifier. ResNet-(6n+2) has n blocks per stage.
/// The motivation pair is ResNet-20 (base) -> ResNet-32 (motivated) with the paper's last-to-last depth map.
/// Convolution and linear weights use kaiming_normal_ as in the reference implementation.
/// </summary>
[ScalableModel(InputShape = new[] { 3, 32, 32 }, Classes = 10, Base = "ResNet20", Motivated = "ResNet32", Init = WeightInit.KaimingNormal)]
[Pair("ResNet20", "ResNet32", Growth = Growth.FunctionPreserving)]
[Variant("ResNet20", Depth = new[] { 3, 3, 3 })]
[Variant("ResNet32", Depth = new[] { 5, 5, 5 })]
[Variant("ResNet44", Depth = new[] { 7, 7, 7 })]
[Variant("ResNet56", Depth = new[] { 9, 9, 9 })]
[Conv2d("conv1", 16, Kernel = 3, Padding = 1, Bias = false)]
[BatchNorm2d("bn1")]
[ReLU]
[Stage("layer1", Block.Basic, 16, Stride = 1, Shortcut = Shortcut.A)]
[Stage("layer2", Block.Basic, 32, Stride = 2, Shortcut = Shortcut.A)]
[Stage("layer3", Block.Basic, 64, Stride = 2, Shortcut = Shortcut.A)]
[GlobalAvgPool]
[Flatten]
[Linear("linear")]
public partial class ResNetCifar
{
}
