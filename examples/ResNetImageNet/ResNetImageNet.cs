using MotivationDsl;

namespace MotivationDsl.Examples.ResNetImageNet;

/// <summary>
/// The ImageNet bottleneck ResNets (He et al., arXiv:1512.03385) in torchvision's layout (<c>torchvision.models.resnet50</c>,
/// <c>resnet101</c>; v1.5: stride on the 3x3 convolution, option B <c>downsample.0/1</c> shortcuts): 7x7/2 stem, 3x3/2 max
/// pooling, four bottleneck stages (64, 128, 256, 512 planes; 4x expansion), global average pooling, 1000-way <c>fc</c>.
/// The pair is the paper's ResNet-50 -> ResNet-101 with the ResNet depth rule (last block to last block).
/// </summary>
[ScalableModel(InputShape = new[] { 3, 224, 224 }, Classes = 1000, Base = "ResNet50", Motivated = "ResNet101", DepthMap = DepthMap.LastToLast)]
[Variant("ResNet50", Depth = new[] { 3, 4, 6, 3 })]
[Variant("ResNet101", Depth = new[] { 3, 4, 23, 3 })]
[Conv2d("conv1", 64, Kernel = 7, Stride = 2, Padding = 3, Bias = false)]
[BatchNorm2d("bn1")]
[ReLU]
[MaxPool2d(3, Stride = 2, Padding = 1)]
[Stage("layer1", Block.Bottleneck, 64)]
[Stage("layer2", Block.Bottleneck, 128, Stride = 2)]
[Stage("layer3", Block.Bottleneck, 256, Stride = 2)]
[Stage("layer4", Block.Bottleneck, 512, Stride = 2)]
[GlobalAvgPool]
[Flatten]
[Linear("fc")]
public partial class ResNetImageNet
{
}
