using MotivationDsl.Training.Checkpoints;

namespace MotivationDsl.Training;

/// <summary>
/// Writes a checkpoint at the end of every <see cref="EveryEpochs"/>-th epoch (and always the last epoch of a fit)
/// to <c>{Directory}/{Prefix}-{epoch:D4}.mdckpt</c> (epoch counted from 1), keeping the newest <see cref="KeepLast"/>.
/// In a data-parallel run only rank 0 writes, and the ranks wait for it at every epoch-end checkpoint: give every rank this callback.
/// </summary>
public sealed class CheckpointCallback(string directory, int keepLast = 3, int everyEpochs = 1, string prefix = "epoch") : TrainerCallback
{
    public const string Extension = ".mdckpt";

    public string Directory { get; } = directory;
    public int KeepLast { get; } = keepLast >= 1 ? keepLast : throw new ArgumentOutOfRangeException(nameof(keepLast));
    public int EveryEpochs { get; } = Math.Max(1, everyEpochs);
    public string Prefix { get; } = prefix;
    public string? LastWritten { get; private set; }

    public override void OnEpochEnd(MotivationTrainer trainer, EpochMetrics metrics)
    {
        if ((metrics.Epoch + 1) % EveryEpochs != 0 && !trainer.StopRequested) return;
        Write(trainer, metrics.Epoch + 1);
        // Data-parallel: no rank starts the next epoch before the checkpoint is on disk, so a rank that fails later
        // always leaves this checkpoint behind. (Every rank must have this callback.)
        trainer.Options.Communicator?.Barrier();
    }

    public override void OnFitEnd(MotivationTrainer trainer, FitReport report)
    {
        var path = PathFor(trainer.CompletedEpochs);
        if (trainer.CompletedEpochs > 0 && !File.Exists(path)) Write(trainer, trainer.CompletedEpochs);
    }

    private void Write(MotivationTrainer trainer, int epochNumber)
    {
        // Data-parallel: every rank holds the same state; rank 0 alone writes (the others would race on the same files).
        if (!trainer.IsPrimaryRank) return;
        var path = PathFor(epochNumber);
        TrainerCheckpoint.Save(trainer, path);
        LastWritten = path;
        foreach (var old in List(Directory, Prefix).SkipLast(KeepLast)) File.Delete(old);
    }

    public string PathFor(int epochNumber) => Path.Combine(Directory, $"{Prefix}-{epochNumber:D4}{Extension}");

    /// <summary>Checkpoints in <paramref name="directory"/> written with <paramref name="prefix"/>, oldest first.</summary>
    public static IReadOnlyList<string> List(string directory, string prefix = "epoch") =>
        System.IO.Directory.Exists(directory)
            ? System.IO.Directory.GetFiles(directory, $"{prefix}-*{Extension}").Order(StringComparer.Ordinal).ToArray()
            : [];

    /// <summary>
    /// The newest checkpoint in <paramref name="directory"/> that opens and passes its checksums, and the newer ones
    /// skipped as unreadable (path and reason), newest first. <c>Path</c> is null when no checkpoint is intact.
    /// </summary>
    public static (string? Path, IReadOnlyList<(string Path, string Reason)> Skipped) LatestIntact(string directory, string prefix = "epoch")
    {
        var skipped = new List<(string, string)>();
        foreach (var path in List(directory, prefix).Reverse())
        {
            try
            {
                using var _ = CheckpointFile.Open(path);
                return (path, skipped);
            }
            catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                skipped.Add((path, e.Message));
            }
        }
        return (null, skipped);
    }

    /// <summary>The newest checkpoint in <paramref name="directory"/>, or null.</summary>
    public static string? Latest(string directory, string prefix = "epoch") => List(directory, prefix).LastOrDefault();
}
