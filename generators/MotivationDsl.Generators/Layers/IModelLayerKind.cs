using System.Collections.Generic;

namespace MotivationDsl.Generators;

/// <summary>
/// A model-level layer kind, one file per kind (or per family, as <see cref="ActivationModelLayer"/>): how it validates,
/// resolves (tensors, MACs, the activation it outputs), and what it emits (its call in the variant's layer list).
/// Stages are the one model-level layer that is not a plug-in: they are the block kinds' (<c>Blocks/</c>).
/// </summary>
internal interface IModelLayerKind
{
    LayerKind Kind { get; }

    /// <summary>True when the layer has a state_dict name (a module or a parameter): its name is checked and a dotted
    /// name gets container modules.</summary>
    bool Named { get; }

    /// <summary>Variant-independent checks of a model-level declaration (names, and use inside a block, are checked by the caller).</summary>
    void Validate(IDiagnosticReporter reporter, LayerSpec layer);

    /// <summary>Adds the layer's tensors and MACs to the variant and updates <paramref name="flow"/>; false after reporting.</summary>
    bool Resolve(ModelBuilder builder, VariantDraft variant, LayerDraft layer, LayerFlow flow);

    /// <summary>
    /// Writes the layer's call in the variant's layer list (<c>.Conv2d("conv1", outChannels: 16, kernel: 3)</c>, a
    /// <c>MotivationDsl.LayerList</c> method), from which the runtime builds both its module and its metadata (none: the
    /// layer has no effect at run time); numbers that may differ between variants are named arguments.
    /// </summary>
    void Layer(VariantText w, RLayer layer);
}

/// <summary>A model-level layer kind's defaults: no state_dict name, no checks of its own.</summary>
internal abstract class ModelLayer : IModelLayerKind
{
    public abstract LayerKind Kind { get; }

    public virtual bool Named => false;

    public virtual void Validate(IDiagnosticReporter reporter, LayerSpec layer) { }

    public abstract bool Resolve(ModelBuilder builder, VariantDraft variant, LayerDraft layer, LayerFlow flow);

    public abstract void Layer(VariantText w, RLayer layer);
}

/// <summary>The activation between two model-level layers while a variant is resolved.</summary>
internal sealed class LayerFlow
{
    /// <summary>0 token ids [T], 1 features [C], 2 tokens [T, C], 3 an image [C, H, W].</summary>
    public int Rank;
    public long Channels;
    /// <summary>The image's height and width (rank 3).</summary>
    public long Height, Width;
    /// <summary>True when the activation is the model's output (class or vocabulary logits).</summary>
    public bool IsOutput;
    /// <summary>The input's shape as a message shows it.</summary>
    public string InShape = "";
}

/// <summary>The registered model-level layer kinds. A new one: one file implementing <see cref="IModelLayerKind"/>, one line here.</summary>
internal static class ModelLayerKinds
{
    private static readonly IModelLayerKind[] All =
    {
        new Conv2dModelLayer(),
        new BatchNorm2dModelLayer(),
        new LinearModelLayer(),
        new LayerNormModelLayer(),
        new DropoutModelLayer(),
        new FlattenModelLayer(),
        new ActivationModelLayer(LayerKind.ReLU),
        new ActivationModelLayer(LayerKind.SiLU),
        new ActivationModelLayer(LayerKind.GELU),
        new PoolModelLayer(LayerKind.MaxPool2d),
        new PoolModelLayer(LayerKind.AvgPool2d),
        new PoolModelLayer(LayerKind.AdaptiveAvgPool2d),
        new PoolModelLayer(LayerKind.AdaptiveMaxPool2d),
        new PoolModelLayer(LayerKind.GlobalAvgPool),
        new PatchEmbeddingLayer(),
        new ClassTokenLayer(),
        new PositionalEmbeddingLayer(),
        new ClassTokenSelectLayer(),
        new TokenEmbeddingLayer(),
        new TokenPositionsLayer(),
        new LanguageModelHeadLayer(),
    };

    public static IModelLayerKind? Find(LayerKind kind)
    {
        foreach (var k in All)
            if (k.Kind == kind) return k;
        return null;
    }
}
