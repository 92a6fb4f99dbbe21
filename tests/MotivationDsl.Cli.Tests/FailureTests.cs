using System.Diagnostics;
using System.Text.Json.Nodes;
using MotivationDsl.Reporting;

namespace MotivationDsl.Cli.Tests;

/// <summary>
/// Fault injection through the CLI (in process): every user mistake and every damaged or unwritable file gives exit 2
/// (3 for a diverged run), exactly one <c>error:</c> line naming the option or file, no stack frame, and loses nothing
/// that existed before. A full disk is simulated with <see cref="AtomicFile.BeforeCommit"/>, the seam every file write
/// of the CLI, the reporting and the checkpoints goes through (it fails the write just before the rename, as ENOSPC does).
/// </summary>
public sealed class FailureTests : IDisposable
{
    private readonly string _root = Cli.TempDir();

    public void Dispose()
    {
        AtomicFile.BeforeCommit = null;
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private string Dir(string name) => Path.Combine(_root, name);

    /// <summary>Exit code, one error line containing every expected piece, no stack trace; returns the output.</summary>
    private static string AssertFails(int exit, string[] args, params string[] expected) => AssertFailed(exit, Cli.Run(args), expected);

    private static string AssertFailed(int exit, (int Exit, string Output) run, params string[] expected)
    {
        var (code, output) = run;
        Assert.True(code == exit, $"exit {code}, expected {exit}:\n{output}");
        var errors = output.Split('\n').Where(l => l.StartsWith("error: ", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 1, $"expected one error line:\n{output}");
        foreach (var e in expected) Assert.True(errors[0].Contains(e, StringComparison.Ordinal), $"'{e}' not in: {errors[0]}");
        Assert.DoesNotContain("   at ", output);
        Assert.DoesNotContain("Exception", output);
        return output;
    }

    private static string AssertSucceeds(params string[] args) => AssertSucceeded(Cli.Run(args));

    private static string AssertSucceeded((int Exit, string Output) run)
    {
        var (code, output) = run;
        Assert.True(code == 0, output);
        Assert.DoesNotContain("error:", output);
        return output;
    }

    /// <summary>Every file under <paramref name="dir"/> with its bytes.</summary>
    private static Dictionary<string, byte[]> Snapshot(string dir) =>
        Directory.GetFiles(dir, "*", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(dir, f), File.ReadAllBytes);

    private static void AssertNothingLost(Dictionary<string, byte[]> before, string dir)
    {
        foreach (var (rel, bytes) in before)
        {
            var path = Path.Combine(dir, rel);
            Assert.True(File.Exists(path), $"{rel} was lost");
            Assert.True(bytes.AsSpan().SequenceEqual(File.ReadAllBytes(path)), $"{rel} was changed");
        }
    }

    /// <summary><see cref="Cli.TinyTrain"/> with some of its options given other values (and others added).</summary>
    private static string[] Train(string dir, params string[] options)
    {
        var args = Cli.TinyTrain(dir).ToList();
        for (var i = 0; i < options.Length; i += 2)
        {
            var at = args.IndexOf(options[i]);
            if (at >= 0) args[at + 1] = options[i + 1];
            else args.AddRange([options[i], options[i + 1]]);
        }
        return args.ToArray();
    }

    /// <summary>A run stopped after epoch 1 of 2, as if interrupted (its models/ removed: it has only its checkpoint).</summary>
    private string StoppedRun(string name, params string[] options)
    {
        var dir = Dir(name);
        AssertSucceeds(Train(dir, ["--stop-after", "1", .. options]));
        Directory.Delete(Path.Combine(dir, "models"), recursive: true);
        return dir;
    }

    // ---------------------------------------------------------------- options (issue 10 §2, §4)

    [Theory]
    [InlineData("--lr", "-0.1", "--lr must be a finite number greater than 0 (got -0.1)")]
    [InlineData("--lr", "NaN", "--lr must be a finite number greater than 0 (got NaN)")]
    [InlineData("--lr", "Infinity", "--lr must be a finite number greater than 0 (got Infinity)")]
    [InlineData("--lr", "0", "--lr must be a finite number greater than 0 (got 0)")]
    [InlineData("--weight-decay", "NaN", "--weight-decay must be a finite number of at least 0 (got NaN)")]
    [InlineData("--weight-decay", "-1", "--weight-decay must be a finite number of at least 0 (got -1)")]
    [InlineData("--momentum", "1", "--momentum must be at least 0 and less than 1 (got 1)")]
    [InlineData("--momentum", "NaN", "--momentum must be at least 0 and less than 1 (got NaN)")]
    [InlineData("--rate", "NaN", "--rate must be between 0 and 1 (got NaN)")]
    [InlineData("--warmup", "2", "--warmup must be between 0 and --epochs - 1 (got 2)")]
    [InlineData("--non-finite-loss", "maybe", "Unknown --non-finite-loss 'maybe'. Choose one of: stop, skip.")]
    public void A_bad_numeric_option_is_refused_before_anything_is_written(string option, string value, string expected)
    {
        var dir = Dir("run");
        AssertFails(2, Train(dir, option, value), expected);
        Assert.False(Directory.Exists(dir), "the run folder was created");
    }

    // ---------------------------------------------------------------- --out (§4)

    [Fact]
    public void A_growth_rule_the_model_does_not_declare_is_refused_naming_its_pairs()
    {
        var (exit, output) = Cli.Run(Cli.TinyTrain(Dir("run"), "--growth", "function-preserving"));
        Assert.Equal(2, exit);
        Assert.Contains("error: --growth function-preserving: 'MotivationDsl.Cli.Tests.TinyFashion' has no proven weights map Small -> Large under Growth.FunctionPreserving. Declared pairs: Small -> Large.", output);
        Assert.DoesNotContain("   at ", output);
        Assert.False(Directory.Exists(Dir("run")));
    }

    [Fact]
    public void An_out_that_is_a_file_is_refused_and_kept()
    {
        var file = Dir("notes.txt");
        File.WriteAllText(file, "keep me");
        AssertFails(2, Cli.TinyTrain(file), $"--out '{file}' is a file, not a run folder.");
        Assert.Equal("keep me", File.ReadAllText(file));
    }

    [Fact]
    public void An_out_under_a_file_is_refused()
    {
        var file = Dir("notes.txt");
        File.WriteAllText(file, "keep me");
        var under = Path.Combine(file, "run");
        AssertFails(2, Cli.TinyTrain(under), $"Cannot create the run folder --out '{under}'");
        Assert.Equal("keep me", File.ReadAllText(file));
    }

    [Fact]
    public void An_unwritable_out_folder_is_refused()
    {
        if (!OperatingSystem.IsLinux()) return;
        // Root may write into a chmod 555 folder; sysfs refuses new files to everyone.
        var dir = Dir("readonly");
        Directory.CreateDirectory(dir);
        File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        static bool Writable(string folder)
        {
            var probe = Path.Combine(folder, $"probe-{Guid.NewGuid():N}");
            try { File.WriteAllText(probe, ""); File.Delete(probe); return true; }
            catch (Exception e) when (e is UnauthorizedAccessException or IOException) { return false; }
        }
        var rootCanWrite = Writable(dir);
        var target = rootCanWrite ? "/sys/kernel" : dir;
        Assert.True(Directory.Exists(target) && !Writable(target), $"no unwritable folder to test with ('{target}')");
        AssertFails(2, Cli.TinyTrain(target), $"Cannot write to the run folder --out '{target}'");
        if (!rootCanWrite) Assert.Empty(Directory.GetFileSystemEntries(dir));
        var sub = Path.Combine(target, "run");
        AssertFails(2, Cli.TinyTrain(sub), $"--out '{sub}'");
        File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    // ---------------------------------------------------------------- data (§4)

    [Fact]
    public void Idx_files_with_no_images_are_refused()
    {
        var data = Dir("empty-idx");
        Directory.CreateDirectory(data);
        static byte[] Header(params int[] ints) => ints.SelectMany(i => BitConverter.GetBytes(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(i))).ToArray();
        File.WriteAllBytes(Path.Combine(data, "train-images-idx3-ubyte"), Header(0x803, 0, 28, 28));
        File.WriteAllBytes(Path.Combine(data, "train-labels-idx1-ubyte"), Header(0x801, 0));
        File.WriteAllBytes(Path.Combine(data, "t10k-images-idx3-ubyte"), Header(0x803, 0, 28, 28));
        File.WriteAllBytes(Path.Combine(data, "t10k-labels-idx1-ubyte"), Header(0x801, 0));
        var dir = Dir("run");
        AssertFails(2, ["train", "--model", "TinyFashion", "--data", data, "--out", dir], $"'{data}': the training set has no images.");
        Assert.False(Directory.Exists(dir));
    }

    // ---------------------------------------------------------------- disk full (§3, §4)

    [Fact]
    public void A_full_disk_at_a_checkpoint_stops_cleanly_and_the_outputs_match_the_last_checkpoint()
    {
        var dir = Dir("run");
        AtomicFile.BeforeCommit = path =>
        {
            if (path.EndsWith("epoch-0002.mdckpt", StringComparison.Ordinal)) throw new IOException($"No space left on device : '{path}'");
        };
        AssertFails(2, Cli.TinyTrain(dir), "No space left on device", "The run is intact up to checkpoint 'epoch-0001.mdckpt'", $"train --out {dir} --resume");
        AtomicFile.BeforeCommit = null;

        Assert.Equal(["epoch-0001.mdckpt"], Directory.GetFiles(Path.Combine(dir, "checkpoints")).Select(Path.GetFileName));
        Assert.Empty(Directory.GetFiles(dir, "*.tmp", SearchOption.AllDirectories));
        Assert.False(File.Exists(Path.Combine(dir, RunLock.FileName)), "the lock was not released");
        Assert.Single(JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "report.json")))!["epochs"]!.AsArray());
        Assert.Equal(2, File.ReadAllLines(Path.Combine(dir, "metrics.csv")).Count(l => l.Length > 0));   // header + epoch 1
        Assert.False(Directory.Exists(Path.Combine(dir, "models")));

        AssertSucceeds("train", "--out", dir, "--resume", "--threads", "1");
        Assert.Equal(2, JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "report.json")))!["epochs"]!.AsArray().Count);
    }

    [Fact]
    public void A_full_disk_at_report_json_stops_cleanly()
    {
        var dir = Dir("run");
        AtomicFile.BeforeCommit = path =>
        {
            if (path.EndsWith("report.json", StringComparison.Ordinal)) throw new IOException($"No space left on device : '{path}'");
        };
        AssertFails(2, Cli.TinyTrain(dir), "No space left on device", "epoch-0001.mdckpt");
        AtomicFile.BeforeCommit = null;
        Assert.Empty(Directory.GetFiles(dir, "*.tmp", SearchOption.AllDirectories));
        AssertSucceeds("train", "--out", dir, "--resume", "--threads", "1");
    }

    // ---------------------------------------------------------------- checkpoints (§3, §4)

    private static void Truncate(string path) { using var fs = new FileStream(path, FileMode.Open); fs.SetLength(fs.Length / 2); }

    private static void FlipByte(string path, long offset)
    {
        using var fs = new FileStream(path, FileMode.Open);
        fs.Position = offset < 0 ? fs.Length + offset : offset;
        var b = fs.ReadByte();
        fs.Position--;
        fs.WriteByte((byte)(b ^ 0x5A));
    }

    [Fact]
    public void A_truncated_newest_checkpoint_is_skipped_with_a_warning_in_resume_eval_and_export()
    {
        var dir = Dir("run");
        AssertSucceeds(Train(dir, "--epochs", "3", "--stop-after", "2"));
        Directory.Delete(Path.Combine(dir, "models"), recursive: true);
        var newest = Path.Combine(dir, "checkpoints", "epoch-0002.mdckpt");
        Truncate(newest);

        var eval = AssertSucceeds("eval", "--run", dir);   // no models/ yet: evaluated from a checkpoint
        Assert.Contains($"warning: skipping checkpoint '{newest}'", eval);
        Assert.Contains("epoch-0001.mdckpt", eval);
        var export = AssertSucceeds("export", "--run", dir, "--out", Dir("exported"));
        Assert.Contains($"warning: skipping checkpoint '{newest}'", export);

        var resume = AssertSucceeds("train", "--out", dir, "--resume", "--threads", "1");
        Assert.Contains($"warning: skipping checkpoint '{newest}'", resume);
        Assert.Contains("Resume: epoch-0001.mdckpt (1 of 3 epochs done", resume);
        var report = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "report.json")))!;
        Assert.Equal(3, report["epochs"]!.AsArray().Count);
        Assert.NotNull(report["final"]);
        Assert.Null(CheckpointIssue(newest));
    }

    private static string? CheckpointIssue(string path)
    {
        try { using var _ = Training.Checkpoints.CheckpointFile.Open(path); return null; }
        catch (InvalidDataException e) { return e.Message; }
    }

    [Theory]
    [InlineData("truncated", "is truncated")]
    [InlineData("header", "corrupt header")]
    [InlineData("tensor", "does not match its checksum")]
    [InlineData("empty", "the file is empty")]
    public void A_damaged_only_checkpoint_is_one_error_in_resume_eval_and_export(string damage, string expected)
    {
        var dir = StoppedRun("run");
        var checkpoint = Path.Combine(dir, "checkpoints", "epoch-0001.mdckpt");
        switch (damage)
        {
            case "truncated": Truncate(checkpoint); break;
            case "header": FlipByte(checkpoint, 40); break;
            case "tensor": FlipByte(checkpoint, -3); break;
            default: File.WriteAllBytes(checkpoint, []); break;
        }
        var before = Snapshot(dir);
        AssertFails(2, ["train", "--out", dir, "--resume"], "Cannot resume: no checkpoint", expected);
        AssertFails(2, ["eval", "--run", dir], "no intact checkpoint");
        AssertFails(2, ["export", "--run", dir, "--out", Dir("exported")], "no intact checkpoint");
        AssertNothingLost(before, dir);
    }

    [Fact]
    public void Leftover_temporary_files_of_a_killed_write_are_removed_on_resume()
    {
        var dir = StoppedRun("run");
        var leftover = Path.Combine(dir, "checkpoints", $".epoch-0002.mdckpt.{Guid.NewGuid():N}.tmp");
        File.WriteAllBytes(leftover, []);
        var output = AssertSucceeds("train", "--out", dir, "--resume", "--threads", "1");
        Assert.Contains("Removed 1 temporary file(s) left by an interrupted write", output);
        Assert.False(File.Exists(leftover));
    }

    // ---------------------------------------------------------------- settings (§3)

    [Fact]
    public void A_resume_without_settings_json_continues_with_the_settings_of_the_checkpoint()
    {
        var dir = StoppedRun("run", "--batch-size", "16", "--seed", "9");
        File.Delete(Path.Combine(dir, TrainSettings.FileName));
        var output = AssertSucceeds("train", "--out", dir, "--resume", "--threads", "1");
        Assert.Contains("settings.json' is missing; using the run settings recorded in 'epoch-0001.mdckpt'", output);
        Assert.Contains("batch 16, 2 epochs, seed 9", output);
        var restored = TrainSettings.Load(dir)!;
        Assert.Equal(16, restored.BatchSize);
        Assert.Equal(9, restored.Seed);
        Assert.Equal(256, restored.TrainLimit);
    }

    [Fact]
    public void A_settings_json_of_another_run_is_refused()
    {
        var dir = StoppedRun("run");
        var path = Path.Combine(dir, TrainSettings.FileName);
        File.WriteAllText(path, (TrainSettings.Load(dir)! with { Seed = 8 }).ToJson());
        var before = Snapshot(dir);
        AssertFails(2, ["train", "--out", dir, "--resume"], $"'{path}' does not describe the run of checkpoint");
        AssertNothingLost(before, dir);
    }

    // ---------------------------------------------------------------- models/*.dat (§3, §4)

    [Theory]
    [InlineData("swapped", "holds the motivated model of")]
    [InlineData("truncated", "is truncated or damaged")]
    [InlineData("other-model", "holds the base model of MotivationDsl.Cli.Tests.OtherTiny")]
    [InlineData("unrecorded", "does not match the checksum")]
    public void A_mismatched_or_damaged_model_file_is_one_error_in_eval_and_export(string damage, string expected)
    {
        var dir = Dir("run");
        AssertSucceeds(Train(dir, "--epochs", "1"));
        var model = TrainSettings.Load(dir)!.Model;
        var models = Path.Combine(dir, "models");
        var basePath = Path.Combine(models, "base.dat");
        switch (damage)
        {
            case "swapped":
                File.Copy(Path.Combine(models, "motivated.dat"), basePath, overwrite: true);
                ModelIdentity.Record(model, "motivated", "Large", basePath);
                break;
            case "truncated": Truncate(basePath); break;
            case "other-model":
                ModelIdentity.Record("MotivationDsl.Cli.Tests.OtherTiny", "base", "Small", basePath);
                break;
            default: FlipByte(basePath, -5); break;
        }
        var before = Snapshot(dir);
        AssertFails(2, ["eval", "--run", dir], basePath, expected);
        AssertFails(2, ["export", "--run", dir, "--out", Dir("exported")], basePath, expected);
        AssertNothingLost(before, dir);
    }

    // ---------------------------------------------------------------- lock (§3)

    [Fact]
    public void A_second_writer_is_refused_while_the_first_runs_and_a_stale_lock_is_taken_over()
    {
        var dir = StoppedRun("run");
        using var me = Process.GetCurrentProcess();
        var lockPath = Path.Combine(dir, RunLock.FileName);
        File.WriteAllText(lockPath, $"{Environment.ProcessId} {me.StartTime.ToUniversalTime().Ticks} {Environment.MachineName}\n");
        var before = Snapshot(dir);
        AssertFails(2, ["train", "--out", dir, "--resume"], $"'{dir}' is in use by another train (process {Environment.ProcessId}");
        AssertFails(2, Cli.TinyTrain(Path.Combine(dir)), "already holds a run");
        AssertNothingLost(before, dir);

        // Same pid, other start time: the pid was reused after the lock's process died.
        File.WriteAllText(lockPath, $"{Environment.ProcessId} 1 {Environment.MachineName}\n");
        var output = AssertSucceeds("train", "--out", dir, "--resume", "--threads", "1");
        Assert.Contains("warning: took over the stale lock", output);
        Assert.False(File.Exists(lockPath));
    }

    [Fact]
    public void Two_new_runs_on_one_folder_the_second_is_refused()
    {
        var dir = Dir("run");
        Directory.CreateDirectory(dir);
        using var me = Process.GetCurrentProcess();
        File.WriteAllText(Path.Combine(dir, RunLock.FileName), $"{Environment.ProcessId} {me.StartTime.ToUniversalTime().Ticks} {Environment.MachineName}\n");
        AssertFails(2, Cli.TinyTrain(dir), "is in use by another train");
        Assert.Equal([RunLock.FileName], Directory.GetFileSystemEntries(dir).Select(Path.GetFileName));
    }

    // ---------------------------------------------------------------- divergence (§2)

    [Fact]
    public void A_diverging_run_stops_with_the_step_the_model_and_the_last_checkpoint_and_exports_nothing()
    {
        var dir = Dir("run");
        var output = AssertFails(3, Train(dir, "--lr", "1e6", "--epochs", "5"), "The training loss became", "at step", "model trained: the run diverged.", "Nothing was exported");
        var report = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "report.json")))!;
        var diverged = report["diverged"]!;
        Assert.Contains(diverged["model"]!.GetValue<string>(), new[] { "base", "motivated" });
        Assert.Contains($"at step {diverged["step"]!.GetValue<long>()} ", output);
        Assert.Null(report["final"]);
        Assert.False(Directory.Exists(Path.Combine(dir, "models")));
        Assert.False(File.Exists(Path.Combine(dir, RunLock.FileName)));
    }

    /// <summary>
    /// Trains <see cref="NaNAtBatchesModel"/> (TinyFashion whose logits become NaN on the given training batches, 0-based,
    /// counted over the run: TinyTrain has 8 per epoch) with <see cref="Train"/>'s options; evaluation is not counted.
    /// Unlike a huge --lr, whose divergence step depends on the CPU's kernels, this fails at a known step on every machine.
    /// </summary>
    private static (int Exit, string Output) TrainNaNAtBatches(int[] batches, string dir, params string[] options)
    {
        var model = new NaNAtBatchesModel(batches);
        return Cli.Run(model.Catalog(), Train(dir, ["--model", NaNAtBatchesModel.ModelName, .. options]));
    }

    [Fact]
    public void A_scripted_NaN_stops_the_run_at_its_step_with_exit_3_and_the_last_good_checkpoint()
    {
        var dir = Dir("run");
        AssertFailed(3, TrainNaNAtBatches([11], dir), // pass 11: epoch 2, batch 4
            "The training loss became NaN at step 11 (epoch 2, batch 4)", "epoch-0001.mdckpt", "Nothing was exported", "--non-finite-loss skip");
        var report = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "report.json")))!;
        var diverged = report["diverged"]!;
        Assert.Equal(11, diverged["step"]!.GetValue<long>());
        Assert.Equal(2, diverged["epoch"]!.GetValue<int>());
        Assert.EndsWith("epoch-0001.mdckpt", diverged["lastCheckpoint"]!.GetValue<string>());
        Assert.Single(report["epochs"]!.AsArray());
        Assert.Null(report["final"]);
        Assert.False(Directory.Exists(Path.Combine(dir, "models")));
        Assert.Equal(11, RunOutputsCallback.ReadSteps(Path.Combine(dir, "steps.csv")).Count);
    }

    [Fact]
    public void Under_non_finite_loss_skip_scripted_NaN_batches_are_skipped_counted_and_training_continues()
    {
        var dir = Dir("run");
        var output = AssertSucceeded(TrainNaNAtBatches([3, 11], dir, "--non-finite-loss", "skip"));
        Assert.Contains("warning: 2 training batch(es) had a non-finite loss and were skipped", output);
        var report = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "report.json")))!;
        Assert.Equal(2, report["skippedBatches"]!.GetValue<long>());
        Assert.Null(report["diverged"]);
        Assert.Equal([7L, 7L], report["epochs"]!.AsArray().Select(e => e!["steps"]!.GetValue<long>()));
        Assert.Equal(14, report["final"]!["steps"]!.GetValue<long>());
        var steps = RunOutputsCallback.ReadSteps(Path.Combine(dir, "steps.csv"));
        Assert.Equal(14, steps.Count);
        Assert.All(steps, s => Assert.True(double.IsFinite(s.Loss)));
        Assert.Equal(2, Directory.GetFiles(Path.Combine(dir, "models"), "*.dat").Length);
    }
}
