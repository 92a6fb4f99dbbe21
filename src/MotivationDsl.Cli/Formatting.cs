using System.Globalization;

namespace MotivationDsl.Cli;

internal static class Formatting
{
    /// <summary>1234567 -> "1.23 M"; SI prefixes as in FLOP counts.</summary>
    public static string Si(double value)
    {
        var abs = Math.Abs(value);
        return abs switch
        {
            >= 1e12 => (value / 1e12).ToString("0.00", CultureInfo.InvariantCulture) + " T",
            >= 1e9 => (value / 1e9).ToString("0.00", CultureInfo.InvariantCulture) + " G",
            >= 1e6 => (value / 1e6).ToString("0.00", CultureInfo.InvariantCulture) + " M",
            >= 1e3 => (value / 1e3).ToString("0.00", CultureInfo.InvariantCulture) + " K",
            _ => value.ToString("0.##", CultureInfo.InvariantCulture),
        };
    }

    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Shape(IEnumerable<long> shape) => "[" + string.Join(", ", shape) + "]";

    public static string Percent(double fraction) => (100 * fraction).ToString("0.00", CultureInfo.InvariantCulture) + " %";
}
