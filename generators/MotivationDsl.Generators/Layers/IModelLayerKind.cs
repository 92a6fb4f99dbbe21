using System.Collections.Generic;

namespace MotivationDsl.Generators;

/// <summary>
/// A model-level layer kind that lives in its own file (the token layers of a language model): how it validates, resolves
/// (tensors, MACs, the activation it outputs), and what it emits (field, construction, forward step, metadata call). The
/// resolver and the emitters ask <see cref="ModelLayerKinds"/> for any layer kind their own switch does not handle.
/// </summary>
internal interface IModelLayerKind
{
    LayerKind Kind { get; }

    /// <summary>Variant-independent checks of a model-level declaration (names, and use inside a block, are checked by the caller).</summary>
    void Validate(IDiagnosticReporter reporter, LayerSpec layer);

    /// <summary>Adds the layer's tensors and MACs to the variant and updates <paramref name="flow"/>; false after reporting.</summary>
    bool Resolve(ModelBuilder builder, VariantDraft variant, LayerDraft layer, LayerFlow flow);

    /// <summary>The full module type of the layer's field (<c>__Modules.Linear</c>, <c>global::MotivationDsl.TokenTable</c>).</summary>
    string ModuleType(RLayer layer);

    /// <summary>The expression that creates the layer's module.</summary>
    string Create(RLayer layer);

    /// <summary>The forward statement(s) on <c>__x</c>.</summary>
    string Forward(RLayer layer);

    /// <summary>The metadata call on the builder <c>m</c>.</summary>
    string Describe(RLayer layer);
}

/// <summary>The activation between two model-level layers while a variant is resolved.</summary>
internal sealed class LayerFlow
{
    /// <summary>0 token ids [T], 1 features [C], 2 tokens [T, C], 3 an image [C, H, W].</summary>
    public int Rank;
    public long Channels;
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

    public static bool Has(LayerKind kind) => Find(kind) is not null;

    public static IEnumerable<IModelLayerKind> Registered => All;
}
