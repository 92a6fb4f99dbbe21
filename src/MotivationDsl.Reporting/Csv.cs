using System.Globalization;
using System.Text;

namespace MotivationDsl.Reporting;

/// <summary>metrics.csv (one row per epoch) and steps.csv (one row per step); invariant culture, "." decimals, RFC 4180.</summary>
public static class MetricsCsv
{
    public static readonly string[] Columns =
    [
        "epoch", "steps", "motivated_steps", "activations", "motivated_share",
        "base_accuracy", "base_loss", "base_train_loss", "base_forwards",
        "motivated_accuracy", "motivated_loss", "motivated_train_loss", "motivated_forwards",
        "mean_forward_flops", "total_forward_flops", "learning_rate", "wall_seconds",
    ];

    /// <summary>Appended after <see cref="Columns"/> when a run is a language model's (any epoch has a perplexity or FLOPs per token).</summary>
    public static readonly string[] LanguageModelColumns =
    [
        "base_perplexity", "base_bits_per_byte", "motivated_perplexity", "motivated_bits_per_byte", "mean_forward_flops_per_token",
    ];

    public static string Format(IEnumerable<EpochReport> epochs)
    {
        var list = epochs.ToList();
        var languageModel = list.Any(e => e.MeanForwardFlopsPerToken is not null || e.Base.Perplexity is not null || e.Motivated.Perplexity is not null);
        var sb = new StringBuilder();
        sb.Append(string.Join(",", languageModel ? [.. Columns, .. LanguageModelColumns] : Columns)).Append('\n');
        foreach (var e in list)
        {
            object?[] row =
            [
                e.Epoch, e.Steps, e.MotivatedSteps, e.Activations, e.MotivatedShare,
                e.Base.Accuracy, e.Base.Loss, e.Base.TrainLoss, e.Base.Forwards,
                e.Motivated.Accuracy, e.Motivated.Loss, e.Motivated.TrainLoss, e.Motivated.Forwards,
                e.MeanForwardFlops, e.TotalForwardFlops, e.LearningRate, e.WallSeconds,
            ];
            if (languageModel)
                row = [.. row, e.Base.Perplexity, e.Base.BitsPerByte, e.Motivated.Perplexity, e.Motivated.BitsPerByte, e.MeanForwardFlopsPerToken];
            sb.Append(string.Join(",", row.Select(Cell))).Append('\n');
        }
        return sb.ToString();
    }

    public static void Write(string path, IEnumerable<EpochReport> epochs) => AtomicFile.WriteAllText(path, Format(epochs));

    /// <summary>steps.csv: step,epoch,loss,motivated (0/1).</summary>
    public static string FormatSteps(IEnumerable<StepRecord> steps)
    {
        var sb = new StringBuilder("step,epoch,loss,motivated\n");
        foreach (var s in steps)
            sb.Append(Cell(s.Step)).Append(',').Append(Cell(s.Epoch)).Append(',').Append(Cell(s.Loss)).Append(',').Append(s.Motivated ? '1' : '0').Append('\n');
        return sb.ToString();
    }

    public static void WriteSteps(string path, IEnumerable<StepRecord> steps) => AtomicFile.WriteAllText(path, FormatSteps(steps));

    /// <summary>Empty for null; "R" round-trip format for doubles; NaN as "NaN".</summary>
    internal static string Cell(object? v) => v switch
    {
        null => "",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => Quote(v.ToString() ?? ""),
    };

    private static string Quote(string s) => s.IndexOfAny([',', '"', '\n', '\r']) < 0 ? s : "\"" + s.Replace("\"", "\"\"") + "\"";
}
