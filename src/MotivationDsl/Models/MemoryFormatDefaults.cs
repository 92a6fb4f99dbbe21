namespace MotivationDsl;

/// <summary>The default memory format of one model family on one CPU class, and the measurement that decided it.</summary>
/// <param name="Family">What the model is made of (<see cref="ModelFamilies.Of"/>).</param>
/// <param name="Cpu">The CPU class the measurement ran on (<see cref="HostCpu.Class"/>).</param>
/// <param name="Format">The default.</param>
/// <param name="DecidedBy">The benchmark file and figure (<c>tests/MotivationDsl.Benchmarks -- layout</c>) that decided it, or why there is none.</param>
public sealed record MemoryFormatDefault(ModelFamily Family, CpuClass Cpu, MemoryFormat Format, string DecidedBy);

/// <summary>
/// The one place that says which memory format a model trains in by default (the CLI's <c>--memory-format auto</c>).
/// Rule (docs/performance.md, "What decides the default"): a family defaults to channels-last on a CPU class only when
/// the upper end of its trainer channels-last / NCHW interval, measured on a quiet machine of that class, is below 1.0;
/// a family not measured on a class stays NCHW there.
/// </summary>
public static class MemoryFormatDefaults
{
    private const string Avx2Run = "docs/benchmarks/layout-20261130-122939.json (quiet AMD EPYC, 10 pairs)";
    private const string NotMeasured = "not measured on this CPU class: NCHW until a quiet layout run decides";

    /// <summary>One row per (family, CPU class).</summary>
    public static IReadOnlyList<MemoryFormatDefault> Table { get; } =
    [
        new(ModelFamily.ResNet, CpuClass.Avx2, MemoryFormat.ChannelsLast,
            $"{Avx2Run}: trainer channels-last / trainer NCHW (ResNet-20) 0.841 [0.788, 0.898]"),
        new(ModelFamily.EfficientNet, CpuClass.Avx2, MemoryFormat.ChannelsLast,
            $"{Avx2Run}: trainer channels-last / NCHW (EfficientNet-B0) 0.803 [0.763, 0.845]"),
        new(ModelFamily.VisionTransformer, CpuClass.Avx2, MemoryFormat.Contiguous,
            $"{Avx2Run}: trainer channels-last / NCHW (ViT-Tiny (CIFAR)) 0.985 [0.910, 1.065], not below 1.0"),
        new(ModelFamily.UserBlocks, CpuClass.Avx2, MemoryFormat.ChannelsLast,
            $"{Avx2Run}: trainer channels-last / NCHW (user blocks (TinyResNet w32 d3)) 0.935 [0.881, 0.991]"),
        .. Rows(CpuClass.Avx512, NotMeasured, ModelFamily.ResNet, ModelFamily.EfficientNet, ModelFamily.VisionTransformer, ModelFamily.UserBlocks),
        .. Rows(CpuClass.Other, NotMeasured, ModelFamily.ResNet, ModelFamily.EfficientNet, ModelFamily.VisionTransformer, ModelFamily.UserBlocks),
        .. Every(ModelFamily.Other, "not a measured family (mixed block families, or convolutions without stages): NCHW"),
        .. Every(ModelFamily.NoConvolutions, "no 4-D weights or activations: the memory format changes nothing"),
    ];

    private static IEnumerable<MemoryFormatDefault> Rows(CpuClass cpu, string why, params ModelFamily[] families) =>
        families.Select(f => new MemoryFormatDefault(f, cpu, MemoryFormat.Contiguous, why));

    private static IEnumerable<MemoryFormatDefault> Every(ModelFamily family, string why) =>
        Enum.GetValues<CpuClass>().Select(c => new MemoryFormatDefault(family, c, MemoryFormat.Contiguous, why));

    /// <summary>The row of <paramref name="family"/> on <paramref name="cpu"/>.</summary>
    public static MemoryFormatDefault RowFor(ModelFamily family, CpuClass cpu) => Table.Single(r => r.Family == family && r.Cpu == cpu);

    /// <summary>The row of <paramref name="definition"/>'s family (by its structure, <see cref="ModelFamilies.Of"/>) on <paramref name="cpu"/>.</summary>
    public static MemoryFormatDefault RowFor(ScalableModelDefinition definition, CpuClass cpu) => RowFor(ModelFamilies.Of(definition), cpu);

    /// <summary>The default memory format of <paramref name="definition"/> on this machine (<see cref="HostCpu.Current"/>).</summary>
    public static MemoryFormat For(ScalableModelDefinition definition) => RowFor(definition, HostCpu.Current.Class).Format;
}
