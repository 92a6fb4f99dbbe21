using MotivationDsl;

namespace MotivationDsl.Tests.Models;

/// <summary>Bottleneck, option B, width x1.5 and depth x2, FirstL, max pooling, hidden linear layer, dropout.</summary>
[ScalableModel(InputShape = new[] { 3, 32, 32 }, Classes = 7, Base = "B0", Motivated = "B1", DepthMap = DepthMap.FirstL)]
[Pair("B0", "B1", Growth = Growth.FunctionPreserving)]
[Variant("B0")]
[Variant("B1", WidthMultiplier = 1.5, DepthMultiplier = 2)]
[Conv2d("conv1", 16, Kernel = 3, Padding = 1, Bias = false)]
[BatchNorm2d("bn1")]
[ReLU]
[MaxPool2d(2)]
[Stage("layer1", Block.Bottleneck, 8, Blocks = 1)]
[Stage("layer2", Block.Bottleneck, 16, Blocks = 2, Stride = 2, DepthMap = DepthMap.LastToLast)]
[GlobalAvgPool]
[Flatten]
[Dropout(0.2)]
[Linear("hidden", 32)]
[ReLU]
[Linear("fc")]
public partial class WideNet
{
}

/// <summary>A user block (pre-activation style, no ReLU after the add) with per-stage widths.</summary>
[ScalableBlock(ReLUAfterAdd = false)]
[BatchNorm2d("bn0")]
[Conv2d("conv1", Kernel = 3, Padding = 1, StageStride = true, Bias = false)]
[BatchNorm2d("bn1")]
[ReLU]
[Dropout(0.1)]
[Conv2d("conv2", Kernel = 1, Expansion = 2)]
public partial class PreActBlock
{
}

[ScalableModel(InputShape = new[] { 3, 16, 16 }, Classes = 5, Base = "Tiny", Motivated = "Wide")]
[Pair("Tiny", "Wide", Growth = Growth.FunctionPreserving)]
[Variant("Tiny", Depth = new[] { 1, 2 })]
[Variant("Wide", Depth = new[] { 2, 3 }, Width = new[] { 24, 48 })]
[Conv2d("stem", 16, Padding = 1)]
[ReLU]
[Stage("stage1", typeof(PreActBlock), 16, DepthMap = DepthMap.FirstL)]
[Stage("stage2", typeof(PreActBlock), 32, Stride = 2)]
[AvgPool2d(2)]
[Flatten]
[Linear("classifier")]
public partial class CustomNet
{
}

/// <summary>A vision transformer growing in width (16 -> 32 features, 2 -> 4 heads) and depth (2 -> 3 blocks), function-preserving.</summary>
[ScalableModel(InputShape = new[] { 3, 8, 8 }, Classes = 4, Base = "S", Motivated = "L", Growth = Growth.FunctionPreserving)]
[Pair("S", "L", Growth = Growth.Paper)]
[Variant("S", Depth = new[] { 2 }, Heads = 2)]
[Variant("L", Depth = new[] { 3 }, WidthMultiplier = 2, Heads = 4)]
[PatchEmbedding("conv_proj", 16, Patch = 2)]
[ClassToken("class_token")]
[PositionalEmbedding("pos_embedding")]
[Stage("layers", Block.Encoder, 16, Heads = 2, MlpDim = 32)]
[LayerNorm("ln")]
[ClassTokenSelect]
[Linear("head")]
public partial class TinyGrowingViT
{
}

/// <summary>
/// A small CIFAR-style ResNet (basic blocks, option A shortcuts, kaiming_normal_), the fixture of tests that need "a ResNet"
/// rather than the example's exact ResNet-20/32 (examples/ResNetCifar stays the subject of the reference-count tests).
/// </summary>
[ScalableModel(InputShape = new[] { 3, 16, 16 }, Classes = 10, Base = "R14", Motivated = "R20", Init = WeightInit.KaimingNormal)]
[Pair("R14", "R20", Growth = Growth.FunctionPreserving)]
[Variant("R14", Depth = new[] { 2, 2, 2 })]
[Variant("R20", Depth = new[] { 3, 3, 3 })]
[Variant("R26", Depth = new[] { 4, 4, 4 })]
[Conv2d("conv1", 16, Kernel = 3, Padding = 1, Bias = false)]
[BatchNorm2d("bn1")]
[ReLU]
[Stage("layer1", Block.Basic, 16, Stride = 1, Shortcut = Shortcut.A)]
[Stage("layer2", Block.Basic, 32, Stride = 2, Shortcut = Shortcut.A)]
[Stage("layer3", Block.Basic, 64, Stride = 2, Shortcut = Shortcut.A)]
[GlobalAvgPool]
[Flatten]
[Linear("linear")]
public partial class TinyCifarResNet
{
}
