using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace MotivationDsl.Generators;

/// <summary>One reason a weights map is not a valid embedding of the base into the motivated variant.</summary>
internal sealed class MapProblem
{
    public MapProblem(DiagnosticDescriptor descriptor, params object[] args) { Descriptor = descriptor; Args = args.Select(a => a.ToString()).ToEquatableArray(); }
    public DiagnosticDescriptor Descriptor { get; }
    /// <summary>The message arguments as the diagnostic shows them.</summary>
    public EquatableArray<string> Args { get; }
    public override string ToString() => Descriptor.Id + ": " + string.Format(Descriptor.MessageFormat.ToString(), Args.ToArray<object>());
}

/// <summary>
/// Verifies a weights map against the two variants' tensor lists, independently of how the map was built:
/// every base tensor is covered exactly once, each target exists with the same kind and shape the entry states,
/// each region has the base tensor's shape and lies inside the motivated tensor, and no two regions overlap.
/// </summary>
internal static class MapChecker
{
    public static List<MapProblem> Check(string baseName, string motivatedName,
        IReadOnlyList<TensorDesc> baseTensors, IReadOnlyList<TensorDesc> motivatedTensors, IReadOnlyList<MapEntryDesc> entries)
    {
        var problems = new List<MapProblem>();
        var baseByName = new Dictionary<string, TensorDesc>();
        foreach (var t in baseTensors) baseByName[t.Name] = t;
        var motByName = new Dictionary<string, TensorDesc>();
        foreach (var t in motivatedTensors) motByName[t.Name] = t;

        var counts = entries.GroupBy(e => e.BaseName).ToDictionary(g => g.Key, g => g.Count());
        foreach (var t in baseTensors)
        {
            counts.TryGetValue(t.Name, out var n);
            if (n == 0) problems.Add(new MapProblem(DiagnosticDescriptors.MapNotCovered, baseName, motivatedName, t.IsBuffer ? "buffer" : "parameter", t.Name, Shape(t.Shape)));
            else if (n > 1) problems.Add(new MapProblem(DiagnosticDescriptors.MapCoveredTwice, baseName, motivatedName, t.Name, Shape(t.Shape), n));
        }

        foreach (var e in entries)
        {
            if (!baseByName.TryGetValue(e.BaseName, out var b))
            {
                problems.Add(Target(e, "but the base variant has no tensor of that name"));
                continue;
            }
            if (!motByName.TryGetValue(e.MotivatedName, out var m))
            {
                problems.Add(Target(e, "which the motivated variant does not have"));
                continue;
            }
            if (b.IsBuffer != e.IsBuffer || m.IsBuffer != e.IsBuffer)
            {
                problems.Add(Target(e, "but one is a parameter and the other a buffer"));
                continue;
            }
            if (!b.Shape.SequenceEqual(e.BaseShape) || !m.Shape.SequenceEqual(e.MotivatedShape))
            {
                problems.Add(Target(e, $"but the variants' tensors have shapes {Shape(b.Shape)} and {Shape(m.Shape)}"));
                continue;
            }
            if (e.Pieces is null)
            {
                var fits = e.Region.Count == m.Shape.Count && e.Region.Count == b.Shape.Count;
                for (var d = 0; fits && d < e.Region.Count; d++)
                {
                    var r = e.Region[d];
                    fits = r.Start >= 0 && r.Length == b.Shape[d] && r.Start + r.Length <= m.Shape[d];
                }
                if (!fits)
                    problems.Add(new MapProblem(DiagnosticDescriptors.MapRegionOutside, baseName, motivatedName, e.BaseName, Shape(b.Shape), Region(e.Region), e.MotivatedName, Shape(m.Shape)));
                continue;
            }
            // Piecewise: each piece's base block lies inside the base tensor, its motivated block of the same shape inside
            // the motivated tensor; base blocks are disjoint and their volumes add up to the base tensor (an exact cover).
            var volume = 0L;
            var ok = e.Pieces.Count > 0;
            foreach (var (pb, pm) in e.Pieces)
            {
                var fits = pb.Count == b.Shape.Count && pm.Count == m.Shape.Count;
                for (var d = 0; fits && d < pb.Count; d++)
                    fits = pb[d].Start >= 0 && pb[d].Start + pb[d].Length <= b.Shape[d] && pm[d].Start >= 0 && pm[d].Length == pb[d].Length
                        && pm[d].Start + pm[d].Length <= m.Shape[d];
                if (!fits)
                {
                    problems.Add(new MapProblem(DiagnosticDescriptors.MapRegionOutside, baseName, motivatedName, e.BaseName + Region(pb), Shape(b.Shape), Region(pm), e.MotivatedName, Shape(m.Shape)));
                    ok = false;
                    break;
                }
                volume += pb.Aggregate(1L, (a, r) => a * r.Length);
            }
            if (!ok) continue;
            var disjoint = true;
            for (var i = 0; i < e.Pieces.Count && disjoint; i++)
                for (var j = i + 1; j < e.Pieces.Count && disjoint; j++)
                    if (Overlap(e.Pieces[i].Base, e.Pieces[j].Base)) disjoint = false;
            if (!disjoint)
                problems.Add(new MapProblem(DiagnosticDescriptors.MapCoveredTwice, baseName, motivatedName, e.BaseName + " (pieces)", Shape(b.Shape), 2));
            else if (volume != b.Elements)
                problems.Add(new MapProblem(DiagnosticDescriptors.MapNotCovered, baseName, motivatedName, b.IsBuffer ? "buffer" : "parameter",
                    e.BaseName, Shape(b.Shape) + $" (its pieces cover {volume} of {b.Elements} elements)"));
        }

        foreach (var group in entries.Where(e => motByName.ContainsKey(e.MotivatedName)).GroupBy(e => e.MotivatedName))
        {
            var list = group.SelectMany(e => (e.Pieces?.Select(p => p.Motivated) ?? new[] { e.Region }).Select(r => (Entry: e, Region: r))).ToList();
            for (var i = 0; i < list.Count; i++)
                for (var j = i + 1; j < list.Count; j++)
                    if (Overlap(list[i].Region, list[j].Region))
                        problems.Add(new MapProblem(DiagnosticDescriptors.MapOverlap, baseName, motivatedName,
                            list[i].Entry.BaseName, Shape(list[i].Entry.BaseShape), list[j].Entry.BaseName, Shape(list[j].Entry.BaseShape), group.Key, Shape(motByName[group.Key].Shape)));
        }
        return problems;

        MapProblem Target(MapEntryDesc e, string reason) =>
            new(DiagnosticDescriptors.MapTarget, baseName, motivatedName, e.BaseName, Shape(e.BaseShape), e.MotivatedName, Shape(e.MotivatedShape), reason);
    }

    /// <summary>
    /// Proves that tied weights stay tied: a weight tied in one variant (a language-model head sharing its token
    /// embedding's tensor) is tied the same way in the other, the map sends the base's tensor to the motivated one's, and
    /// no entry treats the alias as a tensor of its own (one tensor, one entry).
    /// </summary>
    public static List<MapProblem> CheckTies(string baseName, string motivatedName,
        IReadOnlyList<(string Alias, string Tensor)> baseTies, IReadOnlyList<(string Alias, string Tensor)> motivatedTies,
        IReadOnlyList<MapEntryDesc> entries)
    {
        var problems = new List<MapProblem>();
        foreach (var (alias, tensor) in baseTies)
        {
            var entry = entries.FirstOrDefault(e => e.BaseName == tensor);
            string? why = !motivatedTies.Contains((alias, tensor))
                ? $"the motivated variant '{motivatedName}' does not tie them, so the base's one tensor cannot stand for both"
                : entry is null ? "the map has no entry for it"
                : entry.MotivatedName != tensor ? $"the map sends it to '{entry.MotivatedName}', which is not the tensor the motivated '{alias}' shares"
                : entries.Any(e => e.BaseName == alias || e.MotivatedName == alias) ? $"the map has an entry of its own for '{alias}'"
                : null;
            if (why is not null) problems.Add(new MapProblem(DiagnosticDescriptors.TieNotKept, baseName, motivatedName, alias, tensor, "the base", why));
        }
        foreach (var (alias, tensor) in motivatedTies)
            if (!baseTies.Contains((alias, tensor)))
                problems.Add(new MapProblem(DiagnosticDescriptors.TieNotKept, baseName, motivatedName, alias, tensor, "the motivated variant",
                    $"the base '{baseName}' keeps two tensors, which cannot both be copied into one"));
        return problems;
    }

    /// <summary>
    /// Checks growth steps against the motivated tensors and the map: every step names a motivated tensor and lies inside
    /// it, a copy's source has the destination's shape, and no zeroed or copied-into region touches a mapped region (the
    /// base's weights are never overwritten).
    /// </summary>
    public static List<string> CheckGrowth(IReadOnlyList<TensorDesc> motivatedTensors, IReadOnlyList<MapEntryDesc> entries, IReadOnlyList<GrowthOpDesc> ops)
    {
        var problems = new List<string>();
        var motByName = new Dictionary<string, TensorDesc>();
        foreach (var t in motivatedTensors) motByName[t.Name] = t;
        var mapped = entries.GroupBy(e => e.MotivatedName)
            .ToDictionary(g => g.Key, g => g.SelectMany(e => e.Pieces?.Select(p => p.Motivated) ?? new[] { e.Region }).ToList());
        foreach (var op in ops)
        {
            if (!motByName.TryGetValue(op.Tensor, out var t)) { problems.Add($"step on '{op.Tensor}', which the motivated variant does not have"); continue; }
            if (!Inside(op.Region, t.Shape) || op.Source is { } src && (!Inside(src, t.Shape) || !op.Region.Select(r => r.Length).SequenceEqual(src.Select(r => r.Length))))
            { problems.Add($"step {Region(op.Region)} of '{op.Tensor}' does not fit its shape {Shape(t.Shape)}"); continue; }
            if (mapped.TryGetValue(op.Tensor, out var regions) && regions.Any(r => Overlap(r, op.Region)))
                problems.Add($"step {Region(op.Region)} of '{op.Tensor}' would overwrite the base's mapped weights");
        }
        return problems;
    }

    private static bool Inside(IReadOnlyList<(long Start, long Length)> region, IReadOnlyList<long> shape) =>
        region.Count == shape.Count && region.Select((r, d) => r.Start >= 0 && r.Length > 0 && r.Start + r.Length <= shape[d]).All(x => x);

    private static bool Overlap(IReadOnlyList<(long Start, long Length)> a, IReadOnlyList<(long Start, long Length)> b)
    {
        if (a.Count != b.Count) return false;
        for (var d = 0; d < a.Count; d++)
        {
            if (a[d].Length == 0 || b[d].Length == 0) return false;
            if (a[d].Start + a[d].Length <= b[d].Start || b[d].Start + b[d].Length <= a[d].Start) return false;
        }
        return true;
    }

    public static string Shape(IEnumerable<long> shape) => "[" + string.Join(", ", shape) + "]";

    public static string Region(IEnumerable<(long Start, long Length)> region) =>
        "[" + string.Join(", ", region.Select(r => r.Start + ":" + (r.Start + r.Length))) + "]";
}
