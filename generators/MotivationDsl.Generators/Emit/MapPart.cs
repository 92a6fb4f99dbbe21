using System.Collections.Generic;
using System.Linq;
using static MotivationDsl.Generators.CodeWriter;

namespace MotivationDsl.Generators;

/// <summary>The map file: the manifest (which states the declared pair's map) and every other proven pair's map, once each.</summary>
internal static class MapPart
{
    public static void Write(CodeWriter w, BuiltModel model)
    {
        w.Line("/// <summary>The manifest as stated here: packed (a run of identical blocks once; see ManifestPacking).</summary>");
        w.Raw("internal const string __Manifest = @\"" + ManifestWriter.Manifest(model).Replace("\"", "\"\"") + "\";");
        if (model.Pairs.Count == 1) return;
        w.Line();
        w.Open("partial class ModelDefinition");
        for (var i = 1; i < model.Pairs.Count; i++)
        {
            var (b, m, _) = model.Pairs[i];
            if (i > 1) w.Line();
            w.Line($"/// <summary>The proven map {b.Name} -> {m.Name} under growth rule {GrowthName(model.PairGrowth[i])} (a [Pair]).</summary>");
            w.Raw($"internal const string __pair{i} = @\"" + ManifestWriter.Pair(model, i).Replace("\"", "\"\"") + "\";");
        }
        w.Close();
    }

    /// <summary>The table of proven pairs: the declared one (the manifest's map), then each [Pair] (its constant).</summary>
    public static IEnumerable<string> PairsTable(BuiltModel model) =>
        model.Pairs.Select((p, i) => $"new({S(p.Base.Name)}, {S(p.Motivated.Name)}, __Dsl.Growth.{GrowthName(model.PairGrowth[i])}, "
            + (i == 0 ? model.Spec.ClassName + ".__Manifest" : "__pair" + i) + ")");

    private static string GrowthName(int growth) => growth switch { 0 => "Default", 1 => "Paper", _ => "FunctionPreserving" };
}
