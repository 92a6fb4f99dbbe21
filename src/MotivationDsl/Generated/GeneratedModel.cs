using TorchSharp;
using static TorchSharp.torch;

namespace MotivationDsl;

/// <summary>
/// The static entry points of a generated <c>[ScalableModel]</c> class, written once: the generator makes the class
/// derive from this (<c>partial class Net : GeneratedModel&lt;Net.ModelDefinition&gt;</c>) and emits only its
/// definition's tables, so <c>Net.CreatePair()</c>, <c>Net.Map</c>, <c>Net.Variants</c> ... resolve here. A model that
/// declares its own base class, or is static, gets the same members generated into it instead.
/// </summary>
/// <remarks>
/// These are static members of a base class: reflection finds them on the model's type with
/// <see cref="System.Reflection.BindingFlags.FlattenHierarchy"/>, or use <see cref="ScalableModelDefinition.Of"/>.
/// </remarks>
/// <typeparam name="TDefinition">The model's generated <c>ModelDefinition</c>.</typeparam>
public abstract class GeneratedModel<TDefinition> where TDefinition : GeneratedModelDefinition, new()
{
    /// <summary>Variants, weights map, manifest and factories of this scalable model.</summary>
    public static ScalableModelDefinition Definition { get; } = new TDefinition();

    /// <summary>Where each base tensor lives in the motivated model (proven at compile time).</summary>
    public static WeightsMap Map => Definition.Map;

    /// <summary>Compile-time metadata of every variant.</summary>
    public static IReadOnlyList<VariantInfo> Variants => Definition.Variants;

    /// <summary>The manifest the build writes next to the output (motivationdsl.manifest/1).</summary>
    public static string ManifestJson => Definition.ManifestJson;

    /// <summary>Creates both modules, copies the base into the motivated one and binds the map.</summary>
    public static MotivationPair CreatePair(Device? device = null, long? seed = null) => Definition.CreatePair(device, seed);

    /// <summary>Creates the pair for <paramref name="options"/> (class count, input size).</summary>
    public static MotivationPair CreatePair(ModelOptions options, Device? device = null, long? seed = null) =>
        Definition.CreatePair(device, seed, options);

    /// <summary>Creates a freshly initialised module of <paramref name="variant"/>.</summary>
    public static nn.Module<Tensor, Tensor> Create(string variant, Device? device = null) => Definition.Create(variant, device);

    /// <summary>Creates a module of <paramref name="variant"/> for <paramref name="options"/>.</summary>
    public static nn.Module<Tensor, Tensor> Create(string variant, ModelOptions options, Device? device = null) =>
        Definition.Create(variant, device, options);

    /// <summary>This model with another proven pair (see <c>Definition.Pairs</c>) as base and motivated.</summary>
    public static ScalableModelDefinition WithPair(string baseVariant, string motivatedVariant) =>
        Definition.WithPair(baseVariant, motivatedVariant);

    /// <summary>This model with the proven pair declared with <paramref name="growth"/>.</summary>
    public static ScalableModelDefinition WithPair(string baseVariant, string motivatedVariant, Growth growth) =>
        Definition.WithPair(baseVariant, motivatedVariant, growth);
}
