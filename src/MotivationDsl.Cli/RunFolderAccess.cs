using MotivationDsl.Reporting;

namespace MotivationDsl.Cli;

/// <summary>
/// The run folder of a <c>train</c>, opened for writing: created if needed (an --out that is a file, lies under a
/// file or cannot be created or written is one <c>error:</c> line), locked against a second writer
/// (<see cref="RunLock"/>), and cleaned of the temporary files of writes that a kill interrupted.
/// </summary>
internal sealed class RunFolderAccess : IDisposable
{
    private readonly RunLock _lock;

    private RunFolderAccess(RunFolder run, RunLock runLock)
    {
        Run = run;
        _lock = runLock;
    }

    public RunFolder Run { get; }

    /// <param name="outDir">--out, or null/empty for a new folder made by <paramref name="createDefault"/>.</param>
    public static RunFolderAccess Open(string? outDir, Func<string> createDefault, CliOutput output)
    {
        var given = !string.IsNullOrEmpty(outDir);
        var existed = given && Directory.Exists(outDir);
        string path;
        try { path = given ? Directory.CreateDirectory(outDir!).FullName : createDefault(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"Cannot create the run folder --out '{outDir ?? "runs/"}': {e.Message.ReplaceLineEndings(" ")}");
        }
        RunLock runLock;
        try { runLock = RunLock.Acquire(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (!existed) TryRemoveEmpty(path);
            throw new CliException($"Cannot write to the run folder --out '{outDir ?? path}': {e.Message.ReplaceLineEndings(" ")}");
        }
        catch (CliException)
        {
            if (!existed) TryRemoveEmpty(path);
            throw;
        }
        if (runLock.TookOverStale is { } stale)
            output.Warning($"took over the stale lock of '{path}' (\"{stale}\": that process no longer runs).");
        var removed = new[] { path, RunModels.CheckpointDir(path), Path.Combine(path, "models") }.SelectMany(AtomicFile.RemoveLeftovers).ToList();
        if (removed.Count > 0)
            output.Line($"Removed {removed.Count} temporary file(s) left by an interrupted write: {string.Join(", ", removed.Select(Path.GetFileName))}");
        return new RunFolderAccess(new RunFolder(path), runLock);
    }

    private static void TryRemoveEmpty(string path)
    {
        try { if (Directory.Exists(path) && !Directory.EnumerateFileSystemEntries(path).Any()) Directory.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    public void Dispose() => _lock.Dispose();
}
