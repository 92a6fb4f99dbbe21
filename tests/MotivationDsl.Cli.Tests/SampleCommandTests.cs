using System.Text;
using MotivationDsl.Data;
using MotivationDsl.Reporting;
using MotivationDsl.Testing;
using MotivationDsl.Training;
using MotivationDsl.Training.Conditions;
using MotivationDsl.Training.Optimizers;
using MotivationDsl.Training.Schedules;

namespace MotivationDsl.Cli.Tests;

/// <summary>
/// A language-model run folder made by the trainer with the CLI's run outputs (the TinyGpt test fixture trained a few
/// dozen steps on the embedded text sample), shared by the sample tests.
/// </summary>
public sealed class TinyGptRun : IDisposable
{
    internal static readonly TinyGptFixtureDefinition Definition = new("Tests.TinyGptFixture", baseDepth: 1, motivatedDepth: 2, context: 32, embedding: 32, heads: 4);
    public static readonly ModelCatalog Catalog = new([Definition, TinyFashion.Definition]);

    public TinyGptRun()
    {
        Dir = Cli.TempDir();
        TorchSharp.torch.set_num_threads(1);
        using var corpus = TextCorpora.EnglishSample();
        var loader = new TokenWindowLoader(corpus.Train, new TokenWindowOptions { ContextLength = 32, BatchSize = 16, Seed = 1, MaxWindows = 480 });
        var heldOut = new TokenWindowLoader(corpus.HeldOut, new TokenWindowOptions { ContextLength = 32, BatchSize = 64, Shuffle = false });
        var train = new DelegateDataLoader(loader.BatchCount, e => loader.Batches(e).Select(b => (b.Input, b.Target)));
        var test = new DelegateDataLoader(heldOut.BatchCount, e => heldOut.Batches(e).Select(b => (b.Input, b.Target)));
        var settings = new TrainSettings { Model = Definition.Name, Optimizer = "adamw", Lr = 3e-3, Epochs = 2, Seed = 1 };
        settings.Save(Dir);
        using var outputs = new RunOutputsCallback(new RunFolder(Dir), "TinyGptFixture d1->d2", "Jargon File sample", 1, settings.ToConfig());
        using var trainer = MotivationTrainer.Create(Definition, new TrainerOptions
        {
            Optimizer = new AdamOptions(3e-3, WeightDecay: 0.1, Decoupled: true),
            Schedule = new WarmupCosineLr(3e-3, 5, 2 * train.BatchCount),
            MaxGradientNorm = 1,
            Condition = new ConsecutiveDecrease(1),
            Callbacks = [outputs],
            Seed = 1,
        });
        Report = trainer.Fit(train, test, 2);
    }

    public string Dir { get; }
    public FitReport Report { get; }

    public void Dispose() => Directory.Delete(Dir, recursive: true);
}

public sealed class SampleCommandTests(TinyGptRun run) : IClassFixture<TinyGptRun>
{
    private static (int Exit, string Output) Run(params string[] args)
    {
        var writer = new StringWriter();
        var exit = MotivationCli.Run(args, TinyGptRun.Catalog, new CliOutput(writer, rich: false));
        return (exit, writer.ToString());
    }

    private static string Generated(string output) => output[(output.IndexOf(new string('-', 40) + "\n", StringComparison.Ordinal) + 41)..];

    [Fact]
    public void Samples_are_reproducible_from_the_seed_and_continue_the_prompt()
    {
        var (exit, a) = Run("sample", "--run", run.Dir, "--prompt", "The hacker ", "--tokens", "120", "--seed", "3", "--top-k", "20");
        Assert.True(exit == 0, a);
        Assert.Contains($"Model: Tests.TinyGptFixture base (d1) from {Path.Combine(run.Dir, "models")}", a);
        Assert.Contains("Sampling: 120 bytes, temperature 0.8, top-k 20, seed 3", a);
        var text = Generated(a);
        Assert.StartsWith("The hacker ", text);
        Assert.InRange(Encoding.UTF8.GetByteCount(text.TrimEnd('\n')), 120, 11 + 120 + 40); // replacement characters may widen cut sequences
        Assert.Equal(a, Run("sample", "--run", run.Dir, "--prompt", "The hacker ", "--tokens", "120", "--seed", "3", "--top-k", "20").Output);
        Assert.NotEqual(text, Generated(Run("sample", "--run", run.Dir, "--prompt", "The hacker ", "--tokens", "120", "--seed", "4", "--top-k", "20").Output));
        var (mExit, m) = Run("sample", "--run", run.Dir, "--role", "motivated", "--tokens", "40");
        Assert.True(mExit == 0, m);
        Assert.Contains("Tests.TinyGptFixture motivated (d2)", m);
    }

    [Fact]
    public void A_trained_model_writes_text_like_its_corpus()
    {
        // Trained for a few dozen steps: letters and spaces dominate what it writes (random bytes would be ~20 % printable ASCII letters/space).
        var text = Generated(Run("sample", "--run", run.Dir, "--tokens", "400", "--temperature", "0.5", "--seed", "1").Output);
        var letters = text.Count(c => char.IsAsciiLetter(c) || c == ' ');
        Assert.True(letters > 0.6 * text.Length, $"{letters} letters/spaces of {text.Length}: {text}");
    }

    [Theory]
    [InlineData("--temperature", "0", "--temperature must be a positive number (got 0).")]
    [InlineData("--temperature", "-1", "--temperature must be a positive number (got -1).")]
    [InlineData("--top-k", "0", "--top-k must be between 1 and the vocabulary size 256 (got 0).")]
    [InlineData("--top-k", "257", "--top-k must be between 1 and the vocabulary size 256 (got 257).")]
    [InlineData("--tokens", "0", "--tokens must be at least 1 (got 0).")]
    [InlineData("--role", "large", "Unknown --role 'large'. Choose base or motivated.")]
    [InlineData("--prompt", "", "--prompt must not be empty: generation continues a text of at least one byte.")]
    public void Bad_values_are_one_error_line_and_exit_2(string option, string value, string message)
    {
        var (exit, output) = Run("sample", "--run", run.Dir, option, value);
        Assert.Equal(2, exit);
        Assert.Equal($"error: {message}\n", output);
    }

    [Fact]
    public void A_classification_run_is_refused()
    {
        var dir = Cli.TempDir();
        try
        {
            new TrainSettings { Model = TinyFashion.Definition.Name }.Save(dir);
            using var pair = TinyFashion.Definition.CreatePair();
            Directory.CreateDirectory(Path.Combine(dir, "models"));
            var definition = TinyFashion.Definition;
            foreach (var (role, module, variant) in new[] { ("base", pair.Base, definition.BaseVariant), ("motivated", pair.Motivated, definition.MotivatedVariant) })
            {
                var file = Path.Combine(dir, "models", role + ModelExport.TorchSharpExtension);
                ModelExport.SaveTorchSharp(module, file);
                ModelIdentity.Record(definition.Name, role, variant, file);
            }
            var (exit, output) = Run("sample", "--run", dir);
            Assert.Equal(2, exit);
            Assert.Equal($"error: '{TinyFashion.Definition.Name}' is a classification model; sample needs a language model.\n", output);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void The_run_has_its_plot_tensorboard_events_and_models_and_export_writes_them()
    {
        var folder = new RunFolder(run.Dir);
        Assert.True(File.Exists(folder.LossPngPath));
        Assert.NotEmpty(Directory.GetFiles(folder.TensorBoardDir, "events.out.tfevents.*"));
        var outDir = Path.Combine(run.Dir, "exported");
        var (exit, output) = Run("export", "--run", run.Dir, "--out", outDir);
        Assert.True(exit == 0, output);
        foreach (var file in new[] { "base.safetensors", "base.pt", "base.dat", "motivated.safetensors", "motivated.pt", "motivated.dat" })
            Assert.True(File.Exists(Path.Combine(outDir, file)), file);
        var names = SafetensorsHeader.Read(Path.Combine(outDir, "motivated.safetensors")).Select(e => e.Name).ToHashSet();
        Assert.Contains("transformer.h.1.attn.c_attn.weight", names);
        Assert.Contains("lm_head.weight", names);
    }

    [Fact]
    public void The_run_outputs_report_perplexity_bits_per_byte_and_flops_per_token()
    {
        var report = new RunFolder(run.Dir).ReadReport();
        var last = report.Epochs[^1];
        Assert.Equal(32, report.BaseModel.TokensPerInput);
        Assert.Equal(Math.Exp(last.Base.Loss!.Value), last.Base.Perplexity!.Value, 9);
        Assert.Equal(last.Motivated.Loss!.Value / Math.Log(2), last.Motivated.BitsPerByte!.Value, 9);
        Assert.Equal(last.MeanForwardFlops!.Value / 32, last.MeanForwardFlopsPerToken!.Value, 6);
        Assert.Equal(run.Report.Accounting.MeanForwardFlopsPerToken!.Value, report.Final!.MeanForwardFlopsPerToken!.Value, 6);
        var csv = File.ReadAllLines(Path.Combine(run.Dir, "metrics.csv"));
        Assert.EndsWith(",base_perplexity,base_bits_per_byte,motivated_perplexity,motivated_bits_per_byte,mean_forward_flops_per_token", csv[0]);
        Assert.Equal(3, csv.Length);
        Assert.True(run.Report.Accounting.MotivatedBatches > 0);
    }
}
