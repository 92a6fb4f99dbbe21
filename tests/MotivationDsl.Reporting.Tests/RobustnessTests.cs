using MotivationDsl.Tests.Shared;
using static TorchSharp.torch;

namespace MotivationDsl.Reporting.Tests;

/// <summary>Issue 10 §3 in the reporting library: TensorBoard restarts and the identity of model files.</summary>
public sealed class RobustnessTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mdsl-reporting-robust-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private static StepRecord Step(long step, float loss) => new(step, 1, loss, false);

    [Fact]
    public void A_restart_marker_makes_TensorBoard_drop_the_events_after_it()
    {
        using (var first = new TensorBoardLog(_dir))
            for (var i = 0; i < 10; i++) first.AddStep(Step(i, 1f + i));      // the killed invocation got to step 9
        using (var resumed = new TensorBoardLog(_dir, restartStep: 6, checkpointPath: "epoch-0002.mdckpt"))
            for (var i = 6; i < 12; i++) resumed.AddStep(Step(i, 100f + i));  // the resume continues from step 6

        var files = Directory.GetFiles(_dir).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(2, files.Length);
        var loss = TensorBoardEvents.Read(_dir).Where(s => s.Tag == "train/loss").ToList();
        Assert.Equal(Enumerable.Range(0, 12).Select(i => (long)i), loss.Select(s => s.Step));
        Assert.Equal(Enumerable.Range(0, 12).Select(i => i < 6 ? 1f + i : 100f + i), loss.Select(s => s.Value));
        Assert.Equal(16, TensorBoardEvents.Read(_dir, purge: false).Count(s => s.Tag == "train/loss"));
    }

    [Fact]
    public void Without_a_marker_both_invocations_show()
    {
        using (var first = new TensorBoardLog(_dir)) first.AddStep(Step(0, 1f));
        using (var second = new TensorBoardLog(_dir)) second.AddStep(Step(0, 2f));
        Assert.Equal([1f, 2f], TensorBoardEvents.Read(_dir).Where(s => s.Tag == "train/loss").Select(s => s.Value));
    }

    [Fact]
    public void A_model_file_is_checked_against_its_identity_record()
    {
        var run = new RunFolder(_dir);
        using var small = nn.Linear(3, 2);
        using var other = nn.Linear(3, 2);
        var saved = run.SaveModel(small, "Ns.Model", "base", "Small");
        ModelIdentity.Verify(saved.TorchSharpPath, "Ns.Model", "base", "Small");
        ModelIdentity.Verify(saved.SafetensorsPath, "Ns.Model", "base", "Small");

        var e = Assert.Throws<InvalidDataException>(() => ModelIdentity.Verify(saved.TorchSharpPath, "Ns.Other", "base", "Small"));
        Assert.Equal($"'{saved.TorchSharpPath}' holds the base model of Ns.Model (Small), not the base model of Ns.Other (Small).", e.Message);

        // A same-shape module of another model copied over the file: same length, other bytes.
        var elsewhere = Path.Combine(_dir, "elsewhere");
        var copy = ModelExport.Save(other, elsewhere, "base");
        File.Copy(copy.TorchSharpPath, saved.TorchSharpPath, overwrite: true);
        e = Assert.Throws<InvalidDataException>(() => ModelIdentity.Verify(saved.TorchSharpPath, "Ns.Model", "base", "Small"));
        Assert.Contains("does not match the checksum", e.Message);

        e = Assert.Throws<InvalidDataException>(() => ModelIdentity.Verify(copy.TorchSharpPath, "Ns.Model", "base", "Small"));
        Assert.Contains("has no identity record", e.Message);
    }
}
