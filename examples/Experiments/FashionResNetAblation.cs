using MotivationDsl;

namespace MotivationDsl.Examples.Experiments;

/// <summary>
/// Growth ablation cell first-l + random: <see cref="FashionResNet"/> with the paper's rule (the two extra blocks of
/// every stage keep their random initialisation) but the base's blocks placed first (<see cref="DepthMap.FirstL"/>)
/// instead of last-to-last (<c>--ablation-first-random FashionResNetFirstRandom</c>).
/// </summary>
[ScalableModel(InputShape = new[] { 1, 28, 28 }, Classes = 10, Base = "ResNet20", Motivated = "ResNet32", Init = WeightInit.KaimingNormal,
    DepthMap = DepthMap.FirstL)]
[Variant("ResNet20", Depth = new[] { 3, 3, 3 })]
[Variant("ResNet32", Depth = new[] { 5, 5, 5 })]
[Conv2d("conv1", 16, Kernel = 3, Padding = 1, Bias = false)]
[BatchNorm2d("bn1")]
[ReLU]
[Stage("layer1", Block.Basic, 16, Stride = 1, Shortcut = Shortcut.A)]
[Stage("layer2", Block.Basic, 32, Stride = 2, Shortcut = Shortcut.A)]
[Stage("layer3", Block.Basic, 64, Stride = 2, Shortcut = Shortcut.A)]
[GlobalAvgPool]
[Flatten]
[Linear("linear")]
public partial class FashionResNetFirstRandom
{
}

/// <summary>
/// Growth ablation cell last-to-last + identity: function-preserving growth (extra blocks start as identities, zero
/// last BatchNorm scale) with the paper's last-to-last placement: the base's last block of every stage maps to
/// ResNet-32's fifth, the identities sit at blocks 3 and 4. Provable because those blocks keep the stage's shape and
/// are not the first of their stage (the generator checks it: MOT033) (<c>--ablation-last-identity FashionResNetLastIdentity</c>).
/// </summary>
[ScalableModel(InputShape = new[] { 1, 28, 28 }, Classes = 10, Base = "ResNet20", Motivated = "ResNet32", Init = WeightInit.KaimingNormal,
    Growth = Growth.FunctionPreserving, DepthMap = DepthMap.LastToLast)]
[Variant("ResNet20", Depth = new[] { 3, 3, 3 })]
[Variant("ResNet32", Depth = new[] { 5, 5, 5 })]
[Conv2d("conv1", 16, Kernel = 3, Padding = 1, Bias = false)]
[BatchNorm2d("bn1")]
[ReLU]
[Stage("layer1", Block.Basic, 16, Stride = 1, Shortcut = Shortcut.A)]
[Stage("layer2", Block.Basic, 32, Stride = 2, Shortcut = Shortcut.A)]
[Stage("layer3", Block.Basic, 64, Stride = 2, Shortcut = Shortcut.A)]
[GlobalAvgPool]
[Flatten]
[Linear("linear")]
public partial class FashionResNetLastIdentity
{
}
