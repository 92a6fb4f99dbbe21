using System.Buffers.Binary;
using System.Text;

namespace MotivationDsl.Tests.Shared;

/// <summary>One scalar as TensorBoard shows it.</summary>
public readonly record struct TensorBoardScalar(string Tag, long Step, float Value);

/// <summary>
/// Reads a TensorBoard log folder the way TensorBoard's EventAccumulator does (purge_orphaned_data on, its default):
/// event files in name order, records checked against their masked CRC-32C (a torn last record ends the file), and
/// once a file_version "brain.Event:N" with N &gt;= 2 was seen, a SessionLog START event at step s discards every
/// scalar read so far with a step &gt;= s, of every tag. Written from TensorBoard's event_accumulator.py
/// (_MaybePurgeOrphanedData / _CheckForRestartAndMaybePurge / _Purge(by_tags=False)); independent of the writer.
/// </summary>
public static class TensorBoardEvents
{
    /// <param name="purge">False: every scalar of every file, as written (no restart handling).</param>
    public static List<TensorBoardScalar> Read(string directory, bool purge = true)
    {
        var scalars = new List<TensorBoardScalar>();
        double fileVersion = 0;
        foreach (var file in Directory.GetFiles(directory, "*tfevents*").Order(StringComparer.Ordinal))
        {
            foreach (var record in Records(File.ReadAllBytes(file)))
            {
                var e = ParseEvent(record);
                if (e.FileVersion is { } v && v.StartsWith("brain.Event:", StringComparison.Ordinal))
                    fileVersion = double.Parse(v["brain.Event:".Length..], System.Globalization.CultureInfo.InvariantCulture);
                if (purge && fileVersion >= 2 && e.SessionStatus == 1) scalars.RemoveAll(s => s.Step >= e.Step);
                foreach (var (tag, value) in e.Values) scalars.Add(new TensorBoardScalar(tag, e.Step, value));
            }
        }
        return scalars;
    }

    private sealed record Event(long Step, string? FileVersion, int SessionStatus, List<(string, float)> Values);

    private static IEnumerable<byte[]> Records(byte[] b)
    {
        var p = 0;
        while (p + 12 <= b.Length)
        {
            var len = (long)BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(p));
            if (Masked(Crc32C(b.AsSpan(p, 8))) != BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(p + 8))) yield break;
            if (p + 12 + len + 4 > b.Length) yield break;
            var data = b.AsSpan(p + 12, (int)len).ToArray();
            if (Masked(Crc32C(data)) != BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(p + 12 + (int)len))) yield break;
            p += 12 + (int)len + 4;
            yield return data;
        }
    }

    private static Event ParseEvent(byte[] d)
    {
        long step = 0;
        string? version = null;
        var status = 0;
        var values = new List<(string, float)>();
        foreach (var (field, wire, varint, bytes) in Fields(d))
        {
            if (field == 2 && wire == 0) step = (long)varint;
            else if (field == 3 && wire == 2) version = Encoding.UTF8.GetString(bytes!);
            else if (field == 5 && wire == 2)
            {
                foreach (var (vf, vw, _, vb) in Fields(bytes!))
                {
                    if (vf != 1 || vw != 2) continue;
                    string tag = "";
                    float value = float.NaN;
                    foreach (var (f, w, _, b) in Fields(vb!))
                    {
                        if (f == 1 && w == 2) tag = Encoding.UTF8.GetString(b!);
                        else if (f == 2 && w == 5) value = BinaryPrimitives.ReadSingleLittleEndian(b);
                    }
                    values.Add((tag, value));
                }
            }
            else if (field == 6 && wire == 2)
            {
                foreach (var (f, w, v, _) in Fields(bytes!))
                    if (f == 1 && w == 0) status = (int)v;
            }
        }
        return new Event(step, version, status, values);
    }

    private static List<(int Field, int Wire, ulong Varint, byte[]? Bytes)> Fields(byte[] d)
    {
        var list = new List<(int, int, ulong, byte[]?)>();
        var p = 0;
        ulong Varint()
        {
            ulong v = 0;
            for (var shift = 0; ; shift += 7)
            {
                var x = d[p++];
                v |= (ulong)(x & 0x7F) << shift;
                if (x < 0x80) return v;
            }
        }
        while (p < d.Length)
        {
            var key = Varint();
            int field = (int)(key >> 3), wire = (int)(key & 7);
            switch (wire)
            {
                case 0: list.Add((field, wire, Varint(), null)); break;
                case 1: list.Add((field, wire, 0, d[p..(p + 8)])); p += 8; break;
                case 5: list.Add((field, wire, 0, d[p..(p + 4)])); p += 4; break;
                case 2:
                    var n = (int)Varint();
                    list.Add((field, wire, 0, d[p..(p + n)]));
                    p += n;
                    break;
                default: throw new InvalidDataException($"wire type {wire}");
            }
        }
        return list;
    }

    private static readonly uint[] Table = Enumerable.Range(0, 256).Select(i =>
    {
        var c = (uint)i;
        for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0x82F63B78u ^ (c >> 1) : c >> 1;
        return c;
    }).ToArray();

    public static uint Crc32C(ReadOnlySpan<byte> data)
    {
        var c = 0xFFFFFFFFu;
        foreach (var x in data) c = Table[(c ^ x) & 0xFF] ^ (c >> 8);
        return c ^ 0xFFFFFFFFu;
    }

    public static uint Masked(uint crc) => unchecked(((crc >> 15) | (crc << 17)) + 0xA282EAD8u);
}
