using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis.CSharp;

namespace MotivationDsl.Generators;

// Mapping: where each base tensor goes in the motivated variant, under a pair's depth and growth rules.
internal sealed partial class ModelBuilder
{
    /// <summary>Index of the motivated block that base block <paramref name="i"/> of <paramref name="l"/> maps to.</summary>
    public static int MapBlock(int i, int l, int lm, int rule) => rule == 2 ? i : (i < l - 1 ? i : lm - 1);

    private static (long, long)[] Whole(IReadOnlyList<long> shape) => shape.Select(d => (0L, d)).ToArray();

    /// <summary>
    /// A convolution weight under a kernel per variant (<c>Kernels</c>, odd kernels, padding kernel / 2): the base's kernel
    /// sits in the centre of the motivated one, (k_m - k_b) / 2 from each edge; other tensors: a prefix.
    /// </summary>
    private static (long, long)[] Centred(IReadOnlyList<long> shape, IReadOnlyList<long> motivated) =>
        shape.Select((d, k) => k >= 2 && shape.Count == 4 && motivated.Count == 4 && motivated[k] > d ? ((motivated[k] - d) / 2, d) : (0L, d)).ToArray();

    private List<MapEntryDesc>? BuildMap(ResolvedVariant b, ResolvedVariant m, LocationInfo? pairLocation, PairRules rules)
    {
        var before = _diagnostics.Count;
        var map = new List<MapEntryDesc>();
        var motByName = m.Tensors.ToDictionary(t => t.Name);
        var widthLoc = m.Spec.HasWidth ? m.Spec.At("Width") : m.Spec.At("WidthMultiplier");
        var depthLoc = m.Spec.HasDepth ? m.Spec.At("Depth") : m.Spec.At("DepthMultiplier");
        var blockMap = new Dictionary<(string, int), int>();
        var stageSpecs = new Dictionary<string, (LayerSpec Spec, RLayer Base, RLayer Mot)>();
        var reportedBlockMismatch = false; // kernel, expansion, SE ratio: one report per pair (a variant-level value applies to every stage)
        if (b.Vocabulary != m.Vocabulary)
            Report(DiagnosticDescriptors.TokenSizesDiffer, pairLocation ?? m.Spec.At("Vocabulary"), b.Name, m.Name, "vocabularies", b.Vocabulary, m.Vocabulary);
        else if (b.Context != m.Context)
            Report(DiagnosticDescriptors.TokenSizesDiffer, pairLocation ?? m.Spec.At("ContextLength"), b.Name, m.Name, "context lengths", b.Context, m.Context);
        if (_diagnostics.Count > before) return null;

        for (var li = 0; li < b.Layers.Count; li++)
        {
            var bl = b.Layers[li]; var ml = m.Layers[li];
            if (bl.Kind == LayerKind.Conv2d && !bl.Depthwise && bl.Groups > 1 && (bl.In != ml.In || bl.Out != ml.Out))
                Report(DiagnosticDescriptors.Groups, bl.Spec.At("Groups"), bl.Spec.Display, bl.Groups,
                    $"base has {bl.In} -> {bl.Out} channels but motivated has {ml.In} -> {ml.Out}; a channel prefix does not keep channels in the same group");
            if (bl.Kind == LayerKind.PatchEmbedding && bl.Kernel != ml.Kernel)
                Report(DiagnosticDescriptors.PatchMismatch, m.Spec.Has("PatchSize") ? m.Spec.At("PatchSize") : b.Spec.At("PatchSize"), bl.Spec.Display, b.Name, bl.Kernel, m.Name, ml.Kernel);
            if (bl.Kind != LayerKind.Stage) continue;
            var stage = bl.Spec.Name!;
            stageSpecs[stage] = (bl.Spec, bl, ml);
            var rule = DepthRule(bl.Spec, rules);
            var kind = BlockKinds.Of(bl.Spec);
            int l = bl.Blocks.Count, lm = ml.Blocks.Count;
            if (l > lm)
            {
                Report(DiagnosticDescriptors.BaseLarger, depthLoc, stage, b.Name, $"[{l} blocks]", stage, m.Name, $"[{lm} blocks]");
                continue;
            }
            for (var i = 0; i < l; i++)
            {
                var j = MapBlock(i, l, lm, rule);
                blockMap[(stage, i)] = j;
                var bb = bl.Blocks[i]; var mb = ml.Blocks[j];
                var bn = $"{stage}.{bl.Spec.BlockPrefix}{i}"; var mn = $"{stage}.{bl.Spec.BlockPrefix}{j}";
                if (reportedBlockMismatch) break;
                if (!kind.CheckPair(this, new PairBlocks(b, m, bl.Spec, bb, mb, bn, mn, widthLoc)))
                {
                    reportedBlockMismatch = true; // a variant-level value applies to every stage: one report per pair
                    break;
                }
                if ((bb.Stride != mb.Stride || bb.Shortcut != mb.Shortcut || bb.Residual != mb.Residual)
                    && (bb.In > mb.In || bb.Planes > mb.Planes || bb.Out > mb.Out))
                {
                    // A base block wider than its motivated block can differ in its shortcut for that reason alone:
                    // report the width (the root cause) instead of the difference it causes.
                    Report(DiagnosticDescriptors.BaseLarger, widthLoc, bn, b.Name, $"[{bb.In} -> {bb.Out} channels]", mn, m.Name, $"[{mb.In} -> {mb.Out} channels]");
                    reportedBlockMismatch = true;
                    break;
                }
                if (bb.Stride != mb.Stride)
                    Report(DiagnosticDescriptors.LayerMismatch, depthLoc, bn, b.Name, mn, m.Name, "strides", bb.Stride, mb.Stride);
                else if (bb.Shortcut != mb.Shortcut)
                    Report(DiagnosticDescriptors.LayerMismatch, depthLoc, bn, b.Name, mn, m.Name, "shortcuts", bb.Shortcut, mb.Shortcut);
                else if (bb.Residual != mb.Residual)
                    Report(DiagnosticDescriptors.LayerMismatch, depthLoc, bn, b.Name, mn, m.Name, "residual connections", bb.Residual, mb.Residual);
                else if (i == 0 && j > 0 && bb.In != bb.Out)
                    // Base block 0 reads the stage's input; motivated block j > 0 reads block j - 1's output: its input
                    // dimensions would receive weights made for other channels.
                    Report(DiagnosticDescriptors.BlockRoleChanged, depthLoc, bn, b.Name, mn, m.Name, bb.In, mb.In);
                else if (bb.Shortcut == ShortcutKind.A && (bb.In != mb.In || bb.Out != mb.Out))
                    Report(DiagnosticDescriptors.OptionAWidth, bl.Spec.At("Shortcut"), stage, bb.Out - bb.In, b.Name, mb.Out - mb.In, m.Name);
                else
                    for (var k = 0; k < bb.Convs.Count && k < mb.Convs.Count; k++)
                        if (bb.Convs[k].Groups > 1 && (bb.Convs[k].In != mb.Convs[k].In || bb.Convs[k].Out != mb.Convs[k].Out))
                        {
                            var spec = _blocks.Values.SelectMany(x => x.Layers).FirstOrDefault(x => x.Name == bb.Convs[k].Name);
                            Report(DiagnosticDescriptors.Groups, spec?.At("Groups") ?? bl.Spec.Location, $"{bn}.{bb.Convs[k].Name}", bb.Convs[k].Groups,
                                $"base has {bb.Convs[k].In} -> {bb.Convs[k].Out} channels but motivated has {mb.Convs[k].In} -> {mb.Convs[k].Out}; a channel prefix does not keep channels in the same group");
                            break;
                        }
            }
        }
        if (_diagnostics.Count > before) return null;

        var reportedLarger = false;
        foreach (var t in b.Tensors)
        {
            string name;
            RBlock? bb = null, mb = null;
            if (t.Stage is null) name = t.Name;
            else
            {
                var (spec, bl, ml) = stageSpecs[t.Stage];
                var j = blockMap[(t.Stage, t.Block)];
                name = $"{t.Stage}.{spec.BlockPrefix}{j}.{t.Local}";
                bb = bl.Blocks[t.Block]; mb = ml.Blocks[j];
            }
            var mshape = motByName.TryGetValue(name, out var mt) ? mt.Shape : EquatableArray<long>.Empty;
            if (mt is not null && !reportedLarger && (mt.Shape.Count != t.Shape.Count || t.Shape.Where((d, k) => d > mt.Shape[k]).Any()))
            {
                Report(DiagnosticDescriptors.BaseLarger, widthLoc, t.Name, b.Name, MapChecker.Shape(t.Shape), name, m.Name, MapChecker.Shape(mt.Shape));
                reportedLarger = true;
            }
            map.Add(new MapEntryDesc(t.Name, name, t.IsBuffer, t.Shape, mshape, bb is not null && mb is not null && bb.Kernel != mb.Kernel
                ? Centred(t.Shape, mshape) : Whole(t.Shape),
                bb is not null && mb is not null && t.Stage is not null ? BlockKinds.Of(stageSpecs[t.Stage].Spec).Pieces(t.Local, bb, mb) : null));
        }
        if (_diagnostics.Count > before) return null;

        // The proof: check the built map independently against both variants' tensor lists.
        foreach (var p in MapChecker.Check(b.Name, m.Name, b.Tensors, m.Tensors, map)
                     .Concat(MapChecker.CheckTies(b.Name, m.Name, b.Ties, m.Ties, map)))
            Report(p.Descriptor, pairLocation, p.Args.ToArray<object>());
        return _diagnostics.Count > before ? null : map;
    }
}
