namespace MotivationDsl;

/// <summary>
/// Marks a <c>partial class</c> as a scalable architecture. The layer attributes on the same declaration,
/// in source order, are the architecture; <see cref="VariantAttribute"/>s name its sizes.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class ScalableModelAttribute : Attribute
{
    /// <summary>Input shape of one sample, channels first (e.g. <c>new[] { 3, 32, 32 }</c>).</summary>
    public int[] InputShape { get; set; } = [];

    /// <summary>Number of classes; a <see cref="LinearAttribute"/> without an explicit size outputs this many.</summary>
    public int Classes { get; set; }

    /// <summary>The variant trained on every batch.</summary>
    public string? Base { get; set; }

    /// <summary>The larger variant trained while the motivation condition holds.</summary>
    public string? Motivated { get; set; }

    /// <summary>Depth rule of every stage that does not set its own; <see cref="DepthMap.Default"/> means <see cref="DepthMap.LastToLast"/>.</summary>
    public DepthMap DepthMap { get; set; }

    /// <summary>Initialisation of the generated modules; <see cref="WeightInit.PyTorchDefault"/> unless set.</summary>
    public WeightInit Init { get; set; }
}

/// <summary>How the generated modules initialise their weights.</summary>
public enum WeightInit
{
    /// <summary>PyTorch's (and TorchSharp's) defaults: Kaiming-uniform(a = sqrt 5) weights, uniform biases, BN weight 1 / bias 0.</summary>
    PyTorchDefault = 0,

    /// <summary>
    /// As the reference CIFAR ResNet (akamaster/pytorch_resnet_cifar10): <c>kaiming_normal_</c> (fan-in, gain sqrt 2) on
    /// every convolution and linear weight; biases and BatchNorm keep their defaults.
    /// </summary>
    KaimingNormal = 1,
}

/// <summary>A named size of the architecture.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class VariantAttribute(string name) : Attribute
{
    public string Name { get; } = name;

    /// <summary>Blocks per stage, in stage order. Overrides <see cref="DepthMultiplier"/>.</summary>
    public int[]? Depth { get; set; }

    /// <summary>Multiplies every stage's declared block count; the result must be a whole number.</summary>
    public double DepthMultiplier { get; set; } = 1.0;

    /// <summary>Channels per stage, in stage order. Overrides <see cref="WidthMultiplier"/> for stages.</summary>
    public int[]? Width { get; set; }

    /// <summary>Multiplies every declared channel count (not the class count); the result must be a whole number.</summary>
    public double WidthMultiplier { get; set; } = 1.0;
}

/// <summary>How the blocks of a base stage are placed among the motivated stage's blocks.</summary>
public enum DepthMap
{
    /// <summary>On a stage: the model's rule. On the model: <see cref="LastToLast"/>.</summary>
    Default = 0,

    /// <summary>The paper's ResNet rule: base blocks 1..l-1 map to motivated blocks 1..l-1, the last to the last.</summary>
    LastToLast = 1,

    /// <summary>The paper's EfficientNet rule: the l base blocks map to the first l motivated blocks.</summary>
    FirstL = 2,
}
