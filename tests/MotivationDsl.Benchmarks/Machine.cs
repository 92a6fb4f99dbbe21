using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace MotivationDsl.Benchmarks;

/// <summary>What the machine is and how busy it is; the CPU's peak FP32 rate, derived from /proc/cpuinfo (<see cref="HostCpu"/>).</summary>
internal static class Machine
{
    public static double[] LoadAverage()
    {
        try
        {
            var f = File.ReadAllText("/proc/loadavg").Split(' ');
            return [double.Parse(f[0], CultureInfo.InvariantCulture), double.Parse(f[1], CultureInfo.InvariantCulture), double.Parse(f[2], CultureInfo.InvariantCulture)];
        }
        catch { return [double.NaN, double.NaN, double.NaN]; }
    }

    private static long StatusKb(string key)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith(key + ":", StringComparison.Ordinal))
                    return long.Parse(line[(key.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch { }
        return -1;
    }

    /// <summary>Resident set size now, MiB.</summary>
    public static double RssMiB() => StatusKb("VmRSS") / 1024.0;

    /// <summary>Minor page faults of this process so far (<c>/proc/self/stat</c> field 10); -1 where there is none.</summary>
    public static long MinorFaults()
    {
        try
        {
            var stat = File.ReadAllText("/proc/self/stat");
            return long.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[7], CultureInfo.InvariantCulture);   // fields from 3 on
        }
        catch (IOException) { return -1; }
    }

    /// <summary>Peak resident set size of this process, MiB.</summary>
    public static double PeakRssMiB() => StatusKb("VmHWM") / 1024.0;

    public sealed record Cpu(string Model, int LogicalCpus, double MHz, bool Avx512F, bool Avx2, bool Fma, int FmaUnits, int Lanes,
        double PeakGflops, string Derivation);

    /// <summary>
    /// Peak FP32 FLOP/s = logical CPUs x clock x FMA units per core x FP32 lanes per vector x 2 (an FMA is a multiply and an add).
    /// Vector width from the flags (avx512f: 16 lanes, avx2: 8, else SSE: 4); FMA units: 2 on Zen 2/3/4 and on the
    /// Intel server cores with AVX-512 that have two (an assumption for those; some have one), 1 without FMA.
    /// </summary>
    public static Cpu CpuInfo()
    {
        var (model, mhz, flags) = HostCpu.Current;
        var cpus = Environment.ProcessorCount;
        bool avx512 = flags.Contains("avx512f"), avx2 = flags.Contains("avx2"), fma = flags.Contains("fma");
        var lanes = avx512 ? 16 : avx2 ? 8 : 4;
        var units = fma ? 2 : 1;
        var peak = cpus * mhz * 1e6 * units * lanes * 2 / 1e9;
        var derivation = $"{cpus} logical CPUs x {mhz:F0} MHz (/proc/cpuinfo 'cpu MHz') x {units} FMA units x {lanes} FP32 lanes " +
                         $"({(avx512 ? "avx512f" : avx2 ? "avx2" : "sse")}{(fma ? "+fma" : "")}) x 2 FLOP per FMA = {peak:F1} GFLOP/s";
        return new Cpu(model, cpus, mhz, avx512, avx2, fma, units, lanes, peak, derivation);
    }

    public static JsonObject Describe()
    {
        var c = CpuInfo();
        var load = LoadAverage();
        return new JsonObject
        {
            ["cpu"] = c.Model,
            ["logicalCpus"] = c.LogicalCpus,
            ["mhz"] = c.MHz,
            ["flags"] = $"avx512f={c.Avx512F} avx2={c.Avx2} fma={c.Fma}",
            ["cpuClass"] = HostCpu.Current.Class.ToString(),
            ["peakFp32Gflops"] = c.PeakGflops,
            ["peakDerivation"] = c.Derivation,
            ["loadAverageAtStart"] = new JsonArray(load.Select(x => (JsonNode)x).ToArray()),
            ["os"] = System.Runtime.InteropServices.RuntimeInformation.OSDescription,
            ["dotnet"] = Environment.Version.ToString(),
            ["torchThreads"] = TorchSharp.torch.get_num_threads(),
        };
    }
}

/// <summary>min / median / max of repeated measurements.</summary>
internal readonly record struct Spread(double Min, double Median, double Max, int N)
{
    public static Spread Of(IEnumerable<double> values)
    {
        var v = values.Where(double.IsFinite).Order().ToArray();
        if (v.Length == 0) return new(double.NaN, double.NaN, double.NaN, 0);
        var med = v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
        return new(v[0], med, v[^1], v.Length);
    }

    public JsonObject Json() => new() { ["min"] = Min, ["median"] = Median, ["max"] = Max, ["n"] = N };
    public string Text(string fmt) => $"{Median.ToString(fmt, CultureInfo.InvariantCulture)} [{Min.ToString(fmt, CultureInfo.InvariantCulture)}..{Max.ToString(fmt, CultureInfo.InvariantCulture)}]";
}

/// <summary>One reported figure.</summary>
internal sealed class Figure
{
    public required string Name { get; init; }
    public required Spread Value { get; init; }
    public required string Unit { get; init; }
    public string? Goal { get; init; }
    public bool? Met { get; init; }
    public string Format { get; init; } = "G4";
    public JsonObject Details { get; init; } = new();
    public double[] LoadBefore { get; init; } = Machine.LoadAverage();
    public double[] LoadAfter { get; set; } = [];

    /// <summary>Paired figures: the 95 % interval of the ratio (<see cref="Value"/> then holds the per-round ratios' spread).</summary>
    public RatioInterval? Interval { get; init; }

    /// <summary>Paired differences: the 95 % interval of their mean (<see cref="Value"/> then holds the differences' spread).</summary>
    public DifferenceInterval? Difference { get; init; }

    /// <summary>
    /// A mean difference from paired rounds: met only when the whole 95 % interval is at or below <paramref name="atMost"/>.
    /// </summary>
    public static Figure PairedDifference(string name, IReadOnlyList<double> differences, string unit, double atMost, JsonObject details)
    {
        var ci = DifferenceInterval.Of(differences);
        details["difference95"] = ci.Json();
        details["verdictRule"] = "goal met only when the whole 95 % confidence interval meets it";
        return new Figure
        {
            Name = name, Value = Spread.Of(differences), Difference = ci, Unit = unit, Format = "F2", Details = details,
            Goal = $"<= {atMost.ToString(CultureInfo.InvariantCulture)} (95% CI)", Met = ci.MeetsAtMost(atMost),
        };
    }

    /// <summary>
    /// A ratio from paired rounds: met only when the whole 95 % interval is at or below <paramref name="atMost"/> (or, with
    /// <paramref name="atLeast"/>, at or above it); no goal when both are null.
    /// </summary>
    public static Figure Paired(string name, RatioInterval ci, IEnumerable<double> ratios, JsonObject details, double? atMost = null, double? atLeast = null)
    {
        details["ratio95"] = ci.Json();
        details["verdictRule"] = "goal met only when the whole 95 % confidence interval meets it";
        return new Figure
        {
            Name = name, Value = Spread.Of(ratios), Interval = ci, Unit = "ratio", Format = "F3", Details = details,
            Goal = atMost is { } m ? $"<= {m.ToString(CultureInfo.InvariantCulture)}" : atLeast is { } l ? $">= {l.ToString(CultureInfo.InvariantCulture)}" : null,
            Met = atMost is { } m2 ? ci.MeetsAtMost(m2) : atLeast is { } l2 ? ci.MeetsAtLeast(l2) : null,
        };
    }

    public JsonObject Json() => new()
    {
        ["name"] = Name, ["unit"] = Unit, ["value"] = Value.Json(), ["ci95"] = Interval?.Json() ?? Difference?.Json(), ["goal"] = Goal,
        ["met"] = Met is { } m ? m : null,
        ["loadBefore"] = new JsonArray(LoadBefore.Select(x => (JsonNode)x).ToArray()),
        ["loadAfter"] = new JsonArray(LoadAfter.Select(x => (JsonNode)x).ToArray()),
        ["details"] = Details.DeepClone(),
    };
}

internal static class Clock
{
    public static double Seconds(Action a)
    {
        var t0 = Stopwatch.GetTimestamp();
        a();
        return Stopwatch.GetElapsedTime(t0).TotalSeconds;
    }
}
