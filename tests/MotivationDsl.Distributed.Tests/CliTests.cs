namespace MotivationDsl.Distributed.Tests;

/// <summary>The CLI's train command under mpirun (this assembly's Worker runs the CLI on its models).</summary>
public sealed class CliTests
{
    [MpiFact]
    public void TrainUnderMpirunPrintsOnceStatesTheWorldAndOnlyRankZeroWrites()
    {
        var dir = Mpi.TempDir();
        var run = Mpi.Run(2, "cli", "train", "--model", "MpiFashion", "--data", "sample", "--train-limit", "128", "--test-limit", "64",
            "--batch-size", "32", "--epochs", "1", "--threads", "1", "--seed", "7", "--lr", "0.05", "--out", dir);
        Assert.True(run.Exit == 0, run.Stdout + run.Stderr);
        Assert.Single(Occurrences(run.Stdout, "Model:  "));
        Assert.Single(Occurrences(run.Stdout, "Results"));
        Assert.Contains("2 ranks (Open MPI", run.Stdout);
        Assert.Contains("16 samples of each batch per rank", run.Stdout);
        Assert.True(File.Exists(Path.Combine(dir, "report.json")));
        Assert.Single(Directory.GetFiles(Path.Combine(dir, "checkpoints")));

        // Resuming it in one process is refused with the reason (exit 2, no stack trace).
        var single = Mpi.Run(0, "cli", "train", "--out", dir, "--resume", "--epochs", "2");
        Assert.Equal(2, single.Exit);
        Assert.Contains("error: Cannot resume from", single.Stdout);
        Assert.Contains("data-parallel run of 2 rank(s); this run has 1", single.Stdout);
        Assert.DoesNotContain("   at ", single.Stdout + single.Stderr);
    }

    private static IEnumerable<int> Occurrences(string text, string what)
    {
        for (var i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + 1, StringComparison.Ordinal)) yield return i;
    }
}
