using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.Json;

// Compiled into the runtime and, as a linked file, into the MSBuild task (netstandard2.0): both read the generated
// code's packed manifest and must expand it identically.
namespace MotivationDsl;

/// <summary>
/// Expands the manifest as the generated code states it (packed) into the manifest the build writes and readers see
/// (schema motivationdsl.manifest/1, one <c>map</c> entry per base tensor). The generated code states a run of blocks
/// with the same tensors once: <c>{ "blocks": "layer1.", "pairs": [[0, 0], [1, 1], [2, 4]], "tensors": [...] }</c>
/// stands for the entries of each tensor of the list for base block <c>layer1.{i}</c> mapped to motivated block
/// <c>layer1.{j}</c>, for every pair <c>[i, j]</c>. A packed entry is <c>[base, baseShape]</c> or
/// <c>[base, baseShape, { ... }]</c> with the fields that differ from their defaults: <c>motivated</c> defaults to
/// <c>base</c>, <c>kind</c> to <c>parameter</c>, <c>motivatedShape</c> to <c>baseShape</c> and <c>region</c> to the whole
/// base shape (a prefix). Any other JSON (an unpacked manifest, or not a manifest at all) is returned unchanged.
/// </summary>
public static class ManifestPacking
{
    public static string Expand(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        if (!IsPacked(root)) return json;
        var sb = new StringBuilder("{\n");
        var first = true;
        foreach (var property in root.EnumerateObject())
        {
            if (!first) sb.Append(",\n");
            first = false;
            sb.Append("  ").Append(Str(property.Name)).Append(": ");
            if (property.Name == "map") Map(sb, property.Value);
            else sb.Append(property.Value.GetRawText());
        }
        return sb.Append("\n}\n").ToString();
    }

    private static bool IsPacked(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty("map", out var map) && map.ValueKind == JsonValueKind.Array
        && map.EnumerateArray().Any(e => e.ValueKind == JsonValueKind.Array
            || e.ValueKind == JsonValueKind.Object && (e.TryGetProperty("blocks", out _) || Full.Any(name => !e.TryGetProperty(name, out _))));

    private static readonly string[] Full = { "base", "motivated", "kind", "baseShape", "motivatedShape", "region" };

    private static void Map(StringBuilder sb, JsonElement map)
    {
        var entries = new List<string>();
        foreach (var e in map.EnumerateArray())
        {
            if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty("blocks", out var blocks))
            {
                entries.Add(Entry(e, "", ""));
                continue;
            }
            var prefix = blocks.GetString()!;
            foreach (var pair in e.GetProperty("pairs").EnumerateArray())
            {
                var basePrefix = prefix + Num(pair[0]) + ".";
                var motivatedPrefix = prefix + Num(pair[1]) + ".";
                foreach (var t in e.GetProperty("tensors").EnumerateArray()) entries.Add(Entry(t, basePrefix, motivatedPrefix));
            }
        }
        sb.Append("[\n");
        for (var i = 0; i < entries.Count; i++) sb.Append("    ").Append(entries[i]).Append(i + 1 < entries.Count ? ",\n" : "\n");
        sb.Append("  ]");
    }

    private static string Entry(JsonElement entry, string basePrefix, string motivatedPrefix)
    {
        // [base, baseShape] or [base, baseShape, { fields that differ from their defaults }], or an object with every field.
        var packed = entry.ValueKind == JsonValueKind.Array;
        var e = packed ? (entry.GetArrayLength() > 2 ? entry[2] : default) : entry;
        var baseName = packed ? entry[0].GetString()! : e.GetProperty("base").GetString()!;
        var baseShapeJson = packed ? entry[1] : e.GetProperty("baseShape");
        if (e.ValueKind != JsonValueKind.Object) e = EmptyObject;
        var motivated = e.TryGetProperty("motivated", out var m) ? m.GetString()! : baseName;
        var kind = e.TryGetProperty("kind", out var k) ? k.GetString()! : "parameter";
        var baseShape = baseShapeJson.EnumerateArray().Select(x => x.GetInt64()).ToList();
        var motivatedShape = e.TryGetProperty("motivatedShape", out var ms) ? ms.EnumerateArray().Select(x => x.GetInt64()).ToList() : baseShape;
        var region = e.TryGetProperty("region", out var r) ? Compact(r) : "[" + string.Join(", ", baseShape.Select(d => "[0, " + d.ToString(CultureInfo.InvariantCulture) + "]")) + "]";
        var sb = new StringBuilder("{ ");
        sb.Append("\"base\": ").Append(Str(basePrefix + baseName)).Append(", ");
        sb.Append("\"motivated\": ").Append(Str(motivatedPrefix + motivated)).Append(", ");
        sb.Append("\"kind\": ").Append(Str(kind)).Append(", ");
        sb.Append("\"baseShape\": ").Append(Shape(baseShape)).Append(", ");
        sb.Append("\"motivatedShape\": ").Append(Shape(motivatedShape)).Append(", ");
        sb.Append("\"region\": ").Append(region);
        if (e.TryGetProperty("pieces", out var pieces)) sb.Append(", \"pieces\": ").Append(Compact(pieces));
        return sb.Append(" }").ToString();
    }

    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement;

    private static string Shape(List<long> shape) => "[" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";

    private static string Num(JsonElement e) => e.GetInt64().ToString(CultureInfo.InvariantCulture);

    /// <summary>A JSON value on one line (<c>[[0, 16], [0, 3]]</c>, <c>{ "base": [...], "motivated": [...] }</c>).</summary>
    private static string Compact(JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Array:
                return "[" + string.Join(", ", e.EnumerateArray().Select(Compact)) + "]";
            case JsonValueKind.Object:
                return "{ " + string.Join(", ", e.EnumerateObject().Select(p => Str(p.Name) + ": " + Compact(p.Value))) + " }";
            default:
                return e.GetRawText();
        }
    }

    private static string Str(string s)
    {
        var sb = new StringBuilder("\"");
        foreach (var ch in s)
        {
            if (ch == '"' || ch == '\\') sb.Append('\\').Append(ch);
            else if (ch < 0x20) sb.Append("\\u").Append(((int)ch).ToString("x4", CultureInfo.InvariantCulture));
            else sb.Append(ch);
        }
        return sb.Append('"').ToString();
    }
}
