using ScottPlot;

namespace MotivationDsl.Reporting;

/// <summary>PNG of the training loss per step, with the intervals where the motivated model was active shaded.</summary>
public static class LossPlot
{
    /// <summary>Contiguous runs of motivated steps as [first, last] step pairs.</summary>
    public static IReadOnlyList<(long First, long Last)> MotivatedIntervals(IReadOnlyList<StepRecord> steps)
    {
        var spans = new List<(long, long)>();
        long? start = null;
        long prev = 0;
        foreach (var s in steps)
        {
            if (s.Motivated)
            {
                if (start is null || s.Step != prev + 1) { if (start is not null) spans.Add((start.Value, prev)); start = s.Step; }
                prev = s.Step;
            }
            else if (start is not null) { spans.Add((start.Value, prev)); start = null; }
        }
        if (start is not null) spans.Add((start.Value, prev));
        return spans;
    }

    /// <summary>Renders the plot and writes it atomically as PNG.</summary>
    public static void Write(string path, IReadOnlyList<StepRecord> steps, string? title = null, int width = 1200, int height = 600)
    {
        var plot = Build(steps, title);
        AtomicFile.Write(path, tmp => plot.SavePng(tmp, width, height));
    }

    public static Plot Build(IReadOnlyList<StepRecord> steps, string? title = null)
    {
        var plot = new Plot();
        var shade = Color.FromHex("#FF8C00").WithAlpha(0.25);
        bool labelled = false;
        foreach (var (first, last) in MotivatedIntervals(steps))
        {
            var span = plot.Add.HorizontalSpan(first - 0.5, last + 0.5);
            span.FillStyle.Color = shade;
            span.LineStyle.Width = 0;
            if (!labelled) { span.LegendText = "motivated model active"; labelled = true; }
        }
        if (steps.Count > 0)
        {
            var xs = steps.Select(s => (double)s.Step).ToArray();
            var ys = steps.Select(s => double.IsFinite(s.Loss) ? s.Loss : double.NaN).ToArray();
            var line = plot.Add.ScatterLine(xs, ys);
            line.Color = Color.FromHex("#1F77B4");
            line.LineWidth = 1;
            line.LegendText = "training loss";
            // Epoch boundaries as thin dotted lines.
            for (int i = 1; i < steps.Count; i++)
                if (steps[i].Epoch != steps[i - 1].Epoch)
                {
                    var v = plot.Add.VerticalLine(steps[i].Step - 0.5);
                    v.Color = Colors.Gray.WithAlpha(0.6);
                    v.LineWidth = 1;
                    v.LinePattern = LinePattern.Dotted;
                }
        }
        plot.XLabel("step");
        plot.YLabel("loss");
        plot.Title(title ?? "Training loss (shaded: motivated model active)");
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }
}
