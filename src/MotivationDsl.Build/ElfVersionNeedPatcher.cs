using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace MotivationDsl.Build;

/// <summary>
/// Rewrites one version requirement of an ELF64 little-endian shared library: the <c>.gnu.version_r</c>
/// auxiliary entry naming <c>from</c> is pointed at the <c>.dynstr</c> string <c>to</c> (which must already
/// be there) and its ELF hash updated. Nothing else in the file changes.
/// </summary>
/// <remarks>
/// TorchSharp 0.107's libLibTorchSharp.so needs GLIBCXX_3.4.32 for a single symbol,
/// <c>std::ios_base_library_init()</c>, which it references and never calls; hosts whose libstdc++ stops
/// at 3.4.30 (Debian 12) refuse to load it. Requiring 3.4.30 instead lets it load; the symbol stays unbound.
/// </remarks>
public static class ElfVersionNeedPatcher
{
    private const uint ShtGnuVerneed = 0x6ffffffe;

    /// <summary>Versions the library needs from any library (<c>.gnu.version_r</c> names).</summary>
    public static IReadOnlyList<string> NeededVersions(byte[] elf)
    {
        var names = new List<string>();
        foreach (var aux in VernauxEntries(elf))
            names.Add(aux.Name);
        return names;
    }

    /// <summary>
    /// Returns a patched copy of <paramref name="elf"/>, or null when it does not need <paramref name="from"/>.
    /// Throws <see cref="InvalidDataException"/> when the file is not an ELF64 LE library or lacks the string <paramref name="to"/>.
    /// </summary>
    public static byte[]? Patch(byte[] elf, string from, string to)
    {
        var entries = VernauxEntries(elf);
        var target = entries.Find(e => e.Name == from);
        if (target.Name is null) return null;

        var (strOffset, strSize) = DynStr(elf);
        var toOffset = FindString(elf, strOffset, strSize, to)
            ?? throw new InvalidDataException($"The library has no string '{to}' in .dynstr to point its '{from}' requirement at.");

        var patched = (byte[])elf.Clone();
        WriteU32(patched, target.Offset, ElfHash(to));
        WriteU32(patched, target.Offset + 8, (uint)toOffset);
        return patched;
    }

    /// <summary>The System V ELF hash used in version entries.</summary>
    public static uint ElfHash(string name)
    {
        uint h = 0;
        foreach (var c in Encoding.ASCII.GetBytes(name))
        {
            h = (h << 4) + c;
            var g = h & 0xf0000000;
            if (g != 0) h ^= g >> 24;
            h &= ~g;
        }
        return h;
    }

    private readonly struct Vernaux
    {
        public Vernaux(int offset, string name) { Offset = offset; Name = name; }
        public int Offset { get; }
        public string Name { get; }
    }

    private static List<Vernaux> VernauxEntries(byte[] elf)
    {
        try
        {
            return ReadVernauxEntries(elf);
        }
        catch (OverflowException)
        {
            throw new InvalidDataException("The ELF file is corrupt: an offset in its version sections does not fit the file.");
        }
    }

    private static List<Vernaux> ReadVernauxEntries(byte[] elf)
    {
        CheckHeader(elf);
        var result = new List<Vernaux>();
        var sections = Sections(elf);
        foreach (var s in sections)
        {
            if (s.Type != ShtGnuVerneed) continue;
            if (s.Link >= sections.Length)
                throw new InvalidDataException($"The ELF file is corrupt: .gnu.version_r links to section {s.Link}, which does not exist.");
            var strtab = sections[(int)s.Link];
            var off = checked((int)s.Offset);
            for (var guard = 0; guard < 4096; guard++)
            {
                var cnt = ReadU16(elf, off + 2);
                var aux = off + (int)ReadU32(elf, off + 8);
                var next = ReadU32(elf, off + 12);
                for (var i = 0; i < cnt; i++)
                {
                    var nameOff = ReadU32(elf, aux + 8);
                    result.Add(new Vernaux(aux, ReadString(elf, checked((int)strtab.Offset + (int)nameOff))));
                    var auxNext = ReadU32(elf, aux + 12);
                    if (auxNext == 0) break;
                    aux += (int)auxNext;
                }
                if (next == 0) break;
                off += (int)next;
            }
        }
        return result;
    }

    private static (long Offset, long Size) DynStr(byte[] elf)
    {
        var sections = Sections(elf);
        foreach (var s in sections)
            if (s.Type == ShtGnuVerneed)
                return (sections[(int)s.Link].Offset, sections[(int)s.Link].Size);
        throw new InvalidDataException("The library has no .gnu.version_r section.");
    }

    private static long? FindString(byte[] elf, long start, long size, string value)
    {
        var needle = Encoding.ASCII.GetBytes(value);
        for (var i = start; i + needle.Length < start + size; i++)
        {
            if (i != start && elf[i - 1] != 0) continue;
            var match = true;
            for (var j = 0; j < needle.Length && match; j++) match = elf[i + j] == needle[j];
            if (match && elf[i + needle.Length] == 0) return i - start;
        }
        return null;
    }

    private readonly struct Section
    {
        public Section(uint type, long offset, long size, uint link) { Type = type; Offset = offset; Size = size; Link = link; }
        public uint Type { get; }
        public long Offset { get; }
        public long Size { get; }
        public uint Link { get; }
    }

    private static Section[] Sections(byte[] elf)
    {
        var shoff = (long)ReadU64(elf, 0x28);
        var shentsize = ReadU16(elf, 0x3A);
        var shnum = ReadU16(elf, 0x3C);
        if (shoff <= 0 || shentsize < 64 || shoff + (long)shnum * shentsize > elf.Length)
            throw new InvalidDataException("The ELF section header table is outside the file.");
        var result = new Section[shnum];
        for (var i = 0; i < shnum; i++)
        {
            var b = (int)shoff + i * shentsize;
            result[i] = new Section(ReadU32(elf, b + 4), (long)ReadU64(elf, b + 24), (long)ReadU64(elf, b + 32), ReadU32(elf, b + 40));
            if (result[i].Type != 8 /* SHT_NOBITS */ && result[i].Type != 0 && (result[i].Offset < 0 || result[i].Size < 0 || result[i].Offset + result[i].Size > elf.Length))
                throw new InvalidDataException($"The ELF file is truncated or corrupt: section {i} (offset {result[i].Offset}, {result[i].Size} bytes) ends past the end of the file ({elf.Length} bytes).");
        }
        return result;
    }

    private static void CheckHeader(byte[] elf)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException(elf.Length < 64
                ? $"Not an ELF file: {elf.Length} bytes is shorter than an ELF64 header."
                : "Not an ELF file: it does not start with 0x7F 'E' 'L' 'F'.");
        if (elf[4] != 2)
            throw new InvalidDataException($"This is a {(elf[4] == 1 ? "32-bit" : "unknown-class")} ELF file; only 64-bit little-endian ELF files are supported.");
        if (elf[5] != 1)
            throw new InvalidDataException("This is a big-endian ELF file; only 64-bit little-endian ELF files are supported.");
    }

    private static string ReadString(byte[] b, int offset)
    {
        Check(b, offset, 1);
        var end = Array.IndexOf(b, (byte)0, offset);
        if (end < 0) throw new InvalidDataException("Unterminated string in .dynstr.");
        return Encoding.ASCII.GetString(b, offset, end - offset);
    }

    private static void Check(byte[] b, long o, int size)
    {
        if (o < 0 || o + size > b.Length)
            throw new InvalidDataException($"The ELF file is truncated or corrupt: it has {b.Length} bytes and a structure at offset {o} needs {size}.");
    }

    private static ushort ReadU16(byte[] b, int o) { Check(b, o, 2); return (ushort)(b[o] | b[o + 1] << 8); }
    private static uint ReadU32(byte[] b, int o) { Check(b, o, 4); return (uint)(b[o] | b[o + 1] << 8 | b[o + 2] << 16 | b[o + 3] << 24); }
    private static ulong ReadU64(byte[] b, int o) => ReadU32(b, o) | (ulong)ReadU32(b, o + 4) << 32;

    private static void WriteU32(byte[] b, int o, uint v)
    {
        b[o] = (byte)v; b[o + 1] = (byte)(v >> 8); b[o + 2] = (byte)(v >> 16); b[o + 3] = (byte)(v >> 24);
    }
}
