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

    public void Dispose()
    {
        var parent = Path.GetDirectoryName(_dir)!;
        if (Directory.Exists(parent)) Directory.Delete(parent, recursive: true);
    }
}
