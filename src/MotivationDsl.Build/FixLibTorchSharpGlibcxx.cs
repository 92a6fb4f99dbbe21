using System;
using System.IO;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace MotivationDsl.Build;

/// <summary>
/// Makes the build output's copy of TorchSharp's native library loadable on hosts whose libstdc++ lacks the
/// GLIBCXX version it asks for (see <see cref="ElfVersionNeedPatcher"/>). Does nothing where the host has that
/// version or is not Linux. Writes a new file and renames it over the old one, so a hard link into the NuGet
/// cache is replaced, never written through.
/// </summary>
public sealed class FixLibTorchSharpGlibcxx : Task
{
    /// <summary>Copies of libLibTorchSharp.so in the output folder.</summary>
    [Required]
    public ITaskItem[] Libraries { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>The version the library asks for that the host may lack.</summary>
    public string NeededVersion { get; set; } = "GLIBCXX_3.4.32";

    /// <summary>The version to require instead; the host must define it.</summary>
    public string ReplacementVersion { get; set; } = "GLIBCXX_3.4.30";

    /// <summary>The host's libstdc++.so.6; found in the usual folders when empty.</summary>
    public string? HostLibrary { get; set; }

    [Output]
    public ITaskItem[] Patched { get; set; } = Array.Empty<ITaskItem>();

    public override bool Execute()
    {
        var host = string.IsNullOrEmpty(HostLibrary) ? HostLibStdCxx.Find() : HostLibrary;
        if (host is null || !File.Exists(host))
        {
            Log.LogMessage(MessageImportance.Low, "MotivationDsl: no host libstdc++.so.6 found; TorchSharp's native library is left as it is.");
            return true;
        }
        if (HostLibStdCxx.Defines(host, NeededVersion))
        {
            Log.LogMessage(MessageImportance.Low, $"MotivationDsl: {host} defines {NeededVersion}; nothing to fix.");
            return true;
        }
        if (!HostLibStdCxx.Defines(host, ReplacementVersion))
        {
            Log.LogWarning(null, "MOTB001", null, null, 0, 0, 0, 0,
                $"MotivationDsl: {host} defines neither {NeededVersion} nor {ReplacementVersion}; TorchSharp's native library will not load on this host.");
            return true;
        }

        var patched = new System.Collections.Generic.List<ITaskItem>();
        foreach (var item in Libraries)
        {
            var path = item.GetMetadata("FullPath");
            if (!File.Exists(path)) continue;
            try
            {
                var result = ElfVersionNeedPatcher.Patch(File.ReadAllBytes(path), NeededVersion, ReplacementVersion);
                if (result is null) continue;
                var temp = path + ".motivationdsl.tmp";
                File.WriteAllBytes(temp, result);
                // Same size and time as the package's copy: the next build's Copy (SkipUnchangedFiles) leaves the fixed
                // file alone instead of linking the original again and this task patching it again.
                File.SetLastWriteTimeUtc(temp, File.GetLastWriteTimeUtc(path));
                // rename(2): replaces the directory entry, so a hard link's other names keep the original bytes.
                File.Replace(temp, path, destinationBackupFileName: null);
                patched.Add(item);
                Log.LogMessage(MessageImportance.Normal,
                    $"MotivationDsl: {path} now requires {ReplacementVersion} instead of {NeededVersion} (host libstdc++ lacks it).");
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                Log.LogError(null, "MOTB002", null, path, 0, 0, 0, 0,
                    $"MotivationDsl could not make {path} loadable on this host: {e.Message}");
            }
        }
        Patched = patched.ToArray();
        return !Log.HasLoggedErrors;
    }
}
