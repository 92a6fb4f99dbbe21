namespace MotivationDsl.Generators;

/// <summary>Names of the incremental pipeline steps (for <c>WithTrackingName</c> and caching tests).</summary>
public static class TrackingNames
{
    public const string Models = nameof(Models);
    public const string Blocks = nameof(Blocks);
    public const string BlocksCollected = nameof(BlocksCollected);
    public const string BlockSet = nameof(BlockSet);
    public const string ModelsWithBlocks = nameof(ModelsWithBlocks);
    public const string Built = nameof(Built);
    public const string Diagnostics = nameof(Diagnostics);
    public const string Sources = nameof(Sources);
}
