namespace MotivationDsl;

/// <summary>
/// Base of every layer attribute. Layers are read in source order from one declaration of the class.
/// A named layer owns parameters or buffers; its name is the state_dict prefix (<c>conv1.weight</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public abstract class LayerAttribute : Attribute
{
}

/// <summary>2-D convolution (<c>torch.nn.Conv2d</c>). Output channels scale with the variant's width.</summary>
public sealed class Conv2dAttribute : LayerAttribute
{
    /// <summary>A convolution at model level with <paramref name="outChannels"/> declared output channels.</summary>
    public Conv2dAttribute(string name, int outChannels) { Name = name; OutChannels = outChannels; }

    /// <summary>A convolution inside a block: its output channels are <see cref="Expansion"/> times the stage's channels.</summary>
    public Conv2dAttribute(string name) { Name = name; }

    public string Name { get; }
    public int OutChannels { get; }
    public int Kernel { get; set; } = 3;
    public int Stride { get; set; } = 1;
    public int Padding { get; set; }
    public int Groups { get; set; } = 1;
    public bool Bias { get; set; } = true;

    /// <summary>Inside a block: output channels as a multiple of the stage's channels.</summary>
    public int Expansion { get; set; } = 1;

    /// <summary>Inside a block: this convolution takes the stage's stride in the stage's first block.</summary>
    public bool StageStride { get; set; }

    /// <summary>
    /// Depthwise: groups = channels and output channels = input channels (the declared output channels and
    /// <see cref="Groups"/> are ignored). Scales with width: a depthwise weight is per channel, so its prefix map is exact.
    /// </summary>
    public bool Depthwise { get; set; }
}

/// <summary>SiLU (swish) activation.</summary>
public sealed class SiLUAttribute : LayerAttribute
{
}

/// <summary>GELU activation (exact, erf form, as <c>torch.nn.GELU()</c>).</summary>
public sealed class GELUAttribute : LayerAttribute
{
}

/// <summary>Layer normalisation over the last dimension (<c>torch.nn.LayerNorm(d)</c>): weight, bias <c>[d]</c>.</summary>
public sealed class LayerNormAttribute(string name) : LayerAttribute
{
    public string Name { get; } = name;
    public double Eps { get; set; } = 1e-5;
}

/// <summary>
/// Patch embedding of a vision transformer: <c>Conv2d(C, dim, kernel = stride = Patch)</c> with bias, then the
/// <c>[dim, H/p, W/p]</c> map becomes a sequence of <c>H/p x W/p</c> tokens of <paramref name="dim"/> features
/// (torchvision's <c>conv_proj</c> and reshape/permute). <paramref name="dim"/> scales with width.
/// </summary>
public sealed class PatchEmbeddingAttribute(string name, int dim) : LayerAttribute
{
    public string Name { get; } = name;
    public int Dim { get; } = dim;
    public int Patch { get; set; } = 16;
}

/// <summary>A learned class token <c>[1, 1, d]</c> (zeros at initialisation) prepended to the token sequence.</summary>
public sealed class ClassTokenAttribute(string name) : LayerAttribute
{
    public string Name { get; } = name;
}

/// <summary>A learned positional embedding <c>[1, seq, d]</c> (normal, std 0.02, at initialisation) added to the tokens.</summary>
public sealed class PositionalEmbeddingAttribute(string name) : LayerAttribute
{
    public string Name { get; } = name;
}

/// <summary>Keeps only the class token (<c>x[:, 0]</c>): a token sequence becomes a feature vector.</summary>
public sealed class ClassTokenSelectAttribute : LayerAttribute
{
}

/// <summary>Batch normalisation over channels (<c>torch.nn.BatchNorm2d</c>): weight, bias, running_mean, running_var, num_batches_tracked.</summary>
public sealed class BatchNorm2dAttribute(string name) : LayerAttribute
{
    public string Name { get; } = name;
    public double Eps { get; set; } = 1e-5;
    public double Momentum { get; set; } = 0.1;
}

/// <summary>Rectified linear unit.</summary>
public sealed class ReLUAttribute : LayerAttribute
{
}

/// <summary>2-D max pooling.</summary>
public sealed class MaxPool2dAttribute(int kernel) : LayerAttribute
{
    public int Kernel { get; } = kernel;
    /// <summary>Defaults to the kernel size, as in PyTorch.</summary>
    public int Stride { get; set; }
    public int Padding { get; set; }
}

/// <summary>2-D average pooling.</summary>
public sealed class AvgPool2dAttribute(int kernel) : LayerAttribute
{
    public int Kernel { get; } = kernel;
    /// <summary>Defaults to the kernel size, as in PyTorch.</summary>
    public int Stride { get; set; }
    public int Padding { get; set; }
}

/// <summary>Global average pooling to 1x1 (<c>AdaptiveAvgPool2d(1)</c>).</summary>
public sealed class GlobalAvgPoolAttribute : LayerAttribute
{
}

/// <summary>Flattens all but the batch dimension.</summary>
public sealed class FlattenAttribute : LayerAttribute
{
}

/// <summary>Dropout with probability <paramref name="p"/>.</summary>
public sealed class DropoutAttribute(double p) : LayerAttribute
{
    public double P { get; } = p;
}

/// <summary>Fully connected layer (<c>torch.nn.Linear</c>).</summary>
public sealed class LinearAttribute : LayerAttribute
{
    /// <summary>
    /// At model level the classifier: outputs the model's class count. Inside a <c>[ScalableBlock]</c> a hidden layer
    /// with <see cref="Expansion"/> x the stage's channels outputs.
    /// </summary>
    public LinearAttribute(string name) { Name = name; }

    /// <summary>A hidden layer with <paramref name="outFeatures"/> declared features (scaled with width).</summary>
    public LinearAttribute(string name, int outFeatures) { Name = name; OutFeatures = outFeatures; }

    public string Name { get; }
    public int OutFeatures { get; }
    public bool Bias { get; set; } = true;

    /// <summary>Inside a block, <c>Linear(name)</c> outputs this multiple of the stage's channels (scaled with width).</summary>
    public int Expansion { get; set; } = 1;
}

/// <summary>
/// A repeated stage of blocks (<c>layer1.0 ... layer1.{n-1}</c>). The block count comes from the variant
/// (<see cref="VariantAttribute.Depth"/> or <see cref="Blocks"/> times <see cref="VariantAttribute.DepthMultiplier"/>).
/// </summary>
public sealed class StageAttribute : LayerAttribute
{
    /// <summary>A stage of a built-in block.</summary>
    public StageAttribute(string name, Block block, int channels) { Name = name; Block = block; Channels = channels; }

    /// <summary>A stage of a user block: a <c>partial class</c> marked <see cref="ScalableBlockAttribute"/>.</summary>
    public StageAttribute(string name, Type block, int channels) { Name = name; BlockType = block; Channels = channels; }

    public string Name { get; }
    public Block Block { get; }
    public Type? BlockType { get; }

    /// <summary>The stage's declared channels (a bottleneck block outputs four times this).</summary>
    public int Channels { get; }

    /// <summary>Declared block count, scaled by the variant's depth multiplier.</summary>
    public int Blocks { get; set; } = 1;

    /// <summary>Stride of the stage's first block.</summary>
    public int Stride { get; set; } = 1;

    /// <summary>Shortcut used where a block changes shape.</summary>
    public Shortcut Shortcut { get; set; } = Shortcut.B;

    /// <summary>Overrides the model's depth rule for this stage.</summary>
    public DepthMap DepthMap { get; set; }

    /// <summary>Overrides the model's growth rule for this stage's blocks (extra blocks and the tensors of its mapped blocks).</summary>
    public Growth Growth { get; set; }

    /// <summary><see cref="Block.MBConv"/>: depthwise kernel size (3 or 5 in EfficientNet).</summary>
    public int Kernel { get; set; } = 3;

    /// <summary><see cref="Block.MBConv"/>: expansion ratio of the 1x1 expand convolution (1: no expand convolution).</summary>
    public int Expansion { get; set; } = 1;

    /// <summary><see cref="Block.MBConv"/>: squeeze channels = max(1, floor(block input channels x SERatio)); 0 disables SE.</summary>
    public double SERatio { get; set; } = 0.25;

    /// <summary><see cref="Block.Encoder"/>, <see cref="Block.CausalDecoder"/>: attention heads (a variant's <see cref="VariantAttribute.Heads"/> overrides).</summary>
    public int Heads { get; set; }

    /// <summary><see cref="Block.Encoder"/>: hidden features of the MLP (scales with width).</summary>
    public int MlpDim { get; set; }

    /// <summary>Prefix of the block keys: <c>{stage}.{prefix}{i}</c> (torchvision's ViT: <c>encoder_layer_</c>).</summary>
    public string BlockPrefix { get; set; } = "";
}

/// <summary>Built-in blocks.</summary>
public enum Block
{
    /// <summary>He et al.'s basic block: conv3x3-bn-relu-conv3x3-bn, add, relu.</summary>
    Basic = 0,

    /// <summary>The bottleneck block: conv1x1-bn-relu-conv3x3-bn-relu-conv1x1(x4)-bn, add, relu.</summary>
    Bottleneck = 1,

    /// <summary>
    /// EfficientNet's MBConv (torchvision layout <c>block.0 ... block.3</c>): expand 1x1 conv-BN-SiLU (absent with expansion 1),
    /// depthwise kxk conv-BN-SiLU (the stride), squeeze-and-excitation (<c>fc1</c>, SiLU, <c>fc2</c>, sigmoid), project 1x1
    /// conv-BN; residual with stochastic depth when the stride is 1 and channels do not change. The stage's channels are its output.
    /// </summary>
    MBConv = 2,

    /// <summary>
    /// A pre-norm transformer encoder block (torchvision ViT layout): <c>ln_1</c>, <c>self_attention</c> (fused
    /// <c>in_proj_weight [3d, d]</c>), dropout, residual, <c>ln_2</c>, <c>mlp.0</c>-GELU-dropout-<c>mlp.3</c>-dropout, residual.
    /// </summary>
    Encoder = 3,

    /// <summary>
    /// A pre-LayerNorm GPT-2 block (nanoGPT layout): <c>ln_1</c>, causal self-attention <c>attn</c> (fused
    /// <c>c_attn [3d, d]</c>, <c>c_proj</c>, causal-mask buffer <c>bias</c>), residual, <c>ln_2</c>, <c>mlp</c>
    /// (<c>c_fc</c> d -> 4d, GELU, <c>c_proj</c>), residual. Heads from the stage or the variant.
    /// </summary>
    CausalDecoder = 4,
}

/// <summary>Shortcut of a residual block whose output shape differs from its input.</summary>
public enum Shortcut
{
    /// <summary>Option A: parameter-free; subsample spatially and zero-pad the extra channels.</summary>
    A = 0,

    /// <summary>Option B: 1x1 convolution with the block's stride, then batch normalisation.</summary>
    B = 1,
}

/// <summary>
/// Marks a <c>partial class</c> as a user block built from layer attributes. With <see cref="Residual"/>,
/// its output is <c>activation(body(x) + shortcut(x))</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class ScalableBlockAttribute : Attribute
{
    public bool Residual { get; set; } = true;

    /// <summary>Applies ReLU after the residual add (as in ResNet blocks).</summary>
    public bool ReLUAfterAdd { get; set; } = true;
}
