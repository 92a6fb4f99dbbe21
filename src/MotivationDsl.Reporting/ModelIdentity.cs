using System.Text.Json;
using System.Text.Json.Nodes;

namespace MotivationDsl.Reporting;

/// <summary>
/// The identity of exported model files: <c>models.json</c> next to them records, for every file, which model
/// (definition name), role (base/motivated) and variant it holds, its length and its <see cref="Checksum"/>. Loading
/// a model file checks all of it, so a file of another model (even of the same shapes), a truncated or a corrupted
/// file is refused with a message naming the file instead of loading silently.
/// </summary>
public static class ModelIdentity
{
    public const string FileName = "models.json";
    public const string Schema = "motivationdsl.models/1";

    /// <summary>Adds (or replaces) the records of <paramref name="files"/> (in one folder) in that folder's models.json.</summary>
    public static void Record(string model, string role, string variant, params string[] files)
    {
        if (files.Length == 0) return;
        var dir = Path.GetDirectoryName(Path.GetFullPath(files[0]))!;
        var path = Path.Combine(dir, FileName);
        JsonObject root;
        try { root = File.Exists(path) ? JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? new JsonObject() : new JsonObject(); }
        catch (JsonException) { root = new JsonObject(); }
        root["schema"] = Schema;
        var entries = root["files"] as JsonObject ?? new JsonObject();
        root["files"] = entries;
        foreach (var file in files)
        {
            entries[Path.GetFileName(file)] = new JsonObject
            {
                ["model"] = model,
                ["role"] = role,
                ["variant"] = variant,
                ["bytes"] = new FileInfo(file).Length,
                ["checksum"] = Checksum.OfFile(file),
            };
        }
        AtomicFile.WriteAllText(path, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    /// <summary>
    /// Checks that <paramref name="file"/> is recorded in its folder's models.json as <paramref name="model"/>'s
    /// <paramref name="role"/> model (variant <paramref name="variant"/>) and matches its length and checksum;
    /// throws <see cref="InvalidDataException"/> naming the file otherwise.
    /// </summary>
    public static void Verify(string file, string model, string role, string variant)
    {
        var full = Path.GetFullPath(file);
        var path = Path.Combine(Path.GetDirectoryName(full)!, FileName);
        var name = Path.GetFileName(full);
        if (!File.Exists(path))
            throw new InvalidDataException($"'{full}' has no identity record ('{path}' is missing): cannot tell which model it holds.");
        JsonObject? entry;
        try { entry = (JsonNode.Parse(File.ReadAllText(path)) as JsonObject)?["files"]?[name] as JsonObject; }
        catch (JsonException e) { throw new InvalidDataException($"'{path}' is corrupt ({e.Message})."); }
        if (entry is null) throw new InvalidDataException($"'{full}' is not listed in '{path}': cannot tell which model it holds.");
        string S(string key) => entry[key]?.GetValue<string>() ?? "?";
        if (S("model") != model || S("role") != role || S("variant") != variant)
            throw new InvalidDataException($"'{full}' holds the {S("role")} model of {S("model")} ({S("variant")}), not the {role} model of {model} ({variant}).");
        var length = new FileInfo(full).Length;
        if (entry["bytes"]?.GetValue<long>() is { } bytes && bytes != length)
            throw new InvalidDataException($"'{full}' is truncated or damaged: {length} bytes, {bytes} when it was written.");
        if (Checksum.OfFile(full) != S("checksum"))
            throw new InvalidDataException($"'{full}' is corrupt: its content does not match the checksum recorded when it was written.");
    }
}
