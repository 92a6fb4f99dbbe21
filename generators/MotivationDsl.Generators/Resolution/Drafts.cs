using System.Collections.Generic;

namespace MotivationDsl.Generators;

// The mutable forms of the resolved records, filled step by step while a variant resolves (ModelBuilder, the block and
// layer kinds' Resolve) and frozen into RBlock / RLayer / ResolvedVariant at its end: nothing after resolution writes.

/// <summary>A block while it resolves; frozen into an <see cref="RBlock"/>.</summary>
internal sealed class BlockDraft
{
    public long In; public long Planes; public long Out; public long Stride; public ShortcutKind Shortcut;
    public long InH, InW, OutH, OutW;
    public int OutRank;
    public Dictionary<string, (int Dim, long[] Segments, EquatableArray<long> Shape)> Segmented = new();
    public long[]? OutSegments;
    public List<(string Name, long In, long Out, long Groups, long Stride)> Convs = new();
    public long Expanded, Kernel, Expansion, Squeeze; public double SERatio, SdProb; public bool Residual;
    public long Heads, Mlp;
    public long Tokens;
}

/// <summary>A layer while it resolves; frozen into an <see cref="RLayer"/>.</summary>
internal sealed class LayerDraft
{
    public LayerDraft(LayerSpec spec, int inRank) { Spec = spec; InRank = inRank; }
    public int InRank { get; }
    public LayerSpec Spec { get; }
    public LayerKind Kind => Spec.Kind;
    public long In, Out, Kernel, Stride, Padding, Groups;
    public bool Bias;
    public bool Depthwise;
    public double P;
    public string BlockClass = "";
    public List<BlockDraft> Blocks = new();
    public int StageIndex = -1;
    public long Context;
}

/// <summary>A variant while it resolves; <see cref="Freeze"/> makes the immutable <see cref="ResolvedVariant"/>.</summary>
internal sealed class VariantDraft
{
    public VariantDraft(VariantSpec spec, string name) { Spec = spec; Name = name; }
    public VariantSpec Spec { get; }
    public string Name { get; }
    public List<LayerDraft> Layers { get; } = new();
    public List<TensorDesc> Tensors { get; } = new();
    public long Macs { get; set; }
    public long Seq;
    public long Vocabulary, Context;
    public List<(string Alias, string Tensor)> Ties { get; } = new();
    public bool Ok { get; set; } = true;

    public ResolvedVariant Freeze() => new(this);
}
