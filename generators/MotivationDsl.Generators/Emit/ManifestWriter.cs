using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace MotivationDsl.Generators;

/// <summary>
/// The manifest JSON (schema motivationdsl.manifest/1) and the JSON of every other proven pair's map: the one place the
/// generated code states a map (the runtime reads it with <c>ManifestMap.Parse</c>). Entries are wrapped so that, inside
/// a verbatim C# string, no line exceeds <see cref="CodeWriter.MaxLine"/> characters.
/// </summary>
internal static class ManifestWriter
{
    public static string Manifest(BuiltModel model)
    {
        var spec = model.Spec;
        var sb = new StringBuilder();
        sb.Append("{\n");
        sb.Append("  \"schema\": \"motivationdsl.manifest/1\",\n");
        sb.Append("  \"model\": ").Append(Json(spec.FullName)).Append(",\n");
        sb.Append("  \"inputShape\": ").Append(Arr(spec.InputShape)).Append(",\n");
        sb.Append("  \"classes\": ").Append(spec.Classes).Append(",\n");
        sb.Append("  \"base\": ").Append(Json(model.Base.Name)).Append(",\n");
        sb.Append("  \"motivated\": ").Append(Json(model.Motivated.Name)).Append(",\n");
        sb.Append("  \"variants\": [\n");
        for (var i = 0; i < model.Variants.Count; i++)
        {
            var v = model.Variants[i];
            Wrap(sb, new[]
            {
                "{ \"name\": " + Json(v.Name) + ",", "\"parameters\": " + v.Parameters + ",", "\"macs\": " + v.Macs + ",",
                "\"flops\": " + 2 * v.Macs + " }" + (i + 1 < model.Variants.Count ? "," : ""),
            });
        }
        sb.Append("  ],\n");
        MapAndGrowth(sb, model.Map, model.Growth[0]);
        sb.Append("}\n");
        return sb.ToString();
    }

    /// <summary>The map of pair <paramref name="index"/> (not the main one) as JSON with the manifest's fields.</summary>
    public static string Pair(BuiltModel model, int index)
    {
        var (b, m, map) = model.Pairs[index];
        var sb = new StringBuilder("{\n");
        sb.Append("  \"base\": ").Append(Json(b.Name)).Append(",\n");
        sb.Append("  \"motivated\": ").Append(Json(m.Name)).Append(",\n");
        MapAndGrowth(sb, map, model.Growth[index]);
        sb.Append("}\n");
        return sb.ToString();
    }

    private static void MapAndGrowth(StringBuilder sb, List<MapEntryDesc> map, List<GrowthOpDesc> growth)
    {
        sb.Append("  \"map\": [\n");
        for (var i = 0; i < map.Count; i++)
        {
            var e = map[i];
            var tokens = new List<string>
            {
                "{ \"base\": " + Json(e.BaseName) + ",", "\"motivated\": " + Json(e.MotivatedName) + ",",
                "\"kind\": \"" + (e.IsBuffer ? "buffer" : "parameter") + "\",",
                "\"baseShape\": " + Arr(e.BaseShape) + ",", "\"motivatedShape\": " + Arr(e.MotivatedShape) + ",",
            };
            var end = " }" + (i + 1 < map.Count ? "," : "");
            if (e.Pieces is null) tokens.Add("\"region\": [" + RegionJson(e.Region) + "]" + end);
            else
            {
                tokens.Add("\"region\": [" + RegionJson(e.Region) + "],");
                tokens.Add("\"pieces\": [");
                for (var p = 0; p < e.Pieces.Count; p++)
                    tokens.Add("{ \"base\": [" + RegionJson(e.Pieces[p].Base) + "], \"motivated\": [" + RegionJson(e.Pieces[p].Motivated) + "] }"
                        + (p + 1 < e.Pieces.Count ? "," : "]" + end));
            }
            Wrap(sb, tokens);
        }
        if (growth.Count == 0) { sb.Append("  ]\n"); return; }
        sb.Append("  ],\n");
        sb.Append("  \"growth\": \"function-preserving\",\n");
        sb.Append("  \"growthSteps\": [\n");
        for (var i = 0; i < growth.Count; i++)
        {
            var g = growth[i];
            var tokens = new List<string> { "{ \"tensor\": " + Json(g.Tensor) + ",", "\"action\": \"" + (g.Source is null ? "zero" : "copy") + "\"," };
            if (g.Source is not null) tokens.Add("\"source\": [" + RegionJson(g.Source) + "],");
            tokens.Add("\"region\": [" + RegionJson(g.Region) + "] }" + (i + 1 < growth.Count ? "," : ""));
            Wrap(sb, tokens);
        }
        sb.Append("  ]\n");
    }

    /// <summary>Packs tokens into lines of at most MaxLine characters once written as a verbatim C# string (quotes doubled).</summary>
    private static void Wrap(StringBuilder sb, IReadOnlyList<string> tokens)
    {
        var line = new StringBuilder("    ");
        foreach (var token in tokens)
        {
            var fresh = line.Length == 4 || line.Length == 6 && line.ToString().Trim().Length == 0;
            if (!fresh && Width(line.ToString()) + 1 + Width(token) > CodeWriter.MaxLine)
            {
                sb.Append(line).Append('\n');
                line.Clear().Append("      ");
                fresh = true;
            }
            if (!fresh) line.Append(' ');
            line.Append(token);
        }
        sb.Append(line).Append('\n');
    }

    private static int Width(string s) => s.Length + s.Count(c => c == '"');

    private static string Arr(IEnumerable<long> xs) => "[" + string.Join(", ", xs) + "]";

    private static string RegionJson((long Start, long Length)[] region) =>
        string.Join(", ", region.Select(r => "[" + r.Start + ", " + (r.Start + r.Length) + "]"));

    private static string Json(string s)
    {
        var sb = new StringBuilder("\"");
        foreach (var ch in s)
        {
            if (ch == '"' || ch == '\\') sb.Append('\\').Append(ch);
            else if (ch < 0x20) sb.Append("\\u").Append(((int)ch).ToString("x4"));
            else sb.Append(ch);
        }
        return sb.Append('"').ToString();
    }
}
