using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace MotivationDsl.Training.Checkpoints;

/// <summary>A checkpoint does not belong to this trainer (other model, variants, shapes or optimizer).</summary>
public sealed class CheckpointMismatchException(string message) : InvalidOperationException(message);

/// <summary>
/// The checkpoint container, version 2: <c>"MDSLCKPT"</c> (8 ASCII bytes), format version (uint32 LE), header
/// length in bytes (int64 LE), the header's XXH64 (uint64 LE), the header (UTF-8 JSON), then the raw tensor data.
/// The header's <c>tensors</c> array lists every tensor as {name, dtype (TorchSharp ScalarType name), shape, offset,
/// length, checksum}, with offsets relative to the start of the data and <c>checksum</c> the <see cref="Checksum"/>
/// of the tensor's bytes. Tensor bytes are the contiguous CPU memory (little-endian hosts).
/// Opening a checkpoint verifies the header checksum, the length and every tensor checksum, so a truncated or
/// corrupted file is refused (<see cref="InvalidDataException"/>) before anything is restored from it.
/// Files are written with <see cref="AtomicFile"/>: temporary file, fsync, rename, fsync of the folder.
/// </summary>
public static class CheckpointFile
{
    public const int FormatVersion = 2;
    private const int PrefixLength = 28;
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
            string checksum;
            using (var c = t.detach().cpu().contiguous()) checksum = Checksum.Of(c.bytes);
            table.Add(new JsonObject
            {
                ["name"] = name,
                ["dtype"] = t.dtype.ToString(),
                ["shape"] = new JsonArray(t.shape.Select(d => (JsonNode)JsonValue.Create(d)!).ToArray()),
                ["offset"] = offset,
                ["length"] = length,
                ["checksum"] = checksum,
            });
            offset += length;
        }
        header["format"] = FormatName;
        header["version"] = FormatVersion;
        header["tensors"] = table;
        var headerBytes = Encoding.UTF8.GetBytes(header.ToJsonString(Json));

        AtomicFile.WriteStream(path, fs =>
        {
            Span<byte> prefix = stackalloc byte[PrefixLength];
            Magic.CopyTo(prefix);
            BinaryPrimitives.WriteUInt32LittleEndian(prefix[8..], FormatVersion);
            BinaryPrimitives.WriteInt64LittleEndian(prefix[12..], headerBytes.Length);
            BinaryPrimitives.WriteUInt64LittleEndian(prefix[20..], System.IO.Hashing.XxHash64.HashToUInt64(headerBytes));
            fs.Write(prefix);
            fs.Write(headerBytes);
            for (var i = 0; i < tensors.Count; i++)
            {
                using (var c = tensors[i].Tensor.detach().cpu().contiguous())
                    fs.Write(c.bytes);
                AfterTensorWritten?.Invoke(i);
            }
        });
    }

    /// <summary>Reads and validates the header of a checkpoint (cheap: no tensor data is read).</summary>
    public static JsonObject ReadHeader(string path)
    {
        using var fs = File.OpenRead(path);
        return ReadHeader(fs, path, out _);
    }

    private static JsonObject ReadHeader(FileStream fs, string path, out long dataStart)
    {
        Span<byte> prefix = stackalloc byte[PrefixLength];
        var read = fs.ReadAtLeast(prefix, PrefixLength, throwOnEndOfStream: false);
        if (read < 12 || !prefix[..8].SequenceEqual(Magic))
            throw new InvalidDataException($"'{path}' is not a MotivationDsl checkpoint{(fs.Length == 0 ? " (the file is empty)" : "")}.");
        var version = BinaryPrimitives.ReadUInt32LittleEndian(prefix[8..]);
        if (version != FormatVersion)
            throw new InvalidDataException($"'{path}' is checkpoint format version {version}; this build reads version {FormatVersion}.");
        if (read < PrefixLength) throw new InvalidDataException($"'{path}' is truncated: it ends inside the header.");
        var len = BinaryPrimitives.ReadInt64LittleEndian(prefix[12..]);
        if (len <= 0 || len > fs.Length - PrefixLength)
            throw new InvalidDataException(len > 0 && len < 1L << 31
                ? $"'{path}' is truncated: it ends inside the header."
                : $"'{path}' has a corrupt header length.");
        var bytes = new byte[len];
        fs.ReadExactly(bytes);
        if (System.IO.Hashing.XxHash64.HashToUInt64(bytes) != BinaryPrimitives.ReadUInt64LittleEndian(prefix[20..]))
            throw new InvalidDataException($"'{path}' has a corrupt header (checksum mismatch).");
        dataStart = PrefixLength + len;
        try { return JsonNode.Parse(bytes)!.AsObject(); }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        { throw new InvalidDataException($"'{path}' has a corrupt header ({e.Message})."); }
    }

    /// <summary>One tensor of a checkpoint, as listed in its header.</summary>
    public sealed record Entry(string Name, ScalarType DType, long[] Shape, long Offset, long Length, string Checksum);

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
                    o["length"]!.GetValue<long>(),
                    o["checksum"]!.GetValue<string>())).ToDictionary(e => e.Name, StringComparer.Ordinal);
                foreach (var e in Entries.Values)
                    if (_dataStart + e.Offset + e.Length > _fs.Length)
                        throw new InvalidDataException($"'{path}' is truncated: tensor '{e.Name}' lies past the end of the file.");
                VerifyChecksums();
            }
            catch (Exception e) when (e is NullReferenceException or InvalidOperationException or ArgumentException or FormatException)
            {
                _fs.Dispose();
                throw new InvalidDataException($"'{path}' has a corrupt tensor table ({e.Message}).");
            }
            catch
            {
                _fs.Dispose();
                throw;
            }
        }

        /// <summary>Reads every tensor's bytes once and compares them with the checksums of the header.</summary>
        private void VerifyChecksums()
        {
            var buffer = new byte[1 << 20];
            foreach (var e in Entries.Values.OrderBy(e => e.Offset))
            {
                _fs.Seek(_dataStart + e.Offset, SeekOrigin.Begin);
                var hash = new Checksum.Builder();
                for (var left = e.Length; left > 0;)
                {
                    var n = (int)Math.Min(buffer.Length, left);
                    _fs.ReadExactly(buffer, 0, n);
                    hash.Append(buffer.AsSpan(0, n));
                    left -= n;
                }
                if (hash.Result() != e.Checksum)
                    throw new InvalidDataException($"'{Path}' is corrupt: tensor '{e.Name}' does not match its checksum.");
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
