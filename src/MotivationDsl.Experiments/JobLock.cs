using System.Diagnostics;

namespace MotivationDsl.Experiments;

/// <summary>
/// A job's lock file (<c>runs/&lt;job&gt;.lock</c>, holding the owner's process id and host name), so that several
/// runner processes can share one work folder: each runs the jobs nobody else holds. A lock left by a process of this
/// host that no longer exists is taken over; a lock from another host is respected (delete it by hand if that
/// process is gone).
/// </summary>
public sealed class JobLock : IDisposable
{
    private readonly string _path;
    private bool _released;

    private JobLock(string path) => _path = path;

    /// <summary>The lock, or null when a live process holds it.</summary>
    public static JobLock? TryAcquire(string path)
    {
        for (var attempt = 0; attempt < 2; attempt++)
        {
            try
            {
                using (var fs = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
                using (var w = new StreamWriter(fs))
                    w.Write($"{Environment.ProcessId} {Environment.MachineName}");
                return new JobLock(path);
            }
            catch (IOException) when (File.Exists(path))
            {
                if (HolderAlive(path)) return null;
                try { File.Delete(path); } catch (IOException) { return null; }
            }
        }
        return null;
    }

    /// <summary>True unless the file names a process of this host that has exited (or cannot be read as a lock).</summary>
    public static bool HolderAlive(string path)
    {
        string text;
        try { text = File.ReadAllText(path).Trim(); } catch (FileNotFoundException) { return false; }
        var parts = text.Split(' ', 2);
        if (parts.Length != 2 || !int.TryParse(parts[0], out var pid)) return false;
        if (parts[1] != Environment.MachineName) return true;
        if (pid == Environment.ProcessId) return true;
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException) { return false; }
    }

    public void Dispose()
    {
        if (_released) return;
        _released = true;
        try { File.Delete(_path); } catch (IOException) { }
    }
}
