using System.Runtime.Intrinsics.X86;
using System.Text.Json.Nodes;
using MotivationDsl.Examples.EfficientNet;
using MotivationDsl.Examples.Gpt;
using MotivationDsl.Examples.ResNetCifar;
using MotivationDsl.Examples.ResNetImageNet;
using MotivationDsl.Examples.VisionTransformer;
using MotivationDsl.Testing;
using MotivationDsl.Tests.Models;
using Xunit;

namespace MotivationDsl.Tests;

/// <summary>
/// The memory-format defaults (issue 15): a model's family comes from what it is made of, the table has one row per
/// (family, CPU class), a row is channels-last only when the benchmark figure it cites (read from its JSON) lies below 1.0
/// on a quiet machine of its CPU class, and the CPU class is detected plausibly.
/// </summary>
public sealed class MemoryFormatDefaultsTests
{
    private static string RepoRoot([System.Runtime.CompilerServices.CallerFilePath] string file = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, "..", ".."));

    public static TheoryData<string> ModelNames => new(Families.Keys);

    private static readonly Dictionary<string, (Func<ScalableModelDefinition> Definition, ModelFamily Family)> Families = new()
    {
        ["ResNetCifar (basic blocks)"] = (() => ResNetCifar.Definition, ModelFamily.ResNet),
        ["ResNetImageNet (bottleneck blocks)"] = (() => ResNetImageNet.Definition, ModelFamily.ResNet),
        ["WideNet (bottleneck blocks, name says nothing)"] = (() => WideNet.Definition, ModelFamily.ResNet),
        ["MyNet (basic blocks, name says nothing)"] = (() => MyNet.Definition, ModelFamily.ResNet),
        ["ResNetLookalike (MBConv blocks, name says ResNet)"] = (() => ResNetLookalike.Definition, ModelFamily.EfficientNet),
        ["EfficientNet B0 -> B1"] = (() => EfficientNet.WithPair("B0", "B1"), ModelFamily.EfficientNet),
        ["TinyEfficientNet"] = (() => TinyEfficientNet.Definition, ModelFamily.EfficientNet),
        ["VisionTransformerCifar"] = (() => VisionTransformerCifar.Definition, ModelFamily.VisionTransformer),
        ["TinyViT"] = (() => TinyViT.Definition, ModelFamily.VisionTransformer),
        ["CustomNet (user blocks)"] = (() => CustomNet.Definition, ModelFamily.UserBlocks),
        ["BranchNet (user blocks with branches)"] = (() => BranchNet.Definition, ModelFamily.UserBlocks),
        ["hand-written TinyResNet definition"] = (() => new TinyDefinition("Bench.Tiny", 32, 3, 64, 4), ModelFamily.UserBlocks),
        ["KernelNet (basic blocks and a user block)"] = (() => KernelNet.Definition, ModelFamily.Other),
        ["GptFamily (language model)"] = (() => GptFamily.Definition, ModelFamily.NoConvolutions),
        ["hand-written TinyGpt definition"] = (() => new TinyGptFixtureDefinition(), ModelFamily.NoConvolutions),
    };

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void A_model_belongs_to_the_family_of_what_it_is_made_of(string model)
    {
        var (definition, family) = Families[model];
        Assert.Equal(family, ModelFamilies.Of(definition()));
    }

    [Fact]
    public void The_table_has_one_row_per_family_and_CPU_class()
    {
        var keys = MemoryFormatDefaults.Table.Select(r => (r.Family, r.Cpu)).ToArray();
        Assert.Equal(keys.Length, keys.Distinct().Count());
        foreach (var family in Enum.GetValues<ModelFamily>())
            foreach (var cpu in Enum.GetValues<CpuClass>())
                Assert.Contains((family, cpu), keys);
        Assert.All(MemoryFormatDefaults.Table, r => Assert.False(string.IsNullOrWhiteSpace(r.DecidedBy), $"{r.Family} on {r.Cpu} cites nothing"));
    }

    [Fact]
    public void The_quiet_AVX2_run_decides_the_AVX2_rows_and_nothing_decides_the_AVX512_rows_yet()
    {
        MemoryFormat On(ModelFamily f, CpuClass c) => MemoryFormatDefaults.RowFor(f, c).Format;
        Assert.Equal(MemoryFormat.ChannelsLast, On(ModelFamily.ResNet, CpuClass.Avx2));
        Assert.Equal(MemoryFormat.ChannelsLast, On(ModelFamily.EfficientNet, CpuClass.Avx2));
        Assert.Equal(MemoryFormat.ChannelsLast, On(ModelFamily.UserBlocks, CpuClass.Avx2));
        Assert.Equal(MemoryFormat.Contiguous, On(ModelFamily.VisionTransformer, CpuClass.Avx2));
        Assert.All(MemoryFormatDefaults.Table.Where(r => r.Cpu != CpuClass.Avx2), r => Assert.Equal(MemoryFormat.Contiguous, r.Format));
        Assert.All(MemoryFormatDefaults.Table.Where(r => r.Family is ModelFamily.Other or ModelFamily.NoConvolutions),
            r => Assert.Equal(MemoryFormat.Contiguous, r.Format));

        // Structure, not name: the model named MyNet gets the ResNet rows.
        Assert.Equal(MemoryFormat.ChannelsLast, MemoryFormatDefaults.RowFor(MyNet.Definition, CpuClass.Avx2).Format);
        Assert.Equal(MemoryFormat.Contiguous, MemoryFormatDefaults.RowFor(MyNet.Definition, CpuClass.Avx512).Format);
        Assert.Equal(MemoryFormatDefaults.RowFor(MyNet.Definition, HostCpu.Current.Class).Format, MemoryFormatDefaults.For(MyNet.Definition));
    }

    /// <summary>Every measured row says what its JSON says: same figure and interval, a machine of the row's CPU class, a quiet machine.</summary>
    [Fact]
    public void Every_measured_row_matches_its_benchmark_file()
    {
        var measured = MemoryFormatDefaults.Table.Where(r => r.Measurement is not null).ToArray();
        Assert.NotEmpty(measured);
        foreach (var row in measured)
        {
            var m = row.Measurement!;
            var json = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoRoot(), m.File)))!;
            Assert.True(json["complete"]!.GetValue<bool>(), $"{m.File} is not a complete run");
            var machine = json["machine"]!;
            var flags = machine["flags"]!.GetValue<string>();
            var cpu = flags.Contains("avx512f=True") ? CpuClass.Avx512 : flags.Contains("avx2=True") ? CpuClass.Avx2 : CpuClass.Other;
            Assert.Equal(row.Cpu, cpu);
            var figure = json["figures"]!.AsArray().Single(f => f!["name"]!.GetValue<string>() == m.Figure)!;
            var ci = figure["ci95"]!;
            Assert.Equal(ci["geometricMean"]!.GetValue<double>(), m.Ratio, 0.0005);
            Assert.Equal(ci["ci95Lower"]!.GetValue<double>(), m.Lower, 0.0005);
            Assert.Equal(ci["ci95Upper"]!.GetValue<double>(), m.Upper, 0.0005);
            // Quiet: the 1-minute load average stayed within the benchmark's own threads (+ 0.5) around the figure.
            var limit = machine["logicalCpus"]!.GetValue<int>() + 0.5;
            foreach (var load in new[] { figure["loadBefore"]![0]!, figure["loadAfter"]![0]! })
                Assert.True(load.GetValue<double>() <= limit, $"{m.Figure}: load {load} on {m.File} is not a quiet machine");
        }
    }

    [Fact]
    public void The_CPU_class_comes_from_the_flags()
    {
        string[] Info(string flags) => ["processor\t: 0", "model name\t: Test CPU", "cpu MHz\t\t: 2445.404", $"flags\t\t: fpu sse2 {flags}", "", "processor\t: 1", "flags\t\t: fpu"];
        Assert.Equal(CpuClass.Avx512, HostCpu.Parse(Info("avx avx2 fma avx512f avx512dq")).Class);
        Assert.Equal(CpuClass.Avx2, HostCpu.Parse(Info("avx avx2 fma")).Class);
        Assert.Equal(CpuClass.Other, HostCpu.Parse(Info("avx")).Class);
        var cpu = HostCpu.Parse(Info("avx2"));
        Assert.Equal("Test CPU", cpu.Model);
        Assert.Equal(2445.404, cpu.MHz);
    }

    /// <summary>The detected class agrees with what .NET's own CPUID checks report (where they say the extension is usable).</summary>
    [Fact]
    public void This_machines_CPU_class_is_plausible()
    {
        var detected = HostCpu.Current.Class;
        if (Avx512F.IsSupported) Assert.Equal(CpuClass.Avx512, detected);
        else if (Avx2.IsSupported) Assert.Equal(CpuClass.Avx2, detected);
        if (OperatingSystem.IsLinux() && X86Base.IsSupported) Assert.NotEqual("unknown", HostCpu.Current.Model);
    }
}
