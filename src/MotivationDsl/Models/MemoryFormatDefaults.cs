namespace MotivationDsl;

/// <summary>A trainer channels-last / NCHW step-time ratio of the layout benchmark, with its 95 % interval.</summary>
/// <param name="File">The benchmark's JSON, relative to the repository (docs/benchmarks/layout-*.json).</param>
/// <param name="Figure">The figure's name in that file.</param>
/// <param name="Ratio">The geometric mean of the paired ratios.</param>
/// <param name="Lower">The 95 % interval's lower end.</param>
/// <param name="Upper">The 95 % interval's upper end: below 1.0 means channels-last is faster.</param>
public sealed record LayoutMeasurement(string File, string Figure, double Ratio, double Lower, double Upper)
{
    public override string ToString() => FormattableString.Invariant($"{File}: {Figure} {Ratio:F3} [{Lower:F3}, {Upper:F3}]");
}

/// <summary>
/// The default memory format of one model family on one CPU class: channels-last only when <paramref name="Measurement"/>'s
/// interval lies below 1.0 (the rule, applied here rather than written per row).
/// </summary>
/// <param name="Family">What the model is made of (<see cref="ModelFamilies.Of(ScalableModelDefinition)"/>).</param>
/// <param name="Cpu">The CPU class (<see cref="HostCpu.Class"/>) the measurement ran on.</param>
/// <param name="Measurement">The quiet-machine figure that decides the row; null when there is none.</param>
/// <param name="Unmeasured">Why there is no measurement (null when there is one).</param>
public sealed record MemoryFormatDefault(ModelFamily Family, CpuClass Cpu, LayoutMeasurement? Measurement, string? Unmeasured = null)
{
    public MemoryFormat Format => Measurement is { Upper: < 1.0 } ? MemoryFormat.ChannelsLast : MemoryFormat.Contiguous;

    /// <summary>The figure that decided the row, or why there is none.</summary>
    public string DecidedBy => Measurement?.ToString() ?? Unmeasured ?? "";
}

/// <summary>
/// The one place that says which memory format a model trains in by default (the CLI's <c>--memory-format auto</c>).
/// Rule (docs/performance.md, "What decides the default"): a family defaults to channels-last on a CPU class only when
/// the upper end of its trainer channels-last / NCHW interval, measured on a quiet machine of that class, is below 1.0;
/// a family not measured on a class stays NCHW there.
/// </summary>
public static class MemoryFormatDefaults
{
    private const string Avx2Run = "docs/benchmarks/layout-20261130-122939.json";
    private const string NotMeasured = "not measured on this CPU class: NCHW until a quiet layout run decides";

    /// <summary>One row per (family, CPU class).</summary>
    public static IReadOnlyList<MemoryFormatDefault> Table { get; } =
    [
        new(ModelFamily.ResNet, CpuClass.Avx2, new(Avx2Run, "trainer channels-last / trainer NCHW (ResNet-20)", 0.841, 0.788, 0.898)),
        new(ModelFamily.EfficientNet, CpuClass.Avx2, new(Avx2Run, "trainer channels-last / NCHW (EfficientNet-B0)", 0.803, 0.763, 0.845)),
        new(ModelFamily.VisionTransformer, CpuClass.Avx2, new(Avx2Run, "trainer channels-last / NCHW (ViT-Tiny (CIFAR))", 0.985, 0.910, 1.065)),
        new(ModelFamily.UserBlocks, CpuClass.Avx2, new(Avx2Run, "trainer channels-last / NCHW (user blocks (TinyResNet w32 d3))", 0.935, 0.881, 0.991)),
        .. Rows(CpuClass.Avx512, NotMeasured, ModelFamily.ResNet, ModelFamily.EfficientNet, ModelFamily.VisionTransformer, ModelFamily.UserBlocks),
        .. Rows(CpuClass.Other, NotMeasured, ModelFamily.ResNet, ModelFamily.EfficientNet, ModelFamily.VisionTransformer, ModelFamily.UserBlocks),
        .. Every(ModelFamily.Other, "not a measured family (mixed block families, or convolutions without stages): NCHW"),
        .. Every(ModelFamily.NoConvolutions, "no 4-D weights: the memory format changes nothing"),
    ];

    private static IEnumerable<MemoryFormatDefault> Rows(CpuClass cpu, string why, params ModelFamily[] families) =>
        families.Select(f => new MemoryFormatDefault(f, cpu, null, why));

    private static IEnumerable<MemoryFormatDefault> Every(ModelFamily family, string why) =>
        Enum.GetValues<CpuClass>().Select(c => new MemoryFormatDefault(family, c, null, why));

    /// <summary>The row of <paramref name="family"/> on <paramref name="cpu"/>.</summary>
    public static MemoryFormatDefault RowFor(ModelFamily family, CpuClass cpu) => Table.Single(r => r.Family == family && r.Cpu == cpu);

    /// <summary>The row of <paramref name="definition"/>'s family (by its structure, <see cref="ModelFamilies.Of(ScalableModelDefinition)"/>) on <paramref name="cpu"/>.</summary>
    public static MemoryFormatDefault RowFor(ScalableModelDefinition definition, CpuClass cpu) => RowFor(ModelFamilies.Of(definition), cpu);

    /// <summary>The default memory format of <paramref name="definition"/> on this machine (<see cref="HostCpu.Current"/>).</summary>
    public static MemoryFormat For(ScalableModelDefinition definition) => RowFor(definition, HostCpu.Current.Class).Format;
}
