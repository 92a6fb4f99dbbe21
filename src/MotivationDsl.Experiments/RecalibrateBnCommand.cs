using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MotivationDsl.Training;

namespace MotivationDsl.Experiments;

/// <summary>
/// <c>recalibrate-bn</c>: the finished jobs of a work folder evaluated from their final checkpoints, as trained and after
/// re-estimating the BatchNorm statistics (<see cref="BatchNormStatistics"/>); writes <c>{out}/{name}-bn-recalibration.{md,json}</c>.
/// </summary>
internal static class RecalibrateBnCommand
{
    public static Command Create(ScalableModelDefinition[] defs, string[] rawArgs)
    {
        var work = ExperimentCli.Required("--work", "the experiment's work folder (its config.json names the models and data)", "DIR");
        var batches = ExperimentCli.Opt("--batches", "training batches the statistics are re-estimated on", "N", 100).AtLeast(1);
        var jobs = ExperimentCli.OptString("--jobs", "comma-separated jobs, e.g. x-f-seed4,y-c-seed4 (default: every finished job that kept its final checkpoint)", "JOBS");
        var data = ExperimentCli.OptString("--data", "the data folder the experiment ran on (default: as for run)", "DIR");
        var outDir = ExperimentCli.Opt("--out", "where the results are written", "DIR", "results");
        var command = new Command("recalibrate-bn",
            "Evaluate finished jobs from their final checkpoints as trained and after re-estimating BatchNorm running statistics on training batches.")
        {
            work, batches, jobs, data, outDir,
        };
        command.SetAction(p => ExperimentCli.Guard(() =>
            Run(defs, p.GetValue(work)!, p.GetValue(batches), p.GetValue(jobs), p.GetValue(data), p.GetValue(outDir)!, rawArgs)));
        return command;
    }

    private static int Run(ScalableModelDefinition[] defs, string work, int batches, string? jobList, string? dataDir, string outDir, string[] rawArgs)
    {
        IReadOnlyList<(RunKind Kind, long Seed)>? requested = jobList is null ? null : ParseJobs(jobList);
        var configPath = Path.Combine(work, "config.json");
        if (!File.Exists(configPath)) throw new FileNotFoundException($"{work} is not an experiment work folder: {configPath} does not exist.");
        var config = ExperimentConfig.FromJson(JsonNode.Parse(File.ReadAllText(configPath))!["config"]!.ToJsonString());
        var def = ExperimentCli.Find(defs, config.Model);
        var growth = config.GrowthModel is { } g ? ExperimentCli.GrowthDefinition(def, ExperimentCli.Find(defs, g, "growth-model")) : null;
        using var loaded = ExperimentDataLoading.Load(def, config, dataDir);
        if (loaded.Description != config.Data)
            throw new ArgumentException($"{work} was run on {config.Data}, but the data given is {loaded.Description}; pass the experiment's --data.");
        var runner = new ExperimentRunner(def, config, loaded.Data, work, Console.Out, growth, defs);

        var selected = requested ?? runner.JobsWithFinalCheckpoint();
        if (selected.Count == 0)
            throw new InvalidOperationException($"No finished job in {work} kept its final checkpoint (jobs restored from a results JSON keep only their records).");
        var results = selected.SelectMany(j => runner.RecalibrateBatchNorm(j.Kind, j.Seed, batches)).ToList();

        Directory.CreateDirectory(outDir);
        var stem = Path.Combine(outDir, $"{config.Name}-bn-recalibration");
        var commandLine = "motivation-experiments " + string.Join(' ', rawArgs.Select(a => a.Contains(' ') ? $"\"{a}\"" : a));
        AtomicFile.WriteAllText(stem + ".json", JsonSerializer.Serialize(new { command = commandLine, configHash = config.Hash(), batches, results }, ExperimentConfig.Json));
        // The evaluated jobs' records, read by name: the work folder's config.json lists only the seeds it was created with.
        var records = selected.Select(j => RunRecord.FromJson(File.ReadAllText(runner.RecordPath(j.Kind, j.Seed)))).ToList();
        AtomicFile.WriteAllText(stem + ".md", Markdown(config, records, results, commandLine, ExperimentCli.Machine()));
        Console.WriteLine($"wrote {stem}.md, {stem}.json");
        return 0;
    }

    private static List<(RunKind Kind, long Seed)> ParseJobs(string list) =>
        list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(n => ExperimentRunner.ParseJobName(n) ?? throw new ArgumentException($"--jobs: '{n}' is not a job name (like x-f-seed4)."))
            .ToList();

    /// <summary>The report: every model before and after, and the experiment's paired differences with the re-estimated accuracies.</summary>
    internal static string Markdown(ExperimentConfig config, IReadOnlyList<RunRecord> records, IReadOnlyList<BatchNormRecalibration> results, string command, string machine)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine($"# {config.Name}: BatchNorm statistics re-estimated before evaluation");
        sb.AppendLine();
        sb.AppendLine("Generated by MotivationDsl.Experiments `recalibrate-bn`. Command:");
        sb.AppendLine();
        sb.AppendLine("```bash");
        sb.AppendLine(command);
        sb.AppendLine("```");
        sb.AppendLine();
        sb.AppendLine($"Machine: {machine}. Config hash `{config.Hash()}`.");
        sb.AppendLine();
        sb.AppendLine("Each model is loaded from its job's final checkpoint and evaluated on the test set in eval mode as trained, then after its " +
                      "BatchNorm running statistics were reset and re-estimated as the plain mean over the first N batches of the job's own " +
                      "training data (forward passes in training mode without gradients, like torch.optim.swa_utils.update_bn). " +
                      "\"record\" is the accuracy the run recorded; \"as trained\" must equal it.");
        sb.AppendLine();
        sb.AppendLine("| job | row | seed | record % | as trained % | re-estimated % | change pp | loss as trained | loss re-estimated | BN layers | batches |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in results)
            sb.AppendLine(string.Create(inv, $"| {r.Job} | {RowOf(r.Kind, r.Role)} | {r.Seed} | {100 * r.RecordedAccuracy:F2} | {100 * r.AsTrained.Accuracy:F2} | {100 * r.Recalibrated.Accuracy:F2} | {r.GainPoints:+0.00;-0.00;0.00} | {r.AsTrained.Loss:F4} | {r.Recalibrated.Loss:F4} | {r.Layers} | {r.Batches} |"));
        sb.AppendLine();

        // Every row: re-estimated minus as trained, paired by seed (the same model twice).
        var metric = config.Metric;
        var changes = new List<MetricDifference>();
        foreach (var (row, kind, role, desc) in Aggregation.RowDefinitions)
        {
            var models = results.Where(r => r.Kind == kind && r.Role == role).OrderBy(r => r.Seed).ToList();
            if (models.Count == 0) continue;
            var points = models.Select(r => r.GainPoints).ToList();
            changes.Add(new MetricDifference
            {
                Row = row + " re-estimated", Minus = row + " as trained", Description = $"{desc}: re-estimated minus as trained", Metric = metric,
                Seeds = models.Select(r => r.Seed).ToList(), Points = points, Stats = Stats.Of(points),
            });
        }
        var after = Recalibrated(records, results);
        sb.AppendLine("## Re-estimated minus as trained, per row (paired by seed)");
        sb.AppendLine();
        sb.Append(ResultsWriter.DifferencesTable(changes));
        sb.AppendLine();
        sb.AppendLine("## The experiment's comparisons with every evaluated model re-estimated");
        sb.AppendLine();
        sb.AppendLine("Only seeds whose jobs were all evaluated here count; paired by seed.");
        sb.AppendLine();
        var comparisons = Comparisons(after, metric);
        if (comparisons.Count == 0) sb.AppendLine("(no seed has both rows of any comparison)");
        else sb.Append(ResultsWriter.DifferencesTable(comparisons));
        return sb.ToString();
    }

    private static readonly (string Row, RunKind Kind, ModelRole Role, string Minus, RunKind MinusKind, ModelRole MinusRole, string What)[] Pairs =
    [
        ("X-F-M", RunKind.MotivatedFunctionPreserving, ModelRole.Motivated, "Y-C", RunKind.ClassicalLarge, ModelRole.Motivated, "motivated model (function-preserving) minus the large model trained classically"),
        ("X-F-B", RunKind.MotivatedFunctionPreserving, ModelRole.Base, "X-C", RunKind.ClassicalBase, ModelRole.Base, "base of the function-preserving run minus the base trained classically"),
        ("X-Y-M", RunKind.Motivated, ModelRole.Motivated, "Y-C", RunKind.ClassicalLarge, ModelRole.Motivated, "motivated model (paper's rule) minus the large model trained classically"),
        ("X-Y-B", RunKind.Motivated, ModelRole.Base, "X-C", RunKind.ClassicalBase, ModelRole.Base, "base of the paper's-rule run minus the base trained classically"),
        ("X-F-M", RunKind.MotivatedFunctionPreserving, ModelRole.Motivated, "X-Y-M", RunKind.Motivated, ModelRole.Motivated, "motivated model: function-preserving rule minus the paper's rule"),
    ];

    private static List<MetricDifference> Comparisons(IReadOnlyList<RunRecord> runs, ExperimentMetric metric) =>
        Pairs.Select(p => MetricDifference.Paired(runs, metric, p.Row, p.Kind, p.Role, p.Minus, p.MinusKind, p.MinusRole, p.What))
            .Where(d => d.Seeds.Count > 0).ToList();

    /// <summary>The evaluated jobs' records with their accuracies and losses replaced by the re-estimated evaluation; models not evaluated here are left out.</summary>
    private static List<RunRecord> Recalibrated(IReadOnlyList<RunRecord> records, IReadOnlyList<BatchNormRecalibration> results)
    {
        var list = new List<RunRecord>();
        foreach (var group in results.GroupBy(r => (r.Kind, r.Seed)))
        {
            var rec = records.FirstOrDefault(r => r.Kind == group.Key.Kind && r.Seed == group.Key.Seed);
            if (rec is null) continue;
            var b = group.FirstOrDefault(r => r.Role == ModelRole.Base);
            var m = group.FirstOrDefault(r => r.Role == ModelRole.Motivated);
            list.Add(rec with
            {
                BaseAccuracy = b?.Recalibrated.Accuracy, BaseLoss = b?.Recalibrated.Loss,
                MotivatedAccuracy = m?.Recalibrated.Accuracy, MotivatedLoss = m?.Recalibrated.Loss,
            });
        }
        return list;
    }

    private static string RowOf(RunKind kind, ModelRole role) =>
        Aggregation.RowDefinitions.FirstOrDefault(d => d.Kind == kind && d.Model == role).Row ?? $"{ExperimentRunner.KindSlug(kind)} {role}";
}
