namespace MotivationDsl.Generators;

/// <summary>The registered block kinds. A new kind: one file implementing <see cref="IBlockKind"/>, one line here.</summary>
internal static class BlockKinds
{
    private static readonly IBlockKind[] All =
    {
        new BasicBlockKind(),
        new BottleneckBlockKind(),
        new MBConvBlockKind(),
        new EncoderBlockKind(),
        new CausalDecoderBlockKind(),
        new UserBlockKind(),
    };

    /// <summary>The kind of <paramref name="stage"/>'s blocks.</summary>
    public static IBlockKind Of(LayerSpec stage) => Of(stage.BlockKind);

    public static IBlockKind Of(BlockKindId id)
    {
        foreach (var kind in All)
            if (kind.Id == id) return kind;
        throw new System.InvalidOperationException("no block kind " + id);
    }

    /// <summary>True when <paramref name="value"/> (a stage's <c>Block</c>) names a built-in kind.</summary>
    public static bool IsBuiltIn(int value)
    {
        foreach (var kind in All)
            if ((int)kind.Id == value && kind.Id != BlockKindId.User) return true;
        return false;
    }
}
