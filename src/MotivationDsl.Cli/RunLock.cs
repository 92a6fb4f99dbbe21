using System.Diagnostics;
using System.Globalization;

namespace MotivationDsl.Cli;

/// <summary>
/// The writer's lock of a run folder: <c>{run}/.lock</c> holds "pid start-time-ticks host" of the <c>train</c> that
/// writes the folder, created exclusively (O_EXCL), deleted when the run ends. A second <c>train</c> on the same folder
/// is refused while that process lives; a lock whose process is gone (killed, crashed) or whose pid now belongs to
/// another process (different start time) is stale and taken over.
/// </summary>
internal sealed class RunLock : IDisposable
{
    public const string FileName = ".lock";
    private readonly string _path;
    private bool _released;

    private RunLock(string path) => _path = path;

    /// <summary>The stale lock that was taken over (its content), or null.</summary>
    public string? TookOverStale { get; private init; }

    /// <summary>Takes the lock of <paramref name="runDir"/> (which must exist) or throws <see cref="CliException"/>.</summary>
    public static RunLock Acquire(string runDir)
    {
        var path = Path.Combine(runDir, FileName);
        using var me = Process.GetCurrentProcess();
        var content = $"{Environment.ProcessId} {me.StartTime.ToUniversalTime().Ticks.ToString(CultureInfo.InvariantCulture)} {Environment.MachineName}\n";
        string? stale = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                using (var fs = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read))
                using (var w = new StreamWriter(fs)) w.Write(content);
                return new RunLock(path) { TookOverStale = stale };
            }
            catch (IOException) when (File.Exists(path))
            {
                string held;
                try { held = File.ReadAllText(path).Trim(); }
                catch (FileNotFoundException) { continue; }
                if (IsAlive(held, out var pid))
                    throw new CliException($"'{runDir}' is in use by another train (process {pid}, lock file '{path}'): wait for it to finish, or choose another --out.");
                stale = held;
                try { File.Delete(path); } catch (FileNotFoundException) { }
            }
        }
        throw new CliException($"Cannot take the lock '{path}': it keeps changing (another train is starting on this folder).");
    }

    /// <summary>Whether the lock's process still runs (same pid and start time on this host).</summary>
    private static bool IsAlive(string held, out int pid)
    {
        var parts = held.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        pid = 0;
        if (parts.Length < 2 || !int.TryParse(parts[0], CultureInfo.InvariantCulture, out pid) ||
            !long.TryParse(parts[1], CultureInfo.InvariantCulture, out var ticks)) return false;   // unreadable: stale
        if (parts.Length >= 3 && parts[2] != Environment.MachineName) return true;   // another host: cannot tell, assume alive
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited && p.StartTime.ToUniversalTime().Ticks == ticks;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    public void Dispose()
    {
        if (_released) return;
        _released = true;
        try { File.Delete(_path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
