namespace MotivationDsl;

/// <summary>
/// The output channels (features) of one model-level layer in one variant, instead of the variant's
/// <see cref="VariantAttribute.WidthMultiplier"/> times its declared size: <c>[LayerWidth("Large", "stem", 24)]</c>.
/// Applies to <c>Conv2d(name, outChannels)</c> (not depthwise), hidden <c>Linear(name, outFeatures)</c> and
/// <c>PatchEmbedding(name, dim)</c>; stages take their widths from <see cref="VariantAttribute.Width"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class LayerWidthAttribute(string variant, string layer, int width) : Attribute
{
    public string Variant { get; } = variant;
    public string Layer { get; } = layer;
    public int Width { get; } = width;
}
