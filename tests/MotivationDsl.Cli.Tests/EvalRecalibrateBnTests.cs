using System.Security.Cryptography;
using System.Text.RegularExpressions;
using MotivationDsl.Reporting;

namespace MotivationDsl.Cli.Tests;

/// <summary><c>eval --recalibrate-bn N</c>: both models evaluated as trained and with BatchNorm statistics re-estimated on training batches.</summary>
public sealed class EvalRecalibrateBnTests(TrainedRun run) : IClassFixture<TrainedRun>
{
    [Fact]
    public void ReestimatesBothModelsAndLeavesTheRunFolderUnchanged()
    {
        Assert.True(run.Exit == 0, run.Output);
        var before = FolderHash(run.Dir);
        var (exit, output) = Cli.Run("eval", "--run", run.Dir, "--threads", "1", "--recalibrate-bn", "3");
        Assert.True(exit == 0, output);
        // TinyFashion: bn1 + 2 per basic block; Small has 1 + 2 blocks, Large 2 + 3.
        Assert.Contains("BatchNorm: running statistics re-estimated on the first 3 training batches of 32 (seed 7): base 7 BatchNorm layers, motivated 11 BatchNorm layers; the run folder is unchanged.", output);
        var report = new RunFolder(run.Dir).ReadReport();
        Assert.Matches($@"(?m)^base\s+Small\s+as trained\s+{Regex.Escape(Formatting.Percent(report.Final!.Base.Accuracy!.Value))}\s", output);
        Assert.Matches($@"(?m)^motivated\s+Large\s+as trained\s+{Regex.Escape(Formatting.Percent(report.Final.Motivated.Accuracy!.Value))}\s", output);
        foreach (var (role, variant) in new[] { ("base", "Small"), ("motivated", "Large") })
        {
            var asTrained = Row(output, role, variant, "as trained");
            var reestimated = Row(output, role, variant, "re-estimated");
            Assert.Equal(asTrained[^1], reestimated[^1]);           // the same 128 test images
            Assert.NotEqual(asTrained[^2], reestimated[^2]);        // other statistics, another test loss
        }
        Assert.Equal(before, FolderHash(run.Dir));
    }

    [Fact]
    public void MoreBatchesThanTheDataHasUsesAllOfThemWithAWarning()
    {
        var (exit, all) = Cli.Run("eval", "--run", run.Dir, "--threads", "1", "--recalibrate-bn", "8");   // 256 images / 32
        Assert.True(exit == 0, all);
        Assert.DoesNotContain("warning:", all);
        var (exitMore, more) = Cli.Run("eval", "--run", run.Dir, "--threads", "1", "--recalibrate-bn", "1000");
        Assert.True(exitMore == 0, more);
        Assert.Contains("warning: --recalibrate-bn 1000: the training data has only 8 batches of 32; the statistics are re-estimated on all of them.", more);
        Assert.Contains("re-estimated on the first 8 training batches", more);
        foreach (var (role, variant) in new[] { ("base", "Small"), ("motivated", "Large") })
            Assert.Equal(Row(all, role, variant, "re-estimated"), Row(more, role, variant, "re-estimated"));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-2")]
    public void ANumberOfBatchesBelowOneIsAnError(string batches)
    {
        var (exit, output) = Cli.Run("eval", "--run", run.Dir, "--recalibrate-bn", batches);
        Assert.Equal(2, exit);
        Assert.Equal($"error: --recalibrate-bn {batches}: the number of training batches to re-estimate BatchNorm statistics on must be at least 1.", output.Trim());
    }

    [Fact]
    public void ANonNumberIsAnError()
    {
        var (exit, output) = Cli.Run("eval", "--run", run.Dir, "--recalibrate-bn", "all");
        Assert.Equal(2, exit);
        Assert.StartsWith("error: ", output);
        Assert.Contains("all", output);
        Assert.DoesNotContain("   at ", output);
    }

    private static string[] Row(string output, string role, string variant, string statistics)
    {
        var line = Assert.Single(output.Split('\n'), l => Regex.IsMatch(l, $@"^{role}\s+{variant}\s+{statistics}\s"));
        return Regex.Split(line.Trim(), @"\s{2,}");
    }

    private static string FolderHash(string dir) => string.Join("\n",
        Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(f => $"{Path.GetRelativePath(dir, f)} {Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)))}"));
}
