using System.Text;

namespace MotivationDsl.Reporting;

/// <summary>
/// Atomic file writes: the content goes to a temporary file in the target's folder, which is flushed and then
/// renamed over the target. A crash leaves either the old file or the new one, never a half-written one
/// (at worst a stray ".*.tmp" file, which readers ignore).
/// </summary>
public static class AtomicFile
{
    /// <summary>Runs <paramref name="write"/> on a temporary path next to <paramref name="path"/>, then renames it into place.</summary>
    public static void Write(string path, Action<string> write)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        var tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            write(tmp);
            if (!File.Exists(tmp)) throw new IOException($"Writing {path}: the writer produced no file.");
            using (var fs = new FileStream(tmp, FileMode.Open, FileAccess.ReadWrite)) fs.Flush(flushToDisk: true);
            File.Move(tmp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }

    /// <summary>Writes to a stream that becomes <paramref name="path"/> only when <paramref name="write"/> returns.</summary>
    public static void WriteStream(string path, Action<Stream> write)
        => Write(path, tmp =>
        {
            using var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write);
            write(fs);
            fs.Flush(flushToDisk: true);
        });

    public static void WriteAllText(string path, string text)
        => WriteStream(path, s => s.Write(new UTF8Encoding(false).GetBytes(text)));
}
