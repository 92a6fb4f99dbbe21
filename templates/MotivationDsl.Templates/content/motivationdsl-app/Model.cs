using MotivationDsl;

/// <summary>
/// A ResNet-8 -> ResNet-14 pair for 1x28x28 images in 10 classes (Fashion-MNIST): a stride-2 3x3 stem, three stages
/// of basic blocks with option-A shortcuts, global average pooling and a linear head. The base has one block per
/// stage, the motivated model two; the generator maps every base weight into the motivated model (last-to-last) and
/// proves the map at compile time. Change the declaration and rebuild: an invalid pair is a MOT compile error.
/// </summary>
[ScalableModel(InputShape = new[] { 1, 28, 28 }, Classes = 10, Base = "ResNet8", Motivated = "ResNet14", Init = WeightInit.KaimingNormal)]
[Variant("ResNet8", Depth = new[] { 1, 1, 1 })]
[Variant("ResNet14", Depth = new[] { 2, 2, 2 })]
[Conv2d("conv1", 16, Kernel = 3, Padding = 1, Stride = 2, Bias = false)]
[BatchNorm2d("bn1")]
[ReLU]
[Stage("layer1", Block.Basic, 16, Shortcut = Shortcut.A)]
[Stage("layer2", Block.Basic, 32, Stride = 2, Shortcut = Shortcut.A)]
[Stage("layer3", Block.Basic, 64, Stride = 2, Shortcut = Shortcut.A)]
[GlobalAvgPool]
[Flatten]
[Linear("fc")]
public partial class FashionResNet;
