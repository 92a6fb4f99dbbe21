using System.Runtime.InteropServices;
using System.Text;

namespace MotivationDsl;

/// <summary>
/// Durable atomic file writes, the one way every MotivationDsl library writes a file: the content goes to a
/// temporary file <c>.{name}.{guid}.tmp</c> in the target's folder, which is flushed to disk (fsync), renamed over the
/// target, and then the folder itself is flushed (fsync of the directory, on Linux and macOS) so the rename survives a
/// power loss. A crash leaves the old file or the new one, never a half-written one; at worst a stray <c>.*.tmp</c>
/// file, which <see cref="RemoveLeftovers"/> deletes.
/// </summary>
public static class AtomicFile
{
    /// <summary>The pattern of the temporary files (for clean-up of writes killed half-way).</summary>
    public const string TemporaryPattern = ".*.tmp";

    /// <summary>
    /// Test seam (fault injection): called with the target path after the temporary file is complete and before it is
    /// renamed into place; throwing (e.g. an <see cref="IOException"/> "No space left on device") fails the write
    /// exactly as a full disk does: the temporary file is removed and the target keeps its old content.
    /// </summary>
    internal static Action<string>? BeforeCommit;

    /// <summary>Runs <paramref name="write"/> on a temporary path next to <paramref name="path"/>, then moves it into place durably.</summary>
    public static void Write(string path, Action<string> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full)) throw new IOException($"Cannot write '{full}': it is a directory.");
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        var tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            write(tmp);
            if (!File.Exists(tmp)) throw new IOException($"Writing '{full}': the writer produced no file.");
            using (var fs = new FileStream(tmp, FileMode.Open, FileAccess.ReadWrite)) fs.Flush(flushToDisk: true);
            BeforeCommit?.Invoke(full);
            File.Move(tmp, full, overwrite: true);
            FlushDirectory(dir);
        }
        finally
        {
            try { if (File.Exists(tmp)) File.Delete(tmp); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>Writes to a stream that becomes <paramref name="path"/> only when <paramref name="write"/> returns.</summary>
    public static void WriteStream(string path, Action<Stream> write)
        => Write(path, tmp =>
        {
            using var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
            write(fs);
            fs.Flush(flushToDisk: true);
        });

    public static void WriteAllText(string path, string text)
        => WriteStream(path, s => s.Write(new UTF8Encoding(false).GetBytes(text)));

    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        var copy = bytes.ToArray();
        WriteStream(path, s => s.Write(copy));
    }

    /// <summary>
    /// Deletes the temporary files of writes that were killed before their rename (<c>.*.tmp</c> directly in
    /// <paramref name="directory"/>). Only call it while no other process writes there (e.g. holding the run's lock).
    /// </summary>
    /// <returns>The deleted files.</returns>
    public static IReadOnlyList<string> RemoveLeftovers(string directory)
    {
        if (!Directory.Exists(directory)) return [];
        var removed = new List<string>();
        foreach (var file in Directory.GetFiles(directory, TemporaryPattern))
        {
            try { File.Delete(file); removed.Add(file); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return removed;
    }

    /// <summary>fsync of a directory, so a rename in it is durable; a no-op where directories cannot be opened (Windows).</summary>
    public static void FlushDirectory(string directory)
    {
        if (!(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())) return;
        try
        {
            var fd = Posix.open(directory, 0 /* O_RDONLY */);
            if (fd < 0) return; // e.g. no read permission on the folder: the rename itself already happened
            try { Posix.fsync(fd); }
            finally { Posix.close(fd); }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // A libc without these entry points: the file itself was flushed; only the rename's durability is weaker.
        }
    }

    private static class Posix
    {
        [DllImport("libc", SetLastError = true)]
        public static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

        [DllImport("libc", SetLastError = true)]
        public static extern int fsync(int fd);

        [DllImport("libc", SetLastError = true)]
        public static extern int close(int fd);
    }
}
