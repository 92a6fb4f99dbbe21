using System.Text.Json;
using System.Text.Json.Serialization;

namespace MotivationDsl.Reporting;

/// <summary>report.json reader and writer (System.Text.Json, camelCase, indented; NaN/Infinity as "NaN"/"Infinity" strings).</summary>
public static class ReportJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static string Serialize(RunReport report) => JsonSerializer.Serialize(report, Options);

    /// <summary>Writes the report atomically.</summary>
    public static void Write(string path, RunReport report) => AtomicFile.WriteAllText(path, Serialize(report) + "\n");

    public static RunReport Read(string path)
    {
        try
        {
            return Deserialize(File.ReadAllText(path), path);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a valid report.json ({e.Message}).", e);
        }
    }

    public static RunReport Deserialize(string json, string name = "report.json")
    {
        using (var doc = JsonDocument.Parse(json))
        {
            if (!doc.RootElement.TryGetProperty("schema", out var s) || s.ValueKind != JsonValueKind.String)
                throw new InvalidDataException($"{name}: no \"schema\" field; expected \"{RunReport.CurrentSchema}\".");
            var schema = s.GetString()!;
            if (!schema.StartsWith("motivationdsl.report/", StringComparison.Ordinal) || schema.Split('/')[1].Split('.')[0] != "1")
                throw new InvalidDataException($"{name}: unsupported schema \"{schema}\"; this reader understands \"{RunReport.CurrentSchema}\".");
        }
        return JsonSerializer.Deserialize<RunReport>(json, Options)
               ?? throw new InvalidDataException($"{name}: empty report.");
    }
}
