using System;
using System.Linq;

namespace MotivationDsl.Generators;

internal enum LayerKind
{
    Unknown = 0,
    Conv2d,
    BatchNorm2d,
    ReLU,
    MaxPool2d,
    AvgPool2d,
    GlobalAvgPool,
    Flatten,
    Dropout,
    Linear,
    Stage,
    SiLU,
    GELU,
    LayerNorm,
    PatchEmbedding,
    ClassToken,
    PositionalEmbedding,
    ClassTokenSelect,
    TokenEmbedding,
    TokenPositions,
    LanguageModelHead,
    AdaptiveAvgPool2d,
    AdaptiveMaxPool2d,
    SqueezeExcitation,
    Branch,
    Join,
}

/// <summary>How the branches of a [Join] combine (the API's <c>JoinMode</c> values).</summary>
/// <summary>The activation inside a squeeze-and-excitation layer (the public <c>SqueezeActivation</c>'s values).</summary>
internal enum ActivationKind { ReLU = 0, SiLU = 1, GELU = 2 }

internal enum JoinKind
{
    Add = 0,
    Concat = 1,
}

/// <summary>The kind of block a stage is made of (the API's <c>Block</c> values, and user blocks).</summary>
internal enum BlockKindId
{
    Basic = 0,
    Bottleneck = 1,
    MBConv = 2,
    Encoder = 3,
    CausalDecoder = 4,
    User = 100,
}

/// <summary>Where one attribute argument was written (positional arguments under their parameter name).</summary>
internal sealed record ArgLocation(string Name, LocationInfo Location);

/// <summary>One layer attribute as written, with every value it needs (no symbols, no syntax).</summary>
internal sealed record LayerSpec
{
    public LayerKind Kind { get; init; }
    public string AttributeName { get; init; } = "";
    public string? Name { get; init; }
    public LocationInfo? Location { get; init; }
    public EquatableArray<ArgLocation> Args { get; init; } = EquatableArray<ArgLocation>.Empty;

    // Conv2d / Linear
    public bool HasOut { get; init; }
    public long Out { get; init; }
    public long Kernel { get; init; } = 3;
    public long Stride { get; init; } = 1;
    public long Padding { get; init; }
    public long Groups { get; init; } = 1;
    public bool Bias { get; init; } = true;
    public long Expansion { get; init; } = 1;
    public bool StageStride { get; init; }
    public bool Depthwise { get; init; }
    /// <summary>Inside a block module: the kernel is the module's <c>kernel</c> argument (a variant's <c>Kernels</c>), padding kernel / 2.</summary>
    public bool VariantKernel { get; init; }

    // AdaptiveAvgPool2d / AdaptiveMaxPool2d
    public long OutputSize { get; init; }

    // Join (validation rejects values outside the enum)
    public JoinKind Join { get; init; }

    // SqueezeExcitation (validation rejects values outside the enum)
    public ActivationKind SEActivation { get; init; }

    // PatchEmbedding / Stage(Encoder) / Stage(MBConv)
    public long Patch { get; init; } = 16;
    public long Heads { get; init; }
    public long MlpDim { get; init; }
    public double SERatio { get; init; } = 0.25;
    public string BlockPrefix { get; init; } = "";

    // TokenEmbedding (the token input of a language model) / LanguageModelHead
    public long Vocabulary { get; init; }
    public long ContextLength { get; init; }
    public string? TiedTo { get; init; }

    // BatchNorm / Dropout
    public double Eps { get; init; } = 1e-5;
    public double Momentum { get; init; } = 0.1;
    public double P { get; init; }

    // Stage: Block 0 basic, 1 bottleneck; BlockType set for user blocks.
    public int Block { get; init; }
    public bool HasBlockType { get; init; }
    public string? BlockType { get; init; }
    public string? BlockTypeDisplay { get; init; }
    public long Channels { get; init; }
    public long Blocks { get; init; } = 1;
    public int Shortcut { get; init; } = 1;
    public int DepthMap { get; init; }
    public int Growth { get; init; }

    public bool Has(string arg) => Args.Any(a => string.Equals(a.Name, arg, StringComparison.OrdinalIgnoreCase));

    public LocationInfo? At(string arg) =>
        Args.FirstOrDefault(a => string.Equals(a.Name, arg, StringComparison.OrdinalIgnoreCase))?.Location ?? Location;

    public string Display => Name ?? AttributeName;

    /// <summary>For a stage: the kind of its blocks (validation has rejected values outside the enum).</summary>
    public BlockKindId BlockKind => HasBlockType ? BlockKindId.User : (BlockKindId)Block;
}

internal sealed record VariantSpec
{
    public string? Name { get; init; }
    public LocationInfo? Location { get; init; }
    public EquatableArray<ArgLocation> Args { get; init; } = EquatableArray<ArgLocation>.Empty;
    public bool HasDepth { get; init; }
    public EquatableArray<long> Depth { get; init; } = EquatableArray<long>.Empty;
    public double DepthMultiplier { get; init; } = 1.0;
    public bool HasWidth { get; init; }
    public EquatableArray<long> Width { get; init; } = EquatableArray<long>.Empty;
    public double WidthMultiplier { get; init; } = 1.0;
    public long Heads { get; init; }
    public bool HasKernels { get; init; }
    public EquatableArray<long> Kernels { get; init; } = EquatableArray<long>.Empty;
    public bool HasExpansions { get; init; }
    public EquatableArray<long> Expansions { get; init; } = EquatableArray<long>.Empty;
    public double SERatio { get; init; } = double.NaN;
    public long PatchSize { get; init; }
    public double Dropout { get; init; } = double.NaN;
    /// <summary>A language model's vocabulary and context length for this variant; 0: the TokenEmbedding's.</summary>
    public long Vocabulary { get; init; }
    public long ContextLength { get; init; }

    public bool Has(string arg) => Args.Any(a => string.Equals(a.Name, arg, StringComparison.OrdinalIgnoreCase));

    public LocationInfo? At(string arg) =>
        Args.FirstOrDefault(a => string.Equals(a.Name, arg, StringComparison.OrdinalIgnoreCase))?.Location ?? Location;
}

/// <summary>An extra [Pair(base, motivated)] whose map is generated and proven too.</summary>
internal sealed record PairSpec(string? Base, string? Motivated, LocationInfo? Location, int Growth = 0);

/// <summary>A [LayerWidth(variant, layer, width)]: one model-level layer's width in one variant.</summary>
internal sealed record LayerWidthSpec(string? Variant, string? Layer, long Width, LocationInfo? Location);

/// <summary>A [ScalableBlock] class: its layers and flags.</summary>
internal sealed record BlockSpec
{
    public string MetadataName { get; init; } = "";
    public string ClassName { get; init; } = "";
    public bool Residual { get; init; } = true;
    public bool ReLUAfterAdd { get; init; } = true;
    public bool IsPartial { get; init; }
    public EquatableArray<LayerSpec> Layers { get; init; } = EquatableArray<LayerSpec>.Empty;
    public EquatableArray<DiagnosticInfo> Diagnostics { get; init; } = EquatableArray<DiagnosticInfo>.Empty;
}

/// <summary>A [ScalableModel] class as written.</summary>
/// <summary>Where a model class's static entry points come from.</summary>
internal enum EntryPoints
{
    /// <summary>Inherited: the class derives from the runtime's <c>GeneratedModel&lt;ModelDefinition&gt;</c>.</summary>
    RuntimeBase,
    /// <summary>Generated into the class: it is static or declares its own base class.</summary>
    Generated,
}

internal sealed record ModelSpec
{
    public string Namespace { get; init; } = "";
    public string ClassName { get; init; } = "";
    public string FullName { get; init; } = "";
    public string Accessibility { get; init; } = "internal";
    public bool IsStatic { get; init; }
    /// <summary>Where the class's static entry points (<c>CreatePair</c>, <c>Map</c>, ...) come from.</summary>
    public EntryPoints EntryPoints { get; init; }
    public LocationInfo? Location { get; init; }
    public LocationInfo? ClassLocation { get; init; }
    public EquatableArray<ArgLocation> Args { get; init; } = EquatableArray<ArgLocation>.Empty;
    public bool HasInputShape { get; init; }
    public EquatableArray<long> InputShape { get; init; } = EquatableArray<long>.Empty;
    public bool HasClasses { get; init; }
    public long Classes { get; init; }
    public string? Base { get; init; }
    public string? Motivated { get; init; }
    public int DepthMap { get; init; }
    public int Growth { get; init; }
    public int Init { get; init; }
    /// <summary>The WeightInit member <see cref="Init"/> names; null when it names none.</summary>
    public string? InitName { get; init; } = "PyTorchDefault";
    /// <summary>Every member of the WeightInit enum the model was compiled against, in declaration order.</summary>
    public EquatableArray<string> InitMembers { get; init; } = EquatableArray<string>.Empty;
    public int Scaling { get; init; }
    public double StochasticDepth { get; init; }
    public EquatableArray<PairSpec> Pairs { get; init; } = EquatableArray<PairSpec>.Empty;
    public EquatableArray<LayerWidthSpec> LayerWidths { get; init; } = EquatableArray<LayerWidthSpec>.Empty;
    public EquatableArray<LayerSpec> Layers { get; init; } = EquatableArray<LayerSpec>.Empty;
    public EquatableArray<VariantSpec> Variants { get; init; } = EquatableArray<VariantSpec>.Empty;
    public EquatableArray<DiagnosticInfo> Diagnostics { get; init; } = EquatableArray<DiagnosticInfo>.Empty;
    /// <summary>Set when the declaration cannot be generated at all (not partial, nested, generic).</summary>
    public bool Fatal { get; init; }

    public bool Has(string arg) => Args.Any(a => string.Equals(a.Name, arg, StringComparison.OrdinalIgnoreCase));

    public LocationInfo? At(string arg) =>
        Args.FirstOrDefault(a => string.Equals(a.Name, arg, StringComparison.OrdinalIgnoreCase))?.Location ?? Location;
}

/// <summary>
/// The pipeline's final, equatable output for one model: its generated files (none when it has errors) and its
/// diagnostics, registered as two separate outputs.
/// </summary>
internal sealed record GenerationResult(string HintName, EquatableArray<GeneratedFile> Files, EquatableArray<DiagnosticInfo> Diagnostics);
