namespace MotivationDsl;

/// <summary>
/// Adaptive average pooling to <paramref name="outputSize"/> x <paramref name="outputSize"/>
/// (<c>torch.nn.AdaptiveAvgPool2d(outputSize)</c>): the output size no longer depends on the input size, so a
/// <see cref="FlattenAttribute"/> after it gives a fixed feature count. No parameters, no MACs counted.
/// </summary>
public sealed class AdaptiveAvgPool2dAttribute(int outputSize) : LayerAttribute
{
    public int OutputSize { get; } = outputSize;
}

/// <summary>
/// Adaptive max pooling to <paramref name="outputSize"/> x <paramref name="outputSize"/>
/// (<c>torch.nn.AdaptiveMaxPool2d(outputSize)</c>). No parameters, no MACs counted.
/// </summary>
public sealed class AdaptiveMaxPool2dAttribute(int outputSize) : LayerAttribute
{
    public int OutputSize { get; } = outputSize;
}

/// <summary>
/// Squeeze-and-excitation inside a <c>[ScalableBlock]</c>, as torchvision's <c>ops.SqueezeExcitation</c> (ReLU):
/// <c>x * sigmoid(fc2(relu(fc1(mean(x)))))</c>; <c>name.fc1</c> is a 1x1 convolution from the channels C to
/// <c>max(1, floor(C x Ratio))</c> squeeze channels, <c>name.fc2</c> back to C, both with bias. Scales with width.
/// </summary>
public sealed class SqueezeExcitationAttribute(string name) : LayerAttribute
{
    public string Name { get; } = name;

    /// <summary>Squeeze channels per input channel (SE-ResNet's reduction 16 is 0.0625).</summary>
    public double Ratio { get; set; } = 0.25;

    /// <summary>The activation between the two 1x1 convolutions (torchvision's default ReLU; EfficientNet's SiLU).</summary>
    public SqueezeActivation Activation { get; set; } = SqueezeActivation.ReLU;
}

/// <summary>The activation inside a squeeze-and-excitation layer: the ones the DSL's layers offer.</summary>
public enum SqueezeActivation
{
    ReLU = 0,
    SiLU = 1,
    GELU = 2,
}

/// <summary>
/// Starts a parallel branch inside a <c>[ScalableBlock]</c>: the layers after it, up to the next <see cref="BranchAttribute"/>
/// or <see cref="JoinAttribute"/>, run on the input the group's first branch receives; their state_dict keys start with
/// <c>name.</c> (<c>b1.conv.weight</c>).
/// </summary>
public sealed class BranchAttribute(string name) : LayerAttribute
{
    public string Name { get; } = name;
}

/// <summary>Ends a group of <see cref="BranchAttribute"/>s inside a <c>[ScalableBlock]</c> and joins their outputs.</summary>
public sealed class JoinAttribute(JoinMode mode) : LayerAttribute
{
    public JoinMode Mode { get; } = mode;
}

/// <summary>How the branches of a <see cref="JoinAttribute"/> are combined.</summary>
public enum JoinMode
{
    /// <summary>Element-wise sum; every branch outputs the same shape.</summary>
    Add = 0,

    /// <summary>Concatenation along channels (features), in branch order; the spatial sizes must agree.</summary>
    Concat = 1,
}
