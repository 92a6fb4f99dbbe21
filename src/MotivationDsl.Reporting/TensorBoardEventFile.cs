using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace MotivationDsl.Reporting;

/// <summary>
/// Writes one TensorBoard event file (TFRecord framing of <c>tensorflow.Event</c> protobufs): the first record is the
/// <c>file_version = "brain.Event:2"</c> event, then what the caller adds. Each record is uint64 length, uint32 masked
/// CRC-32C of the length, the data, uint32 masked CRC-32C of the data, so a record torn by a crash is dropped by readers.
/// The file is named <c>events.out.tfevents.{unix seconds}.{host}.{pid}</c> with a timestamp after every event file
/// already in the folder: TensorBoard reads a folder's files in name order, and a resumed run's file must come last.
/// </summary>
internal sealed class TensorBoardEventFile : IDisposable
{
    private const string Prefix = "events.out.tfevents.";
    private readonly FileStream _stream;

    public TensorBoardEventFile(string directory)
    {
        Directory.CreateDirectory(directory);
        var seconds = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        foreach (var existing in Directory.GetFiles(directory, Prefix + "*"))
        {
            var rest = System.IO.Path.GetFileName(existing)[Prefix.Length..];
            var dot = rest.IndexOf('.');
            if (long.TryParse(dot < 0 ? rest : rest[..dot], out var taken) && taken >= seconds) seconds = taken + 1;
        }
        Path = System.IO.Path.Combine(directory, $"{Prefix}{seconds:D10}.{Sanitize(Environment.MachineName)}.{Environment.ProcessId}");
        _stream = new FileStream(Path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 1 << 16);
        Write(Event(step: 0, field: 3, Encoding.UTF8.GetBytes("brain.Event:2")));
    }

    public string Path { get; }

    /// <summary>A scalar summary value (the TensorBoard "simple_value" form).</summary>
    public void AddScalar(string tag, float value, long step)
    {
        var v = new MemoryStream();
        WriteBytes(v, 1, Encoding.UTF8.GetBytes(tag));
        WriteTag(v, 2, 5);
        Span<byte> f = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(f, value);
        v.Write(f);
        var summary = new MemoryStream();
        WriteBytes(summary, 1, v.ToArray());
        Write(Event(step, 5, summary.ToArray()));
    }

    /// <summary>
    /// A <c>SessionLog</c> with status START at <paramref name="step"/>: TensorBoard (purge_orphaned_data, its default)
    /// then discards every event it has read with a step &gt;= <paramref name="step"/>, from any tag and file, so a
    /// restarted run's events replace those written after its checkpoint.
    /// </summary>
    public void AddSessionStart(long step, string? checkpointPath)
    {
        var log = new MemoryStream();
        WriteTag(log, 1, 0);
        WriteVarint(log, 1); // SessionLog.START
        if (checkpointPath is not null) WriteBytes(log, 2, Encoding.UTF8.GetBytes(checkpointPath));
        Write(Event(step, 6, log.ToArray()));
    }

    public void Flush() => _stream.Flush();

    public void Dispose() => _stream.Dispose();

    private static byte[] Event(long step, int field, byte[] payload)
    {
        var e = new MemoryStream();
        WriteTag(e, 1, 1);
        Span<byte> d = stackalloc byte[8];
        BinaryPrimitives.WriteDoubleLittleEndian(d, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0);
        e.Write(d);
        if (step != 0)
        {
            WriteTag(e, 2, 0);
            WriteVarint(e, unchecked((ulong)step));
        }
        WriteBytes(e, field, payload);
        return e.ToArray();
    }

    private void Write(byte[] data)
    {
        Span<byte> head = stackalloc byte[12];
        BinaryPrimitives.WriteUInt64LittleEndian(head, (ulong)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(head[8..], MaskedCrc(head[..8]));
        _stream.Write(head);
        _stream.Write(data);
        Span<byte> tail = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(tail, MaskedCrc(data));
        _stream.Write(tail);
    }

    private static void WriteTag(Stream s, int field, int wireType) => WriteVarint(s, (ulong)((field << 3) | wireType));

    private static void WriteBytes(Stream s, int field, byte[] bytes)
    {
        WriteTag(s, field, 2);
        WriteVarint(s, (ulong)bytes.Length);
        s.Write(bytes);
    }

    private static void WriteVarint(Stream s, ulong v)
    {
        while (v >= 0x80)
        {
            s.WriteByte((byte)(v | 0x80));
            v >>= 7;
        }
        s.WriteByte((byte)v);
    }

    /// <summary>TFRecord's masked CRC-32C (Castagnoli): rotate right by 15, add 0xa282ead8.</summary>
    internal static uint MaskedCrc(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data) crc = BitOperations.Crc32C(crc, b);
        crc = ~crc;
        return unchecked(((crc >> 15) | (crc << 17)) + 0xA282EAD8u);
    }

    private static string Sanitize(string host)
    {
        var s = new string(host.Select(c => char.IsLetterOrDigit(c) || c == '-' ? c : '-').ToArray());
        return s.Length == 0 ? "host" : s;
    }
}
