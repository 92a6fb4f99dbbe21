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
    /// <summary>The classifier: outputs the model's class count.</summary>
    public LinearAttribute(string name) { Name = name; }

    /// <summary>A hidden layer with <paramref name="outFeatures"/> declared features (scaled with width).</summary>
    public LinearAttribute(string name, int outFeatures) { Name = name; OutFeatures = outFeatures; }

    public string Name { get; }
    public int OutFeatures { get; }
    public bool Bias { get; set; } = true;
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
}

/// <summary>Built-in blocks.</summary>
public enum Block
{
    /// <summary>He et al.'s basic block: conv3x3-bn-relu-conv3x3-bn, add, relu.</summary>
    Basic = 0,

    /// <summary>The bottleneck block: conv1x1-bn-relu-conv3x3-bn-relu-conv1x1(x4)-bn, add, relu.</summary>
    Bottleneck = 1,
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
