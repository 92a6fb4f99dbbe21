using System.Text.Json;

namespace MotivationDsl;

/// <summary>
/// Reads a weights map from the generator's JSON (the manifest's <c>base</c>, <c>motivated</c>, <c>map</c> and
/// <c>growthSteps</c>, schema motivationdsl.manifest/1, packed or not): the generated code states each proven map once, as
/// this data.
/// </summary>
public static class ManifestMap
{
    public static WeightsMap Parse(string json)
    {
        using var doc = JsonDocument.Parse(ManifestPacking.Expand(json));
        var root = doc.RootElement;
        var entries = root.GetProperty("map").EnumerateArray().Select(Entry).ToArray();
        var growth = root.TryGetProperty("growthSteps", out var steps) ? steps.EnumerateArray().Select(Step).ToArray() : [];
        return new WeightsMap(root.GetProperty("base").GetString()!, root.GetProperty("motivated").GetString()!, entries, growth);
    }

    private static MapEntry Entry(JsonElement e)
    {
        var baseName = e.GetProperty("base").GetString()!;
        var motivatedName = e.GetProperty("motivated").GetString()!;
        var kind = e.GetProperty("kind").GetString() == "buffer" ? TensorKind.Buffer : TensorKind.Parameter;
        var baseShape = Longs(e.GetProperty("baseShape"));
        var motivatedShape = Longs(e.GetProperty("motivatedShape"));
        if (e.TryGetProperty("pieces", out var pieces))
            return new MapEntry(baseName, motivatedName, kind, baseShape, motivatedShape,
                pieces.EnumerateArray().Select(p => new MapPiece(Region(p.GetProperty("base")), Region(p.GetProperty("motivated")))).ToArray());
        return new MapEntry(baseName, motivatedName, kind, baseShape, motivatedShape, Region(e.GetProperty("region")));
    }

    private static GrowthStep Step(JsonElement s)
    {
        var tensor = s.GetProperty("tensor").GetString()!;
        var region = Region(s.GetProperty("region"));
        return s.GetProperty("action").GetString() == "copy"
            ? GrowthStep.Copy(tensor, Region(s.GetProperty("source")), region)
            : GrowthStep.Zero(tensor, region);
    }

    private static long[] Longs(JsonElement array) => array.EnumerateArray().Select(x => x.GetInt64()).ToArray();

    // [[start, end], ...] -> ranges.
    private static TensorRegion Region(JsonElement array) =>
        new(array.EnumerateArray().Select(r => new DimRange(r[0].GetInt64(), r[1].GetInt64() - r[0].GetInt64())).ToArray());
}
