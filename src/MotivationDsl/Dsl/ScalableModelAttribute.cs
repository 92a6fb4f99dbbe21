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

    /// <summary>
    /// How the motivated model's extra parts start: <see cref="Growth.Paper"/> (random, the paper's rule) unless set.
    /// <see cref="Growth.FunctionPreserving"/> makes the motivated model compute the base's function at its first activation.
    /// </summary>
    public Growth Growth { get; set; }

    /// <summary>Initialisation of the generated modules; <see cref="WeightInit.PyTorchDefault"/> unless set.</summary>
    public WeightInit Init { get; set; }

    /// <summary>How multipliers turn into channel and block counts; <see cref="ScalingRule.Exact"/> unless set.</summary>
    public ScalingRule Scaling { get; set; }

    /// <summary>
    /// Stochastic depth of residual <see cref="Block.MBConv"/> blocks: block <c>i</c> of <c>n</c> (counted over all stages)
    /// drops its branch with probability <c>StochasticDepth x i / n</c> in training (row mode), as torchvision's EfficientNet.
    /// </summary>
    public double StochasticDepth { get; set; }
}

/// <summary>How a variant's width and depth multipliers become channel and block counts.</summary>
public enum ScalingRule
{
    /// <summary>Every scaled count must be a whole number (MOT012).</summary>
    Exact = 0,

    /// <summary>
    /// EfficientNet compound scaling as torchvision: channels <c>_make_divisible(ch x width, 8)</c> (nearest multiple of 8,
    /// at least 8, and at least 90% of the product), blocks <c>ceil(blocks x depth)</c>.
    /// </summary>
    EfficientNet = 1,
}

/// <summary>
/// An extra base -> motivated pair whose weights map is generated and proven at compile time as well; select it at run
/// time with <c>WithPair(base, motivated)</c> (or <c>WithPair(base, motivated, growth)</c> for a pair with its own growth rule). The pair of <see cref="ScalableModelAttribute"/> is always included.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class PairAttribute(string @base, string motivated) : Attribute
{
    public string Base { get; } = @base;
    public string Motivated { get; } = motivated;

    /// <summary>
    /// The growth rule of this pair's map, overriding the model's and the stages' (<see cref="Growth.Default"/>: as declared).
    /// One model can declare the same pair under both rules, e.g. <c>[Pair("R20", "R32", Growth = Growth.FunctionPreserving)]</c>,
    /// selected with <c>WithPair(base, motivated, growth)</c>.
    /// </summary>
    public Growth Growth { get; set; }
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

    /// <summary>
    /// As torchvision's EfficientNet (v0.14): convolutions <c>kaiming_normal_(mode="fan_out")</c> with zero bias, BatchNorm
    /// weight 1 and bias 0, linear layers uniform in +-1/sqrt(out_features) with zero bias; other parameters (LayerNorm,
    /// tokens, embeddings) keep their defaults.
    /// </summary>
    EfficientNet = 2,

    /// <summary>
    /// As GPT-2 / nanoGPT: linear and embedding weights normal(0, 0.02), linear biases 0, the residual projections
    /// (<c>*.c_proj.weight</c>) normal(0, 0.02 / sqrt(2 x blocks)); LayerNorms keep weight 1, bias 0.
    /// </summary>
    Gpt2 = 3,
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

    /// <summary>Attention heads of every <see cref="Block.Encoder"/> and <see cref="Block.CausalDecoder"/> stage (0: the stage's declared heads). Must divide the width.</summary>
    public int Heads { get; set; }

    /// <summary>Depthwise kernel per stage (<see cref="Block.MBConv"/> stages; other stages ignore their entry).</summary>
    public int[]? Kernels { get; set; }

    /// <summary>Expansion ratio per stage (<see cref="Block.MBConv"/> stages; other stages ignore their entry).</summary>
    public int[]? Expansions { get; set; }

    /// <summary>Squeeze-and-excitation ratio of every <see cref="Block.MBConv"/> stage (NaN: the stages' own).</summary>
    public double SERatio { get; set; } = double.NaN;

    /// <summary>Patch size of the <see cref="PatchEmbeddingAttribute"/> (0: as declared).</summary>
    public int PatchSize { get; set; }

    /// <summary>Probability of every model-level <see cref="DropoutAttribute"/> (NaN: as declared), e.g. EfficientNet's 0.2 .. 0.4.</summary>
    public double Dropout { get; set; } = double.NaN;

    /// <summary>A language model's vocabulary for this variant (0: the <see cref="TokenEmbeddingAttribute"/>'s).</summary>
    public int Vocabulary { get; set; }

    /// <summary>A language model's context length for this variant (0: the <see cref="TokenEmbeddingAttribute"/>'s).</summary>
    public int ContextLength { get; set; }
}

/// <summary>How the motivated model's extra depth and width start (the weights map's growth rule).</summary>
public enum Growth
{
    /// <summary>On a stage: the model's rule. On the model: <see cref="Paper"/>.</summary>
    Default = 0,

    /// <summary>The paper's rule: extra blocks and extra channels keep their random initialisation.</summary>
    Paper = 1,

    /// <summary>
    /// Function-preserving growth (in the spirit of Net2Net): at the motivated model's first activation, right after the
    /// base's weights are copied in, its extra blocks are identities (the last normalisation scale or projection of their
    /// residual branch is zero), weights from extra channels into the base's channels and the head are zero, attention
    /// heads added by width have zero output projection, and features normalised by a widened LayerNorm are repeated so the
    /// normalisation sees the base's statistics. The motivated model then computes exactly the base's function. Stages
    /// default to <see cref="DepthMap.FirstL"/> under this rule (the extra blocks follow the base's). Checked at compile
    /// time: MOT033 and MOT034 name what cannot start as the base's function.
    /// </summary>
    FunctionPreserving = 2,
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
