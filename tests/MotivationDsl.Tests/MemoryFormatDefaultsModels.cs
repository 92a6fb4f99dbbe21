using MotivationDsl;

namespace MotivationDsl.Tests.Models;

/// <summary>A user's model whose name says nothing about its family: basic blocks, so a ResNet for the memory-format defaults.</summary>
[ScalableModel(InputShape = new[] { 3, 8, 8 }, Classes = 3, Base = "S", Motivated = "L")]
[Variant("S", Depth = new[] { 1 })]
[Variant("L", Depth = new[] { 2 })]
[Conv2d("stem", 4, Kernel = 3, Padding = 1, Bias = false)]
[BatchNorm2d("bn")]
[ReLU]
[Stage("blocks", Block.Basic, 4, Shortcut = Shortcut.A)]
[GlobalAvgPool]
[Flatten]
[Linear("head")]
public partial class MyNet;

/// <summary>A name that misleads: "ResNet" in it, MBConv blocks in it, so an EfficientNet for the memory-format defaults.</summary>
[ScalableModel(InputShape = new[] { 3, 8, 8 }, Classes = 3, Base = "S", Motivated = "L")]
[Variant("S", Depth = new[] { 1 })]
[Variant("L", Depth = new[] { 2 })]
[Conv2d("stem", 8, Kernel = 3, Padding = 1, Bias = false)]
[BatchNorm2d("bn")]
[SiLU]
[Stage("blocks", Block.MBConv, 8, Expansion = 2)]
[GlobalAvgPool]
[Flatten]
[Linear("head")]
public partial class ResNetLookalike;
