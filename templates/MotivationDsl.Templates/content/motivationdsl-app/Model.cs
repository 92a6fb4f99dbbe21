using MotivationDsl;

/// <summary>
/// A ResNet-14 -> ResNet-20 pair for 1x28x28 images in 10 classes (Fashion-MNIST): a stride-2 3x3 stem, three stages
/// of basic blocks with option-A shortcuts, global average pooling and a linear head. The base has two blocks per
/// stage, the motivated model three; the generator maps every base weight into the motivated model (the paper's
/// last-to-last depth map) and proves the map at compile time. Change the declaration and rebuild: an invalid pair is
/// a MOT compile error (for example a base with one block per stage, whose strided block would map onto a stride-1 one).
/// </summary>
[ScalableModel(InputShape = new[] { 1, 28, 28 }, Classes = 10, Base = "ResNet14", Motivated = "ResNet20", Init = WeightInit.KaimingNormal)]
[Variant("ResNet14", Depth = new[] { 2, 2, 2 })]
[Variant("ResNet20", Depth = new[] { 3, 3, 3 })]
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
