using static MotivationDsl.Generators.CodeWriter;

namespace MotivationDsl.Generators;

/// <summary>The map file: the manifest (which states the declared pair's map) and every other proven pair's map, once each.</summary>
internal static class MapPart
{
    public static void Write(CodeWriter w, BuiltModel model)
    {
        w.Line("/// <summary>The manifest (JSON, schema motivationdsl.manifest/1) the build writes next to the output.</summary>");
        w.Raw("public const string ManifestJson = @\"" + ManifestWriter.Manifest(model).Replace("\"", "\"\"") + "\";");
        w.Line();
        w.Open("partial class ModelDefinition");
        for (var i = 1; i < model.Pairs.Count; i++)
        {
            var (b, m, _) = model.Pairs[i];
            w.Line($"/// <summary>The proven map {b.Name} -> {m.Name} under growth rule {model.PairGrowth[i]} (a [Pair]).</summary>");
            w.Raw($"private const string __pair{i} = @\"" + ManifestWriter.Pair(model, i).Replace("\"", "\"\"") + "\";");
            w.Line();
        }
        w.Line("protected override __Dsl.WeightsMap? CreatePairMap(");
        w.Line("    string baseVariant, string motivatedVariant, __Dsl.Growth growth)");
        w.Line("{");
        w.Indent();
        for (var i = 0; i < model.Pairs.Count; i++)
        {
            var (b, m, _) = model.Pairs[i];
            w.Line($"if (baseVariant == {S(b.Name)} && motivatedVariant == {S(m.Name)} && (int)growth == {model.PairGrowth[i]})");
            w.Line(i == 0 ? "    return Map;" : $"    return __Dsl.ManifestMap.Parse(__pair{i});");
        }
        w.Line("return null;");
        w.Close();
        w.Close();
    }
}
