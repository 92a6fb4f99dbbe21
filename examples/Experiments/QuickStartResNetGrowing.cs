using MotivationDsl;

namespace MotivationDsl.Examples.Experiments;

/// <summary>
/// examples/QuickStart's <c>FashionResNet</c> (stride-2 stem, 8/16/32 channels, ResNet-20 -> ResNet-32, option A
/// shortcuts) declared with function-preserving growth: the same variants, layers and initialisation, so the runner
/// trains it as the X-F row of the long-budget experiment (<c>--model MotivationDsl.Examples.QuickStart.FashionResNet
/// --growth-model QuickStartResNetGrowing</c>; the runner checks that parameters and FLOPs equal QuickStart's).
/// </summary>
[ScalableModel(InputShape = new[] { 1, 28, 28 }, Classes = 10, Base = "ResNet20", Motivated = "ResNet32", Init = WeightInit.KaimingNormal,
    Growth = Growth.FunctionPreserving)]
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
public partial class QuickStartResNetGrowing;
