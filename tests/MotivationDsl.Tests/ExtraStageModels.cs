using MotivationDsl;

namespace MotivationDsl.Tests.Models;

/// <summary>
/// A stage only the motivated variant has: S has no layer2 blocks (Depth 0), so its classifier reads layer1's 16 channels;
/// L's layer2 (two basic blocks, 32 channels, stride 2) is a differential part with no base tensor mapped into it
/// (tests/reference/compare_block_layers.py defines it in PyTorch).
/// </summary>
[ScalableModel(InputShape = new[] { 3, 16, 16 }, Classes = 5, Base = "S", Motivated = "L")]
[Variant("S", Depth = new[] { 1, 0 })]
[Variant("L", Depth = new[] { 1, 2 })]
[Conv2d("conv1", 16, Padding = 1, Bias = false)]
[BatchNorm2d("bn1")]
[ReLU]
[Stage("layer1", Block.Basic, 16)]
[Stage("layer2", Block.Basic, 32, Stride = 2, DepthMap = DepthMap.FirstL)]
[GlobalAvgPool]
[Flatten]
[Linear("linear")]
public partial class ExtraStageNet
{
}
