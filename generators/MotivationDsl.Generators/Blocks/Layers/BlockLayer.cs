using System.Collections.Generic;
using System.Linq;

namespace MotivationDsl.Generators;

/// <summary>
/// One kind of layer inside a block made of a list of layers (<see cref="ConvBlockKind"/>: Basic, Bottleneck and user
/// blocks): how it resolves (tensors, MACs, the activation's size) and what it emits into the block's module (field,
/// construction, forward step) and into its <c>Describe</c>. One file per kind; register it in <see cref="Of"/>.
/// </summary>
internal abstract class BlockLayer
{
    /// <summary>Resolves the layer on <paramref name="body"/>'s activation; false after reporting a diagnostic.</summary>
    public abstract bool Resolve(BlockBody body, LayerSpec l);

    /// <summary>The type of the layer's module field (<c>__Modules.Conv2d</c>), or null for a functional layer.</summary>
    public virtual string? FieldType => null;

    /// <summary>Writes the constructor statements that create the field and update <c>__c</c> (the channels or features).</summary>
    public virtual void Construct(CodeWriter w, LayerSpec l, BlockEmit e) { }

    /// <summary>The forward statement (<c>__x = ...;</c>).</summary>
    public virtual string Forward(LayerSpec l) => MotivationDsl.Generators.Forward.Step(l, 0, 0, 0);

    /// <summary>Writes the <c>Describe</c> statements (tensors and MACs through <c>VariantMetadataBuilder m</c>).</summary>
    public virtual void Describe(CodeWriter w, LayerSpec l, BlockEmit e) { }

    /// <summary><c>planes</c>, or <c>k * planes</c> for an expansion k.</summary>
    protected static string Times(long factor, string name) => factor == 1 ? name : CodeWriter.L(factor) + " * " + name;

    private static readonly Dictionary<LayerKind, BlockLayer> Kinds = new()
    {
        [LayerKind.Conv2d] = new ConvLayer(),
        [LayerKind.BatchNorm2d] = new BatchNormLayer(),
        [LayerKind.Linear] = new LinearLayer(),
        [LayerKind.LayerNorm] = new LayerNormLayer(),
        [LayerKind.MaxPool2d] = new PoolLayer(),
        [LayerKind.AvgPool2d] = new PoolLayer(),
        [LayerKind.GlobalAvgPool] = new PoolLayer(),
        [LayerKind.AdaptiveAvgPool2d] = new PoolLayer(),
        [LayerKind.AdaptiveMaxPool2d] = new PoolLayer(),
        [LayerKind.Flatten] = new FlattenLayer(),
        [LayerKind.SqueezeExcitation] = new SqueezeExcitationLayer(),
        [LayerKind.ReLU] = new ElementwiseLayer(),
        [LayerKind.SiLU] = new ElementwiseLayer(),
        [LayerKind.GELU] = new ElementwiseLayer(),
        [LayerKind.Dropout] = new ElementwiseLayer(),
    };

    public static BlockLayer Of(LayerKind kind) => Kinds[kind];
}

/// <summary>
/// A block body while it resolves: the activation (<see cref="Rank"/> 3: an image [C, H, W]; 1: features [C]), and
/// <see cref="Area"/>, the spatial size H x W when it does not depend on the model's input size (after an adaptive or
/// global pooling), which is what a <c>Flatten</c> inside a block needs (its module is built from channel counts only).
/// </summary>
internal sealed class BlockBody
{
    public BlockBody(ModelBuilder builder, BlockRequest request, BlockDraft block, bool userDeclared)
    {
        Builder = builder; Request = request; Block = block; UserDeclared = userDeclared;
        C = request.InChannels; H = request.Height; W = request.Width; Rank = request.InRank;
    }

    public ModelBuilder Builder { get; }
    public BlockRequest Request { get; }
    public BlockDraft Block { get; }
    /// <summary>A [ScalableBlock]: a spatial collapse is reported at the layer that causes it.</summary>
    public bool UserDeclared { get; }
    public long C, H, W;
    public int Rank;
    public long? Area;

    /// <summary>
    /// Null while the channels are one block (every map is a prefix); after a concatenating [Join], the channel counts of
    /// the joined branches in order: a base channel of branch k sits after all motivated channels of branches 0..k-1.
    /// </summary>
    public long[]? Segments;

    /// <summary>
    /// Records that dimension <paramref name="dim"/> of the block's tensor <paramref name="local"/> runs over the current
    /// channels: with <see cref="Segments"/> set, its map is piecewise, one piece per segment.
    /// </summary>
    public void Split(string local, int dim)
    {
        if (Segments is null) return;
        var name = Request.Key + "." + local;
        Block.Segmented[local] = (dim, Segments, Variant.Tensors.Last(t => t.Name == name).Shape);
    }

    /// <summary>The activation as it is now (a branch starts from it).</summary>
    public (long C, long H, long W, int Rank, long? Area, long[]? Segments) Save() => (C, H, W, Rank, Area, Segments);

    public void Restore((long C, long H, long W, int Rank, long? Area, long[]? Segments) s) =>
        (C, H, W, Rank, Area, Segments) = s;

    public VariantDraft Variant => Request.Variant;

    /// <summary>The activation's shape as the messages write it.</summary>
    public string Shape => Rank == 3 ? $"[{C}, {H}, {W}]" : $"[{C}]";

    /// <summary>The block's input shape as the messages write it.</summary>
    public string InShape => Request.InRank == 3 ? $"[{Request.InChannels}, {Request.Height}, {Request.Width}]" : $"[{Request.InChannels}]";

    /// <summary>Reports that <paramref name="l"/> needs an image input; false when it has one.</summary>
    public bool NeedsImage(LayerSpec l, string what)
    {
        if (Rank == 3) return true;
        Builder.Report(DiagnosticDescriptors.Unsupported, l.Location, l.Display, $"{what} needs a [C, H, W] input but receives {Shape} in {Request.Key}");
        return false;
    }
}

/// <summary>What the emitter knows while it writes a block's layers: the area before a <c>Flatten</c> (see <see cref="BlockBody.Area"/>).</summary>
internal sealed class BlockEmit
{
    public long? Area;
}
