namespace MotivationDsl.Experiments.Tests;

public sealed class ExperimentCliTests
{
    private static readonly ScalableModelDefinition[] Defs = [TinyNet.Definition, TinyNetGrowing.Definition, TinyNetFirstRandom.Definition, TinyNetLastIdentity.Definition];

    private static (int Code, string Err, string Out) Run(params string[] args)
    {
        var (error, output) = (Console.Error, Console.Out);
        var err = new StringWriter();
        var @out = new StringWriter();
        Console.SetError(err);
        Console.SetOut(@out);
        try { return (ExperimentCli.Run(args, Defs), err.ToString(), @out.ToString()); }
        finally { Console.SetError(error); Console.SetOut(output); }
    }

    [Theory]
    [InlineData("--epochs", "x", "--epochs")]
    [InlineData("--epochs", "0", "--epochs must be at least 1")]
    [InlineData("--seeds", "1,x", "--seeds must be a comma-separated list of integers, not '1,x'")]
    [InlineData("--optimizer", "adam", "adam")]
    [InlineData("--no-such-option", "1", "--no-such-option")]
    [InlineData("--threads", "0", "--threads must be at least 1")]
    public void BadInputIsOneErrorLineNamingTheOptionAndExitCode2(string option, string value, string expected)
    {
        var dir = Synthetic.TempDir();
        var (code, err, _) = Run("run", "--model", "TinyNet", "--name", "c", "--work", Path.Combine(dir, "w"), "--out", Path.Combine(dir, "o"), option, value);
        Assert.Equal(2, code);
        Assert.StartsWith("error: ", err);
        Assert.Contains(expected, err);
        Assert.DoesNotContain("   at ", err);   // no stack trace
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir));
        Directory.Delete(dir, true);
    }

    [Fact]
    public void MissingRequiredOptionsAndUnknownCommandsAreUsageErrors()
    {
        var (code, err, _) = Run("run", "--name", "x");
        Assert.Equal(2, code);
        Assert.Contains("error: ", err);
        Assert.Contains("--model", err);
        (code, err, _) = Run("transfer", "--model", "TinyNet", "--source", "scratch");
        Assert.Equal(2, code);
        Assert.Contains("--classes", err);
        (code, err, _) = Run("frobnicate");
        Assert.Equal(2, code);
        Assert.Contains("frobnicate", err);
    }

    [Fact]
    public void RunnerRefusalsAreErrorsToo()
    {
        var dir = Synthetic.TempDir();
        string[] common = ["run", "--model", "TinyNet", "--name", "c", "--work", Path.Combine(dir, "w"), "--out", Path.Combine(dir, "o")];
        var (code, err, _) = Run([.. common, "--ablation-first-random", "TinyNetLastIdentity"]);
        Assert.Equal(2, code);
        Assert.Contains("error: The growth-ablation cell first-l + random (X-FR) cannot use", err);
        (code, err, _) = Run("run", "--model=NoSuchNet", "--name", "c", "--work", Path.Combine(dir, "w"));
        Assert.Equal(2, code);
        Assert.Contains("Unknown model 'NoSuchNet' (--model)", err);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir));
        Directory.Delete(dir, true);
    }

    [Fact]
    public void HelpListsEveryOptionAndTheModels()
    {
        var help = ExperimentCli.Help(Defs);
        foreach (var o in new[] { "--model NAME", "--seeds 1,2,3", "--equal-flops", "--learned-trigger", "--ablation-first-random NAME",
                     "--ablation-last-identity NAME", "--growth-model NAME", "--classes", "--source-model base|motivated" })
            Assert.Contains(o, help);
        Assert.Contains(TinyNetLastIdentity.Definition.Name, help);
        var (code, _, output) = Run();
        Assert.Equal(0, code);
        Assert.Contains("--equal-flops", output);
        (code, _, output) = Run("run", "--help");
        Assert.Equal(0, code);
        Assert.Contains("--ablation-last-identity", output);
    }

    [Fact]
    public void RecalibrateBnRefusesAMissingWorkFolderAndBadJobNamesWithOneErrorLine()
    {
        var dir = Synthetic.TempDir();
        var (code, err, _) = Run("recalibrate-bn", "--work", Path.Combine(dir, "none"));
        Assert.Equal(2, code);
        Assert.StartsWith("error: ", err);
        Assert.Contains("is not an experiment work folder", err);
        (code, err, _) = Run("recalibrate-bn", "--work", dir, "--jobs", "x-f-seed4,frob");
        Assert.Equal(2, code);
        Assert.Contains("error: --jobs: 'frob' is not a job name", err);
        (code, err, _) = Run("recalibrate-bn", "--work", dir, "--batches", "0");
        Assert.Equal(2, code);
        Assert.Contains("--batches must be at least 1", err);
        Assert.DoesNotContain("   at ", err);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir));
        Directory.Delete(dir, true);
    }
}
