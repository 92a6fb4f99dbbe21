using System.IO.Compression;

namespace MotivationDsl.Data;

/// <summary>Reads a whole file, transparently gunzipping it when it starts with the gzip magic (1F 8B).</summary>
internal static class RawFile
{
    public static bool IsGzip(ReadOnlySpan<byte> head) => head.Length >= 2 && head[0] == 0x1F && head[1] == 0x8B;

    public static byte[] ReadAll(string path)
    {
        if (!File.Exists(path))
            throw new DatasetFormatException(path, $"{path}: file not found.");
        using var fs = File.OpenRead(path);
        return ReadAll(fs, path);
    }

    /// <summary>Reads a stream to the end (gunzipping when it is gzip). <paramref name="name"/> is used in messages.</summary>
    public static byte[] ReadAll(Stream stream, string name)
    {
        var buffered = new MemoryStream();
        stream.CopyTo(buffered);
        var bytes = buffered.ToArray();
        if (!IsGzip(bytes)) return bytes;
        try
        {
            using var gz = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
            var output = new MemoryStream(bytes.Length * 4);
            gz.CopyTo(output);
            return output.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new DatasetFormatException(name, $"{name}: corrupt or truncated gzip data ({e.Message}).", e);
        }
        catch (EndOfStreamException e)
        {
            throw new DatasetFormatException(name, $"{name}: truncated gzip data ({e.Message}).", e);
        }
    }
}
