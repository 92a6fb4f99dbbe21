using System.Text;
using Xunit;

namespace MotivationDsl.Build.Tests;

/// <summary>Builds a minimal ELF64 little-endian shared object: null section, .dynstr, .gnu.version_r (2 verneed, 3 vernaux).</summary>
internal static class SyntheticElf
{
    public const string DynStr = "\0libstdc++.so.6\0GLIBCXX_3.4.30\0GLIBCXX_3.4.32\0libc.so.6\0GLIBC_2.2.5\0.dynstr\0.gnu.version_r\0";

    public const int DynStrOffset = 64;
    public static int VerneedOffset => Align(DynStrOffset + DynStr.Length, 8);
    public const int VerneedSize = 16 + 16 + 16 + 16 + 16; // libstdc++ verneed + 2 aux, libc verneed + 1 aux

    /// <summary>File offset of the vernaux entry naming GLIBCXX_3.4.32.</summary>
    public static int Glibcxx32AuxOffset => VerneedOffset + 16 + 16;

    public static int NameOffset(string s) => DynStr.IndexOf("\0" + s + "\0", StringComparison.Ordinal) + 1;

    public static byte[] Build()
    {
        var sectionHeaders = Align(VerneedOffset + VerneedSize, 8);
        var bytes = new byte[sectionHeaders + 3 * 64];

        // ELF header
        bytes[0] = 0x7f; bytes[1] = (byte)'E'; bytes[2] = (byte)'L'; bytes[3] = (byte)'F';
        bytes[4] = 2; bytes[5] = 1; bytes[6] = 1;               // ELFCLASS64, little-endian, version 1
        U16(bytes, 16, 3);                                     // ET_DYN
        U16(bytes, 18, 62);                                    // EM_X86_64
        U32(bytes, 20, 1);
        U64(bytes, 0x28, (ulong)sectionHeaders);               // e_shoff
        U16(bytes, 0x34, 64);                                  // e_ehsize
        U16(bytes, 0x3A, 64);                                  // e_shentsize
        U16(bytes, 0x3C, 3);                                   // e_shnum
        U16(bytes, 0x3E, 1);                                   // e_shstrndx (names live in .dynstr here)

        Encoding.ASCII.GetBytes(DynStr).CopyTo(bytes, DynStrOffset);

        // .gnu.version_r
        var v = VerneedOffset;
        Verneed(bytes, v, count: 2, file: NameOffset("libstdc++.so.6"), next: 48);
        Vernaux(bytes, v + 16, "GLIBCXX_3.4.30", other: 3, next: 16);
        Vernaux(bytes, v + 32, "GLIBCXX_3.4.32", other: 4, next: 0);
        Verneed(bytes, v + 48, count: 1, file: NameOffset("libc.so.6"), next: 0);
        Vernaux(bytes, v + 64, "GLIBC_2.2.5", other: 2, next: 0);

        // section headers: [0] null, [1] .dynstr, [2] .gnu.version_r (sh_link = 1)
        Section(bytes, sectionHeaders + 64, NameOffset(".dynstr"), type: 3, offset: DynStrOffset, size: DynStr.Length, link: 0);
        Section(bytes, sectionHeaders + 128, NameOffset(".gnu.version_r"), type: 0x6ffffffe, offset: v, size: VerneedSize, link: 1);
        return bytes;
    }

    private static void Verneed(byte[] b, int o, int count, int file, int next)
    {
        U16(b, o, 1); U16(b, o + 2, (ushort)count); U32(b, o + 4, (uint)file); U32(b, o + 8, 16); U32(b, o + 12, (uint)next);
    }

    private static void Vernaux(byte[] b, int o, string name, int other, int next)
    {
        U32(b, o, ElfVersionNeedPatcher.ElfHash(name)); U16(b, o + 4, 0); U16(b, o + 6, (ushort)other);
        U32(b, o + 8, (uint)NameOffset(name)); U32(b, o + 12, (uint)next);
    }

    private static void Section(byte[] b, int o, int name, uint type, int offset, int size, int link)
    {
        U32(b, o, (uint)name); U32(b, o + 4, type); U64(b, o + 24, (ulong)offset); U64(b, o + 32, (ulong)size); U32(b, o + 40, (uint)link);
        U64(b, o + 48, 1);
    }

    private static int Align(int x, int a) => (x + a - 1) / a * a;
    public static void U16(byte[] b, int o, ushort v) => BitConverter.TryWriteBytes(b.AsSpan(o, 2), v);
    public static void U32(byte[] b, int o, uint v) => BitConverter.TryWriteBytes(b.AsSpan(o, 4), v);
    public static void U64(byte[] b, int o, ulong v) => BitConverter.TryWriteBytes(b.AsSpan(o, 8), v);
    public static uint ReadU32(byte[] b, int o) => BitConverter.ToUInt32(b, o);
}

public class ElfVersionNeedPatcherTests
{
    [Theory]
    // Cross-checked with the standard SysV algorithm in Python (see docs/msbuild.md) and, for the GLIBCXX ones,
    // with the hashes the linker stored in the real libLibTorchSharp.so (RealLibrary_StoredHashesMatch).
    [InlineData("GLIBCXX_3.4.30", 0x0297f840u)]
    [InlineData("GLIBCXX_3.4.32", 0x0297f842u)]
    [InlineData("GLIBC_2.2.5", 0x09691a75u)]
    [InlineData("GLIBCXX_3.4", 0x08922974u)]
    [InlineData("", 0u)]
    public void ElfHash_MatchesKnownValues(string name, uint expected) =>
        Assert.Equal(expected, ElfVersionNeedPatcher.ElfHash(name));

    [Fact]
    public void Synthetic_NeededVersions_ListsAllVernauxEntries() =>
        Assert.Equal(new[] { "GLIBCXX_3.4.30", "GLIBCXX_3.4.32", "GLIBC_2.2.5" }, ElfVersionNeedPatcher.NeededVersions(SyntheticElf.Build()));

    [Fact]
    public void Synthetic_Patch_RewritesOnlyNameAndHashOfTheEntry()
    {
        var original = SyntheticElf.Build();
        var copy = (byte[])original.Clone();
        var patched = ElfVersionNeedPatcher.Patch(original, "GLIBCXX_3.4.32", "GLIBCXX_3.4.30");

        Assert.NotNull(patched);
        Assert.Equal(copy, original); // the input array is not modified
        Assert.Equal(original.Length, patched!.Length);
        Assert.Equal(new[] { "GLIBCXX_3.4.30", "GLIBCXX_3.4.30", "GLIBC_2.2.5" }, ElfVersionNeedPatcher.NeededVersions(patched));

        var aux = SyntheticElf.Glibcxx32AuxOffset;
        Assert.Equal(ElfVersionNeedPatcher.ElfHash("GLIBCXX_3.4.30"), SyntheticElf.ReadU32(patched, aux));
        Assert.Equal((uint)SyntheticElf.NameOffset("GLIBCXX_3.4.30"), SyntheticElf.ReadU32(patched, aux + 8));
        var changed = Enumerable.Range(0, original.Length).Where(i => original[i] != patched[i]).ToArray();
        Assert.All(changed, i => Assert.True(i >= aux && i < aux + 4 || i >= aux + 8 && i < aux + 12, $"byte {i} changed"));
        Assert.InRange(changed.Length, 1, 8);
    }

    [Fact]
    public void Synthetic_Patch_ReturnsNullWhenTheVersionIsNotNeeded()
    {
        var patched = ElfVersionNeedPatcher.Patch(SyntheticElf.Build(), "GLIBCXX_3.4.33", "GLIBCXX_3.4.30");
        Assert.Null(patched);
    }

    [Fact]
    public void Synthetic_Patch_FailsWhenTheReplacementStringIsMissing()
    {
        var e = Assert.Throws<InvalidDataException>(() => ElfVersionNeedPatcher.Patch(SyntheticElf.Build(), "GLIBCXX_3.4.32", "GLIBCXX_3.4.29"));
        Assert.Contains("GLIBCXX_3.4.29", e.Message);
    }

    [Fact]
    public void NotElf_IsRejected()
    {
        var e = Assert.Throws<InvalidDataException>(() => ElfVersionNeedPatcher.NeededVersions(Encoding.ASCII.GetBytes(new string('x', 200))));
        Assert.Contains("Not an ELF file", e.Message);
    }

    [Fact]
    public void Elf32_IsRejected()
    {
        var elf = SyntheticElf.Build();
        elf[4] = 1; // ELFCLASS32
        var e = Assert.Throws<InvalidDataException>(() => ElfVersionNeedPatcher.Patch(elf, "GLIBCXX_3.4.32", "GLIBCXX_3.4.30"));
        Assert.Contains("32-bit", e.Message);
    }

    [Fact]
    public void BigEndian_IsRejected()
    {
        var elf = SyntheticElf.Build();
        elf[5] = 2;
        var e = Assert.Throws<InvalidDataException>(() => ElfVersionNeedPatcher.NeededVersions(elf));
        Assert.Contains("big-endian", e.Message);
    }

    [Theory]
    [InlineData(10)]   // shorter than the header
    [InlineData(100)]  // header only: section headers cut off
    [InlineData(-1)]   // everything but the last byte
    public void Truncated_IsRejected(int length)
    {
        var elf = SyntheticElf.Build();
        var cut = elf[..(length < 0 ? elf.Length + length : length)];
        var e = Assert.Throws<InvalidDataException>(() => ElfVersionNeedPatcher.NeededVersions(cut));
        Assert.Matches("truncated|shorter|outside the file", e.Message);
    }

    [Fact]
    public void SectionPastTheEnd_IsRejected()
    {
        var elf = SyntheticElf.Build();
        var sh = (int)BitConverter.ToUInt64(elf, 0x28);
        SyntheticElf.U64(elf, sh + 128 + 24, (ulong)elf.Length + 1000); // .gnu.version_r offset past the end
        var e = Assert.Throws<InvalidDataException>(() => ElfVersionNeedPatcher.NeededVersions(elf));
        Assert.Contains("truncated or corrupt", e.Message);
    }

    [Fact]
    public void CorruptVernauxChain_IsRejected()
    {
        var elf = SyntheticElf.Build();
        SyntheticElf.U32(elf, SyntheticElf.VerneedOffset + 16 + 12, 0x7fff0000); // vna_next far past the end
        var e = Assert.Throws<InvalidDataException>(() => ElfVersionNeedPatcher.NeededVersions(elf));
        Assert.Contains("truncated or corrupt", e.Message);
    }

    // ---------------------------------------------------------------- the real library (read-only)

    private static byte[]? RealLibrary() => File.Exists(Repo.CachedLibTorchSharp) ? File.ReadAllBytes(Repo.CachedLibTorchSharp) : null;

    [Fact]
    public void RealLibrary_PatchedBytesNeed3430Not3432_SameLength_AtMost8BytesChanged()
    {
        var original = RealLibrary();
        if (original is null) return; // TorchSharp 0.107.0 not in the NuGet cache (restore of this project brings it)
        Assert.Contains("GLIBCXX_3.4.32", ElfVersionNeedPatcher.NeededVersions(original));

        var patched = ElfVersionNeedPatcher.Patch(original, "GLIBCXX_3.4.32", "GLIBCXX_3.4.30");

        Assert.NotNull(patched);
        Assert.Equal(original.Length, patched!.Length);
        var needed = ElfVersionNeedPatcher.NeededVersions(patched);
        Assert.DoesNotContain("GLIBCXX_3.4.32", needed);
        Assert.Contains("GLIBCXX_3.4.30", needed);
        var changed = Enumerable.Range(0, original.Length).Where(i => original[i] != patched[i]).ToArray();
        Assert.InRange(changed.Length, 1, 8);
        Assert.True(changed[^1] - changed[0] < 12, $"changed bytes span {changed[0]}..{changed[^1]}: more than one vernaux entry");
    }

    [Fact]
    public void RealLibrary_StoredHashesMatch()
    {
        // The linker wrote vna_hash for every entry; the entries our ElfHash must agree with are in there.
        var elf = RealLibrary();
        if (elf is null) return;
        var patched = ElfVersionNeedPatcher.Patch(elf, "GLIBCXX_3.4.30", "GLIBCXX_3.4.30")!;
        Assert.Equal(elf, patched); // re-pointing an entry at its own name with our hash changes nothing
        var patched32 = ElfVersionNeedPatcher.Patch(elf, "GLIBCXX_3.4.32", "GLIBCXX_3.4.32")!;
        Assert.Equal(elf, patched32);
    }
}
