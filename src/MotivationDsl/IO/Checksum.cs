using System.IO.Hashing;

namespace MotivationDsl;

/// <summary>
/// The checksum of checkpoint tensors and exported model files: XXH64 (System.IO.Hashing), written as
/// <c>"xxh64:" + 16 lowercase hex digits</c>. It detects corruption (a flipped bit, a truncated or replaced file),
/// not tampering.
/// </summary>
public static class Checksum
{
    public const string Prefix = "xxh64:";

    public static string Of(ReadOnlySpan<byte> bytes) => Format(XxHash64.HashToUInt64(bytes));

    /// <summary>The checksum of a whole file, read in 1 MiB blocks.</summary>
    public static string OfFile(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        var hash = new XxHash64();
        hash.Append(fs);
        return Format(hash.GetCurrentHashAsUInt64());
    }

    /// <summary>Incremental checksum over several spans.</summary>
    public sealed class Builder
    {
        private readonly XxHash64 _hash = new();
        public void Append(ReadOnlySpan<byte> bytes) => _hash.Append(bytes);
        public string Result() => Format(_hash.GetCurrentHashAsUInt64());
    }

    private static string Format(ulong value) => Prefix + value.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
}
