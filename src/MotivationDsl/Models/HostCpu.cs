using System.Globalization;
using System.Runtime.Intrinsics.X86;

namespace MotivationDsl;

/// <summary>
/// The widest x86 vector extension of a CPU, which decides which LibTorch/oneDNN kernels run and so which memory format
/// is faster (<see cref="MemoryFormatDefaults"/>).
/// </summary>
public enum CpuClass
{
    /// <summary>Neither AVX2 nor AVX-512 (older x86, ARM, unknown).</summary>
    Other,

    /// <summary>AVX2 without AVX-512 (e.g. AMD EPYC up to Zen 3).</summary>
    Avx2,

    /// <summary>AVX-512 Foundation (<c>avx512f</c>; e.g. Intel Xeon since Skylake-SP, AMD Zen 4).</summary>
    Avx512,
}

/// <summary>The machine's CPU as <c>/proc/cpuinfo</c> describes it (first processor): model name, clock and feature flags.</summary>
/// <param name="Model">The <c>model name</c> line ("unknown" when absent).</param>
/// <param name="MHz">The <c>cpu MHz</c> line (NaN when absent).</param>
/// <param name="Flags">The <c>flags</c> line's words (<c>avx2</c>, <c>avx512f</c>, <c>fma</c>, ...).</param>
public sealed record HostCpu(string Model, double MHz, IReadOnlySet<string> Flags)
{
    /// <summary>This machine's CPU, read once.</summary>
    public static HostCpu Current => _current.Value;

    private static readonly Lazy<HostCpu> _current = new(Read);

    /// <summary>The CPU class its flags say: AVX-512 when <c>avx512f</c>, else AVX2 when <c>avx2</c>, else other.</summary>
    public CpuClass Class => Flags.Contains("avx512f") ? CpuClass.Avx512 : Flags.Contains("avx2") ? CpuClass.Avx2 : CpuClass.Other;

    /// <summary>
    /// Reads <c>/proc/cpuinfo</c>; where there is none (not Linux) the flags come from what .NET reports
    /// (<see cref="Avx512F"/>, <see cref="Avx2"/>, <see cref="Fma"/>) and the model and clock are unknown.
    /// </summary>
    public static HostCpu Read()
    {
        try { return Parse(File.ReadLines("/proc/cpuinfo")); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var flags = new HashSet<string>();
            if (Avx512F.IsSupported) flags.Add("avx512f");
            if (Avx2.IsSupported) flags.Add("avx2");
            if (Fma.IsSupported) flags.Add("fma");
            return new HostCpu("unknown", double.NaN, flags);
        }
    }

    /// <summary>The first processor's model name, clock and flags of <c>/proc/cpuinfo</c> text.</summary>
    public static HostCpu Parse(IEnumerable<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        string model = "unknown"; var mhz = double.NaN; var flags = new HashSet<string>();
        foreach (var line in lines)
        {
            var i = line.IndexOf(':');
            if (i < 0) continue;
            var key = line[..i].Trim(); var value = line[(i + 1)..].Trim();
            if (key == "model name" && model == "unknown") model = value;
            else if (key == "cpu MHz" && double.IsNaN(mhz) && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var m)) mhz = m;
            else if (key == "flags" && flags.Count == 0) flags.UnionWith(value.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        }
        return new HostCpu(model, mhz, flags);
    }
}
