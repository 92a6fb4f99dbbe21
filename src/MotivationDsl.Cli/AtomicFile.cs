namespace MotivationDsl.Cli;

internal static class AtomicFile
{
    /// <summary>Writes to a temporary file in the same folder, then renames it over <paramref name="path"/>.</summary>
    public static void WriteAllText(string path, string text)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (Directory.Exists(path)) throw new CliException($"Cannot write '{path}': it is a directory.");
        Directory.CreateDirectory(folder);
        var temp = Path.Combine(folder, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        try
        {
            File.WriteAllText(temp, text);
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            File.Delete(temp);
            throw new CliException($"Cannot write '{path}': {e.Message}");
        }
    }
}
