using MotivationDsl;

namespace MotivationDsl.Examples.EfficientNet;

/// <summary>
/// EfficientNet-B0..B5 (Tan and Le, arXiv:1905.11946) in torchvision's layout (<c>torchvision.models.efficientnet_b0</c> ..
/// <c>_b5</c>, v0.14): state_dict keys <c>features.0.0.weight</c> .. <c>classifier.1.bias</c>, compound scaling with channels
/// rounded by <c>_make_divisible(c x width, 8)</c> and <c>ceil(blocks x depth)</c> blocks per stage, stochastic depth 0.2,
/// dropout 0.2 / 0.2 / 0.3 / 0.3 / 0.4 / 0.4 before the classifier. Input 224 px for every level (the paper does not scale
/// the resolution between B levels); 1000 classes unless <see cref="ModelOptions"/> say otherwise.
/// <para>
/// The declared pair is the paper's B2 -> B3 (width and depth; stages map with the EfficientNet rule "first l"). Every
/// neighbouring pair B0 -> B1 .. B4 -> B5 has a proven map too: <c>EfficientNet.WithPair("B0", "B1").CreatePair()</c>.
/// </para>
/// Known difference: torchvision builds B5 with BatchNorm eps 1e-3 and momentum 0.01; here every level uses PyTorch's
/// BatchNorm defaults (1e-5, 0.1). Shapes, names and parameter counts are identical.
/// </summary>
[ScalableModel(InputShape = new[] { 3, 224, 224 }, Classes = 1000, Base = "B2", Motivated = "B3",
    DepthMap = DepthMap.FirstL, Scaling = ScalingRule.EfficientNet, StochasticDepth = 0.2, Init = WeightInit.EfficientNet)]
[Pair("B2", "B3", Growth = Growth.FunctionPreserving)]
[Pair("B0", "B1")]
[Pair("B1", "B2")]
[Pair("B3", "B4")]
[Pair("B4", "B5")]
[Variant("B0", WidthMultiplier = 1.0, DepthMultiplier = 1.0, Dropout = 0.2)]
[Variant("B1", WidthMultiplier = 1.0, DepthMultiplier = 1.1, Dropout = 0.2)]
[Variant("B2", WidthMultiplier = 1.1, DepthMultiplier = 1.2, Dropout = 0.3)]
[Variant("B3", WidthMultiplier = 1.2, DepthMultiplier = 1.4, Dropout = 0.3)]
[Variant("B4", WidthMultiplier = 1.4, DepthMultiplier = 1.8, Dropout = 0.4)]
[Variant("B5", WidthMultiplier = 1.6, DepthMultiplier = 2.2, Dropout = 0.4)]
[Conv2d("features.0.0", 32, Kernel = 3, Stride = 2, Padding = 1, Bias = false)]
[BatchNorm2d("features.0.1")]
[SiLU]
[Stage("features.1", Block.MBConv, 16, Blocks = 1, Stride = 1, Expansion = 1, Kernel = 3)]
[Stage("features.2", Block.MBConv, 24, Blocks = 2, Stride = 2, Expansion = 6, Kernel = 3)]
[Stage("features.3", Block.MBConv, 40, Blocks = 2, Stride = 2, Expansion = 6, Kernel = 5)]
[Stage("features.4", Block.MBConv, 80, Blocks = 3, Stride = 2, Expansion = 6, Kernel = 3)]
[Stage("features.5", Block.MBConv, 112, Blocks = 3, Stride = 1, Expansion = 6, Kernel = 5)]
[Stage("features.6", Block.MBConv, 192, Blocks = 4, Stride = 2, Expansion = 6, Kernel = 5)]
[Stage("features.7", Block.MBConv, 320, Blocks = 1, Stride = 1, Expansion = 6, Kernel = 3)]
[Conv2d("features.8.0", 1280, Kernel = 1, Bias = false)]
[BatchNorm2d("features.8.1")]
[SiLU]
[GlobalAvgPool]
[Flatten]
[Dropout(0.2)]
[Linear("classifier.1")]
public partial class EfficientNet
{
}
