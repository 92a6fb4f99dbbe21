using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MotivationDsl.Reporting;
using MotivationDsl.Training;
using ScottPlot;

namespace MotivationDsl.Experiments;

/// <summary>
/// Writes <c>{dir}/{name}.md</c>, <c>{name}.json</c>, <c>{name}-accuracy.png</c>, <c>{name}-acc-vs-f.png</c> and
/// <c>{name}-loss.png</c>, all atomically. The metric is the summary's (<see cref="ExperimentSummary.Metric"/>): test
/// accuracy, or held-out bits per byte for a language model (lower is better; the file names stay the same).
/// </summary>
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
    private static string K(double v) => double.IsFinite(v) ? (v / 1e3).ToString("F1", Inv) : "-";
    private static string T(double v) => double.IsFinite(v) ? (v / 1e12).ToString("F3", Inv) : "-";
    private static string M(double v) => double.IsFinite(v) ? (v / 1e6).ToString("F2", Inv) : "-";
    /// <summary>ACC/FLOPs in the metric's unit (accuracy percentage points, or bits per byte) per GFLOP of F.</summary>
    private static string E(ExperimentMetric metric, double v) => double.IsFinite(v) ? (metric.Scale() * v * 1e9).ToString("F4", Inv) : "-";
    private static string R(double v) => double.IsFinite(v) ? v.ToString("F3", Inv) : "-";
    public static string Table(ExperimentSummary s)
    {
        var m = s.Metric;
        var lm = m == ExperimentMetric.HeldOutBitsPerByte;
        var sb = new StringBuilder();
        sb.AppendLine($"| row | model | seeds | {m.Label()} mean | std | min | max | per seed | F (M FLOPs){(lm ? " | F per token (k FLOPs)" : "")} | motivated share | " +
                      $"{(lm ? "bpb change/FLOPs (bpb per GFLOP)" : "ACC/FLOPs (pp per GFLOP)")} | {(lm ? "ratio to Y-C" : "ACC/F ratio")} | wall s / run |");
        sb.AppendLine($"|---|---|---|---|---|---|---|---|---|{(lm ? "---|" : "")}---|---|---|---|");
        var ycApf = s.Rows.FirstOrDefault(r => r.Row == "Y-C")?.AccPerFlops ?? double.NaN;
        foreach (var r in s.Rows)
        {
            var per = string.Join(" / ", r.Values.Select(v => m.Format(v)));
            // A ratio of two ACC/FLOPs on the wrong side of X-C is positive but only says "both worse than X-C": flag it.
            var worse = m.HigherIsBetter() ? r.AccPerFlops < 0 && ycApf < 0 : r.AccPerFlops > 0 && ycApf > 0;
            var ratio = R(r.AccFRatio) + (r.Row != "Y-C" && worse ? " (both worse than X-C)" : "");
            sb.AppendLine($"| {r.Row} | {r.Description} | {r.Metric.N} | {m.Format(r.Metric.Mean)} | {m.Format(r.Metric.Std)} | {m.Format(r.Metric.Min)} | {m.Format(r.Metric.Max)} | {per} | " +
                          $"{M(r.MeanForwardFlops.Mean)}{(lm ? $" | {K(r.MeanForwardFlopsPerToken.Mean)}" : "")} | {P(r.MotivatedShare.Mean)}% | {E(m, r.AccPerFlops)} | {ratio} | {r.WallSeconds.Mean.ToString("F0", Inv)} |");
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
        var lm = s.Metric == ExperimentMetric.HeldOutBitsPerByte;
        sb.AppendLine($"Data: {c.Data}. Train limit: {(c.TrainLimit?.ToString(Inv) ?? "all")}, test limit: {(c.TestLimit?.ToString(Inv) ?? "all")}{(lm ? " (windows)" : "")}.");
        sb.AppendLine($"Budget: {c.Epochs} epochs, batch {c.BatchSize}, {c.Optimizer} lr {c.LearningRate.ToString(Inv)}{(c.Optimizer == "adamw" ? "" : $" momentum {c.Momentum.ToString(Inv)}")} wd {c.WeightDecay.ToString(Inv)}, {c.Schedule} schedule" +
                      $"{(c.WarmupEpochs > 0 ? $" ({c.WarmupEpochs} warm-up epochs)" : "")}{(c.MaxGradientNorm is { } g ? $", gradients clipped to norm {g.ToString(Inv)}" : "")}, k = {c.K}" +
                      $"{(lm ? "" : $", crop padding {c.CropPadding}, flip {c.HorizontalFlip}")}, {c.Threads} torch thread(s). " +
                      $"Seeds: {string.Join(", ", c.Seeds)}. Config hash `{s.ConfigHash}`.");
        if (c.GrowthModel is not null)
            sb.AppendLine($"Function-preserving growth: the X-F runs train `{c.GrowthModel}` (the same variants under the function-preserving growth rule) " +
                          $"with the X-Y runs' trigger, seeds, data order and budget.");
        sb.AppendLine();
        var expected = c.Seeds.Count * c.Kinds().Count();
        sb.AppendLine($"Runs finished: {s.Runs.Count} of {expected}.");
        sb.AppendLine();
        sb.AppendLine(Table(s));
        if (lm)
            sb.AppendLine("Held-out bits per byte (lower is better) = the final models' mean next-token cross entropy over the held-out windows / ln 2 " +
                          "(byte level: one token per byte). F = mean forward FLOPs per training forward pass of one window " +
                          "(paper Eq. 1: (base forwards x base FLOPs + motivated forwards x motivated FLOPs) / all forwards; FLOPs = 2 x MACs); " +
                          "F per token = F / context length. bpb change/FLOPs = (mean bpb - mean bpb(X-C)) / (mean F - mean F(X-C)) per GFLOP " +
                          "(negative: fewer bits per byte than X-C for the extra compute); ratio to Y-C = the row's value / Y-C's. Std is the sample standard deviation over seeds.");
        else
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
        var metric = s.Metric;
        var what = lm ? "bpb" : "acc %";
        sb.AppendLine($"| run | seed | condition | base {what} | motivated {what} | F (M) | training TFLOPs | steps | share | activations | wall s | resumed from epoch |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in s.Runs)
            sb.AppendLine($"| {ExperimentRunner.KindSlug(r.Kind)} | {r.Seed} | {r.Condition} | {metric.Format(metric.Of(r, ModelRole.Base) ?? double.NaN)} | {metric.Format(metric.Of(r, ModelRole.Motivated) ?? double.NaN)} | " +
                          $"{M(r.MeanForwardFlops)} | {T(r.TrainingFlops ?? double.NaN)} | {r.BaseBatches + r.MotivatedBatches} | {P(r.MotivatedShare)}% | {r.Activations} | {r.WallSeconds.ToString("F0", Inv)} | {r.ResumedFromEpoch} |");
        sb.AppendLine();
        foreach (var png in pngs) sb.AppendLine($"![{png}]({png})");
        return sb.ToString();
    }

    /// <summary>The generated comparison of the two growth rules (a markdown section).</summary>
    public static string GrowthSection(GrowthComparison g)
    {
        var metric = g.Differences.FirstOrDefault()?.Metric ?? ExperimentMetric.TestAccuracy;
        var sb = new StringBuilder();
        sb.AppendLine("## Growth rules: function-preserving vs the paper's map");
        sb.AppendLine();
        sb.AppendLine($"X-F (`{g.GrowthModel}`, function-preserving growth) against X-Y (`{g.Model}`, the paper's weights map) and the classical runs. " +
                      $"{DifferencesIn(metric)}, paired by seed ({Positive(metric)}); mean, std, min and max are over those seeds.");
        sb.AppendLine();
        var u = metric.Unit();
        sb.AppendLine($"| difference | meaning | seeds | per seed ({u}) | mean {u} | std | min | max | first row better in |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var d in g.Differences)
            sb.AppendLine($"| {d.Row} - {d.Minus} | {d.Description} | {string.Join(", ", d.Seeds)} | {string.Join(" / ", d.Points.Select(p => metric.FormatDifference(p)))} | " +
                          $"{metric.FormatDifference(d.Stats.Mean)} | {metric.FormatSpread(d.Stats.Std)} | {metric.FormatDifference(d.Stats.Min)} | {metric.FormatDifference(d.Stats.Max)} | {d.Wins} of {d.Seeds.Count} |");
        sb.AppendLine();
        foreach (var d in g.Differences.Take(2))
            if (d.Seeds.Count > 0) sb.AppendLine($"- {Verdict(d)}");
        // Whether each difference is distinguishable from the seed noise (the mean against the paired spread).
        foreach (var d in g.Differences.Where(d => d.Seeds.Count > 0))
            sb.AppendLine($"- {d.Row} vs {d.Minus}: {Sentence(d)}");
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
                      $"{DifferencesIn(s.Metric)}, paired by seed ({Positive(s.Metric)}). A comparison reads better or worse when the mean difference exceeds the " +
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
    public static string GrowthAblationSection(IReadOnlyList<MetricDifference> diffs)
    {
        var sb = new StringBuilder();
        sb.AppendLine("## Growth ablation: placement and initialisation separated");
        sb.AppendLine();
        sb.AppendLine("Cells: X-Y = last-to-last + random (the paper's map), X-FR = first-l + random, X-LI = last-to-last + identity, " +
                      "X-F = first-l + identity (function-preserving growth); same trigger, seeds, data order and budget. Each difference changes one factor. " +
                      $"{DifferencesIn(diffs.FirstOrDefault()?.Metric ?? ExperimentMetric.TestAccuracy)}, paired by seed; better/worse when the mean exceeds the paired seed spread (std of the differences).");
        sb.AppendLine();
        sb.Append(DifferencesTable(diffs));
        return sb.ToString();
    }

    /// <summary>Paired differences as a table and one plain sentence each.</summary>
    public static string DifferencesTable(IReadOnlyList<MetricDifference> diffs)
    {
        var metric = diffs.FirstOrDefault()?.Metric ?? ExperimentMetric.TestAccuracy;
        var u = metric.Unit();
        var sb = new StringBuilder();
        sb.AppendLine($"| difference | meaning | seeds | per seed ({u}) | mean {u} | std | min | max | first row better in | reads |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var d in diffs)
            sb.AppendLine($"| {d.Row} - {d.Minus} | {d.Description} | {string.Join(", ", d.Seeds)} | {string.Join(" / ", d.Points.Select(p => metric.FormatDifference(p)))} | " +
                          $"{metric.FormatDifference(d.Stats.Mean)} | {metric.FormatSpread(d.Stats.Std)} | {metric.FormatDifference(d.Stats.Min)} | {metric.FormatDifference(d.Stats.Max)} | {d.Wins} of {d.Seeds.Count} | {Reads(d.Outcome)} |");
        sb.AppendLine();
        foreach (var d in diffs)
            sb.AppendLine($"- {d.Row} vs {d.Minus}: {Sentence(d)}");
        sb.AppendLine();
        return sb.ToString();
    }

    /// <summary>"Test accuracy differences in percentage points" or "Held-out bits-per-byte differences".</summary>
    private static string DifferencesIn(ExperimentMetric m) =>
        m == ExperimentMetric.TestAccuracy ? "Test accuracy differences in percentage points" : "Held-out bits-per-byte differences (bpb)";

    /// <summary>Which sign of a difference means the first row is better.</summary>
    private static string Positive(ExperimentMetric m) =>
        m.HigherIsBetter() ? "positive: the first row is better" : "negative: the first row has fewer bits per byte, i.e. is better";

    private static string Reads(Outcome o) => o switch
    {
        Outcome.Better => "better",
        Outcome.Worse => "worse",
        _ => "not distinguishable",
    };

    /// <summary>A plain sentence for one paired comparison.</summary>
    public static string Sentence(MetricDifference d)
    {
        var metric = d.Metric;
        var m = d.Stats.Mean;
        var u = metric.Unit();
        var spread = metric.FormatSpread(d.Stats.Std);
        var lower = metric.HigherIsBetter() ? "" : " lower";
        return d.Outcome switch
        {
            Outcome.Better => $"{d.Row} is better, by {metric.FormatSpread(Math.Abs(m))} {u}{lower} on average (paired spread {spread} {u}; better in {d.Wins} of {d.Seeds.Count} seeds).",
            Outcome.Worse => $"{d.Row} is worse, by {metric.FormatSpread(Math.Abs(m))} {u}{(metric.HigherIsBetter() ? "" : " higher")} on average (paired spread {spread} {u}; better in {d.Wins} of {d.Seeds.Count} seeds).",
            _ => $"not distinguishable at this budget: mean {metric.FormatDifference(m)} {u}, paired spread {spread} {u} over {d.Seeds.Count} seed(s) (better in {d.Wins}).",
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
        var metric = s.Metric;
        var plot = new Plot();
        string[] shown = ["X-C", "Y-C", "X-C=F", "Y-C=F", rule + "-B", rule + "-M"];
        MarkerShape[] shapes = [MarkerShape.FilledCircle, MarkerShape.FilledSquare, MarkerShape.OpenCircle, MarkerShape.OpenSquare, MarkerShape.FilledTriangleUp, MarkerShape.FilledDiamond];
        for (int i = 0; i < shown.Length; i++)
        {
            var row = s.Rows.FirstOrDefault(r => r.Row == shown[i]);
            if (row is null) continue;
            var runs = s.Runs.Where(r => r.Kind == row.Kind && r.TrainingFlops is not null && metric.Of(r, row.Model) is not null).ToList();
            if (runs.Count == 0) continue;
            var m = plot.Add.Markers(runs.Select(r => r.TrainingFlops!.Value / 1e12).ToArray(), runs.Select(r => metric.Scale() * metric.Of(r, row.Model)!.Value).ToArray());
            m.Color = Color.FromHex(Palette[i % Palette.Length]);
            m.MarkerShape = shapes[i];
            m.MarkerSize = 9;
            m.LegendText = $"{row.Row} (mean {metric.Format(row.Metric.Mean)})";
        }
        plot.XLabel("training TFLOPs (forward + backward = 3 x forward)");
        plot.YLabel($"{metric.Label()} (one point per seed; {metric.Direction()})");
        plot.Title($"{s.Config.Name}: {metric.Label()} vs training compute, {(rule == "X-Y" ? "paper's map" : "function-preserving growth")}");
        plot.ShowLegend(metric.HigherIsBetter() ? Alignment.LowerRight : Alignment.UpperRight);
        return plot;
    }

    private static string Verdict(MetricDifference d)
    {
        var what = d.Row.EndsWith("-B", StringComparison.Ordinal) ? "Base" : "Motivated model";
        var m = d.Stats.Mean;
        var by = $"{d.Metric.FormatSpread(Math.Abs(m))} {d.Metric.Unit()}";
        var outcome = d.Metric.IsBetter(m) ? $"the function-preserving rule wins by {by}"
            : d.Metric.IsBetter(-m) ? $"the paper's rule wins by {by}"
            : "the two rules tie";
        return $"{what} ({d.Row} vs {d.Minus}): {outcome} on average over {d.Seeds.Count} seed(s); the function-preserving rule is better in " +
               $"{d.Wins} of {d.Seeds.Count} and worse in {d.Losses}.";
    }

    private static readonly string[] Palette = ["#1F77B4", "#FF7F0E", "#2CA02C", "#D62728", "#9467BD", "#8C564B", "#E377C2", "#7F7F7F", "#BCBD22", "#17BECF"];

    /// <summary>The metric per row: bar = mean, whisker = min-max, dots = seeds (the title says which direction is better).</summary>
    public static Plot AccuracyPlot(ExperimentSummary s)
    {
        var metric = s.Metric;
        var k = metric.Scale();
        // Bars start a little below the lowest value (2 pp of accuracy, 2 % of the lowest bits per byte), so differences show.
        var lowest = s.Rows.Min(x => x.Metric.Min);
        var barBase = k * Math.Max(0, metric.HigherIsBetter() ? lowest - 0.02 : lowest * 0.98);
        var plot = new Plot();
        var ticks = new List<Tick>();
        for (int i = 0; i < s.Rows.Count; i++)
        {
            var r = s.Rows[i];
            var color = Color.FromHex(Palette[i % Palette.Length]);
            var bar = plot.Add.Bar(new Bar { Position = i, Value = k * r.Metric.Mean, FillColor = color.WithAlpha(0.6), ValueBase = barBase });
            var eb = plot.Add.Line(i, k * r.Metric.Min, i, k * r.Metric.Max);
            eb.Color = Colors.Black;
            eb.LineWidth = 2;
            var dots = plot.Add.Markers(r.Values.Select(_ => (double)i).ToArray(), r.Values.Select(a => k * a).ToArray());
            dots.Color = Colors.Black; dots.MarkerSize = 5;
            ticks.Add(new Tick(i, r.Row));
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks.ToArray());
        plot.Axes.Margins(bottom: 0);
        plot.YLabel($"{metric.Label()} ({metric.Direction()})");
        plot.Title($"{s.Config.Name}: {metric.Label()} (bar: mean, whisker: min-max, dots: seeds)");
        return plot;
    }

    public static Plot AccVsFPlot(ExperimentSummary s)
    {
        var metric = s.Metric;
        var plot = new Plot();
        for (int i = 0; i < s.Rows.Count; i++)
        {
            var r = s.Rows[i];
            double[] fx = [r.MeanForwardFlops.Mean / 1e6], ay = [metric.Scale() * r.Metric.Mean];
            var sc = plot.Add.Markers(fx, ay);
            sc.Color = Color.FromHex(Palette[i % Palette.Length]);
            sc.MarkerSize = 10;
            sc.LegendText = r.Row;
            double[] sd = [metric.Scale() * r.Metric.Std];
            var eb = plot.Add.ErrorBar(fx, ay, sd);
            eb.Color = sc.Color;
        }
        plot.XLabel("F: mean forward MFLOPs per training forward");
        plot.YLabel($"{metric.Label()} (mean ± std; {metric.Direction()})");
        plot.Title($"{s.Config.Name}: {metric.Label()} vs F (Eq. 1)");
        plot.ShowLegend(metric.HigherIsBetter() ? Alignment.LowerRight : Alignment.UpperRight);
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
