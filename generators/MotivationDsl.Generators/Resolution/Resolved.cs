using System.Collections.Generic;
using System.Linq;

namespace MotivationDsl.Generators;

/// <summary>A parameter or buffer of a variant with its state_dict name and shape.</summary>
internal sealed class TensorDesc
{
    public TensorDesc(string name, bool isBuffer, long[] shape, string? stage, int block, string local)
    {
        Name = name; IsBuffer = isBuffer; Shape = shape; Stage = stage; Block = block; Local = local;
    }

    public string Name { get; }
    public bool IsBuffer { get; }
    public long[] Shape { get; }
    /// <summary>The stage the tensor belongs to, or null for a model-level layer.</summary>
    public string? Stage { get; }
    public int Block { get; }
    /// <summary>The name inside the block (<c>conv1.weight</c>) or the whole name at model level.</summary>
    public string Local { get; }
    public long Elements => Shape.Aggregate(1L, (a, b) => a * b);
}

/// <summary>One weights-map entry as computed by the builder (checked independently by <see cref="MapChecker"/>).</summary>
internal sealed class MapEntryDesc
{
    public MapEntryDesc(string baseName, string motivatedName, bool isBuffer, long[] baseShape, long[] motivatedShape, (long Start, long Length)[] region)
    {
        BaseName = baseName; MotivatedName = motivatedName; IsBuffer = isBuffer; BaseShape = baseShape; MotivatedShape = motivatedShape; Region = region;
    }

    public string BaseName { get; }
    public string MotivatedName { get; }
    public bool IsBuffer { get; }
    public long[] BaseShape { get; }
    public long[] MotivatedShape { get; }
    public (long Start, long Length)[] Region { get; }
    /// <summary>Null for a plain entry; else (base region, motivated region) pieces (head-aware attention).</summary>
    public List<((long Start, long Length)[] Base, (long Start, long Length)[] Motivated)>? Pieces { get; init; }
}

internal enum ShortcutKind { None = 0, A = 1, B = 2 }

internal sealed class RBlock
{
    public long In; public long Planes; public long Out; public long Stride; public ShortcutKind Shortcut;
    public long InH, InW, OutH, OutW;
    /// <summary>The rank of the block's output when a block sets it (a user block that flattens); 0: the input's.</summary>
    public int OutRank;
    /// <summary>Tensors (local name) with a dimension over concatenated channels: the dimension and the segments.</summary>
    public Dictionary<string, (int Dim, long[] Segments, long[] Shape)> Segmented = new();
    /// <summary>The output's channel segments when the block ends with concatenated channels; null: one block.</summary>
    public long[]? OutSegments;
    /// <summary>Per conv inside the block (local name -> (in, out, groups)) for mapping checks.</summary>
    public List<(string Name, long In, long Out, long Groups, long Stride)> Convs = new();
    // MBConv
    public long Expanded, Kernel, Expansion, Squeeze; public double SERatio, SdProb; public bool Residual;
    // Encoder
    public long Heads, Mlp;
    // CausalDecoder: the context length (the causal mask's size)
    public long Tokens;
}

/// <summary>One layer of a resolved variant, with concrete sizes.</summary>
internal sealed class RLayer
{
    public RLayer(LayerSpec spec, int inRank) { Spec = spec; InRank = inRank; }
    /// <summary>The rank of the layer's input: 3 an image [C, H, W], 2 tokens [T, C], 1 features [C].</summary>
    public int InRank { get; }
    public LayerSpec Spec { get; }
    public LayerKind Kind => Spec.Kind;
    public long In, Out, Kernel, Stride, Padding, Groups;
    public bool Bias;
    public bool Depthwise;
    public double P;
    public string BlockClass = "";
    public List<RBlock> Blocks = new();
    public int StageIndex = -1;
    /// <summary>A TokenEmbedding's context length (the longest input sequence).</summary>
    public long Context;
}

/// <summary>One variant with every layer, block and tensor resolved for the declared input size and class count.</summary>
internal sealed class ResolvedVariant
{
    public ResolvedVariant(VariantSpec spec, string name) { Spec = spec; Name = name; }
    public VariantSpec Spec { get; }
    public string Name { get; }
    public List<RLayer> Layers { get; } = new();
    public List<TensorDesc> Tensors { get; } = new();
    public long Macs { get; set; }
    public long Seq;
    /// <summary>A language model's vocabulary and context length (0 for other models).</summary>
    public long Vocabulary, Context;
    /// <summary>Tied weights: (alias, tensor) — the alias is the same tensor, so it is not in <see cref="Tensors"/>.</summary>
    public List<(string Alias, string Tensor)> Ties { get; } = new();
    public long Parameters => Tensors.Where(t => !t.IsBuffer).Sum(t => t.Elements);
    public bool Ok { get; set; } = true;
}
