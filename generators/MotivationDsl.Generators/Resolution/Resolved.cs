using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Linq;

namespace MotivationDsl.Generators;

/// <summary>A parameter or buffer of a variant with its state_dict name and shape.</summary>
internal sealed class TensorDesc
{
    public TensorDesc(string name, bool isBuffer, IEnumerable<long> shape, string? stage, int block, string local)
    {
        Name = name; IsBuffer = isBuffer; Shape = shape.ToEquatableArray(); Stage = stage; Block = block; Local = local;
    }

    public string Name { get; }
    public bool IsBuffer { get; }
    public EquatableArray<long> Shape { get; }
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
    public MapEntryDesc(string baseName, string motivatedName, bool isBuffer, IEnumerable<long> baseShape, IEnumerable<long> motivatedShape,
        IEnumerable<(long Start, long Length)> region,
        IEnumerable<((long Start, long Length)[] Base, (long Start, long Length)[] Motivated)>? pieces = null)
    {
        BaseName = baseName; MotivatedName = motivatedName; IsBuffer = isBuffer;
        BaseShape = baseShape.ToEquatableArray(); MotivatedShape = motivatedShape.ToEquatableArray(); Region = region.ToEquatableArray();
        Pieces = pieces is null ? null : Array.AsReadOnly(pieces.Select(p => (p.Base.ToEquatableArray(), p.Motivated.ToEquatableArray())).ToArray());
    }

    public string BaseName { get; }
    public string MotivatedName { get; }
    public bool IsBuffer { get; }
    public EquatableArray<long> BaseShape { get; }
    public EquatableArray<long> MotivatedShape { get; }
    public EquatableArray<(long Start, long Length)> Region { get; }
    /// <summary>Null for a plain entry; else (base region, motivated region) pieces (head-aware attention).</summary>
    public ReadOnlyCollection<(EquatableArray<(long Start, long Length)> Base, EquatableArray<(long Start, long Length)> Motivated)>? Pieces { get; }
}

internal enum ShortcutKind { None = 0, A = 1, B = 2 }

/// <summary>One resolved block (immutable; built as a <see cref="BlockDraft"/> during resolution).</summary>
internal sealed class RBlock
{
    public RBlock(BlockDraft d)
    {
        In = d.In; Planes = d.Planes; Out = d.Out; Stride = d.Stride; Shortcut = d.Shortcut;
        InH = d.InH; InW = d.InW; OutH = d.OutH; OutW = d.OutW; OutRank = d.OutRank;
        Segmented = new ReadOnlyDictionary<string, (int Dim, EquatableArray<long> Segments, EquatableArray<long> Shape)>(
            d.Segmented.ToDictionary(s => s.Key, s => (s.Value.Dim, s.Value.Segments.ToEquatableArray(), s.Value.Shape)));
        OutSegments = d.OutSegments?.ToEquatableArray(); Convs = d.Convs.ToEquatableArray();
        Expanded = d.Expanded; Kernel = d.Kernel; Expansion = d.Expansion; Squeeze = d.Squeeze; SERatio = d.SERatio; SdProb = d.SdProb; Residual = d.Residual;
        Heads = d.Heads; Mlp = d.Mlp; Tokens = d.Tokens;
    }

    public long In { get; }
    public long Planes { get; }
    public long Out { get; }
    public long Stride { get; }
    public ShortcutKind Shortcut { get; }
    public long InH { get; }
    public long InW { get; }
    public long OutH { get; }
    public long OutW { get; }
    /// <summary>The rank of the block's output when a block sets it (a user block that flattens); 0: the input's.</summary>
    public int OutRank { get; }
    /// <summary>Tensors (local name) with a dimension over concatenated channels: the dimension and the segments.</summary>
    public ReadOnlyDictionary<string, (int Dim, EquatableArray<long> Segments, EquatableArray<long> Shape)> Segmented { get; }
    /// <summary>The output's channel segments when the block ends with concatenated channels; null: one block.</summary>
    public EquatableArray<long>? OutSegments { get; }
    /// <summary>Per conv inside the block (local name -> (in, out, groups)) for mapping checks.</summary>
    public EquatableArray<(string Name, long In, long Out, long Groups, long Stride)> Convs { get; }
    // MBConv
    public long Expanded { get; }
    public long Kernel { get; }
    public long Expansion { get; }
    public long Squeeze { get; }
    public double SERatio { get; }
    public double SdProb { get; }
    public bool Residual { get; }
    // Encoder
    public long Heads { get; }
    public long Mlp { get; }
    // CausalDecoder: the context length (the causal mask's size)
    public long Tokens { get; }
}

/// <summary>One layer of a resolved variant, with concrete sizes (immutable; built as a <see cref="LayerDraft"/>).</summary>
internal sealed class RLayer
{
    public RLayer(LayerDraft d)
    {
        Spec = d.Spec; InRank = d.InRank;
        In = d.In; Out = d.Out; Kernel = d.Kernel; Stride = d.Stride; Padding = d.Padding; Groups = d.Groups;
        Bias = d.Bias; Depthwise = d.Depthwise; P = d.P; BlockClass = d.BlockClass;
        Blocks = Array.AsReadOnly(d.Blocks.Select(b => new RBlock(b)).ToArray());
        StageIndex = d.StageIndex; Context = d.Context;
    }

    /// <summary>The rank of the layer's input: 3 an image [C, H, W], 2 tokens [T, C], 1 features [C].</summary>
    public int InRank { get; }
    public LayerSpec Spec { get; }
    public LayerKind Kind => Spec.Kind;
    public long In { get; }
    public long Out { get; }
    public long Kernel { get; }
    public long Stride { get; }
    public long Padding { get; }
    public long Groups { get; }
    public bool Bias { get; }
    public bool Depthwise { get; }
    public double P { get; }
    public string BlockClass { get; }
    public ReadOnlyCollection<RBlock> Blocks { get; }
    public int StageIndex { get; }
    /// <summary>A TokenEmbedding's context length (the longest input sequence).</summary>
    public long Context { get; }
}

/// <summary>
/// One variant with every layer, block and tensor resolved for the declared input size and class count; immutable
/// (resolution fills a <see cref="VariantDraft"/> and freezes it).
/// </summary>
internal sealed class ResolvedVariant
{
    public ResolvedVariant(VariantDraft d)
    {
        Spec = d.Spec; Name = d.Name;
        Layers = Array.AsReadOnly(d.Layers.Select(l => new RLayer(l)).ToArray());
        Tensors = Array.AsReadOnly(d.Tensors.ToArray());
        Macs = d.Macs; Seq = d.Seq; Vocabulary = d.Vocabulary; Context = d.Context;
        Ties = d.Ties.ToEquatableArray();
        Ok = d.Ok;
    }

    public VariantSpec Spec { get; }
    public string Name { get; }
    public ReadOnlyCollection<RLayer> Layers { get; }
    public ReadOnlyCollection<TensorDesc> Tensors { get; }
    public long Macs { get; }
    public long Seq { get; }
    /// <summary>A language model's vocabulary and context length (0 for other models).</summary>
    public long Vocabulary { get; }
    public long Context { get; }
    /// <summary>Tied weights: (alias, tensor) — the alias is the same tensor, so it is not in <see cref="Tensors"/>.</summary>
    public EquatableArray<(string Alias, string Tensor)> Ties { get; }
    public long Parameters => Tensors.Where(t => !t.IsBuffer).Sum(t => t.Elements);
    public bool Ok { get; }
}
