using System.Collections.Generic;

namespace MotivationDsl.Generators;

/// <summary>
/// One kind of block a <c>[Stage]</c> is made of. Everything the generator knows about the kind lives in its one file:
/// how a block resolves (its tensors and MACs as data), what the map and growth need to know about it, and the module
/// and metadata source it emits. Register a new kind in <see cref="BlockKinds"/>.
/// </summary>
internal interface IBlockKind
{
    BlockKindId Id { get; }

    /// <summary>True when the stage's <c>Kernel</c> applies to these blocks (MBConv).</summary>
    bool UsesKernel { get; }

    /// <summary>True when a variant's <c>Kernels</c> may set these blocks' kernel (MBConv, convolution blocks).</summary>
    bool TakesVariantKernels { get; }

    /// <summary>True when the model's StochasticDepth applies to these blocks (a rate growing linearly over all of them).</summary>
    bool TakesStochasticDepth { get; }

    /// <summary>True when the stage runs on a token sequence [tokens, features]; false for an image [C, H, W].</summary>
    bool TakesTokens { get; }

    /// <summary>Null when a stage of these blocks can take an input of <paramref name="rank"/> (3 image, 2 tokens, 1 features); else why not.</summary>
    string? WhyNotInput(int rank, string inShape);

    /// <summary>
    /// The module type of <paramref name="stage"/>'s blocks as the generated code names it: a runtime class shared by
    /// every model (<c>__Dsl.Blocks.BasicBlock</c>, <c>src/MotivationDsl/Blocks/</c>) or, for a kind that writes its own
    /// module (<see cref="IGeneratedBlockKind"/>), a class of the model's <c>Blocks</c> file (<c>__Blocks.MyBlockModule</c>).
    /// Either has the constructor and the static <c>Describe(VariantMetadataBuilder, ...)</c> of <see cref="Arguments"/>.
    /// </summary>
    string ModuleType(BuiltModel model, LayerSpec stage);

    /// <summary>Resolves one block: adds its tensors and MACs to the variant; null after reporting a diagnostic.</summary>
    BlockDraft? Resolve(ModelBuilder builder, BlockRequest request);

    /// <summary>
    /// Checks that base block <paramref name="b"/> can be embedded in motivated block <paramref name="m"/> beyond the shared
    /// checks (strides, shortcuts); false after reporting.
    /// </summary>
    bool CheckPair(ModelBuilder builder, PairBlocks pair);

    /// <summary>Head-aware pieces of a tensor (base region -> motivated region), or null for a plain prefix.</summary>
    List<((long Start, long Length)[] Base, (long Start, long Length)[] Motivated)>? Pieces(string local, RBlock b, RBlock m);

    /// <summary>Whether the block applies ReLU after its residual add (an extra first block is then not an identity).</summary>
    bool ReLUAfterAdd(ModelBuilder builder, LayerSpec stage);

    /// <summary>Null when an extra block of this kind can start as an identity; else why not.</summary>
    string? WhyNotIdentity(ModelBuilder builder, LayerSpec stage, RBlock block);

    /// <summary>Of an extra block's parameters: those zeroed so that the block starts as an identity.</summary>
    IEnumerable<TensorDesc> IdentityZeroes(IReadOnlyList<TensorDesc> blockParameters);

    /// <summary>Locals (inside a block) whose output features are the residual stream, for widened LayerNorms; null: none.</summary>
    bool IsStreamTensor(string local);

    /// <summary>The constructor's (and <c>Describe</c>'s) named arguments for a resolved block.</summary>
    IReadOnlyList<string> Arguments(RBlock block);
}

/// <summary>
/// A block kind whose module is written per model (user blocks: their layers are the user's): the generated
/// <c>ModelDefinition.Blocks</c> class holds it. The built-in kinds' modules are runtime classes instead.
/// </summary>
internal interface IGeneratedBlockKind : IBlockKind
{
    /// <summary>Writes the module class (with its static <c>Describe</c> metadata method) into the <c>Blocks</c> class.</summary>
    void EmitModule(CodeWriter w, BuiltModel model, LayerSpec stage);
}

/// <summary>What a stage asks of its block kind for block <see cref="Index"/>.</summary>
internal sealed record BlockRequest(
    VariantDraft Variant, LayerSpec Stage, int StageIndex, int Index,
    long InChannels, long Planes, long Stride, long Height, long Width, long Tokens, double StochasticDepth)
{
    public VariantSpec Spec => Variant.Spec;

    /// <summary>The rank of the block's input: 3 an image [C, H, W], 2 tokens, 1 features [C].</summary>
    public int InRank { get; init; } = 3;

    /// <summary>The block's state_dict prefix without the trailing dot: <c>layer2.3</c>.</summary>
    public string Key => Stage.Name + "." + Stage.BlockPrefix + Index.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A base block and the motivated block the depth rule maps it to.</summary>
internal sealed record PairBlocks(
    ResolvedVariant Base, ResolvedVariant Motivated, LayerSpec Stage, RBlock BaseBlock, RBlock MotivatedBlock,
    string BaseKey, string MotivatedKey, LocationInfo? WidthLocation);
