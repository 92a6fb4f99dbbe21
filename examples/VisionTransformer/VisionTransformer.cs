using MotivationDsl;

namespace MotivationDsl.Examples.VisionTransformer;

/// <summary>
/// ViT-Tiny/16 -> ViT-Small/16 (DeiT sizes: d = 192, 3 heads, MLP 768 and d = 384, 6 heads, MLP 1536; 12 blocks; head
/// dimension 64 in both) in torchvision's <c>VisionTransformer</c> layout: <c>conv_proj</c>, <c>class_token</c>,
/// <c>encoder.pos_embedding</c>, <c>encoder.layers.encoder_layer_{i}</c> (pre-norm blocks, LayerNorm eps 1e-6),
/// <c>encoder.ln</c>, <c>heads.head</c>. 224 px, 1000 classes unless <see cref="ModelOptions"/> say otherwise.
/// The weights map is head-aware: head h of Tiny occupies head h of Small in q, k, v and the output projection.
/// </summary>
[ScalableModel(InputShape = new[] { 3, 224, 224 }, Classes = 1000, Base = "Tiny", Motivated = "Small")]
[Pair("Tiny", "Small", Growth = Growth.FunctionPreserving)]
[Variant("Tiny", Heads = 3)]
[Variant("Small", WidthMultiplier = 2, Heads = 6)]
[PatchEmbedding("conv_proj", 192, Patch = 16)]
[ClassToken("class_token")]
[PositionalEmbedding("encoder.pos_embedding")]
[Stage("encoder.layers", Block.Encoder, 192, Blocks = 12, Heads = 3, MlpDim = 768, BlockPrefix = "encoder_layer_")]
[LayerNorm("encoder.ln", Eps = 1e-6)]
[ClassTokenSelect]
[Linear("heads.head")]
public partial class VisionTransformer
{
}

/// <summary>
/// The same Tiny -> Small pair sized for CIFAR: 32 px input, patch 4 (64 tokens + the class token), 100 classes.
/// </summary>
[ScalableModel(InputShape = new[] { 3, 32, 32 }, Classes = 100, Base = "Tiny", Motivated = "Small")]
[Pair("Tiny", "Small", Growth = Growth.FunctionPreserving)]
[Variant("Tiny", Heads = 3)]
[Variant("Small", WidthMultiplier = 2, Heads = 6)]
[PatchEmbedding("conv_proj", 192, Patch = 4)]
[ClassToken("class_token")]
[PositionalEmbedding("encoder.pos_embedding")]
[Stage("encoder.layers", Block.Encoder, 192, Blocks = 12, Heads = 3, MlpDim = 768, BlockPrefix = "encoder_layer_")]
[LayerNorm("encoder.ln", Eps = 1e-6)]
[ClassTokenSelect]
[Linear("heads.head")]
public partial class VisionTransformerCifar
{
}
