using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Linq;
using Microsoft.CodeAnalysis.CSharp;

namespace MotivationDsl.Generators;

/// <summary>Everything the emitter needs for one valid model (immutable: every list is a read-only copy).</summary>
internal sealed class BuiltModel
{
    public BuiltModel(ModelSpec spec, IReadOnlyDictionary<string, BlockSpec> blockSpecs, IEnumerable<ResolvedVariant> variants,
        IEnumerable<BlockSpec> userBlocks, IEnumerable<(ResolvedVariant Base, ResolvedVariant Motivated, List<MapEntryDesc> Map, int Growth, List<GrowthOpDesc> Steps)> pairs)
    {
        Spec = spec;
        BlockSpecs = new ReadOnlyDictionary<string, BlockSpec>(blockSpecs.ToDictionary(b => b.Key, b => b.Value));
        Variants = Array.AsReadOnly(variants.ToArray());
        UserBlocks = Array.AsReadOnly(userBlocks.ToArray());
        var all = pairs.ToList();
        Pairs = Array.AsReadOnly(all.Select(p => (p.Base, p.Motivated, Array.AsReadOnly(p.Map.ToArray()))).ToArray());
        PairGrowth = all.Select(p => p.Growth).ToEquatableArray();
        Growth = Array.AsReadOnly(all.Select(p => Array.AsReadOnly(p.Steps.ToArray())).ToArray());
        (Base, Motivated, Map) = Pairs[0];
    }

    public ModelSpec Spec { get; }
    public ReadOnlyCollection<ResolvedVariant> Variants { get; }
    /// <summary>The [ScalableBlock] classes the stages use, in order of first use.</summary>
    public ReadOnlyCollection<BlockSpec> UserBlocks { get; }
    /// <summary>Every [ScalableBlock] of the compilation by metadata name.</summary>
    public ReadOnlyDictionary<string, BlockSpec> BlockSpecs { get; }
    public ResolvedVariant Base { get; }
    public ResolvedVariant Motivated { get; }
    /// <summary>The declared pair's map (<see cref="Pairs"/>' first).</summary>
    public ReadOnlyCollection<MapEntryDesc> Map { get; }
    /// <summary>Every proven pair: the main one first, then each [Pair].</summary>
    public ReadOnlyCollection<(ResolvedVariant Base, ResolvedVariant Motivated, ReadOnlyCollection<MapEntryDesc> Map)> Pairs { get; }
    /// <summary>Per entry of <see cref="Pairs"/>: the pair's own growth rule (0: as declared on the model and stages).</summary>
    public EquatableArray<int> PairGrowth { get; }
    /// <summary>Growth steps per entry of <see cref="Pairs"/>; empty under the paper's rule.</summary>
    public ReadOnlyCollection<ReadOnlyCollection<GrowthOpDesc>> Growth { get; }

    /// <summary>The stages (model-level layers of kind Stage), in order.</summary>
    public EquatableArray<LayerSpec> Stages => Spec.Layers.Where(l => l.Kind == LayerKind.Stage).ToEquatableArray();
}

/// <summary>
/// Validates a model spec, resolves every variant's layer graph (shapes, tensors, MACs), builds the weights map
/// and proves it with <see cref="MapChecker"/>. Reports problems as equatable <see cref="DiagnosticInfo"/>.
/// </summary>
internal sealed partial class ModelBuilder : IDiagnosticReporter
{
    private readonly ModelSpec _spec;
    private readonly Dictionary<string, BlockSpec> _blocks;
    private readonly List<DiagnosticInfo> _diagnostics = new();

    private ModelBuilder(ModelSpec spec, EquatableArray<BlockSpec> blocks)
    {
        // A language model's input is its TokenEmbedding's context of token ids and its output the vocabulary's logits.
        _spec = TokenEmbeddingLayer.IsLanguageModel(spec)
            ? spec with
            {
                HasInputShape = true, InputShape = new[] { spec.Layers[0].ContextLength }.ToEquatableArray(),
                HasClasses = true, Classes = spec.Layers[0].Vocabulary,
            }
            : spec;
        _blocks = new Dictionary<string, BlockSpec>();
        foreach (var b in blocks) _blocks[b.MetadataName] = b;
    }

    public static (BuiltModel? Model, List<DiagnosticInfo> Diagnostics) Build(ModelSpec spec, EquatableArray<BlockSpec> blocks)
    {
        var builder = new ModelBuilder(spec, blocks);
        builder._diagnostics.AddRange(spec.Diagnostics);
        if (spec.Fatal || spec.Diagnostics.Count > 0) return (null, builder._diagnostics);
        var model = builder.BuildCore();
        var errors = builder._diagnostics.Count(d => DiagnosticDescriptors.ById(d.Id)?.DefaultSeverity != Microsoft.CodeAnalysis.DiagnosticSeverity.Warning);
        return (errors == 0 ? model : null, builder._diagnostics);
    }

    /// <summary>Every [ScalableBlock] of the compilation by metadata name.</summary>
    public IReadOnlyDictionary<string, BlockSpec> Blocks => _blocks;

    /// <summary>The model being built (a language model's with its input shape and class count set from its TokenEmbedding).</summary>
    public ModelSpec Spec => _spec;

    /// <summary>A model-level layer's output channels in variant <paramref name="v"/>: its [LayerWidth], else scaled; null: not whole.</summary>
    internal long? OutWidth(VariantSpec v, LayerSpec l) =>
        _spec.LayerWidths.FirstOrDefault(lw => lw.Variant == v.Name && lw.Layer == l.Name) is { } set ? set.Width : ScaleChannels(l.Out, v.WidthMultiplier);

    /// <summary>True when a variant sets kernels (<c>Kernels</c>): convolution blocks then take their kernel as an argument.</summary>
    public bool VariantKernels => _spec.Variants.Any(v => v.HasKernels);

    public void Report(Microsoft.CodeAnalysis.DiagnosticDescriptor d, LocationInfo? location, params object?[] args) =>
        _diagnostics.Add(DiagnosticInfo.Create(d, location ?? _spec.Location ?? _spec.ClassLocation, args));

    private BuiltModel? BuildCore()
    {
        var name = _spec.ClassName;
        var userBlocks = new List<BlockSpec>();

        _diagnostics.AddRange(ModelValidator.Validate(_spec, _blocks, userBlocks));
        var declared = ModelValidator.DeclaredVariants(_spec);
        if (_diagnostics.Count > 0) return null;

        // Variants.
        var variants = new List<ResolvedVariant>();
        foreach (var v in _spec.Variants)
        {
            var rv = ResolveVariant(v);
            variants.Add(rv);
            if (!rv.Ok) break; // a layer problem would repeat for every variant: report it once
        }
        if (_diagnostics.Count > 0) return null;

        var mainBase = variants.First(v => v.Name == _spec.Base);
        var mainMotivated = variants.First(v => v.Name == _spec.Motivated);
        var declared0 = PairRules.Declared;
        var mainMap = BuildMap(mainBase, mainMotivated, _spec.At("Motivated"), declared0);
        if (mainMap is null) return null;
        var mainGrowth = BuildGrowth(mainBase, mainMotivated, mainMap, declared0);
        if (mainGrowth is null) return null;
        var pairs = new List<(ResolvedVariant Base, ResolvedVariant Motivated, List<MapEntryDesc> Map, int Growth, List<GrowthOpDesc> Steps)>
        {
            (mainBase, mainMotivated, mainMap, 0, mainGrowth),
        };
        foreach (var pair in _spec.Pairs)
        {
            var pb = variants.FirstOrDefault(x => x.Name == pair.Base);
            var pm = variants.FirstOrDefault(x => x.Name == pair.Motivated);
            if (pb is null || pm is null)
            {
                var which = pb is null ? "Base" : "Motivated";
                Report(DiagnosticDescriptors.UnknownVariant, pair.Location, "Pair " + which, (pb is null ? pair.Base : pair.Motivated) ?? "null", name, declared);
                continue;
            }
            if (pb == pm) { Report(DiagnosticDescriptors.SameVariant, pair.Location, name, pb.Name); continue; }
            if (pair.Growth is < 0 or > 2)
            { Report(DiagnosticDescriptors.InvalidValue, pair.Location, "Pair", "Growth", pair.Growth, "use Growth.Paper or Growth.FunctionPreserving"); continue; }
            if (pairs.Any(x => x.Base == pb && x.Motivated == pm && x.Growth == pair.Growth)) continue;
            var rules = new PairRules(pair.Growth, pair.Location);
            var map = BuildMap(pb, pm, pair.Location, rules);
            var growth = map is null ? null : BuildGrowth(pb, pm, map, rules);
            if (map is null || growth is null) continue;
            pairs.Add((pb, pm, map, pair.Growth, growth));
        }
        if (_diagnostics.Count > 0) return null;
        var model = new BuiltModel(_spec, _blocks, variants, userBlocks, pairs);
        _diagnostics.AddRange(SameStructureCheck.Of(model));
        return model;
    }


    /// <summary>torchvision's <c>_make_divisible(v, 8)</c>: nearest multiple of 8, at least 8, at least 90% of v.</summary>
    public static long MakeDivisible(double v, long divisor = 8)
    {
        var nv = Math.Max(divisor, (long)(v + divisor / 2.0) / divisor * divisor);
        if (nv < 0.9 * v) nv += divisor;
        return nv;
    }

    internal long? ScaleChannels(long declared, double multiplier)
    {
        if (_spec.Scaling == 1)
        {
            var v = declared * multiplier;
            if (double.IsNaN(v) || double.IsInfinity(v) || v <= 0 || v > 1e9) return null;
            return MakeDivisible(v);
        }
        return Scale(declared, multiplier);
    }

    private long? ScaleBlocks(long declared, double multiplier)
    {
        if (_spec.Scaling == 1)
        {
            var v = declared * multiplier;
            if (double.IsNaN(v) || double.IsInfinity(v) || v <= 0 || v > 1e6) return null;
            return (long)Math.Ceiling(v);
        }
        return Scale(declared, multiplier);
    }

    private static long? Scale(long declared, double multiplier)
    {
        var v = declared * multiplier;
        if (double.IsNaN(v) || double.IsInfinity(v) || v < 1 || v > 1e9) return null;
        var r = Math.Round(v);
        return Math.Abs(v - r) < 1e-9 ? (long)r : null;
    }

    internal static string Num(double d) => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
    internal void Mac(VariantDraft rv, long value) => rv.Macs += value;

    internal void AddT(VariantDraft rv, TensorDesc t) => rv.Tensors.Add(t);

    private ResolvedVariant ResolveVariant(VariantSpec v) => Resolve(v).Freeze();

    private VariantDraft Resolve(VariantSpec v)
    {
        var rv = new VariantDraft(v, v.Name!);
        var stages = _spec.Layers.Where(l => l.Kind == LayerKind.Stage).ToList();
        var stageNames = string.Join(", ", stages.Select(s => s.Display));
        if (v.HasDepth && v.Depth.Count != stages.Count)
        { Report(DiagnosticDescriptors.StageCountMismatch, v.At("Depth"), "Depth", v.Name, v.Depth.Count, _spec.ClassName, stages.Count, stageNames); rv.Ok = false; }
        if (v.HasWidth && v.Width.Count != stages.Count)
        { Report(DiagnosticDescriptors.StageCountMismatch, v.At("Width"), "Width", v.Name, v.Width.Count, _spec.ClassName, stages.Count, stageNames); rv.Ok = false; }
        if (v.HasKernels && v.Kernels.Count != stages.Count)
        { Report(DiagnosticDescriptors.StageCountMismatch, v.At("Kernels"), "Kernels", v.Name, v.Kernels.Count, _spec.ClassName, stages.Count, stageNames); rv.Ok = false; }
        if (v.HasExpansions && v.Expansions.Count != stages.Count)
        { Report(DiagnosticDescriptors.StageCountMismatch, v.At("Expansions"), "Expansions", v.Name, v.Expansions.Count, _spec.ClassName, stages.Count, stageNames); rv.Ok = false; }
        if (!rv.Ok) return rv;

        // Block counts first: stochastic depth needs the total.
        var depths = new List<long>();
        for (var si = 0; si < stages.Count; si++)
        {
            var l = stages[si];
            long depth;
            if (v.HasDepth) depth = v.Depth[si];
            else
            {
                var sd = ScaleBlocks(l.Blocks, v.DepthMultiplier);
                if (sd is null) { Report(DiagnosticDescriptors.NotWhole, v.At("DepthMultiplier"), v.Name, "the block count", l.Display, l.Blocks, Num(v.DepthMultiplier), Num(l.Blocks * v.DepthMultiplier)); return Fail(rv); }
                depth = sd.Value;
            }
            if (depth < 0 || depth == 0 && !v.HasDepth || depth > 10_000) { Report(DiagnosticDescriptors.NotWhole, v.At("Depth"), v.Name, "the block count", l.Display, depth, 1, depth); return Fail(rv); }
            depths.Add(depth);
        }
        var totalMb = stages.Select((s, i) => (s, i)).Where(x => BlockKinds.Of(x.s).TakesStochasticDepth).Sum(x => depths[x.i]);
        var mbId = 0L;

        var tokens = TokenEmbeddingLayer.IsLanguageModel(_spec);
        long c = tokens ? 1 : _spec.InputShape[0], h = tokens ? 1 : _spec.InputShape[1], w = tokens ? 1 : _spec.InputShape[2];
        var isClasses = false;
        var rank = tokens ? 0 : 3;
        var stageIndex = 0;
        foreach (var l in _spec.Layers)
        {
            var r = new LayerDraft(l, rank);
            var inShape = rank == 3 ? $"[{c}, {h}, {w}]" : rank == 2 ? $"[{rv.Seq}, {c}]" : rank == 0 ? "token ids" : $"[{c}]";
            switch (l.Kind)
            {
                case LayerKind.Stage:
                {
                    var kind = BlockKinds.Of(l);
                    if (kind.WhyNotInput(rank, inShape) is { } why)
                    { Report(DiagnosticDescriptors.Unsupported, l.Location, l.Display, why); return Fail(rv); }
                    long planes;
                    if (v.HasWidth) planes = v.Width[stageIndex];
                    else
                    {
                        var sp = ScaleChannels(l.Channels, v.WidthMultiplier);
                        if (sp is null) { Report(DiagnosticDescriptors.NotWhole, v.At("WidthMultiplier"), v.Name, "the channels", l.Display, l.Channels, Num(v.WidthMultiplier), Num(l.Channels * v.WidthMultiplier)); return Fail(rv); }
                        planes = sp.Value;
                    }
                    if (planes > ModelValidator.MaxSize) { Report(DiagnosticDescriptors.InvalidValue, v.At("Width"), v.Name, "Width", planes, ModelValidator.TooLarge); return Fail(rv); }
                    if (planes <= 0) { Report(DiagnosticDescriptors.NotWhole, v.At("Width"), v.Name, "the channels", l.Display, planes, 1, planes); return Fail(rv); }
                    var depth = depths[stageIndex];
                    r.StageIndex = stageIndex;
                    r.In = c;
                    for (var i = 0; i < depth; i++)
                    {
                        var sd = 0.0;
                        if (kind.TakesStochasticDepth)
                        {
                            sd = double.IsNaN(_spec.StochasticDepth) ? 0 : _spec.StochasticDepth * mbId / totalMb;
                            mbId++;
                        }
                        var request = new BlockRequest(rv, l, stageIndex, i, c, planes, i == 0 ? l.Stride : 1, h, w, rv.Seq, sd) { InRank = rank };
                        var blk = kind.Resolve(this, request);
                        if (blk is null) return Fail(rv);
                        r.Blocks.Add(blk);
                        c = blk.Out; h = blk.OutH; w = blk.OutW;
                        if (blk.OutRank != 0) rank = blk.OutRank;
                    }
                    r.Out = c;
                    stageIndex++;
                    break;
                }
                default:
                    if (ModelLayerKinds.Find(l.Kind) is { } layerKind)
                    {
                        if (rank == 0 && l.Kind != LayerKind.TokenEmbedding)
                        { Report(DiagnosticDescriptors.Unsupported, l.Location, l.Display, "a language model starts with its TokenEmbedding"); return Fail(rv); }
                        var flow = new LayerFlow { Rank = rank, Channels = c, Height = h, Width = w, IsOutput = isClasses, InShape = inShape };
                        if (!layerKind.Resolve(this, rv, r, flow)) return Fail(rv);
                        (rank, c, h, w, isClasses) = (flow.Rank, flow.Channels, flow.Height, flow.Width, flow.IsOutput);
                    }
                    break;
            }
            rv.Layers.Add(r);
        }
        if (tokens)
        {
            if (rank != 2 || !isClasses || c != rv.Vocabulary)
            {
                Report(DiagnosticDescriptors.Unsupported, _spec.Location ?? _spec.ClassLocation, v.Name,
                    $"a language model ends with a LanguageModelHead (logits over the {rv.Vocabulary} tokens at every position), but it outputs {(rank == 2 ? $"[{rv.Seq}, {c}]" : $"[{c}]")}");
                return Fail(rv);
            }
        }
        else if (rank != 1 || c != _spec.Classes || !isClasses)
        {
            Report(DiagnosticDescriptors.OutputShape, _spec.Location ?? _spec.ClassLocation, v.Name, _spec.ClassName, rank == 3 ? $"[{c}, {h}, {w}]" : rank == 2 ? $"[{rv.Seq}, {c}]" : $"[{c}]", _spec.Classes);
            return Fail(rv);
        }
        return rv;
    }

    internal bool GroupsOk(LayerSpec l, long inC, long outC)
    {
        if (l.Groups > 1 && (inC % l.Groups != 0 || outC % l.Groups != 0))
        {
            Report(DiagnosticDescriptors.Groups, l.At("Groups"), l.Display, l.Groups, $"input channels {inC} and output channels {outC} must both be divisible by the groups");
            return false;
        }
        return true;
    }

    private static VariantDraft Fail(VariantDraft rv) { rv.Ok = false; return rv; }

    internal static long Spatial(long size, long kernel, long stride, long padding)
    {
        var span = size + 2 * padding - kernel;
        return span < 0 ? 0 : span / stride + 1;
    }

    /// <summary>A convolution's weight and bias; <paramref name="key"/> is the block's prefix (<c>layer1.0</c>) or null at model level.</summary>
    internal void AddConv(VariantDraft rv, string? key, string? stage, int block, string local, long inC, long outC, long k, long groups, bool bias)
    {
        var prefix = key is null ? "" : key + ".";
        AddT(rv, new TensorDesc(prefix + local + ".weight", false, new[] { outC, inC / groups, k, k }, stage, block, local + ".weight"));
        if (bias) AddT(rv, new TensorDesc(prefix + local + ".bias", false, new[] { outC }, stage, block, local + ".bias"));
    }

    /// <summary>A batch norm's parameters and buffers (state_dict order).</summary>
    internal void AddBn(VariantDraft rv, string? key, string? stage, int block, string local, long ch)
    {
        var prefix = key is null ? "" : key + ".";
        AddT(rv, new TensorDesc(prefix + local + ".weight", false, new[] { ch }, stage, block, local + ".weight"));
        AddT(rv, new TensorDesc(prefix + local + ".bias", false, new[] { ch }, stage, block, local + ".bias"));
        AddT(rv, new TensorDesc(prefix + local + ".running_mean", true, new[] { ch }, stage, block, local + ".running_mean"));
        AddT(rv, new TensorDesc(prefix + local + ".running_var", true, new[] { ch }, stage, block, local + ".running_var"));
        AddT(rv, new TensorDesc(prefix + local + ".num_batches_tracked", true, Array.Empty<long>(), stage, block, local + ".num_batches_tracked"));
    }
}
