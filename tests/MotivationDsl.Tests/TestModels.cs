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

/// <summary>
/// A small EfficientNet (torchvision's layout and initialisation, MBConv stages, compound scaling, stochastic depth 0.2),
/// the fixture of tests that need "an EfficientNet" rather than examples/EfficientNet's B0..B5 (which stays the subject
/// of the torchvision reference tests). S -> M grows width x1.25 and depth x1.5, function-preserving.
/// </summary>
[ScalableModel(InputShape = new[] { 3, 16, 16 }, Classes = 10, Base = "S", Motivated = "M",
    DepthMap = DepthMap.FirstL, Scaling = ScalingRule.EfficientNet, StochasticDepth = 0.2, Init = WeightInit.EfficientNet)]
[Pair("S", "M", Growth = Growth.FunctionPreserving)]
[Variant("S", WidthMultiplier = 1.0, DepthMultiplier = 1.0, Dropout = 0.2)]
[Variant("M", WidthMultiplier = 1.25, DepthMultiplier = 1.5, Dropout = 0.2)]
[Conv2d("features.0.0", 16, Kernel = 3, Stride = 2, Padding = 1, Bias = false)]
[BatchNorm2d("features.0.1")]
[SiLU]
[Stage("features.1", Block.MBConv, 8, Blocks = 1, Stride = 1, Expansion = 1, Kernel = 3)]
[Stage("features.2", Block.MBConv, 16, Blocks = 2, Stride = 2, Expansion = 4, Kernel = 3)]
[Stage("features.3", Block.MBConv, 24, Blocks = 2, Stride = 2, Expansion = 4, Kernel = 5)]
[Conv2d("features.4.0", 64, Kernel = 1, Bias = false)]
[BatchNorm2d("features.4.1")]
[SiLU]
[GlobalAvgPool]
[Flatten]
[Dropout(0.2)]
[Linear("classifier.1")]
public partial class TinyEfficientNet
{
}

/// <summary>
/// A small vision transformer in torchvision's ViT layout (examples/VisionTransformer's names: <c>encoder.layers.encoder_layer_i</c>,
/// fused q/k/v <c>in_proj_weight</c>), Tiny -> Small doubling the width and the heads (2 -> 4 heads of 8 features),
/// function-preserving; the fixture of tests that need "a ViT" rather than the example's ViT-Ti/S.
/// </summary>
[ScalableModel(InputShape = new[] { 3, 8, 8 }, Classes = 4, Base = "Tiny", Motivated = "Small")]
[Pair("Tiny", "Small", Growth = Growth.FunctionPreserving)]
[Variant("Tiny", Heads = 2)]
[Variant("Small", WidthMultiplier = 2, Heads = 4)]
[PatchEmbedding("conv_proj", 16, Patch = 2)]
[ClassToken("class_token")]
[PositionalEmbedding("encoder.pos_embedding")]
[Stage("encoder.layers", Block.Encoder, 16, Blocks = 2, Heads = 2, MlpDim = 32, BlockPrefix = "encoder_layer_")]
[LayerNorm("encoder.ln", Eps = 1e-6)]
[ClassTokenSelect]
[Linear("heads.head")]
public partial class TinyViT
{
}
