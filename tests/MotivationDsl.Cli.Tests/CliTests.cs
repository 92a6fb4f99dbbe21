using System.Text.Json.Nodes;
using MotivationDsl.Reporting;
using MotivationDsl.Examples.ResNetCifar;
using static TorchSharp.torch;

namespace MotivationDsl.Cli.Tests;

/// <summary>One tiny two-epoch run shared by the tests that read a finished run folder.</summary>
public sealed class TrainedRun : IDisposable
{
    public TrainedRun()
    {
        Dir = Cli.TempDir();
        (Exit, Output) = Cli.Run(Cli.TinyTrain(Dir));
    }

    public string Dir { get; }
    public int Exit { get; }
    public string Output { get; }

    public void Dispose()
    {
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
    }
}

public sealed class CliTests(TrainedRun run) : IClassFixture<TrainedRun>
{
    [Fact]
    public void HelpListsTheCommands()
    {
        var (exit, output) = Cli.Run("--help");
        Assert.Equal(0, exit);
        foreach (var command in new[] { "train", "eval", "inspect", "export" })
            Assert.Matches($@"(?m)^\s+{command}\s", output);
    }

    [Fact]
    public void TrainHelpListsTheOptions()
    {
        var (exit, output) = Cli.Run("train", "--help");
        Assert.Equal(0, exit);
        foreach (var option in new[] { "--model", "--epochs", "--batch-size", "--k", "--condition", "--rate", "--optimizer", "--lr", "--momentum",
                                       "--weight-decay", "--schedule", "--warmup", "--seed", "--threads", "--device", "--data", "--train-limit",
                                       "--test-limit", "--out", "--resume", "--keep", "--epoch-boundary", "--first-batch" })
            Assert.Contains(option, output);
    }

    [Fact]
    public void InspectShowsTheExactParameterCountsOfResNetCifar()
    {
        var (exit, output) = Cli.Run("inspect", "--model", "ResNetCifar");
        Assert.Equal(0, exit);
        // The parameter counts akamaster/pytorch_resnet_cifar10 prints for its option A ResNets (269722, 464154, 658586, 853018).
        void Has(string pattern) => Assert.True(System.Text.RegularExpressions.Regex.IsMatch(output, pattern), $"'{pattern}' not found in:\n{output}");
        Has(@"(?m)^ResNet20\s+base\s+269,722\s");
        Has(@"(?m)^ResNet32\s+motivated\s+464,154\s");
        Has(@"(?m)^ResNet44\s+658,586\s");
        Has(@"(?m)^ResNet56\s+853,018\s");
        var flops = ResNetCifar.Definition.GetVariant("ResNet20").Flops;
        Has($@"(?m)^ResNet20\s.*\s{Formatting.Si(flops).Replace(".", @"\.")}\s+3x32x32\s+10$");
    }

    [Fact]
    public void TrainWritesEveryRunOutput()
    {
        Assert.True(run.Exit == 0, run.Output);
        Assert.Contains("Fashion-MNIST from embedded sample", run.Output);
        Assert.Matches(@"(?m)^epoch 1/2: train loss", run.Output);
        Assert.Matches(@"(?m)^epoch 2/2: train loss", run.Output);
        Assert.Matches(@"(?m)^base\s+Small\s", run.Output);
        Assert.Matches(@"(?m)^motivated\s+Large\s", run.Output);
        Assert.Contains("motivated share", run.Output);
        Assert.Contains("F (mean forward FLOPs/sample)", run.Output);

        var folder = new RunFolder(run.Dir);
        var report = folder.ReadReport();
        Assert.Equal(RunReport.CurrentSchema, report.Schema);
        Assert.Equal(2, report.Epochs.Count);
        Assert.NotNull(report.Final);
        Assert.Equal(16, report.Final!.Steps);                       // 2 epochs x 256/32 batches
        Assert.InRange(report.Final.Base.Accuracy!.Value, 0, 1);
        Assert.Equal("Small", report.BaseModel.Name);
        Assert.Equal(3, File.ReadAllLines(folder.MetricsCsvPath).Length);
        Assert.Equal(17, File.ReadAllLines(folder.StepsCsvPath).Length);
        var png = File.ReadAllBytes(folder.LossPngPath);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        Assert.NotEmpty(Directory.GetFiles(folder.TensorBoardDir, "events.out.tfevents.*"));
        Assert.True(new FileInfo(Directory.GetFiles(folder.TensorBoardDir, "events.out.tfevents.*")[0]).Length > 100);
        foreach (var name in new[] { "base.dat", "base.safetensors", "motivated.dat", "motivated.safetensors" })
            Assert.True(File.Exists(Path.Combine(folder.ModelsDir, name)), name);
        Assert.Contains(SafetensorsHeader.Read(Path.Combine(folder.ModelsDir, "base.safetensors")), e => e.Name == "fc.weight");
        Assert.True(File.Exists(Path.Combine(run.Dir, "checkpoints", "epoch-0002.mdckpt")));
        Assert.True(File.Exists(Path.Combine(run.Dir, "settings.json")));
    }

    [Fact]
    public void EvalReproducesTheFinalTestAccuracies()
    {
        var (exit, output) = Cli.Run("eval", "--run", run.Dir, "--threads", "1");
        Assert.True(exit == 0, output);
        var report = new RunFolder(run.Dir).ReadReport();
        Assert.Matches($@"(?m)^base\s+Small\s+{Formatting.Percent(report.Final!.Base.Accuracy!.Value).Replace(".", @"\.")}", output);
        Assert.Matches($@"(?m)^motivated\s+Large\s+{Formatting.Percent(report.Final.Motivated.Accuracy!.Value).Replace(".", @"\.")}", output);
    }

    [Fact]
    public void ExportWritesSafetensorsPtAndDat()
    {
        var target = Cli.TempDir();
        var (exit, output) = Cli.Run("export", "--run", run.Dir, "--out", target);
        Assert.True(exit == 0, output);
        foreach (var name in new[] { "base.safetensors", "base.pt", "base.dat", "motivated.safetensors", "motivated.pt", "motivated.dat", "manifest.json" })
            Assert.True(File.Exists(Path.Combine(target, name)), name);
        // The exported weights are the run's.
        Assert.Equal(File.ReadAllBytes(Path.Combine(run.Dir, "models", "base.safetensors")), File.ReadAllBytes(Path.Combine(target, "base.safetensors")));
        Directory.Delete(target, true);
    }

    [Fact]
    public void ResumeOfAnotherArchitectureIsRefused()
    {
        var (exit, output) = Cli.Run("train", "--model", "OtherTiny", "--out", run.Dir, "--resume", "--epochs", "3");
        Assert.Equal(2, exit);
        Assert.Equal($"error: Cannot resume: '{run.Dir}' is a run of MotivationDsl.Cli.Tests.TinyFashion, not MotivationDsl.Cli.Tests.OtherTiny (a checkpoint only continues the architecture that wrote it).",
                     output.Trim());
    }

    [Fact]
    public void ResumeWithOtherHyperparametersIsRefused()
    {
        var (exit, output) = Cli.Run("train", "--out", run.Dir, "--resume", "--epochs", "3", "--lr", "0.2");
        Assert.Equal(2, exit);
        Assert.StartsWith("error: Cannot resume with --lr 0.2: the run in", output.Trim());
    }

    [Fact]
    public void Algorithm_1_choices_are_options_recorded_in_the_run_and_fixed_on_resume()
    {
        var dir = Cli.TempDir();
        try
        {
            var (exit, output) = Cli.Run(Cli.TinyTrain(dir, "--epoch-boundary", "carry", "--first-batch", "decrease"));
            Assert.True(exit == 0, output);
            Assert.Contains("Run:    consecutive k=2 epoch-boundary=carry first-batch=decrease,", output);
            Assert.Matches(@"\d+ activations that trained, \d+ on an epoch's last batch that trained nothing", output);
            Assert.Equal("consecutive k=2 epoch-boundary=carry first-batch=decrease", new RunFolder(dir).ReadReport().Config!["condition"]);
            (exit, output) = Cli.Run("train", "--out", dir, "--resume", "--epochs", "3", "--first-batch", "not-a-decrease");
            Assert.Equal(2, exit);
            Assert.StartsWith("error: Cannot resume with --first-batch not-a-decrease: the run in", output.Trim());
            (exit, output) = Cli.Run("train", "--out", dir, "--resume", "--epochs", "3");
            Assert.True(exit == 0, output);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void NewRunIntoAFolderWithCheckpointsIsRefused()
    {
        var (exit, output) = Cli.Run(Cli.TinyTrain(run.Dir));
        Assert.Equal(2, exit);
        Assert.Contains("already holds a run with checkpoints", output);
    }

    [Fact]
    public void RichOutputTrainsWithTheLiveProgressAndTables()
    {
        var dir = Cli.TempDir();
        try
        {
            var writer = new StringWriter();
            var exit = MotivationCli.Run(["train", "--model", "TinyFashion", "--data", "sample", "--train-limit", "64", "--test-limit", "64",
                "--batch-size", "32", "--epochs", "1", "--threads", "1", "--out", dir], Cli.Catalog, new CliOutput(writer, rich: true));
            var output = writer.ToString();
            Assert.True(exit == 0, output);
            Assert.Contains("epoch 1/1: train loss", output);
            Assert.Contains("motivated share", output);
            Assert.Contains("│", output);   // Spectre table borders
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void InterruptedRunResumesExactly()
    {
        var whole = Cli.TempDir();
        var parts = Cli.TempDir();
        try
        {
            var a = Cli.Run(Cli.TinyTrain(whole));
            Assert.True(a.Exit == 0, a.Output);
            var b1 = Cli.Run(Cli.TinyTrain(parts, "--stop-after", "1"));   // the interruption after epoch 1 of 2
            Assert.True(b1.Exit == 0, b1.Output);
            Assert.Contains("Stopped after 1 of 2 epochs", b1.Output);
            var b2 = Cli.Run("train", "--out", parts, "--resume", "--threads", "1");
            Assert.True(b2.Exit == 0, b2.Output);
            Assert.Contains("Resume: epoch-0001.mdckpt (1 of 2 epochs done, step 8)", b2.Output);

            foreach (var file in new[] { "models/base.safetensors", "models/motivated.safetensors", "steps.csv" })
                Assert.Equal(File.ReadAllBytes(Path.Combine(whole, file)), File.ReadAllBytes(Path.Combine(parts, file)));
            JsonNode Metrics(string dir)
            {
                var json = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "report.json")))!;
                foreach (var e in json["epochs"]!.AsArray()) e!.AsObject().Remove("wallSeconds");
                json["final"]!.AsObject().Remove("wallSeconds");
                return new JsonObject { ["epochs"] = json["epochs"]!.DeepClone(), ["final"] = json["final"]!.DeepClone() };
            }
            Assert.Equal(Metrics(whole).ToJsonString(), Metrics(parts).ToJsonString());
        }
        finally
        {
            Directory.Delete(whole, true);
            Directory.Delete(parts, true);
        }
    }
}

public sealed class BadInputTests
{
    private static void AssertError(string expected, params string[] args)
    {
        var (exit, output) = Cli.Run(args);
        Assert.True(exit == 2, output);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var error = Assert.Single(lines);
        Assert.StartsWith("error: ", error);
        Assert.Contains(expected, error);
    }

    [Fact]
    public void UnknownEpochBoundaryOrFirstBatchRule()
    {
        AssertError("Unknown --epoch-boundary 'sometimes'. Choose one of: reset-counter, carry, reset-all.", Cli.TinyTrain(Cli.TempDir(), "--epoch-boundary", "sometimes"));
        AssertError("Unknown --first-batch 'maybe'. Choose one of: not-a-decrease, decrease.", Cli.TinyTrain(Cli.TempDir(), "--first-batch", "maybe"));
        AssertError("--first-batch applies to --condition consecutive, not 'ema'.", Cli.TinyTrain(Cli.TempDir(), "--condition", "ema", "--first-batch", "decrease"));
    }

    [Fact]
    public void UnknownModel() => AssertError("No model named 'Nope'. Models: ", "train", "--model", "Nope");

    [Fact]
    public void UnknownCondition() =>
        AssertError("Unknown condition 'sometimes'. Choose one of: consecutive, ema, gradnorm, random, never, always.",
            "train", "--model", "TinyFashion", "--condition", "sometimes");

    [Fact]
    public void UnknownOptimizer() =>
        AssertError("Unknown optimizer 'lamb'. Choose one of: sgd, adamw, rmsprop.", "train", "--model", "TinyFashion", "--optimizer", "lamb");

    [Fact]
    public void MissingDataFolder() =>
        AssertError("Data folder '/nonexistent/fashion' not found", "train", "--model", "TinyFashion", "--data", "/nonexistent/fashion");

    [Fact]
    public void IncompatibleDataShape() =>
        AssertError("image shape 1x28x28 (CxHxW) does not match the model's input shape 3x32x32.",
            "train", "--model", "ResNetCifar", "--data", "sample");

    [Fact]
    public void ResumeWithoutACheckpoint()
    {
        var dir = Cli.TempDir();
        AssertError($"Cannot resume: '{dir}' has no checkpoint", "train", "--model", "TinyFashion", "--out", dir, "--resume");
        Directory.Delete(dir);
    }

    [Fact]
    public void ResumeWithoutOut() => AssertError("--resume needs --out DIR", "train", "--model", "TinyFashion", "--resume");

    [Fact]
    public void CudaWhenUnavailable()
    {
        if (cuda.is_available()) return;   // nothing to check on a CUDA machine
        AssertError("--device cuda: CUDA is not available", "train", "--model", "TinyFashion", "--device", "cuda");
    }

    [Fact]
    public void OptionValueThatDoesNotParse()
    {
        var (exit, output) = Cli.Run("train", "--model", "TinyFashion", "--epochs", "many");
        Assert.Equal(2, exit);
        Assert.StartsWith("error: ", output);
        Assert.Contains("many", output);
    }

    [Fact]
    public void EvalOfAFolderThatIsNotARun()
    {
        var dir = Cli.TempDir();
        AssertError("is not a run folder: it has no settings.json", "eval", "--run", dir);
        Directory.Delete(dir);
    }
}
