using System.Text.Json.Nodes;
using MotivationDsl.Examples.ResNetCifar;
using MotivationDsl.Reporting;
using static TorchSharp.torch;

namespace MotivationDsl.Cli.Tests;

/// <summary><c>train --memory-format</c>: saved with the run (resolved), and used by --resume, eval and export.</summary>
public sealed class MemoryFormatOptionTests
{
    private static string Saved(string dir) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(dir, TrainSettings.FileName)))!["memoryFormat"]!.GetValue<string>();

    [Fact]
    public void A_channels_last_run_is_saved_and_its_resume_eval_and_export_use_channels_last()
    {
        var dir = Cli.TempDir();
        var target = Cli.TempDir();
        try
        {
            var (exit, output) = Cli.Run(Cli.TinyTrain(dir, "--memory-format", "channels-last", "--stop-after", "1"));
            Assert.True(exit == 0, output);
            Assert.Contains("1 thread, channels-last", output);
            Assert.Equal("channels-last", Saved(dir));
            Assert.Equal("channels-last", new RunFolder(dir).ReadReport().Config!["memoryFormat"]);

            (exit, output) = Cli.Run("train", "--out", dir, "--resume", "--memory-format", "nchw");
            Assert.Equal(2, exit);
            Assert.StartsWith("error: Cannot resume with --memory-format nchw: the run in", output.Trim());
            (exit, output) = Cli.Run("train", "--out", dir, "--resume", "--threads", "1");
            Assert.True(exit == 0, output);
            Assert.Contains("1 thread, channels-last", output);

            // eval and export rebuild the trainer from settings.json: both models in channels-last, same weights.
            using (var models = RunModels.Load(Cli.Catalog, dir, CPU, new CliOutput(new StringWriter(), rich: false)))
            {
                Assert.Equal(MemoryFormat.ChannelsLast, models.Trainer.Options.MemoryFormat);
                Assert.Equal(MemoryFormat.ChannelsLast, models.Trainer.Pair.Base.MemoryFormatOf());
                Assert.Equal(MemoryFormat.ChannelsLast, models.Trainer.Pair.Motivated.MemoryFormatOf());
            }
            (exit, output) = Cli.Run("eval", "--run", dir, "--threads", "1");
            Assert.True(exit == 0, output);
            var report = new RunFolder(dir).ReadReport();
            Assert.Matches($@"(?m)^base\s+Small\s+{Formatting.Percent(report.Final!.Base.Accuracy!.Value).Replace(".", @"\.")}", output);
            (exit, output) = Cli.Run("export", "--run", dir, "--out", target);
            Assert.True(exit == 0, output);
            Assert.Equal(File.ReadAllBytes(Path.Combine(dir, "models", "base.safetensors")), File.ReadAllBytes(Path.Combine(target, "base.safetensors")));
        }
        finally
        {
            Directory.Delete(dir, true);
            Directory.Delete(target, true);
        }
    }

    /// <summary>TinyFashion's name says nothing; its basic blocks make it a ResNet, whose default on this machine's CPU class is saved.</summary>
    [Fact]
    public void Auto_is_saved_as_the_default_of_the_models_family_on_this_CPU_class()
    {
        var dir = Cli.TempDir();
        try
        {
            var (exit, output) = Cli.Run(Cli.TinyTrain(dir, "--stop-after", "1"));
            Assert.True(exit == 0, output);
            var row = MemoryFormatDefaults.RowFor(ModelFamily.ResNet, HostCpu.Current.Class);
            var expected = row.Format == MemoryFormat.ChannelsLast ? "channels-last" : "nchw";
            Assert.Equal(expected, Saved(dir));
            Assert.Contains($"1 thread, {expected}", output);
            using var models = RunModels.Load(Cli.Catalog, dir, CPU, new CliOutput(new StringWriter(), rich: false));
            Assert.Equal(row.Format, models.Trainer.Pair.Motivated.MemoryFormatOf());
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Auto_resolves_by_the_models_structure_and_the_CPU_class()
    {
        Assert.Equal(ModelFamily.ResNet, ModelFamilies.Of(Cli.Catalog.Find("TinyFashion")));
        Assert.Equal("channels-last", TrainSettings.ResolveMemoryFormat("auto", Cli.Catalog.Find("TinyFashion"), CpuClass.Avx2));
        Assert.Equal("nchw", TrainSettings.ResolveMemoryFormat("auto", Cli.Catalog.Find("TinyFashion"), CpuClass.Avx512));
        Assert.Equal("channels-last", TrainSettings.ResolveMemoryFormat("auto", ResNetCifar.Definition, CpuClass.Avx2));
        Assert.Equal("nchw", TrainSettings.ResolveMemoryFormat("auto", MotivationDsl.Examples.Gpt.GptFamily.Definition, CpuClass.Avx2));
        Assert.Equal("nchw", TrainSettings.ResolveMemoryFormat("nchw", ResNetCifar.Definition, CpuClass.Avx2));
        Assert.Equal("channels-last", TrainSettings.ResolveMemoryFormat("channels-last", ResNetCifar.Definition, CpuClass.Avx512));
    }

    [Fact]
    public void A_bad_memory_format_is_an_error_naming_it()
    {
        var (exit, output) = Cli.Run(Cli.TinyTrain(Cli.TempDir(), "--memory-format", "nhwc"));
        Assert.True(exit == 2, output);
        var error = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Equal("error: Unknown --memory-format 'nhwc'. Choose one of: nchw, channels-last, auto.", error);
    }

    [Fact]
    public void Settings_saved_before_the_option_existed_train_in_nchw()
    {
        var settings = TrainSettings.FromJson("""{ "model": "TinyFashion", "epochs": 1 }""", "old settings.json");
        Assert.Equal("nchw", settings.Validate().MemoryFormat);
        Assert.Equal(MemoryFormat.Contiguous, settings.CreateTrainerOptions([]).MemoryFormat);
    }
}
