using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MotivationDsl.Reporting;
using ScottPlot;

namespace MotivationDsl.Experiments;

/// <summary>Writes <c>{dir}/{name}.md</c>, <c>{name}.json</c>, <c>{name}-accuracy.png</c>, <c>{name}-acc-vs-f.png</c> and <c>{name}-loss.png</c>, all atomically.</summary>
public static class ResultsWriter
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static IReadOnlyList<string> Write(string dir, ExperimentSummary s, string? command = null, string? machine = null)
    {
        Directory.CreateDirectory(dir);
        var name = s.Config.Name;
        var paths = new List<string>
        {
            Path.Combine(dir, name + ".md"), Path.Combine(dir, name + ".json"),
            Path.Combine(dir, name + "-accuracy.png"), Path.Combine(dir, name + "-acc-vs-f.png"), Path.Combine(dir, name + "-loss.png"),
        };
        var pngs = paths.Skip(2).Concat(s.EqualFlops is null ? [] : TrainingFlopsPlots(s).Select(p => Path.Combine(dir, $"{name}-acc-vs-training-flops-{p.Slug}.png")));
        AtomicFile.WriteAllText(paths[0], Markdown(s, command, machine, pngs.Select(Path.GetFileName).ToList()!));
        AtomicFile.WriteAllText(paths[1], Json(s, command, machine));
        if (s.Rows.Count > 0)
        {
            var p = AccuracyPlot(s);
            AtomicFile.Write(paths[2], tmp => p.SavePng(tmp, 800, 480));
            var q = AccVsFPlot(s);
            AtomicFile.Write(paths[3], tmp => q.SavePng(tmp, 800, 480));
            var l = LossPlot(s);
            AtomicFile.Write(paths[4], tmp => l.SavePng(tmp, 800, 480));
        }
        if (s.EqualFlops is not null)
            foreach (var (slug, rule) in TrainingFlopsPlots(s))
            {
                var path = Path.Combine(dir, $"{name}-acc-vs-training-flops-{slug}.png");
                var plot = AccVsTrainingFlopsPlot(s, rule);
                AtomicFile.Write(path, tmp => plot.SavePng(tmp, 800, 520));
                paths.Add(path);
            }
        return paths;
    }

    public static string Json(ExperimentSummary s, string? command, string? machine)
    {
        var node = new JsonObject
        {
            ["schema"] = "motivationdsl.experiment/1",
            ["name"] = s.Config.Name,
            ["command"] = command,
            ["machine"] = machine,
            ["configHash"] = s.ConfigHash,
            ["config"] = JsonNode.Parse(s.Config.ToJson()),
            ["rows"] = JsonNode.Parse(JsonSerializer.Serialize(s.Rows, ExperimentConfig.Json)),
            ["runs"] = JsonNode.Parse(JsonSerializer.Serialize(s.Runs, ExperimentConfig.Json)),
        };
        if (s.Growth is not null) node["growthComparison"] = JsonNode.Parse(JsonSerializer.Serialize(s.Growth, ExperimentConfig.Json));
        if (s.GrowthAblation is not null) node["growthAblation"] = JsonNode.Parse(JsonSerializer.Serialize(s.GrowthAblation, ExperimentConfig.Json));
        if (s.Trigger is not null) node["triggerComparison"] = JsonNode.Parse(JsonSerializer.Serialize(s.Trigger, ExperimentConfig.Json));
        if (s.EqualFlops is not null) node["equalFlopsComparison"] = JsonNode.Parse(JsonSerializer.Serialize(s.EqualFlops, ExperimentConfig.Json));
        return node.ToJsonString(ExperimentConfig.Json);
    }

    private static string P(double v) => double.IsFinite(v) ? (100 * v).ToString("F2", Inv) : "-";
    private static string T(double v) => double.IsFinite(v) ? (v / 1e12).ToString("F3", Inv) : "-";
    private static string M(double v) => double.IsFinite(v) ? (v / 1e6).ToString("F2", Inv) : "-";
    /// <summary>ACC/FLOPs in accuracy percentage points per GFLOP of F.</summary>
    private static string E(double v) => double.IsFinite(v) ? (100 * v * 1e9).ToString("F3", Inv) : "-";
    private static string R(double v) => double.IsFinite(v) ? v.ToString("F3", Inv) : "-";
    /// <summary>Signed percentage points (the value is already in points).</summary>
    private static string D(double v) => double.IsFinite(v) ? v.ToString("+0.00;-0.00;0.00", Inv) : "-";

    public static string Table(ExperimentSummary s)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| row | model | seeds | test acc % mean | std | min | max | per seed | F (M FLOPs) | motivated share | ACC/FLOPs (pp per GFLOP) | ACC/F ratio | wall s / run |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        var ycApf = s.Rows.FirstOrDefault(r => r.Row == "Y-C")?.AccPerFlops ?? double.NaN;
        foreach (var r in s.Rows)
        {
            var per = string.Join(" / ", r.Accuracies.Select(a => P(a)));
            // A ratio of two negative ACC/FLOPs is positive but only says "both below X-C": flag it.
            var ratio = R(r.AccFRatio) + (r.Row != "Y-C" && r.AccPerFlops < 0 && ycApf < 0 ? " (both < 0)" : "");
            sb.AppendLine($"| {r.Row} | {r.Description} | {r.Accuracy.N} | {P(r.Accuracy.Mean)} | {P(r.Accuracy.Std)} | {P(r.Accuracy.Min)} | {P(r.Accuracy.Max)} | {per} | " +
                          $"{M(r.MeanForwardFlops.Mean)} | {P(r.MotivatedShare.Mean)}% | {E(r.AccPerFlops)} | {ratio} | {r.WallSeconds.Mean.ToString("F0", Inv)} |");
        }
        return sb.ToString();
    }

    public static string Markdown(ExperimentSummary s, string? command, string? machine, IReadOnlyList<string> pngs)
    {
        var c = s.Config;
        var sb = new StringBuilder();
        sb.AppendLine($"# Experiment `{c.Name}`: {c.BaseVariant} -> {c.MotivatedVariant} ({c.Model})");
        sb.AppendLine();
        sb.AppendLine("Generated by MotivationDsl.Experiments (rewritten after every finished run).");
        sb.AppendLine();
        if (command is not null) { sb.AppendLine("Command:"); sb.AppendLine(); sb.AppendLine("```bash"); sb.AppendLine(command); sb.AppendLine("```"); sb.AppendLine(); }
        if (machine is not null) { sb.AppendLine($"Machine: {machine}"); sb.AppendLine(); }
        sb.AppendLine($"Data: {c.Data}. Train limit: {(c.TrainLimit?.ToString(Inv) ?? "all")}, test limit: {(c.TestLimit?.ToString(Inv) ?? "all")}.");
        sb.AppendLine($"Budget: {c.Epochs} epochs, batch {c.BatchSize}, {c.Optimizer} lr {c.LearningRate.ToString(Inv)} momentum {c.Momentum.ToString(Inv)} wd {c.WeightDecay.ToString(Inv)}, {c.Schedule} schedule" +
                      $"{(c.WarmupEpochs > 0 ? $" ({c.WarmupEpochs} warm-up epochs)" : "")}, k = {c.K}, crop padding {c.CropPadding}, flip {c.HorizontalFlip}, {c.Threads} torch thread(s). " +
                      $"Seeds: {string.Join(", ", c.Seeds)}. Config hash `{s.ConfigHash}`.");
        if (c.GrowthModel is not null)
            sb.AppendLine($"Function-preserving growth: the X-F runs train `{c.GrowthModel}` (the same variants under the function-preserving growth rule) " +
                          $"with the X-Y runs' trigger, seeds, data order and budget.");
        sb.AppendLine();
        var expected = c.Seeds.Count * c.Kinds().Count();
        sb.AppendLine($"Runs finished: {s.Runs.Count} of {expected}.");
        sb.AppendLine();
        sb.AppendLine(Table(s));
        sb.AppendLine("Test accuracy is the final epoch's, on the test set above. F = mean forward FLOPs per training forward pass " +
                      "(paper Eq. 1: (base forwards x base FLOPs + motivated forwards x motivated FLOPs) / all forwards; FLOPs = 2 x MACs). " +
                      "ACC/FLOPs = (mean Acc - mean Acc(X-C)) / (mean F - mean F(X-C)), shown in accuracy percentage points per GFLOP; " +
                      "ACC/F ratio = the row's ACC/FLOPs / Y-C's (for X-Y-B this is the paper's ACC/F ratio). Std is the sample standard deviation over seeds.");
        sb.AppendLine();
        if (s.Growth is not null) sb.Append(GrowthSection(s.Growth));
        if (s.EqualFlops is not null) sb.Append(EqualFlopsSection(s));
        if (s.GrowthAblation is not null) sb.Append(GrowthAblationSection(s.GrowthAblation));
        if (s.Trigger is not null)
        {
            sb.AppendLine("## Learned trigger");
            sb.AppendLine();
            sb.AppendLine("X-L: a two-armed epsilon-greedy bandit (epsilon 0.1, discount 0.99 per decision) decides after every base batch whether the " +
                          "motivated model trains the next batch, rewarded by the base's loss decrease per training FLOP (LearnedTrigger); X-LR: random " +
                          "activations at the share X-L measured, same seed. Motivated shares: " +
                          string.Join(", ", s.Rows.Where(r => r.Row is "X-Y-B" or "X-F-B" or "X-L-B" or "X-LR-B").Select(r => $"{r.Row[..^2]} {P(r.MotivatedShare.Mean)}%")) + ".");
            sb.AppendLine();
            sb.Append(DifferencesTable(s.Trigger));
        }
        sb.AppendLine("## Per run");
        sb.AppendLine();
        sb.AppendLine("| run | seed | condition | base acc % | motivated acc % | F (M) | training TFLOPs | steps | share | activations | wall s | resumed from epoch |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in s.Runs)
            sb.AppendLine($"| {ExperimentRunner.KindSlug(r.Kind)} | {r.Seed} | {r.Condition} | {(r.BaseAccuracy is { } b ? P(b) : "-")} | {(r.MotivatedAccuracy is { } m ? P(m) : "-")} | " +
                          $"{M(r.MeanForwardFlops)} | {T(r.TrainingFlops ?? double.NaN)} | {r.BaseBatches + r.MotivatedBatches} | {P(r.MotivatedShare)}% | {r.Activations} | {r.WallSeconds.ToString("F0", Inv)} | {r.ResumedFromEpoch} |");
        sb.AppendLine();
        foreach (var png in pngs) sb.AppendLine($"![{png}]({png})");
        return sb.ToString();
    }

    /// <summary>The generated comparison of the two growth rules (a markdown section).</summary>
    public static string GrowthSection(GrowthComparison g)
    {
        var sb = new StringBuilder();
        sb.AppendLine("## Growth rules: function-preserving vs the paper's map");
        sb.AppendLine();
        sb.AppendLine($"X-F (`{g.GrowthModel}`, function-preserving growth) against X-Y (`{g.Model}`, the paper's weights map) and the classical runs. " +
                      "Test accuracy differences in percentage points, paired by seed (positive: the first row is better); mean, std, min and max are over those seeds.");
        sb.AppendLine();
        sb.AppendLine("| difference | meaning | seeds | per seed (pp) | mean pp | std | min | max | first row better in |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var d in g.Differences)
            sb.AppendLine($"| {d.Row} - {d.Minus} | {d.Description} | {string.Join(", ", d.Seeds)} | {string.Join(" / ", d.Points.Select(D))} | " +
                          $"{D(d.Stats.Mean)} | {(double.IsFinite(d.Stats.Std) ? d.Stats.Std.ToString("F2", Inv) : "-")} | {D(d.Stats.Min)} | {D(d.Stats.Max)} | {d.Wins} of {d.Seeds.Count} |");
        sb.AppendLine();
        foreach (var d in g.Differences.Take(2))
            if (d.Seeds.Count > 0) sb.AppendLine($"- {Verdict(d)}");
        sb.AppendLine();
        return sb.ToString();
    }

    /// <summary>The generated equal-compute section: paired differences, a sentence per comparison.</summary>
    public static string EqualFlopsSection(ExperimentSummary s)
    {
        var e = s.EqualFlops!;
        var sb = new StringBuilder();
        sb.AppendLine("## Equal training compute");
        sb.AppendLine();
        sb.AppendLine($"X-C=F and Y-C=F train the base and the large model classically for the number of steps whose training FLOPs (forward + backward = 3 x forward, " +
                      $"per training sample) are closest to the same seed's {e.Reference} run; the configured schedule is stretched over those steps. " +
                      "Test accuracy differences in percentage points, paired by seed. A comparison reads better or worse when the mean difference exceeds the " +
                      "paired seed spread (the std of the differences), otherwise not distinguishable at this budget.");
        sb.AppendLine();
        var tf = s.Rows.Where(r => double.IsFinite(r.TrainingFlops.Mean)).ToList();
        if (tf.Count > 0)
            sb.AppendLine("Training TFLOPs (mean over seeds): " + string.Join(", ", tf.Select(r => $"{r.Row} {T(r.TrainingFlops.Mean)}")) + ".");
        sb.AppendLine();
        sb.Append(DifferencesTable(e.Differences));
        return sb.ToString();
    }

    /// <summary>The generated growth-ablation section (placement and initialisation separated).</summary>
    public static string GrowthAblationSection(IReadOnlyList<AccuracyDifference> diffs)
    {
        var sb = new StringBuilder();
        sb.AppendLine("## Growth ablation: placement and initialisation separated");
        sb.AppendLine();
        sb.AppendLine("Cells: X-Y = last-to-last + random (the paper's map), X-FR = first-l + random, X-LI = last-to-last + identity, " +
                      "X-F = first-l + identity (function-preserving growth); same trigger, seeds, data order and budget. Each difference changes one factor. " +
                      "Percentage points, paired by seed; better/worse when the mean exceeds the paired seed spread (std of the differences).");
        sb.AppendLine();
        sb.Append(DifferencesTable(diffs));
        return sb.ToString();
    }

    /// <summary>Paired differences as a table and one plain sentence each.</summary>
    public static string DifferencesTable(IReadOnlyList<AccuracyDifference> diffs)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| difference | meaning | seeds | per seed (pp) | mean pp | std | min | max | first row better in | reads |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var d in diffs)
            sb.AppendLine($"| {d.Row} - {d.Minus} | {d.Description} | {string.Join(", ", d.Seeds)} | {string.Join(" / ", d.Points.Select(D))} | " +
                          $"{D(d.Stats.Mean)} | {(double.IsFinite(d.Stats.Std) ? d.Stats.Std.ToString("F2", Inv) : "-")} | {D(d.Stats.Min)} | {D(d.Stats.Max)} | {d.Wins} of {d.Seeds.Count} | {Reads(d.Outcome)} |");
        sb.AppendLine();
        foreach (var d in diffs)
            sb.AppendLine($"- {d.Row} vs {d.Minus}: {Sentence(d)}");
        sb.AppendLine();
        return sb.ToString();
    }

    private static string Reads(Outcome o) => o switch
    {
        Outcome.Better => "better",
        Outcome.Worse => "worse",
        _ => "not distinguishable",
    };

    /// <summary>A plain sentence for one paired comparison.</summary>
    public static string Sentence(AccuracyDifference d)
    {
        var m = d.Stats.Mean;
        var spread = double.IsFinite(d.Stats.Std) ? d.Stats.Std.ToString("F2", Inv) : "-";
        return d.Outcome switch
        {
            Outcome.Better => $"{d.Row} is better, by {D(m)} pp on average (paired spread {spread} pp; better in {d.Wins} of {d.Seeds.Count} seeds).",
            Outcome.Worse => $"{d.Row} is worse, by {(-m).ToString("F2", Inv)} pp on average (paired spread {spread} pp; better in {d.Wins} of {d.Seeds.Count} seeds).",
            _ => $"not distinguishable at this budget: mean {D(m)} pp, paired spread {spread} pp over {d.Seeds.Count} seed(s) (better in {d.Wins}).",
        };
    }

    /// <summary>One accuracy-versus-training-FLOPs plot per growth rule present: (file slug, row prefix).</summary>
    public static IReadOnlyList<(string Slug, string Rule)> TrainingFlopsPlots(ExperimentSummary s)
    {
        var list = new List<(string, string)>();
        if (s.Runs.Any(r => r.Kind == RunKind.Motivated)) list.Add(("paper", "X-Y"));
        if (s.Runs.Any(r => r.Kind == RunKind.MotivatedFunctionPreserving)) list.Add(("function-preserving", "X-F"));
        return list;
    }

    /// <summary>
    /// Test accuracy against training FLOPs, one point per seed, for the classical rows (X-C, Y-C, X-C=F, Y-C=F) and the
    /// two models of one growth rule's motivated run (<paramref name="rule"/> = X-Y or X-F).
    /// </summary>
    public static Plot AccVsTrainingFlopsPlot(ExperimentSummary s, string rule)
    {
        var plot = new Plot();
        string[] shown = ["X-C", "Y-C", "X-C=F", "Y-C=F", rule + "-B", rule + "-M"];
        MarkerShape[] shapes = [MarkerShape.FilledCircle, MarkerShape.FilledSquare, MarkerShape.OpenCircle, MarkerShape.OpenSquare, MarkerShape.FilledTriangleUp, MarkerShape.FilledDiamond];
        for (int i = 0; i < shown.Length; i++)
        {
            var row = s.Rows.FirstOrDefault(r => r.Row == shown[i]);
            if (row is null) continue;
            var runs = s.Runs.Where(r => r.Kind == row.Kind && r.TrainingFlops is not null && Aggregation.AccuracyOf(r, row.Model) is not null).ToList();
            if (runs.Count == 0) continue;
            var m = plot.Add.Markers(runs.Select(r => r.TrainingFlops!.Value / 1e12).ToArray(), runs.Select(r => 100 * Aggregation.AccuracyOf(r, row.Model)!.Value).ToArray());
            m.Color = Color.FromHex(Palette[i % Palette.Length]);
            m.MarkerShape = shapes[i];
            m.MarkerSize = 9;
            m.LegendText = $"{row.Row} (mean {P(row.Accuracy.Mean)}%)";
        }
        plot.XLabel("training TFLOPs (forward + backward = 3 x forward)");
        plot.YLabel("test accuracy % (one point per seed)");
        plot.Title($"{s.Config.Name}: accuracy vs training compute, {(rule == "X-Y" ? "paper's map" : "function-preserving growth")}");
        plot.ShowLegend(Alignment.LowerRight);
        return plot;
    }

    private static string Verdict(AccuracyDifference d)
    {
        var what = d.Row.EndsWith("-B", StringComparison.Ordinal) ? "Base" : "Motivated model";
        var m = d.Stats.Mean;
        var outcome = m > 0 ? $"the function-preserving rule wins by {m.ToString("F2", Inv)} pp"
            : m < 0 ? $"the paper's rule wins by {(-m).ToString("F2", Inv)} pp"
            : "the two rules tie";
        return $"{what} ({d.Row} vs {d.Minus}): {outcome} on average over {d.Seeds.Count} seed(s); the function-preserving rule is better in " +
               $"{d.Wins} of {d.Seeds.Count} and worse in {d.Points.Count(p => p < 0)}.";
    }

    private static readonly string[] Palette = ["#1F77B4", "#FF7F0E", "#2CA02C", "#D62728", "#9467BD", "#8C564B", "#E377C2", "#7F7F7F", "#BCBD22", "#17BECF"];

    public static Plot AccuracyPlot(ExperimentSummary s)
    {
        var plot = new Plot();
        var ticks = new List<Tick>();
        for (int i = 0; i < s.Rows.Count; i++)
        {
            var r = s.Rows[i];
            var color = Color.FromHex(Palette[i % Palette.Length]);
            var bar = plot.Add.Bar(new Bar { Position = i, Value = 100 * r.Accuracy.Mean, FillColor = color.WithAlpha(0.6),
                ValueBase = 100 * Math.Max(0, s.Rows.Min(x => x.Accuracy.Min) - 0.02) });
            var eb = plot.Add.Line(i, 100 * r.Accuracy.Min, i, 100 * r.Accuracy.Max);
            eb.Color = Colors.Black;
            eb.LineWidth = 2;
            var dots = plot.Add.Markers(r.Accuracies.Select(_ => (double)i).ToArray(), r.Accuracies.Select(a => 100 * a).ToArray());
            dots.Color = Colors.Black; dots.MarkerSize = 5;
            ticks.Add(new Tick(i, r.Row));
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks.ToArray());
        plot.Axes.Margins(bottom: 0);
        plot.YLabel("test accuracy %");
        plot.Title($"{s.Config.Name}: test accuracy (bar: mean, whisker: min-max, dots: seeds)");
        return plot;
    }

    public static Plot AccVsFPlot(ExperimentSummary s)
    {
        var plot = new Plot();
        for (int i = 0; i < s.Rows.Count; i++)
        {
            var r = s.Rows[i];
            double[] fx = [r.MeanForwardFlops.Mean / 1e6], ay = [100 * r.Accuracy.Mean];
            var sc = plot.Add.Markers(fx, ay);
            sc.Color = Color.FromHex(Palette[i % Palette.Length]);
            sc.MarkerSize = 10;
            sc.LegendText = r.Row;
            double[] sd = [100 * r.Accuracy.Std];
            var eb = plot.Add.ErrorBar(fx, ay, sd);
            eb.Color = sc.Color;
        }
        plot.XLabel("F: mean forward MFLOPs per training forward");
        plot.YLabel("test accuracy % (mean ± std)");
        plot.Title($"{s.Config.Name}: accuracy vs F (Eq. 1)");
        plot.ShowLegend(Alignment.LowerRight);
        return plot;
    }

    public static Plot LossPlot(ExperimentSummary s)
    {
        var plot = new Plot();
        var kinds = s.Runs.Select(r => r.Kind).Distinct().OrderBy(k => k).ToList();
        for (int i = 0; i < kinds.Count; i++)
        {
            var runs = s.Runs.Where(r => r.Kind == kinds[i] && r.TrainLoss.Count > 0).ToList();
            if (runs.Count == 0) continue;
            var n = runs.Min(r => r.TrainLoss.Count);
            var xs = Enumerable.Range(1, n).Select(e => (double)e).ToArray();
            var ys = xs.Select((_, e) => runs.Average(r => r.TrainLoss[e])).ToArray();
            var line = plot.Add.ScatterLine(xs, ys);
            line.Color = Color.FromHex(Palette[i % Palette.Length]);
            line.LegendText = ExperimentRunner.KindSlug(kinds[i]);
            line.LineWidth = 2;
        }
        plot.XLabel("epoch");
        plot.YLabel("mean training loss (mean over seeds)");
        plot.Title($"{s.Config.Name}: training loss per epoch");
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }
}
