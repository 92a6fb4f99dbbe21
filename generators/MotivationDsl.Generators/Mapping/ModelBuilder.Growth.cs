using System;
using System.Collections.Generic;
using System.Linq;

namespace MotivationDsl.Generators;

/// <summary>One step of function-preserving growth: zero a region of a motivated tensor, or copy one region of it into another.</summary>
internal sealed class GrowthOpDesc
{
    public GrowthOpDesc(string tensor, IEnumerable<(long Start, long Length)> region, IEnumerable<(long Start, long Length)>? source = null)
    {
        Tensor = tensor; Region = region.ToEquatableArray(); Source = source?.ToEquatableArray();
    }

    public string Tensor { get; }
    public EquatableArray<(long Start, long Length)> Region { get; }
    /// <summary>Null: zero <see cref="Region"/>. Else copy this region of the same tensor into <see cref="Region"/>.</summary>
    public EquatableArray<(long Start, long Length)>? Source { get; }
    public bool IsZero => Source is null;
}

// Function-preserving growth (Growth.FunctionPreserving): which regions of the motivated model start at zero or as copies
// so that, right after the base's weights are copied in, the motivated model computes the base's function.
internal sealed partial class ModelBuilder
{
    private const int GrowthPaper = 1, GrowthPreserving = 2;

    private int StageGrowth(LayerSpec stage, PairRules rules) =>
        rules.Growth != 0 ? rules.Growth : stage.Growth != 0 ? stage.Growth : ModelGrowth(rules);

    private int ModelGrowth(PairRules rules) => rules.Growth != 0 ? rules.Growth : _spec.Growth != 0 ? _spec.Growth : GrowthPaper;

    /// <summary>The stage's depth rule: its own, else the model's, else FirstL under function-preserving growth, else LastToLast.</summary>
    private int DepthRule(LayerSpec stage, PairRules rules) =>
        rules.Growth == GrowthPreserving ? (stage.DepthMap == 1 || stage.DepthMap == 0 && _spec.DepthMap == 1 ? 1 : 2)
        : stage.DepthMap != 0 ? stage.DepthMap
        : _spec.DepthMap != 0 ? _spec.DepthMap
        : StageGrowth(stage, rules) == GrowthPreserving ? 2 : 1;

    private LocationInfo? GrowthLocation(LayerSpec? stage, PairRules rules) =>
        rules.Growth != 0 ? rules.Location
        : stage is not null && stage.Has("Growth") ? stage.At("Growth") : _spec.Has("Growth") ? _spec.At("Growth") : stage?.Location ?? _spec.Location;

    /// <summary>
    /// The growth steps of a proven map, or an empty list under the paper's rule. Null when the rule cannot hold
    /// (MOT033 / MOT034 reported).
    /// </summary>
    private List<GrowthOpDesc>? BuildGrowth(ResolvedVariant b, ResolvedVariant m, List<MapEntryDesc> map, PairRules rules)
    {
        var stages = _spec.Layers.Where(l => l.Kind == LayerKind.Stage).ToDictionary(l => l.Name!);
        bool Preserving(TensorDesc t) => (t.Stage is null ? ModelGrowth(rules) : StageGrowth(stages[t.Stage], rules)) == GrowthPreserving;
        var ops = new List<GrowthOpDesc>();
        if (ModelGrowth(rules) != GrowthPreserving && stages.Values.All(s => StageGrowth(s, rules) != GrowthPreserving)) return ops;

        var before = _diagnostics.Count;
        var motByName = m.Tensors.ToDictionary(t => t.Name);
        var widthLoc = m.Spec.HasWidth ? m.Spec.At("Width") : m.Spec.At("WidthMultiplier");
        var tiled = TiledTensors(b, m, motByName);
        if (_diagnostics.Count > before) return null;
        if (TokenEmbeddingLayer.IsLanguageModel(_spec) && b.Layers[0].Out != m.Layers[0].Out)
        {
            Report(DiagnosticDescriptors.GrowthNotPreserving, widthLoc, b.Name, m.Name, b.Layers[0].Spec.Display,
                $"the width grows from {b.Layers[0].Out} to {m.Layers[0].Out}: the LayerNorms then normalise over the new features too, "
                + "and the language-model head reads them, so no zeroing or copying of the new features keeps the logits; grow depth, or use Growth.Paper");
            return null;
        }
        if (!BlockNormsKeepWidth(b, m, map, rules)) return null;
        for (var li = 0; li < b.Layers.Count; li++)
        {
            var bl = b.Layers[li]; var ml = m.Layers[li];
            if (!IsEncoderStage(bl) || StageGrowth(bl.Spec, rules) != GrowthPreserving) continue;
            var (bb, mb) = (bl.Blocks[0], ml.Blocks[0]);
            if (bb.In / bb.Heads != mb.In / mb.Heads)
            {
                Report(DiagnosticDescriptors.GrowthNotPreserving, m.Spec.Has("Heads") ? m.Spec.At("Heads") : widthLoc, b.Name, m.Name, bl.Spec.Display + " attention",
                    $"the head dimension grows from {bb.In / bb.Heads} to {mb.In / mb.Heads}, and attention scores are scaled by 1/sqrt(head dimension); keep the head dimension and add heads");
                return null;
            }
        }

        var copies = new List<GrowthOpDesc>();
        foreach (var e in map)
        {
            var mt = motByName[e.MotivatedName];
            if (!Preserving(mt) || mt.Shape.Count == 0) continue;
            var pieces = e.Pieces?.Select(p => p.Motivated).ToList() ?? new List<EquatableArray<(long Start, long Length)>> { e.Region };
            var token = mt.Stage is null && IsTokenTensor(mt.Name);
            var outDim = token ? mt.Shape.Count - 1 : 0;
            // Every dimension other than channels (kernels, the token sequence) must be the same: a grown kernel or sequence
            // is a prefix of another function.
            var kernelGrows = !token && mt.Shape.Count == 4 && e.Pieces is null && (e.BaseShape[2] != mt.Shape[2] || e.BaseShape[3] != mt.Shape[3]);
            for (var d = 0; d < mt.Shape.Count; d++)
            {
                if (d == outDim || (!token && d == 1) || e.BaseShape[d] == mt.Shape[d] || kernelGrows && d >= 2) continue;
                Report(DiagnosticDescriptors.GrowthNotPreserving, widthLoc, b.Name, m.Name, mt.Name,
                    $"its dimension {d} grows from {e.BaseShape[d]} to {mt.Shape[d]}; only channels can grow");
                return null;
            }
            if (!token && mt.Shape.Count >= 2)
            {
                // Base output rows read nothing from the extra inputs.
                var rows = Merge(pieces.Select(r => r[0]));
                var gaps = Gaps(Merge(pieces.Select(r => r[1])), mt.Shape[1]);
                foreach (var row in rows)
                    foreach (var gap in gaps)
                        ops.Add(new GrowthOpDesc(mt.Name, new[] { row, gap }.Concat(mt.Shape.Skip(2).Select(n => (0L, n))).ToArray()));
                // A kernel that grows around the base's (centred): the ring around it reads zeros for the base's outputs.
                if (kernelGrows)
                    foreach (var ring in Ring(e.Region[2], e.Region[3], mt.Shape[2], mt.Shape[3]))
                        ops.Add(new GrowthOpDesc(mt.Name, new[] { e.Region[0], e.Region[1], ring.Rows, ring.Columns }));
            }
            if (tiled.TryGetValue(mt.Name, out var location))
            {
                long bo = e.BaseShape[outDim], mo = mt.Shape[outDim];
                if (mo % bo != 0)
                {
                    Report(DiagnosticDescriptors.GrowthNotPreserving, location, b.Name, m.Name, mt.Name,
                        $"it feeds a LayerNorm, so its {mo - bo} extra features must repeat the base's {bo} to keep the normalisation's statistics, which needs a whole multiple ({mo} is not)");
                    return null;
                }
                (long, long)[] Slab(long start) => mt.Shape.Select((n, d) => d == outDim ? (start, bo) : (0L, n)).ToArray();
                for (var k = 1L; k < mo / bo; k++) copies.Add(new GrowthOpDesc(mt.Name, Slab(k * bo), Slab(0)));
            }
        }
        if (!ExtraBlocksStartAsIdentity(b, m, ops, rules)) return null;
        ops.AddRange(copies); // after the zeros: a copy repeats rows whose extra inputs are already zero
        foreach (var problem in MapChecker.CheckGrowth(m.Tensors, map, ops))
            Report(DiagnosticDescriptors.InternalError, GrowthLocation(null, rules), _spec.FullName, "function-preserving growth " + b.Name + " -> " + m.Name + ": " + problem);
        return _diagnostics.Count > before ? null : ops;
    }

    private bool IsTokenTensor(string name) =>
        _spec.Layers.Any(l => l.Name == name && l.Kind is LayerKind.ClassToken or LayerKind.PositionalEmbedding);

    /// <summary>
    /// Extra blocks of function-preserving stages: each must be able to start as an identity; its residual branch's last
    /// normalisation (or projection) is zeroed. Encoder blocks have two branches: attention output and the MLP's last linear.
    /// </summary>
    private bool ExtraBlocksStartAsIdentity(ResolvedVariant b, ResolvedVariant m, List<GrowthOpDesc> ops, PairRules rules)
    {
        for (var li = 0; li < b.Layers.Count; li++)
        {
            var bl = b.Layers[li]; var ml = m.Layers[li];
            if (bl.Kind != LayerKind.Stage || StageGrowth(bl.Spec, rules) != GrowthPreserving) continue;
            var stage = bl.Spec;
            var kind = BlockKinds.Of(stage);
            int l = bl.Blocks.Count, lm = ml.Blocks.Count;
            var image = new HashSet<int>(Enumerable.Range(0, l).Select(i => MapBlock(i, l, lm, DepthRule(stage, rules))));
            for (var j = 0; j < lm; j++)
            {
                if (image.Contains(j)) continue;
                var blk = ml.Blocks[j];
                var key = $"{stage.Name}.{stage.BlockPrefix}{j}";
                var parameters = m.Tensors.Where(t => t.Stage == stage.Name && t.Block == j && !t.IsBuffer).ToList();
                var why = kind.WhyNotIdentity(this, stage, blk);
                if (why is not null) { }
                else if (blk.Stride != 1 || blk.In != blk.Out || blk.Shortcut != ShortcutKind.None || !blk.Residual)
                    why = $"it changes the shape from [{blk.In}, {blk.InH}, {blk.InW}] to [{blk.Out}, {blk.OutH}, {blk.OutW}]; place the base's blocks first (DepthMap.FirstL) so that the extra blocks keep the shape";
                else if (j == 0 && kind.ReLUAfterAdd(this, stage))
                    why = "it is the first block of its stage and applies ReLU after the residual add, so it is an identity only for non-negative input; place the base's blocks first (DepthMap.FirstL)";
                else if (parameters.Count == 0)   // guarded by MOT014 today
                    why = "its residual branch has no parametrised layer that could start at zero";
                if (why is not null)
                {
                    Report(DiagnosticDescriptors.ExtraBlockNotIdentity, GrowthLocation(stage, rules), b.Name, m.Name, key, why);
                    return false;
                }
                foreach (var t in kind.IdentityZeroes(parameters)) ops.Add(new GrowthOpDesc(t.Name, t.Shape.Select(n => (0L, n)).ToArray()));
            }
        }
        return true;
    }

    /// <summary>
    /// Tensors whose output features pass through a LayerNorm that the motivated model widens: the widened features must
    /// repeat the base's (a LayerNorm's mean and variance span all features). A segment runs from a layer that sets the
    /// width (convolution, linear, patch embedding, a convolutional stage) through the per-feature layers that follow it.
    /// Returns tensor name -> the LayerNorm or stage that requires it.
    /// </summary>
    private Dictionary<string, LocationInfo?> TiledTensors(ResolvedVariant b, ResolvedVariant m, Dictionary<string, TensorDesc> motByName)
    {
        var result = new Dictionary<string, LocationInfo?>();
        var segment = new List<int>();
        void Close()
        {
            if (segment.Count == 0) return;
            LocationInfo? normLoc = null;
            foreach (var i in segment)
            {
                var ml = m.Layers[i]; var bl = b.Layers[i];
                var widened = ml.Kind == LayerKind.LayerNorm && ml.In != bl.In
                    || IsEncoderStage(ml) && ml.In != bl.In;
                if (widened) { normLoc = ml.Spec.Location; break; }
            }
            if (normLoc is not null)
            {
                var first = m.Layers[segment[0]];
                if (first.Kind == LayerKind.Stage && !IsEncoderStage(first))
                {
                    Report(DiagnosticDescriptors.GrowthNotPreserving, normLoc, b.Name, m.Name, first.Spec.Display,
                        "a LayerNorm widens the features this convolutional stage outputs; repeating the base's features is supported only after a convolution, a linear layer or a patch embedding");
                }
                foreach (var i in segment)
                {
                    var layer = m.Layers[i];
                    if (IsEncoderStage(layer))
                    {
                        foreach (var t in m.Tensors.Where(t => t.Stage == layer.Spec.Name && BlockKinds.Of(layer.Spec).IsStreamTensor(t.Local)))
                            result[t.Name] = normLoc;
                    }
                    else if (layer.Spec.Name is { } name)
                        foreach (var t in m.Tensors.Where(t => t.Stage is null && (t.Name == name || t.Name.StartsWith(name + ".", StringComparison.Ordinal)) && t.Shape.Count > 0))
                            result[t.Name] = normLoc;
                }
            }
            segment.Clear();
        }
        for (var i = 0; i < m.Layers.Count; i++)
        {
            var l = m.Layers[i];
            var setsWidth = l.Kind is LayerKind.Linear or LayerKind.PatchEmbedding || l.Kind == LayerKind.Conv2d && !l.Depthwise
                || l.Kind == LayerKind.Stage && !IsEncoderStage(l);
            if (setsWidth) Close();
            segment.Add(i);
        }
        Close();
        return result;
    }

    /// <summary>A stage on a token sequence (its blocks carry the residual stream's features).</summary>
    private static bool IsEncoderStage(RLayer l) => l.Kind == LayerKind.Stage && BlockKinds.Of(l.Spec).TakesTokens;

    /// <summary>The parts of a height x width kernel outside its centre (rows, columns): above, below, left, right.</summary>
    private static IEnumerable<((long Start, long Length) Rows, (long Start, long Length) Columns)> Ring(
        (long Start, long Length) rows, (long Start, long Length) columns, long height, long width)
    {
        if (rows.Start > 0) yield return ((0, rows.Start), (0, width));
        if (rows.Start + rows.Length < height) yield return ((rows.Start + rows.Length, height - rows.Start - rows.Length), (0, width));
        if (columns.Start > 0) yield return (rows, (0, columns.Start));
        if (columns.Start + columns.Length < width) yield return (rows, (columns.Start + columns.Length, width - columns.Start - columns.Length));
    }

    private static List<(long Start, long Length)> Merge(IEnumerable<(long Start, long Length)> ranges)
    {
        var result = new List<(long Start, long Length)>();
        foreach (var r in ranges.OrderBy(r => r.Start))
        {
            if (result.Count > 0 && result[result.Count - 1].Start + result[result.Count - 1].Length >= r.Start)
            {
                var last = result[result.Count - 1];
                result[result.Count - 1] = (last.Start, Math.Max(last.Start + last.Length, r.Start + r.Length) - last.Start);
            }
            else result.Add(r);
        }
        return result;
    }

    private static List<(long Start, long Length)> Gaps(List<(long Start, long Length)> covered, long size)
    {
        var gaps = new List<(long Start, long Length)>();
        var at = 0L;
        foreach (var r in covered)
        {
            if (r.Start > at) gaps.Add((at, r.Start - at));
            at = Math.Max(at, r.Start + r.Length);
        }
        if (at < size) gaps.Add((at, size - at));
        return gaps;
    }
}
