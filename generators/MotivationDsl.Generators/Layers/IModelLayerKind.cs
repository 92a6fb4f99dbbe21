using System;
using System.Collections.Generic;
using static MotivationDsl.Generators.Forward;

namespace MotivationDsl.Generators;

/// <summary>
/// A model-level layer kind, one file per kind (or per family, as <see cref="ActivationModelLayer"/>): how it validates,
/// resolves (tensors, MACs, the activation it outputs), and what it emits (field, construction, forward step, metadata
/// call). Stages are the one model-level layer that is not a plug-in: they are the block kinds' (<c>Blocks/</c>).
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

    /// <summary>The full module type of the layer's field (<c>__Modules.Linear</c>); null: the layer has no module field.</summary>
    string? ModuleType(RLayer layer);

    /// <summary>True when <see cref="Construct"/> reads the variant's metadata (<c>__info</c>).</summary>
    bool ReadsInfo(RLayer layer);

    /// <summary>Writes the constructor statements that create and register the layer's module or parameter (none: nothing).</summary>
    void Construct(ModelLayerEmit e, RLayer layer);

    /// <summary>The forward statement(s) on <c>__x</c>.</summary>
    string Forward(RLayer layer);

    /// <summary>Writes the metadata call(s) on the builder <c>m</c> (none: the layer changes no size).</summary>
    void Describe(VariantText w, RLayer layer);
}

/// <summary>A model-level layer kind's defaults: no state_dict name, no module, no metadata call, no checks of its own.</summary>
internal abstract class ModelLayer : IModelLayerKind
{
    public abstract LayerKind Kind { get; }

    public virtual bool Named => false;

    public virtual void Validate(IDiagnosticReporter reporter, LayerSpec layer) { }

    public abstract bool Resolve(ModelBuilder builder, VariantDraft variant, LayerDraft layer, LayerFlow flow);

    public virtual string? ModuleType(RLayer layer) => null;

    public virtual bool ReadsInfo(RLayer layer) => false;

    public virtual void Construct(ModelLayerEmit e, RLayer layer) { }

    public abstract string Forward(RLayer layer);

    public virtual void Describe(VariantText w, RLayer layer) { }
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

/// <summary>Where a model-level layer writes its construction: the variant's constructor text and its module registration.</summary>
internal sealed class ModelLayerEmit
{
    private readonly Action<string> _ensureNode;
    private readonly Action<string, string> _register;

    public ModelLayerEmit(VariantText text, Action<string> ensureNode, Action<string, string> register)
    {
        Text = text; _ensureNode = ensureNode; _register = register;
    }

    public VariantText Text { get; }

    /// <summary>Creates the container modules of a dotted path (<c>encoder</c> for <c>encoder.pos_embedding</c>).</summary>
    public void EnsureNode(string path) => _ensureNode(path);

    /// <summary><c>this.{field} = {expression};</c>, registered under the layer's name.</summary>
    public void Module(RLayer l, string expression)
    {
        Text.Line($"this.{Field(l.Spec.Name!)} = {expression};");
        _register(l.Spec.Name!, Field(l.Spec.Name!));
    }

    /// <summary><c>this.{field} = {head}(args);</c> as a call whose named numbers may become parameters, registered.</summary>
    public void Module(RLayer l, string head, IReadOnlyList<string> args)
    {
        Text.Call($"this.{Field(l.Spec.Name!)} = {head}", args, ";");
        _register(l.Spec.Name!, Field(l.Spec.Name!));
    }
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
