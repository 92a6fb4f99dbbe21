using System.Text.Json.Nodes;
using MotivationDsl.Reporting;
using MotivationDsl.Training;
using static TorchSharp.torch;

namespace MotivationDsl.Cli.Tests;

/// <summary><c>train --native-heap</c>: saved with the run, changeable on --resume, passed to the trainer; a bad value is an error.</summary>
public sealed class NativeHeapOptionTests
{
    private static string Saved(string dir) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(dir, TrainSettings.FileName)))!["nativeHeap"]!.GetValue<string>();

    [Fact]
    public void The_heap_policy_is_saved_may_change_on_resume_and_reaches_the_trainer()
    {
        var dir = Cli.TempDir();
        try
        {
            var (exit, output) = Cli.Run(Cli.TinyTrain(dir, "--native-heap", "retain", "--stop-after", "1"));
            Assert.True(exit == 0, output);
            Assert.Equal("retain", Saved(dir));
            using (var models = RunModels.Load(Cli.Catalog, dir, CPU, new CliOutput(new StringWriter(), rich: false)))
                Assert.Equal(NativeHeapPolicy.Retain, models.Trainer.Options.NativeHeap);

            (exit, output) = Cli.Run("train", "--out", dir, "--resume", "--native-heap", "system");
            Assert.True(exit == 0, output);
            Assert.Equal("system", Saved(dir));
            Assert.Equal("system", new RunFolder(dir).ReadReport().Config!["nativeHeap"]);
            using (var models = RunModels.Load(Cli.Catalog, dir, CPU, new CliOutput(new StringWriter(), rich: false)))
                Assert.Equal(NativeHeapPolicy.System, models.Trainer.Options.NativeHeap);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void A_bad_heap_policy_is_an_error_naming_it()
    {
        var (exit, output) = Cli.Run(Cli.TinyTrain(Cli.TempDir(), "--native-heap", "jemalloc"));
        Assert.True(exit == 2, output);
        var error = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Equal("error: Unknown --native-heap 'jemalloc'. Choose one of: system, retain.", error);
    }

    [Fact]
    public void Settings_saved_before_the_option_existed_keep_the_C_librarys_heap()
    {
        var settings = TrainSettings.FromJson("""{ "model": "TinyFashion", "epochs": 1 }""", "old settings.json");
        Assert.Equal("system", settings.Validate().NativeHeap);
        Assert.Equal(NativeHeapPolicy.System, settings.CreateTrainerOptions([]).NativeHeap);
    }
}
