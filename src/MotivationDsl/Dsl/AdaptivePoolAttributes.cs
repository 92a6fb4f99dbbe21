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
