using System.Diagnostics;
using MotivationDsl.Tests.Shared;

namespace MotivationDsl.Cli.Tests;

/// <summary>
/// Issue 10 §3, with a real kill: `train` runs as a child process (<see cref="TestHost"/>), is killed with SIGKILL in the
/// middle of an epoch whose steps already reached the TensorBoard event file, and is resumed. TensorBoard must then show
/// every step once, with the resumed run's values (the resumed invocation's restart marker hides the killed one's steps
/// past its checkpoint), and the stale lock of the killed process is taken over.
/// </summary>
public sealed class KillTests : IDisposable
{
    // 1,000 images at batch 2: 500 steps per epoch, more than the event file's 64 KB write buffer holds (about 420 steps
    // of three scalars), so steps past the first checkpoint reach the file before the second, as in a long real epoch.
    private const int StepsPerEpoch = 500;
    private const int Epochs = 2;
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(4);

    private readonly string _root = Cli.TempDir();

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static string[] Train(string dir) =>
    [
        "train", "--model", "TinyFashion", "--data", "sample", "--train-limit", "1000", "--test-limit", "64",
        "--batch-size", "2", "--epochs", Epochs.ToString(), "--threads", "1", "--seed", "7", "--lr", "0.02", "--out", dir,
    ];

    [Fact]
    public void After_SIGKILL_mid_epoch_and_resume_TensorBoard_shows_every_step_once_with_the_resumed_values()
    {
        var dir = Path.Combine(_root, "run");
        var (checkpointed, logged) = KillPastACheckpoint(dir);
        Assert.True(File.Exists(Path.Combine(dir, RunLock.FileName)), "the killed process left no lock: it was not killed mid-run");
        Assert.False(Directory.Exists(Path.Combine(dir, "models")));
        var firstFile = Assert.Single(Directory.GetFiles(Path.Combine(dir, "tensorboard")));

        var (exit, output) = Cli.Run("train", "--out", dir, "--resume", "--threads", "1");
        Assert.True(exit == 0, output);
        Assert.Contains("warning: took over the stale lock", output);
        Assert.Contains($"Resume: epoch-{checkpointed / StepsPerEpoch:D4}.mdckpt", output);

        var tensorboard = Path.Combine(dir, "tensorboard");
        var files = Directory.GetFiles(tensorboard).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(2, files.Length);
        Assert.Equal(firstFile, files[0]);
        var seen = TensorBoardEvents.Read(tensorboard);
        var loss = seen.Where(s => s.Tag == "train/loss").ToList();
        Assert.Equal(Enumerable.Range(0, Epochs * StepsPerEpoch).Select(i => (long)i), loss.Select(s => s.Step));
        var steps = RunOutputsCallback.ReadSteps(Path.Combine(dir, "steps.csv"));
        Assert.Equal(steps.Select(s => (float)s.Loss), loss.Select(s => s.Value));
        var epochEnds = Enumerable.Range(1, Epochs).Select(e => (long)e * StepsPerEpoch - 1);
        foreach (var tag in new[] { "epoch/accuracy_base", "epoch/loss_motivated", "epoch/learning_rate" })
            Assert.Equal(epochEnds, seen.Where(s => s.Tag == tag).Select(s => s.Step));
        // The killed invocation's steps past its checkpoint are still in its file; only the restart marker hides them.
        var raw = TensorBoardEvents.Read(tensorboard, purge: false).Count(s => s.Tag == "train/loss");
        Assert.Equal(Epochs * StepsPerEpoch + (logged - checkpointed), raw);
    }

    /// <summary>
    /// Starts the run and SIGKILLs it as soon as its event file holds steps past its newest checkpoint; returns the steps
    /// checkpointed and logged at the kill. The kill can race the next checkpoint (then nothing past it is logged): such
    /// an attempt starts over in a fresh folder, at most three times.
    /// </summary>
    private (long Checkpointed, long Logged) KillPastACheckpoint(string dir)
    {
        for (var attempt = 1; ; attempt++)
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
            using var child = TestHost.StartCli(Train(dir));
            var stdout = child.StandardOutput.ReadToEndAsync();
            var stderr = child.StandardError.ReadToEndAsync();
            var clock = Stopwatch.StartNew();
            while (!(Checkpointed(dir) is var c && c > 0 && Logged(dir) > c))
            {
                if (child.HasExited)
                    Assert.Fail($"the run ended (exit {child.ExitCode}) before it could be killed past a checkpoint:\n{stdout.Result}\n{stderr.Result}");
                if (clock.Elapsed > Limit)
                {
                    child.Kill(entireProcessTree: true);
                    Assert.Fail($"no step past a checkpoint reached the event file within {Limit.TotalMinutes} minutes");
                }
                Thread.Sleep(10);
            }
            child.Kill();   // SIGKILL on Unix: no handler, no finally, no flush runs
            child.WaitForExit();
            var (checkpointed, logged) = (Checkpointed(dir), Logged(dir));
            if (logged > checkpointed && checkpointed < Epochs * StepsPerEpoch) return (checkpointed, logged);
            Assert.True(attempt < 3, $"three kills raced a checkpoint (checkpointed {checkpointed}, logged {logged})");
        }
    }

    /// <summary>Steps covered by the newest checkpoint written (0 if none).</summary>
    private static long Checkpointed(string dir)
    {
        var checkpoints = Path.Combine(dir, "checkpoints");
        if (!Directory.Exists(checkpoints)) return 0;
        return Directory.GetFiles(checkpoints, "epoch-*.mdckpt")
            .Select(f => long.Parse(Path.GetFileNameWithoutExtension(f)["epoch-".Length..]) * StepsPerEpoch)
            .DefaultIfEmpty(0).Max();
    }

    /// <summary>Training steps in the event file so far (a torn last record is ignored, as TensorBoard does).</summary>
    private static long Logged(string dir)
    {
        var tensorboard = Path.Combine(dir, "tensorboard");
        if (!Directory.Exists(tensorboard)) return 0;
        return TensorBoardEvents.Read(tensorboard, purge: false).Count(s => s.Tag == "train/loss");
    }
}
