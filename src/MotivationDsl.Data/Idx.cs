using System.Buffers.Binary;
using System.IO.Compression;

namespace MotivationDsl.Data;

/// <summary>Images read from an IDX file: <see cref="Count"/> x <see cref="Rows"/> x <see cref="Cols"/> uint8 pixels, row-major.</summary>
public sealed record IdxImages(byte[] Pixels, int Count, int Rows, int Cols);

/// <summary>
/// Reader for the IDX format used by MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/ layout):
/// big-endian magic 0x00000803 + count, rows, cols for images, 0x00000801 + count for labels, then uint8 data.
/// Files may be raw or gzip-compressed (detected by the gzip magic bytes, not by the file name).
/// </summary>
public static class IdxReader
{
    public const int ImagesMagic = 0x00000803;
    public const int LabelsMagic = 0x00000801;

    public static IdxImages ReadImages(string path) => ParseImages(RawFile.ReadAll(path), path);

    /// <summary>Reads images from a stream; <paramref name="name"/> names the source in error messages.</summary>
    public static IdxImages ReadImages(Stream stream, string name) => ParseImages(RawFile.ReadAll(stream, name), name);

    public static byte[] ReadLabels(string path) => ParseLabels(RawFile.ReadAll(path), path);

    public static byte[] ReadLabels(Stream stream, string name) => ParseLabels(RawFile.ReadAll(stream, name), name);

    internal static IdxImages ParseImages(byte[] bytes, string name)
    {
        CheckHeader(bytes, name, ImagesMagic, 16, "IDX images");
        int count = ReadInt(bytes, 4, name, "image count");
        int rows = ReadInt(bytes, 8, name, "row count");
        int cols = ReadInt(bytes, 12, name, "column count");
        long expected = 16L + (long)count * rows * cols;
        CheckLength(bytes, name, expected, $"{count} images of {rows}x{cols}");
        var pixels = bytes.AsSpan(16, checked((int)(expected - 16))).ToArray();
        return new IdxImages(pixels, count, rows, cols);
    }

    internal static byte[] ParseLabels(byte[] bytes, string name)
    {
        CheckHeader(bytes, name, LabelsMagic, 8, "IDX labels");
        int count = ReadInt(bytes, 4, name, "label count");
        CheckLength(bytes, name, 8L + count, $"{count} labels");
        return bytes.AsSpan(8, count).ToArray();
    }

    private static void CheckHeader(byte[] bytes, string name, int magic, int headerBytes, string what)
    {
        if (bytes.Length < 4)
            throw new DatasetFormatException(name,
                $"{name}: truncated: {bytes.Length} bytes is shorter than the {headerBytes}-byte {what} header.");
        int found = BinaryPrimitives.ReadInt32BigEndian(bytes);
        if (found != magic)
            throw new DatasetFormatException(name,
                $"{name}: wrong magic number: expected 0x{magic:X8} ({Describe(magic)}), found 0x{found:X8} ({Describe(found)}).");
        if (bytes.Length < headerBytes)
            throw new DatasetFormatException(name,
                $"{name}: truncated: {bytes.Length} bytes is shorter than the {headerBytes}-byte {what} header.");
    }

    private static int ReadInt(byte[] bytes, int offset, string name, string what)
    {
        int v = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(offset));
        if (v < 0) throw new DatasetFormatException(name, $"{name}: invalid {what} {v} in the IDX header.");
        return v;
    }

    private static void CheckLength(byte[] bytes, string name, long expected, string what)
    {
        if (bytes.Length < expected)
            throw new DatasetFormatException(name,
                $"{name}: truncated: the header describes {what}, so {expected} bytes are expected (uncompressed), but the file has {bytes.Length} bytes.");
        if (bytes.Length > expected)
            throw new DatasetFormatException(name,
                $"{name}: unexpected trailing data: the header describes {what}, so {expected} bytes are expected (uncompressed), but the file has {bytes.Length} bytes.");
    }

    private static string Describe(int magic)
    {
        if ((magic & unchecked((int)0xFFFF0000)) != 0) return "not an IDX file";
        int type = (magic >> 8) & 0xFF, dims = magic & 0xFF;
        string t = type switch
        {
            0x08 => "uint8", 0x09 => "int8", 0x0B => "int16", 0x0C => "int32", 0x0D => "float32", 0x0E => "float64",
            _ => $"unknown type 0x{type:X2}",
        };
        string kind = magic == ImagesMagic ? "images: " : magic == LabelsMagic ? "labels: " : "";
        return $"IDX {kind}{t}, {dims} dimension{(dims == 1 ? "" : "s")}";
    }
}

/// <summary>Writes IDX files (uint8), raw or gzip-compressed. Used by the tests and the sample tool.</summary>
public static class IdxWriter
{
    public static void WriteImages(string path, ReadOnlySpan<byte> pixels, int count, int rows, int cols, bool gzip)
    {
        if (pixels.Length != (long)count * rows * cols)
            throw new ArgumentException($"pixels has {pixels.Length} bytes, expected {count}x{rows}x{cols}.", nameof(pixels));
        var header = new byte[16];
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(0), IdxReader.ImagesMagic);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(8), rows);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(12), cols);
        Write(path, header, pixels, gzip);
    }

    public static void WriteLabels(string path, ReadOnlySpan<byte> labels, bool gzip)
    {
        var header = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(0), IdxReader.LabelsMagic);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), labels.Length);
        Write(path, header, labels, gzip);
    }

    private static void Write(string path, byte[] header, ReadOnlySpan<byte> body, bool gzip)
    {
        var data = body.ToArray();
        AtomicFile.WriteStream(path, fs =>
        {
            Stream s = gzip ? new GZipStream(fs, CompressionLevel.SmallestSize, leaveOpen: true) : fs;
            s.Write(header);
            s.Write(data);
            if (gzip) s.Dispose();
        });
    }
}
