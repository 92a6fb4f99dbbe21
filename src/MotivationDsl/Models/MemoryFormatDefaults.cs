namespace MotivationDsl;

/// <summary>A model family's default memory format and the benchmark row that decides it (docs/performance.md).</summary>
/// <param name="Family">The family, as the benchmark's row names it.</param>
/// <param name="NameContains">A model belongs to the first family whose fragment its class name contains (case-insensitive); "" matches every model.</param>
/// <param name="Format">The default, chosen by the measurement.</param>
/// <param name="Measurement">The figure of <c>tests/MotivationDsl.Benchmarks -- layout</c> that decides it.</param>
public sealed record MemoryFormatDefault(string Family, string NameContains, MemoryFormat Format, string Measurement);

/// <summary>
/// The one place that says which memory format a model trains in by default (the CLI's <c>--memory-format auto</c>).
/// Rule (docs/performance.md, "What decides the default"): a family defaults to channels-last only when the upper end
/// of its trainer channels-last / NCHW interval is below 1.0 on a quiet machine, on AVX2 and on AVX-512.
/// </summary>
public static class MemoryFormatDefaults
{
    /// <summary>One row per family of the layout benchmark, searched in order; the last row takes every other model.</summary>
    public static IReadOnlyList<MemoryFormatDefault> Table { get; } =
    [
        new("ResNet", "ResNet", MemoryFormat.Contiguous, "trainer channels-last / trainer NCHW (ResNet-20)"),
        new("EfficientNet", "EfficientNet", MemoryFormat.Contiguous, "trainer channels-last / NCHW (EfficientNet-B0)"),
        new("ViT", "VisionTransformer", MemoryFormat.Contiguous, "trainer channels-last / NCHW (ViT-Tiny (CIFAR))"),
        new("user blocks", "", MemoryFormat.Contiguous, "trainer channels-last / NCHW (user blocks (TinyResNet w32 d3))"),
    ];

    /// <summary>The row of the model named <paramref name="modelName"/> (full or short class name).</summary>
    public static MemoryFormatDefault RowFor(string modelName)
    {
        ArgumentNullException.ThrowIfNull(modelName);
        var shortName = modelName[(modelName.LastIndexOf('.') + 1)..];
        return Table.First(row => shortName.Contains(row.NameContains, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The default memory format of the model named <paramref name="modelName"/>.</summary>
    public static MemoryFormat For(string modelName) => RowFor(modelName).Format;
}
