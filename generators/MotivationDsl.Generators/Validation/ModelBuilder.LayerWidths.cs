using System.Collections.Generic;
using System.Linq;

namespace MotivationDsl.Generators;

// [LayerWidth(variant, layer, width)]: per-variant widths of model-level layers.
internal sealed partial class ModelBuilder
{
    /// <summary>Each [LayerWidth] names a declared variant and a model-level layer with a width, once, with a valid width.</summary>
    private void ValidateLayerWidths(string declaredVariants)
    {
        var seen = new HashSet<(string?, string?)>();
        foreach (var lw in _spec.LayerWidths)
        {
            var layer = _spec.Layers.FirstOrDefault(l => l.Name == lw.Layer);
            if (!_spec.Variants.Any(v => v.Name == lw.Variant))
                Report(DiagnosticDescriptors.UnknownVariant, lw.Location, "LayerWidth", lw.Variant ?? "null", _spec.ClassName, declaredVariants);
            else if (layer is null)
                Report(DiagnosticDescriptors.LayerWidthTarget, lw.Location, lw.Layer ?? "null", lw.Variant, "is not a model-level layer of '" + _spec.ClassName + "'");
            else if (!HasWidth(layer))
                Report(DiagnosticDescriptors.LayerWidthTarget, lw.Location, lw.Layer, lw.Variant,
                    layer.Kind == LayerKind.Stage ? "is a stage, whose channels the variant's Width sets"
                    : layer.Kind == LayerKind.Linear ? "is the classifier, which outputs the class count"
                    : layer.Depthwise ? "is a depthwise convolution, which keeps its input's channels"
                    : "has no width of its own");
            else if (!seen.Add((lw.Variant, lw.Layer)))
                Report(DiagnosticDescriptors.LayerWidthTarget, lw.Location, lw.Layer, lw.Variant, "has its width set twice for this variant");
            else if (lw.Width <= 0 || lw.Width > MaxSize)
                Report(DiagnosticDescriptors.InvalidValue, lw.Location, "LayerWidth", "width", lw.Width, lw.Width <= 0 ? "it must be positive" : TooLarge);
        }
    }

    private static bool HasWidth(LayerSpec l) =>
        l.Kind is LayerKind.Conv2d && !l.Depthwise || l.Kind is LayerKind.PatchEmbedding || l.Kind is LayerKind.Linear && l.HasOut;

    /// <summary>A model-level layer's output channels in variant <paramref name="v"/>: its [LayerWidth], else scaled; null: not whole.</summary>
    private long? OutWidth(VariantSpec v, LayerSpec l) =>
        _spec.LayerWidths.FirstOrDefault(lw => lw.Variant == v.Name && lw.Layer == l.Name) is { } set ? set.Width : ScaleChannels(l.Out, v.WidthMultiplier);
}
