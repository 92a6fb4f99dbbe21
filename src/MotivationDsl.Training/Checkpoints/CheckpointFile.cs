using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace MotivationDsl.Training.Checkpoints;

/// <summary>A checkpoint does not belong to this trainer (other model, variants, shapes or optimizer).</summary>
public sealed class CheckpointMismatchException(string message) : InvalidOperationException(message);

/// <summary>
/// The checkpoint container, version 1: <c>"MDSLCKPT"</c> (8 ASCII bytes), format version (uint32 LE), header
/// length in bytes (int64 LE), the header (UTF-8 JSON), then the raw tensor data. The header's <c>tensors</c>
/// array lists every tensor as {name, dtype (TorchSharp ScalarType name), shape, offset, length}, with offsets
/// relative to the start of the data. Tensor bytes are the contiguous CPU memory (little-endian hosts).
/// Files are written atomically: a temporary file in the same folder, flushed to disk, then renamed over the target.
/// </summary>
public static class CheckpointFile
{
    public const int FormatVersion = 1;
    public const string FormatName = "MotivationDsl.Training.Checkpoint";
    private static readonly byte[] Magic = "MDSLCKPT"u8.ToArray();

    internal static readonly JsonSerializerOptions Json = new()
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
        WriteIndented = false,
    };

    /// <summary>Test hook: called after each tensor is written (index); throwing simulates a failing disk.</summary>
    internal static Action<int>? AfterTensorWritten;

    /// <summary>Writes <paramref name="header"/> (a <c>tensors</c> table is added) and <paramref name="tensors"/> to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, JsonObject header, IReadOnlyList<(string Name, Tensor Tensor)> tensors)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        var table = new JsonArray();
        long offset = 0;
        foreach (var (name, t) in tensors)
        {
            var length = t.NumberOfElements * t.ElementSize;
            table.Add(new JsonObject
            {
                ["name"] = name,
                ["dtype"] = t.dtype.ToString(),
                ["shape"] = new JsonArray(t.shape.Select(d => (JsonNode)JsonValue.Create(d)!).ToArray()),
                ["offset"] = offset,
                ["length"] = length,
            });
            offset += length;
        }
        header["format"] = FormatName;
        header["version"] = FormatVersion;
        header["tensors"] = table;
        var headerBytes = Encoding.UTF8.GetBytes(header.ToJsonString(Json));

        var temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                Span<byte> prefix = stackalloc byte[20];
                Magic.CopyTo(prefix);
                BinaryPrimitives.WriteUInt32LittleEndian(prefix[8..], FormatVersion);
                BinaryPrimitives.WriteInt64LittleEndian(prefix[12..], headerBytes.Length);
                fs.Write(prefix);
                fs.Write(headerBytes);
                for (var i = 0; i < tensors.Count; i++)
                {
                    using (var c = tensors[i].Tensor.detach().cpu().contiguous())
                        fs.Write(c.bytes);
                    AfterTensorWritten?.Invoke(i);
                }
                fs.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { }
            throw;
        }
    }

    /// <summary>Reads and validates the header of a checkpoint (cheap: no tensor data is read).</summary>
    public static JsonObject ReadHeader(string path)
    {
        using var fs = File.OpenRead(path);
        return ReadHeader(fs, path, out _);
    }

    private static JsonObject ReadHeader(FileStream fs, string path, out long dataStart)
    {
        Span<byte> prefix = stackalloc byte[20];
        if (fs.Read(prefix) != 20 || !prefix[..8].SequenceEqual(Magic))
            throw new InvalidDataException($"'{path}' is not a MotivationDsl checkpoint.");
        var version = BinaryPrimitives.ReadUInt32LittleEndian(prefix[8..]);
        if (version != FormatVersion)
            throw new InvalidDataException($"'{path}' is checkpoint format version {version}; this build reads version {FormatVersion}.");
        var len = BinaryPrimitives.ReadInt64LittleEndian(prefix[12..]);
        if (len <= 0 || len > fs.Length - 20) throw new InvalidDataException($"'{path}' has a corrupt header length.");
        var bytes = new byte[len];
        fs.ReadExactly(bytes);
        dataStart = 20 + len;
        return JsonNode.Parse(bytes)!.AsObject();
    }

    /// <summary>One tensor of a checkpoint, as listed in its header.</summary>
    public sealed record Entry(string Name, ScalarType DType, long[] Shape, long Offset, long Length);

    /// <summary>Opens a checkpoint for reading tensors by name.</summary>
    public static Reader Open(string path) => new(path);

    public sealed class Reader : IDisposable
    {
        private readonly FileStream _fs;
        private readonly long _dataStart;

        internal Reader(string path)
        {
            Path = path;
            _fs = File.OpenRead(path);
            try
            {
                Header = ReadHeader(_fs, path, out _dataStart);
                Entries = Header["tensors"]!.AsArray().Select(n => n!.AsObject()).Select(o => new Entry(
                    o["name"]!.GetValue<string>(),
                    Enum.Parse<ScalarType>(o["dtype"]!.GetValue<string>()),
                    o["shape"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray(),
                    o["offset"]!.GetValue<long>(),
                    o["length"]!.GetValue<long>())).ToDictionary(e => e.Name, StringComparer.Ordinal);
                foreach (var e in Entries.Values)
                    if (_dataStart + e.Offset + e.Length > _fs.Length)
                        throw new InvalidDataException($"'{path}' is truncated: tensor '{e.Name}' lies past the end of the file.");
            }
            catch
            {
                _fs.Dispose();
                throw;
            }
        }

        public string Path { get; }
        public JsonObject Header { get; }
        public IReadOnlyDictionary<string, Entry> Entries { get; }

        /// <summary>Copies the stored tensor <paramref name="name"/> into <paramref name="target"/> (same dtype and shape required).</summary>
        public void CopyInto(string name, Tensor target)
        {
            var e = Entries.TryGetValue(name, out var x) ? x : throw new CheckpointMismatchException($"Checkpoint '{Path}' has no tensor '{name}'.");
            if (!e.Shape.AsSpan().SequenceEqual(target.shape))
                throw new CheckpointMismatchException($"Tensor '{name}' has shape [{string.Join(", ", e.Shape)}] in checkpoint '{Path}', but [{string.Join(", ", target.shape)}] here.");
            if (e.DType != target.dtype)
                throw new CheckpointMismatchException($"Tensor '{name}' is {e.DType} in checkpoint '{Path}', but {target.dtype} here.");
            using var t = Read(e);
            using var _ = no_grad();
            target.copy_(t);
        }

        /// <summary>Reads tensor <paramref name="name"/> into a new CPU tensor.</summary>
        public Tensor Read(string name) =>
            Read(Entries.TryGetValue(name, out var e) ? e : throw new CheckpointMismatchException($"Checkpoint '{Path}' has no tensor '{name}'."));

        private Tensor Read(Entry e)
        {
            var buffer = new byte[e.Length];
            _fs.Seek(_dataStart + e.Offset, SeekOrigin.Begin);
            _fs.ReadExactly(buffer);
            var t = empty(e.Shape, e.DType);
            t.bytes = buffer;
            return t;
        }

        public void Dispose() => _fs.Dispose();
    }
}
