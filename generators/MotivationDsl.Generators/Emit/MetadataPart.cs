using System.Collections.Generic;
using System.Linq;
using static MotivationDsl.Generators.CodeWriter;

namespace MotivationDsl.Generators;

/// <summary>
/// The metadata file: per variant, a short description (one call per layer, one per run of identical blocks) from which
/// <c>VariantMetadataBuilder</c> computes tensors, parameters and MACs for any class count and input size.
/// </summary>
internal static class MetadataPart
{
    private const string Signature = "__Dsl.VariantInfo";

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
                var v = variants[0];
                w.Line(Summary(v.Name));
                w.Open($"internal static {Signature} Describe_{v.Name}(__Dsl.ModelOptions? options)");
                VariantText.Replay(w, new[] { texts[g[0]] }, new List<Hole>(), S(v.Name));
                w.Close();
                continue;
            }
            var name = "DescribeVariant" + (sharedCount == 1 ? "" : (++number).ToString(System.Globalization.CultureInfo.InvariantCulture));
            var holes = new List<Hole>();
            var body = new CodeWriter(w.Level + 1);
            VariantText.Replay(body, g.Select(i => texts[i]).ToList(), holes, "name");
            Gap();
            var list = string.Join(", ", variants.Select(v => $"<c>{v.Name}</c>"));
            w.Line($"/// <summary>Metadata of variants {list} (one layer list) for <paramref name=\"options\"/>.</summary>");
            w.Call($"private static {Signature} {name}",
                new[] { "string name", "__Dsl.ModelOptions? options" }.Concat(holes.Select(h => h.Parameter)).ToList(), "");
            w.Line("{");
            w.Append(body);
            w.Line("}");
            for (var k = 0; k < variants.Count; k++)
            {
                w.Line();
                w.Line(Summary(variants[k].Name));
                w.Line($"internal static {Signature} Describe_{variants[k].Name}(__Dsl.ModelOptions? options) =>");
                w.Indent();
                w.CallFilled(name, new[] { S(variants[k].Name), "options" }.Concat(holes.Select(h => h.Argument(k))).ToList(), ";");
                w.Outdent();
            }
        }
        w.Close();
    }

    private static string Summary(string variant) =>
        $"/// <summary>Metadata of <c>{variant}</c> for <paramref name=\"options\"/>: tensors, parameters and MACs.</summary>";

    // The variant's description, one statement per layer and per run of blocks; numbers may become parameters.
    private static VariantText Record(BuiltModel model, ResolvedVariant v)
    {
        var w = new VariantText();
        w.Line(v.Vocabulary > 0
            ? $"var m = __Meta.ForTokens({VariantText.Name}, options, vocabulary: {v.Vocabulary}, contextLength: {v.Context});"
            : $"var m = new __Meta({VariantText.Name}, options, {model.Spec.Classes}, __inputShape);");
        foreach (var l in v.Layers)
        {
            w.Context = l.Spec.Name ?? "";
            switch (l.Kind)
            {
                default:
                    ModelLayerKinds.Find(l.Kind)?.Describe(w, l);
                    break;
                case LayerKind.Stage:
                {
                    var kind = BlockKinds.Of(l.Spec);
                    var type = kind.ModuleType(model, l.Spec);
                    var key = S(l.Spec.Name + "." + l.Spec.BlockPrefix);
                    var runs = VariantsPart.Runs(l.Blocks, kind);
                    for (var r = 0; r < runs.Count; r++)
                    {
                        var run = runs[r];
                        w.Context = l.Spec.Name + "_run" + r.ToString(System.Globalization.CultureInfo.InvariantCulture);
                        w.Line($"foreach (var b in m.Blocks({key}, first: {run.First}, count: {run.Count}))");
                        w.Indent();
                        w.Call($"{type}.Describe", new[] { "b" }.Concat(run.Arguments).ToList(), ";");
                        w.Outdent();
                    }
                    break;
                }
            }
        }
        w.Context = "";
        w.Line("return m.Build();");
        return w;
    }
}
