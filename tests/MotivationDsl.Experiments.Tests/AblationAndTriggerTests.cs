using MotivationDsl.Training;

namespace MotivationDsl.Experiments.Tests;

public sealed class GrowthAblationTests
{
    [Fact]
    public void AblationModelsAreCheckedForRuleAndPlacement()
    {
        var config = Synthetic.Config();
        var all = new[] { TinyNetFirstRandom.Definition, TinyNetLastIdentity.Definition, TinyNetGrowing.Definition, TinyNetPaperTwin.Definition, TinyNetDeeper.Definition };
        Assert.Equal("first-l", ExperimentRunner.Placement(TinyNetFirstRandom.Definition));
        Assert.Equal("first-l", ExperimentRunner.Placement(TinyNetGrowing.Definition));
        Assert.Equal("last-to-last", ExperimentRunner.Placement(TinyNetLastIdentity.Definition));
        Assert.Equal("last-to-last", ExperimentRunner.Placement(TinyNet.Definition));
        Assert.Same(TinyNetFirstRandom.Definition,
            ExperimentRunner.CheckAblationModel(TinyNet.Definition, config, TinyNetFirstRandom.Definition.Name, all, identity: false, "first-l"));
        Assert.Null(ExperimentRunner.CheckAblationModel(TinyNet.Definition, config, null, all, identity: false, "first-l"));
        // Identity growth where random is asked for; the paper's placement where first-l is asked for; another architecture.
        var e1 = Assert.Throws<ArgumentException>(() => ExperimentRunner.CheckAblationModel(TinyNet.Definition, config, TinyNetGrowing.Definition.Name, all, false, "first-l"));
        Assert.Contains("Growth.FunctionPreserving", e1.Message);
        var e2 = Assert.Throws<ArgumentException>(() => ExperimentRunner.CheckAblationModel(TinyNet.Definition, config, TinyNetPaperTwin.Definition.Name, all, false, "first-l"));
        Assert.Contains("last-to-last, not first-l", e2.Message);
        var e3 = Assert.Throws<ArgumentException>(() => ExperimentRunner.CheckAblationModel(TinyNet.Definition, config, TinyNetDeeper.Definition.Name, all, false, "first-l"));
        Assert.Contains("variant Large", e3.Message);
        var e4 = Assert.Throws<ArgumentException>(() => ExperimentRunner.CheckAblationModel(TinyNet.Definition, config, TinyNetGrowing.Definition.Name, all, true, "last-to-last"));
        Assert.Contains("first-l, not last-to-last", e4.Message);
    }

    [Fact]
    public void TheFourCellsRunOnTheSameSeedsAndAreComparedOneFactorAtATime()
    {
        var dir = Synthetic.TempDir();
        var config = Synthetic.Config() with
        {
            Seeds = [1], GrowthModel = TinyNetGrowing.Definition.Name,
            FirstRandomModel = TinyNetFirstRandom.Definition.Name, LastIdentityModel = TinyNetLastIdentity.Definition.Name,
        };
        Assert.Equal((config with { FirstRandomModel = null, LastIdentityModel = null }).Hash(), config.Hash());
        var runner = new ExperimentRunner(TinyNet.Definition, config, Synthetic.Data(), Path.Combine(dir, "work"), growthDefinition: TinyNetGrowing.Definition,
            ablationDefinitions: [TinyNetFirstRandom.Definition, TinyNetLastIdentity.Definition]);
        var records = runner.Run();
        Assert.Equal(6, records.Count);
        Assert.Equal(TinyNetFirstRandom.Definition.Name, records.Single(r => r.Kind == RunKind.AblationFirstRandom).Model);
        Assert.Equal(TinyNetLastIdentity.Definition.Name, records.Single(r => r.Kind == RunKind.AblationLastIdentity).Model);
        var summary = Aggregation.Summarize(config, runner.ConfigHash, records);
        Assert.Equal(8, summary.GrowthAblation!.Count);
        Assert.Contains(summary.GrowthAblation, d => d.Row == "X-FR-M" && d.Minus == "X-Y-M");
        Assert.Contains(summary.GrowthAblation, d => d.Row == "X-F-B" && d.Minus == "X-LI-B");
        Assert.Contains("## Growth ablation", ResultsWriter.Markdown(summary, null, null, []));

        // A finished cell record of another model is refused on resume (the cell's model is not hashed).
        var other = config with { FirstRandomModel = TinyNetLastIdentity.Definition.Name, LastIdentityModel = null };
        var path = runner.RecordPath(RunKind.AblationFirstRandom, 1);
        File.WriteAllText(path, File.ReadAllText(path).Replace(TinyNetFirstRandom.Definition.Name, TinyNetGrowing.Definition.Name));
        var again = new ExperimentRunner(TinyNet.Definition, config, Synthetic.Data(), Path.Combine(dir, "work"), growthDefinition: TinyNetGrowing.Definition,
            ablationDefinitions: [TinyNetFirstRandom.Definition, TinyNetLastIdentity.Definition]);
        var e = Assert.Throws<ConfigMismatchException>(() => again.Run());
        Assert.Contains("x-fr", e.Message);
        Directory.Delete(dir, true);
    }
}

public sealed class LearnedTriggerRunnerTests
{
    [Fact]
    public void LearnedTriggerAndRandomAtItsShareRunOnTheReferencePair()
    {
        var dir = Synthetic.TempDir();
        var config = Synthetic.Config() with { Seeds = [1], LearnedTrigger = true, GrowthModel = TinyNetGrowing.Definition.Name };
        var runner = new ExperimentRunner(TinyNet.Definition, config, Synthetic.Data(), Path.Combine(dir, "work"), growthDefinition: TinyNetGrowing.Definition);
        var records = runner.Run();
        var xl = records.Single(r => r.Kind == RunKind.LearnedTrigger);
        var xlr = records.Single(r => r.Kind == RunKind.LearnedTriggerRandom);
        Assert.StartsWith("learned-bandit", xl.Condition);
        Assert.Equal(TinyNetGrowing.Definition.Name, xl.Model);
        Assert.Equal(xl.MotivatedShare, xlr.Rate);
        // Each arm is tried once before the means decide, so the motivated model trains at least one batch.
        Assert.True(xl.MotivatedBatches >= 1);
        var summary = Aggregation.Summarize(config, runner.ConfigHash, records);
        Assert.Equal(4, summary.Trigger!.Count);
        Assert.Contains(summary.Trigger, d => d.Row == "X-L-B" && d.Minus == "X-F-B");
        Assert.Contains(summary.Trigger, d => d.Row == "X-L-M" && d.Minus == "X-LR-M");
        Directory.Delete(dir, true);
    }
}

public sealed class JobLockTests
{
    [Fact]
    public void ALiveHolderBlocksAndADeadOneIsTakenOver()
    {
        var dir = Synthetic.TempDir();
        var path = Path.Combine(dir, "x-c-seed1.lock");
        using (var first = JobLock.TryAcquire(path))
        {
            Assert.NotNull(first);
            Assert.True(JobLock.HolderAlive(path));
            Assert.Null(JobLock.TryAcquire(path));
        }
        Assert.False(File.Exists(path));
        // A process id of this host that does not exist: stale, taken over.
        File.WriteAllText(path, $"{int.MaxValue - 7} {Environment.MachineName}");
        Assert.False(JobLock.HolderAlive(path));
        using (var taken = JobLock.TryAcquire(path)) Assert.NotNull(taken);
        // Another host's lock is respected.
        File.WriteAllText(path, "1 some-other-host");
        Assert.Null(JobLock.TryAcquire(path));
        Directory.Delete(dir, true);
    }

    [Fact]
    public void ARunnerSkipsAJobAnotherProcessHolds()
    {
        var dir = Synthetic.TempDir();
        var config = Synthetic.Config() with { Seeds = [1] };
        var log = new StringWriter();
        var runner = new ExperimentRunner(TinyNet.Definition, config, Synthetic.Data(), Path.Combine(dir, "work"), log);
        runner.PrepareWorkDir();
        File.WriteAllText(runner.LockPath(RunKind.Motivated, 1), "1 some-other-host");
        var records = runner.Run();
        Assert.DoesNotContain(records, r => r.Kind == RunKind.Motivated);
        Assert.Equal(2, records.Count);
        Assert.Contains("[x-y-seed1] running in another process", log.ToString());
        Directory.Delete(dir, true);
    }
}
