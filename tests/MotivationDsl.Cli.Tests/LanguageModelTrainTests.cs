using System.Text.Json;
using MotivationDsl.Examples.Gpt;

namespace MotivationDsl.Cli.Tests;

/// <summary>
/// <c>train</c> on the generated GPT family (examples/Gpt, byte-level pair ByteBase -> ByteDeep) from the one-line CLI
/// entry, on the embedded text sample for a few steps; then <c>eval</c> and <c>sample</c> on the run.
/// </summary>
public sealed class LanguageModelTrainTests : IDisposable
{
    private static readonly ModelCatalog Catalog = ModelCatalog.FromAssemblies([typeof(GptFamily).Assembly]);
    private readonly string _dir = Path.Combine(Cli.TempDir(), "run");

    private static (int Exit, string Output) Run(params string[] args)
    {
        var writer = new StringWriter();
        var exit = MotivationCli.Run(args, Catalog, new CliOutput(writer, rich: false));
        return (exit, writer.ToString());
    }

    [Fact]
    public void Train_eval_and_sample_a_generated_language_model_pair_on_the_text_sample()
    {
        var (exit, output) = Run("train", "--data", "sample", "--epochs", "1", "--train-limit", "48", "--test-limit", "8",
            "--batch-size", "8", "--optimizer", "adamw", "--lr", "0.003", "--condition", "consecutive", "--k", "1",
            "--seed", "7", "--threads", "1", "--out", _dir);
        Assert.True(exit == 0, output);
        Assert.Contains("Model:  MotivationDsl.Examples.Gpt.GptFamily: ByteBase (", output);
        Assert.Contains("48 training and 8 held-out windows of 128 bytes", output);
        Assert.Contains("Held-out bits per byte: base ", output);
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "report.json")));
        var text = report.RootElement.ToString();
        Assert.Contains("bitsPerByte", text);

        var (evalExit, eval) = Run("eval", "--run", _dir, "--threads", "1");
        Assert.True(evalExit == 0, eval);
        Assert.Contains("held-out windows of 128 bytes", eval);
        var (recalibrateExit, recalibrate) = Run("eval", "--run", _dir, "--recalibrate-bn", "4");
        Assert.Equal(2, recalibrateExit);
        Assert.Equal("error: --recalibrate-bn: GptFamily has no BatchNorm layers with running statistics; there is nothing to re-estimate.", recalibrate.Trim());

        var (sampleExit, sample) = Run("sample", "--run", _dir, "--role", "motivated", "--prompt", "The ", "--tokens", "16", "--seed", "1");
        Assert.True(sampleExit == 0, sample);
        Assert.Contains("Model: MotivationDsl.Examples.Gpt.GptFamily motivated (ByteDeep)", sample);
    }

    [Fact]
    public void Image_options_on_a_language_model_are_an_error_naming_them()
    {
        var (exit, output) = Run("train", "--data", "sample", "--epochs", "1", "--augment", "--out", _dir);
        Assert.Equal(2, exit);
        Assert.Contains("error: --augment applies to image data", output);
        Assert.DoesNotContain("   at ", output);
    }

    [Fact]
    public void A_missing_text_path_is_an_error_naming_it()
    {
        var (exit, output) = Run("train", "--data", "/nonexistent/corpus.txt", "--epochs", "1", "--out", _dir);
        Assert.Equal(2, exit);
        Assert.Contains("error: Text data '/nonexistent/corpus.txt' not found", output);
    }

    [Fact]
    public void The_growth_rule_is_chosen_with_growth_saved_in_the_run_and_used_again_by_eval_and_resume()
    {
        string[] train = ["train", "--data", "sample", "--train-limit", "16", "--test-limit", "8", "--batch-size", "8", "--optimizer", "adamw",
            "--condition", "consecutive", "--k", "1", "--seed", "3", "--threads", "1", "--out", _dir];
        var (exit, output) = Run([.. train, "--epochs", "1", "--growth", "function-preserving"]);
        Assert.True(exit == 0, output);
        Assert.Contains("ByteDeep (", output);
        Assert.Contains(", function-preserving growth", output);
        using (var settings = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "settings.json"))))
            Assert.Equal("function-preserving", settings.RootElement.GetProperty("growth").GetString());

        // A resume keeps the run's rule; another one is refused, naming both.
        var (refused, why) = Run([.. train, "--epochs", "2", "--resume", "--growth", "paper"]);
        Assert.Equal(2, refused);
        Assert.Contains("error: Cannot resume with --growth paper: the run in", why);
        Assert.Contains("was started with function-preserving", why);
        var (resumed, log) = Run([.. train, "--epochs", "2", "--resume"]);
        Assert.True(resumed == 0, log);
        Assert.Contains(", function-preserving growth", log);

        var (evalExit, eval) = Run("eval", "--run", _dir, "--threads", "1");
        Assert.True(evalExit == 0, eval);
    }

    [Fact]
    public void An_unknown_growth_rule_is_an_error_naming_it_and_the_choices()
    {
        var (exit, output) = Run("train", "--data", "sample", "--epochs", "1", "--growth", "sideways", "--out", _dir);
        Assert.Equal(2, exit);
        Assert.Contains("error: Unknown --growth 'sideways'. Choose one of: declared, paper, function-preserving.", output);
        Assert.DoesNotContain("   at ", output);
        Assert.False(Directory.Exists(_dir));
    }

    public void Dispose()
    {
        var parent = Path.GetDirectoryName(_dir)!;
        if (Directory.Exists(parent)) Directory.Delete(parent, recursive: true);
    }
}
