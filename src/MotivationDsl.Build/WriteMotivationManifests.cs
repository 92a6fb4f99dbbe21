using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace MotivationDsl.Build;

/// <summary>
/// Writes <c>&lt;Name&gt;.motivation.json</c> for every <c>[assembly: MotivationDsl.GeneratedScalableModel(...)]</c>
/// found in the metadata of the compiled <see cref="Assembly"/> (<c>&lt;Namespace.Name&gt;.motivation.json</c> for models
/// whose names are shared by another model of the assembly: see <see cref="FileStems"/>). Each file is written to a temporary file in the
/// same folder and renamed over the target, so readers never see half a manifest. A file whose content is already
/// the manifest is left untouched (its timestamp too).
/// </summary>
/// <remarks>Error codes: MOTB010..MOTB015 (docs/msbuild.md).</remarks>
public sealed class WriteMotivationManifests : Task
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>The compiled assembly (usually <c>@(IntermediateAssembly)</c>).</summary>
    [Required]
    public ITaskItem Assembly { get; set; } = null!;

    /// <summary>The folder the manifests are written to (created when missing).</summary>
    [Required]
    public string OutputDirectory { get; set; } = "";

    /// <summary>Full paths of the manifests of this assembly (written or already up to date).</summary>
    [Output]
    public ITaskItem[] Manifests { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>The generator states the manifest packed; the file has one map entry per base tensor.</summary>
    private static bool TryExpand(ref string json, out string? error)
    {
        try
        {
            json = ManifestPacking.Expand(json);
            error = "";
            return true;
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException or JsonException)
        {
            error = "its packed map cannot be expanded: " + e.Message;
            return false;
        }
    }

    public override bool Execute()
    {
        var assemblyPath = Assembly.GetMetadata("FullPath");
        if (string.IsNullOrEmpty(assemblyPath)) assemblyPath = Assembly.ItemSpec;

        IReadOnlyList<ModelManifest> models;
        try
        {
            models = ModelManifestReader.Read(assemblyPath);
        }
        catch (InvalidDataException e)
        {
            Log.LogError(null, "MOTB011", null, assemblyPath, 0, 0, 0, 0,
                $"MotivationDsl could not read the scalable models of {assemblyPath}: {e.Message}");
            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.LogError(null, "MOTB010", null, assemblyPath, 0, 0, 0, 0,
                $"MotivationDsl could not read the compiled assembly {assemblyPath}: {e.Message}");
            return false;
        }

        var outputDirectory = Path.GetFullPath(string.IsNullOrEmpty(OutputDirectory) ? "." : OutputDirectory);
        var written = new List<ITaskItem>();
        var seen = new Dictionary<string, ModelManifest>(StringComparer.OrdinalIgnoreCase);
        foreach (var (model, fileStem) in FileStems(models))
        {
            var name = model.Name ?? "";
            if (!IsValidName(fileStem, out var why))
            {
                Log.LogError(null, "MOTB012", null, assemblyPath, 0, 0, 0, 0,
                    $"MotivationDsl: the scalable model {model.ModelType} has the name '{fileStem}', which cannot name a manifest file: {why}.");
                continue;
            }
            if (seen.TryGetValue(fileStem, out var first))
            {
                Log.LogError(null, "MOTB015", null, assemblyPath, 0, 0, 0, 0,
                    $"MotivationDsl: the scalable models {first.ModelType} and {model.ModelType} would both be written to {fileStem}.motivation.json " +
                    "(manifest names are compared ignoring case; models that share a name are named by their full type name). Rename one of them.");
                continue;
            }
            seen.Add(fileStem, model);

            var path = Path.Combine(outputDirectory, fileStem + ".motivation.json");
            var json = model.ManifestJson ?? "";
            if (!IsWellFormedJson(json, out var jsonError) || !TryExpand(ref json, out jsonError))
            {
                Log.LogError(null, "MOTB013", null, path, 0, 0, 0, 0,
                    $"MotivationDsl: the manifest of the scalable model {model.ModelType} is not well-formed JSON ({jsonError}); {path} was not written.");
                continue;
            }

            try
            {
                if (WriteAtomically(path, Utf8NoBom.GetBytes(json)))
                    Log.LogMessage(MessageImportance.Normal, $"MotivationDsl: wrote {path}");
                else
                    Log.LogMessage(MessageImportance.Low, $"MotivationDsl: {path} is up to date");
                var item = new TaskItem(path);
                item.SetMetadata("ModelName", name);
                item.SetMetadata("ModelType", model.ModelType ?? "");
                written.Add(item);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or System.Security.SecurityException)
            {
                Log.LogError(null, "MOTB014", null, path, 0, 0, 0, 0,
                    $"MotivationDsl could not write the manifest {path}: {e.Message}");
            }
        }

        Manifests = written.ToArray();
        return !Log.HasLoggedErrors;
    }

    /// <summary>
    /// The file name (without <c>.motivation.json</c>) of each model: its name, unless another model of the assembly has
    /// the same name (ignoring case, as file systems on Windows and macOS do); then each of those is named by its full
    /// type name (namespace, containing types joined by <c>+</c>), e.g. <c>Vision.Net</c> and <c>Audio.Net</c>.
    /// </summary>
    internal static IEnumerable<(ModelManifest Model, string FileStem)> FileStems(IReadOnlyList<ModelManifest> models)
    {
        var sharedNames = new HashSet<string>(
            models.GroupBy(m => m.Name ?? "", StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => g.Key),
            StringComparer.OrdinalIgnoreCase);
        foreach (var model in models)
        {
            var name = model.Name ?? "";
            yield return (model, sharedNames.Contains(name) && FullTypeName(model.ModelType) is { Length: > 0 } full ? full : name);
        }
    }

    /// <summary>A serialized type name without its assembly qualification (the first comma outside generic brackets).</summary>
    internal static string FullTypeName(string? serializedType)
    {
        if (serializedType is null) return "";
        var depth = 0;
        for (var i = 0; i < serializedType.Length; i++)
        {
            switch (serializedType[i])
            {
                case '[': depth++; break;
                case ']': depth--; break;
                case ',' when depth == 0: return serializedType.Substring(0, i).Trim();
            }
        }
        return serializedType.Trim();
    }

    /// <summary>Whether <paramref name="json"/> is one well-formed JSON value (RFC 8259; no comments, no trailing commas).</summary>
    public static bool IsWellFormedJson(string json, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(json))
        {
            error = "it is empty";
            return false;
        }
        try
        {
            using var _ = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
            return true;
        }
        catch (JsonException e)
        {
            error = e.Message;
            return false;
        }
    }

    private static bool IsValidName(string name, out string why)
    {
        why = "";
        if (name.Trim().Length == 0) { why = "it is empty"; return false; }
        if (name == "." || name == "..") { why = "it is a relative folder name"; return false; }
        var bad = name.IndexOfAny(Path.GetInvalidFileNameChars().Concat(new[] { '/', '\\', ':', '*', '?', '"', '<', '>', '|' }).ToArray());
        if (bad >= 0) { why = $"it contains the character '{name[bad]}', which is not allowed in file names"; return false; }
        if (name.Any(char.IsControl)) { why = "it contains a control character"; return false; }
        return true;
    }

    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/> through a temporary file and a rename. False when the file already had that content.</summary>
    internal static bool WriteAtomically(string path, byte[] content)
    {
        if (Directory.Exists(path))
            throw new IOException("a directory with that name is in the way");
        var directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);
        if (File.Exists(path))
        {
            var existing = File.ReadAllBytes(path);
            if (existing.Length == content.Length && existing.SequenceEqual(content)) return false;
        }

        var temp = Path.Combine(directory, "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                // No fsync: a manifest is a build output the next build rewrites, and the rename alone already keeps
                // readers from seeing half a file (an fsync per manifest made every rebuild wait on the disk per model).
                stream.Write(content, 0, content.Length);
            }
            if (File.Exists(path))
                File.Replace(temp, path, destinationBackupFileName: null, ignoreMetadataErrors: true);
            else
                File.Move(temp, path);
            return true;
        }
        finally
        {
            try { if (File.Exists(temp)) File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
