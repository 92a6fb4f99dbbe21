using System.Collections.Generic;
using System.Linq;
using static MotivationDsl.Generators.CodeWriter;

namespace MotivationDsl.Generators;

/// <summary>
/// The layer lists file: each variant's layers stated once, as a chain of <c>MotivationDsl.LayerList</c> calls (one per
/// layer, one per run of identical blocks) from which the runtime builds both the variant's module
/// (<c>VariantModule</c>) and its metadata (<c>VariantMetadataBuilder</c>) for any class count and input size. Variants
/// with one layer list share one method whose numbers that differ are parameters (<see cref="VariantText"/>); each
/// variant's list is a static field (<c>Layers_{Variant}</c>).
/// </summary>
internal static class MetadataPart
{
    private const string List = "__Dsl.LayerList";

    /// <summary>The field holding a variant's layer list, in the generated <c>ModelDefinition</c>.</summary>
    public static string Field(ResolvedVariant v) => "Layers_" + v.Name;

    public static void Write(CodeWriter w, BuiltModel model)
    {
        w.Open("partial class ModelDefinition");
        var texts = model.Variants.Select(v => Record(model, v)).ToList();
        var groups = VariantText.Groups(texts.Select(t => t.Skeleton).ToList());
        var sharedCount = groups.Count(g => g.Count > 1);
        var number = 0;
        var first = true;
        void Gap() { if (!first) w.Line(); first = false; }
        foreach (var g in groups)
        {
            var variants = g.Select(i => model.Variants[i]).ToList();
            if (g.Count == 1)
            {
                Gap();
                w.Line(Summary(variants[0]));
                w.Line($"internal static readonly {List} {Field(variants[0])} =");
                w.Indent();
                VariantText.Replay(w, new[] { texts[g[0]] }, new List<Hole>(), S(variants[0].Name));
                w.Outdent();
                continue;
            }
            var name = "__Layers" + (sharedCount == 1 ? "" : (++number).ToString(System.Globalization.CultureInfo.InvariantCulture));
            var holes = new List<Hole>();
            var body = new CodeWriter(w.Level + 1);
            VariantText.Replay(body, g.Select(i => texts[i]).ToList(), holes, "name");
            Gap();
            var list = string.Join(", ", variants.Select(v => $"<c>{v.Name}</c>"));
            w.Line($"/// <summary>The layers of variants {list} (one layer list; the numbers that differ are arguments).</summary>");
            w.Call($"private static {List} {name}", holes.Select(h => h.Parameter).ToList(), " =>");
            w.Append(body);
            for (var k = 0; k < variants.Count; k++)
            {
                w.Line();
                w.Line(Summary(variants[k]));
                w.Line($"internal static readonly {List} {Field(variants[k])} =");
                w.Indent();
                w.CallFilled(name, holes.Select(h => h.Argument(k)).ToList(), ";");
                w.Outdent();
            }
        }
        w.Close();
    }

    private static string Summary(ResolvedVariant v) =>
        $"/// <summary>The layers of <c>{v.Name}</c>: its module and its metadata (tensors, parameters, MACs).</summary>";

    // The variant's layer list, one call per layer and per run of blocks; numbers may become parameters.
    private static VariantText Record(BuiltModel model, ResolvedVariant v)
    {
        var w = new VariantText();
        var init = "init: __Dsl.WeightInit." + model.Spec.InitName;
        if (v.Vocabulary > 0) w.Call($"{List}.ForTokens", new[] { $"vocabulary: {v.Vocabulary}", $"contextLength: {v.Context}", init }, "");
        else w.Call($"new {List}", new[] { $"classes: {model.Spec.Classes}", $"inputShape: new[] {{ {string.Join(", ", model.Spec.InputShape)} }}", init }, "");
        w.Indent();
        foreach (var l in v.Layers)
        {
            w.Context = l.Spec.Name ?? "";
            if (l.Kind != LayerKind.Stage)
            {
                ModelLayerKinds.Find(l.Kind)?.Layer(w, l);
                continue;
            }
            var kind = BlockKinds.Of(l.Spec);
            var type = kind.ModuleType(model, l.Spec);
            w.Line($".Stage({S(l.Spec.Name!)}, blockPrefix: {S(l.Spec.BlockPrefix)})");
            var runs = Runs(l.Blocks, kind);
            for (var r = 0; r < runs.Count; r++)
            {
                w.Context = l.Spec.Name + "_run" + r.ToString(System.Globalization.CultureInfo.InvariantCulture);
                w.Call($".Blocks(count: {runs[r].Count}, {type}.Of", runs[r].Arguments, ")");
            }
        }
        w.Context = "";
        w.Terminate();
        w.Outdent();
        return w;
    }

    /// <summary>Consecutive blocks with the same constructor arguments, as (count, arguments).</summary>
    private static List<(int Count, IReadOnlyList<string> Arguments)> Runs(IReadOnlyList<RBlock> blocks, IBlockKind kind)
    {
        var runs = new List<(int Count, IReadOnlyList<string> Arguments)>();
        foreach (var b in blocks)
        {
            var args = kind.Arguments(b);
            if (runs.Count > 0 && runs[runs.Count - 1].Arguments.SequenceEqual(args))
                runs[runs.Count - 1] = (runs[runs.Count - 1].Count + 1, args);
            else runs.Add((1, args));
        }
        return runs;
    }
}
