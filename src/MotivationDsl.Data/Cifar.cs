namespace MotivationDsl.Data;

/// <summary>Which CIFAR binary layout a file uses.</summary>
public enum CifarKind
{
    /// <summary>CIFAR-10: records of 1 label byte + 3072 pixel bytes.</summary>
    Cifar10,
    /// <summary>CIFAR-100: records of 1 coarse label byte + 1 fine label byte + 3072 pixel bytes.</summary>
    Cifar100,
}

/// <summary>Records read from one CIFAR binary file: <see cref="Count"/> x 3 x 32 x 32 uint8 pixels (channel-major, as stored).</summary>
public sealed record CifarBatch(byte[] Pixels, byte[] Labels, int Count);

/// <summary>
/// Reader for the CIFAR-10 / CIFAR-100 "binary version" files (https://www.cs.toronto.edu/~kriz/cifar.html):
/// each record is the label byte(s) followed by 1024 red, 1024 green and 1024 blue bytes of a 32x32 image.
/// Files may be raw or gzip-compressed.
/// </summary>
public static class CifarReader
{
    public const int ImageBytes = 3 * 32 * 32;

    public static int RecordBytes(CifarKind kind) => kind == CifarKind.Cifar10 ? 1 + ImageBytes : 2 + ImageBytes;

    public static int ClassCount(CifarKind kind, bool coarseLabels = false)
        => kind == CifarKind.Cifar10 ? 10 : coarseLabels ? 20 : 100;

    /// <summary>Reads one CIFAR binary file. For CIFAR-100, fine labels unless <paramref name="coarseLabels"/>.</summary>
    public static CifarBatch Read(string path, CifarKind kind, bool coarseLabels = false)
        => Parse(RawFile.ReadAll(path), path, kind, coarseLabels);

    public static CifarBatch Read(Stream stream, string name, CifarKind kind, bool coarseLabels = false)
        => Parse(RawFile.ReadAll(stream, name), name, kind, coarseLabels);

    internal static CifarBatch Parse(byte[] bytes, string name, CifarKind kind, bool coarseLabels)
    {
        if (kind == CifarKind.Cifar10 && coarseLabels)
            throw new ArgumentException("CIFAR-10 has no coarse labels.", nameof(coarseLabels));
        int rec = RecordBytes(kind);
        string layout = kind == CifarKind.Cifar10 ? "1 label byte + 3072 pixel bytes" : "1 coarse + 1 fine label byte + 3072 pixel bytes";
        if (bytes.Length == 0)
            throw new DatasetFormatException(name, $"{name}: empty file; expected {(kind == CifarKind.Cifar10 ? "CIFAR-10" : "CIFAR-100")} records of {rec} bytes ({layout}).");
        if (bytes.Length % rec != 0)
        {
            long records = (bytes.Length + rec - 1) / rec;
            throw new DatasetFormatException(name,
                $"{name}: truncated: {bytes.Length} bytes is not a whole number of {rec}-byte {(kind == CifarKind.Cifar10 ? "CIFAR-10" : "CIFAR-100")} records ({layout}); " +
                $"{records} records need {records * rec} bytes, the file has {bytes.Length} bytes.");
        }
        int n = bytes.Length / rec;
        var pixels = new byte[(long)n * ImageBytes];
        var labels = new byte[n];
        int labelOffset = kind == CifarKind.Cifar10 ? 0 : coarseLabels ? 0 : 1;
        int pixelOffset = kind == CifarKind.Cifar10 ? 1 : 2;
        int classes = ClassCount(kind, coarseLabels);
        for (int i = 0; i < n; i++)
        {
            int r = i * rec;
            byte label = bytes[r + labelOffset];
            if (label >= classes)
                throw new DatasetFormatException(name,
                    $"{name}: label {label} of record {i} is outside the {classes} {(kind == CifarKind.Cifar100 ? (coarseLabels ? "coarse " : "fine ") : "")}classes (0..{classes - 1}); is this a {(kind == CifarKind.Cifar10 ? "CIFAR-100" : "CIFAR-10")} file?");
            labels[i] = label;
            Buffer.BlockCopy(bytes, r + pixelOffset, pixels, i * ImageBytes, ImageBytes);
        }
        return new CifarBatch(pixels, labels, n);
    }
}
