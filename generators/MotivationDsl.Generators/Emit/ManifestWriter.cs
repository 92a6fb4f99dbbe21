using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace MotivationDsl.Generators;

/// <summary>
/// The manifest JSON (schema motivationdsl.manifest/1) and the JSON of every other proven pair's map: the one place the
/// generated code states a map. Both are packed (<c>MotivationDsl.ManifestPacking</c> in the runtime and the build task
/// expands them to one entry per base tensor): a run of blocks with the same tensors is stated once, and entry fields
/// equal to their defaults are left out. Tokens are wrapped so that, inside a verbatim C# string, no line exceeds
/// <see cref="CodeWriter.MaxLine"/> characters.
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
        if (TokenEmbeddingLayer.IsLanguageModel(spec)) sb.Append("  \"task\": \"language-model\",\n"); // else classification
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
        MapAndGrowth(sb, model.Base, model.Map, model.Growth[0]);
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
        MapAndGrowth(sb, b, map, model.Growth[index]);
        sb.Append("}\n");
        return sb.ToString();
    }

    private static void MapAndGrowth(StringBuilder sb, ResolvedVariant b, IReadOnlyList<MapEntryDesc> map, IReadOnlyList<GrowthOpDesc> growth)
    {
        sb.Append("  \"map\": [\n");
        var items = Pack(b, map);
        for (var i = 0; i < items.Count; i++)
        {
            var (prefix, pairs, tensors) = items[i];
            var end = i + 1 < items.Count ? "," : "";
            if (prefix is null)
            {
                // Consecutive model-level entries share lines.
                var flat = new List<string>(Last(tensors[0], end));
                while (i + 1 < items.Count && items[i + 1].Prefix is null)
                {
                    i++;
                    flat.AddRange(Last(items[i].Tensors[0], i + 1 < items.Count ? "," : ""));
                }
                Wrap(sb, flat);
                continue;
            }
            var tokens = new List<string> { "{ \"blocks\": " + Json(prefix) + "," };
            for (var p = 0; p < pairs.Count; p++)
                tokens.Add((p == 0 ? "\"pairs\": [" : "") + "[" + pairs[p].Base + ", " + pairs[p].Motivated + "]" + (p + 1 < pairs.Count ? "," : "],"));
            for (var t = 0; t < tensors.Count; t++)
            {
                var entry = Last(tensors[t], t + 1 < tensors.Count ? "," : "] }" + end);
                if (t == 0) entry[0] = "\"tensors\": [" + entry[0];
                tokens.AddRange(entry);
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
            if (g.Source is { } source) tokens.Add("\"source\": [" + RegionJson(source) + "],");
            tokens.Add("\"region\": [" + RegionJson(g.Region) + "] }" + (i + 1 < growth.Count ? "," : ""));
            Wrap(sb, tokens);
        }
        sb.Append("  ]\n");
    }

    /// <summary>
    /// The map as items: a model-level entry alone (prefix null), or a run of consecutive base blocks of one stage whose
    /// entries, named relative to their blocks, are the same: the stage's block prefix, the (base, motivated) block
    /// indices and the relative entries (each as JSON tokens).
    /// </summary>
    private static List<(string? Prefix, List<(int Base, int Motivated)> Pairs, List<List<string>> Tensors)> Pack(
        ResolvedVariant b, IReadOnlyList<MapEntryDesc> map)
    {
        var tensors = b.Tensors.ToDictionary(t => t.Name);
        var blocks = new List<(string? Prefix, int Base, int Motivated, List<List<string>> Tensors)>();
        foreach (var e in map)
        {
            var block = tensors.TryGetValue(e.BaseName, out var t) ? BlockOf(e, t) : null;
            if (block is not { } k)
            {
                blocks.Add((null, 0, 0, new List<List<string>> { Entry(e, e.BaseName, e.MotivatedName) }));
                continue;
            }
            var baseLocal = e.BaseName.Substring(k.Prefix.Length + k.Base.ToString(CultureInfo.InvariantCulture).Length + 1);
            var motivatedLocal = e.MotivatedName.Substring(k.Prefix.Length + k.Motivated.ToString(CultureInfo.InvariantCulture).Length + 1);
            var entry = Entry(e, baseLocal, motivatedLocal);
            var last = blocks.Count - 1;
            if (last >= 0 && blocks[last].Prefix == k.Prefix && blocks[last].Base == k.Base && blocks[last].Motivated == k.Motivated)
                blocks[last].Tensors.Add(entry);
            else blocks.Add((k.Prefix, k.Base, k.Motivated, new List<List<string>> { entry }));
        }
        var items = new List<(string? Prefix, List<(int Base, int Motivated)> Pairs, List<List<string>> Tensors)>();
        foreach (var (prefix, i, j, list) in blocks)
        {
            var last = items.Count - 1;
            if (prefix is not null && last >= 0 && items[last].Prefix == prefix && Same(items[last].Tensors, list))
                items[last].Pairs.Add((i, j));
            else items.Add((prefix, new List<(int, int)> { (i, j) }, list));
        }
        return items;
    }

    /// <summary>(prefix, base block, motivated block) when both names are <c>prefix + index + "." + local</c>; else null.</summary>
    private static (string Prefix, int Base, int Motivated)? BlockOf(MapEntryDesc e, TensorDesc t)
    {
        if (t.Stage is null) return null;
        var suffix = t.Block.ToString(CultureInfo.InvariantCulture) + "." + t.Local;
        if (!e.BaseName.EndsWith(suffix, System.StringComparison.Ordinal)) return null;
        var prefix = e.BaseName.Substring(0, e.BaseName.Length - suffix.Length);
        if (prefix.Length == 0 || !e.MotivatedName.StartsWith(prefix, System.StringComparison.Ordinal)) return null;
        var end = prefix.Length;
        while (end < e.MotivatedName.Length && char.IsDigit(e.MotivatedName[end])) end++;
        if (end == prefix.Length || end == e.MotivatedName.Length || e.MotivatedName[end] != '.' || end - prefix.Length > 9) return null;
        var j = int.Parse(e.MotivatedName.Substring(prefix.Length, end - prefix.Length), CultureInfo.InvariantCulture);
        if (j.ToString(CultureInfo.InvariantCulture).Length != end - prefix.Length) return null; // leading zeros
        return (prefix, t.Block, j);
    }

    /// <summary>
    /// One packed entry's tokens: <c>[base, baseShape]</c>, with an object of the fields that differ from their defaults
    /// (ManifestPacking) as a third element: <c>["bn1.running_mean", [16], { "kind": "buffer" }]</c>.
    /// </summary>
    private static List<string> Entry(MapEntryDesc e, string baseName, string motivatedName)
    {
        var head = "[" + Json(baseName) + ", " + Arr(e.BaseShape);
        var fields = new List<string>();
        if (motivatedName != baseName) fields.Add("\"motivated\": " + Json(motivatedName));
        if (e.IsBuffer) fields.Add("\"kind\": \"buffer\"");
        if (!e.MotivatedShape.SequenceEqual(e.BaseShape)) fields.Add("\"motivatedShape\": " + Arr(e.MotivatedShape));
        var whole = e.Region.Count == e.BaseShape.Count && e.Region.Select((r, d) => r.Start == 0 && r.Length == e.BaseShape[d]).All(x => x);
        if (!whole || e.Pieces is not null) fields.Add("\"region\": [" + RegionJson(e.Region) + "]");
        if (fields.Count == 0 && e.Pieces is null) return new List<string> { head + "]" };
        var tokens = new List<string> { head + "," };
        for (var i = 0; i < fields.Count; i++)
            tokens.Add((i == 0 ? "{ " : "") + fields[i] + (i + 1 < fields.Count || e.Pieces is not null ? "," : " }]"));
        if (e.Pieces is null) return tokens;
        for (var p = 0; p < e.Pieces.Count; p++)
            tokens.Add((p == 0 ? "\"pieces\": [" : "") + "{ \"base\": [" + RegionJson(e.Pieces[p].Base) + "], \"motivated\": [" + RegionJson(e.Pieces[p].Motivated) + "] }"
                + (p + 1 < e.Pieces.Count ? "," : "] }]"));
        return tokens;
    }

    private static List<string> Last(List<string> tokens, string end)
    {
        var copy = new List<string>(tokens);
        copy[copy.Count - 1] += end;
        return copy;
    }

    private static bool Same(List<List<string>> a, List<List<string>> b) =>
        a.Count == b.Count && a.Zip(b, (x, y) => x.SequenceEqual(y)).All(x => x);

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

    private static string RegionJson(IEnumerable<(long Start, long Length)> region) =>
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
