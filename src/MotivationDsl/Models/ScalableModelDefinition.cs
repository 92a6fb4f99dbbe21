using TorchSharp;
using static TorchSharp.torch;

namespace MotivationDsl;

/// <summary>
/// Everything generated for one scalable model: its variants and their metadata, the base/motivated pair,
/// the weights map, and factories. The generator emits one sealed subclass per <c>[ScalableModel]</c> class,
/// reachable as its static <c>Definition</c> property.
/// </summary>
public abstract class ScalableModelDefinition
{
    /// <summary>The model's full type name, as declared.</summary>
    public abstract string Name { get; }

    public abstract Type ModelType { get; }

    public abstract IReadOnlyList<VariantInfo> Variants { get; }

    public abstract string BaseVariant { get; }

    public abstract string MotivatedVariant { get; }

    /// <summary>Where each base tensor lives in the motivated model.</summary>
    public abstract WeightsMap Map { get; }

    /// <summary>The manifest the build writes next to the output (JSON).</summary>
    public abstract string ManifestJson { get; }

    /// <summary>Creates a freshly initialised module of <paramref name="variant"/> (PyTorch default initialisation).</summary>
    protected abstract nn.Module<Tensor, Tensor> CreateModule(string variant);

    public VariantInfo GetVariant(string name) =>
        Variants.FirstOrDefault(v => v.Name == name)
        ?? throw new ArgumentException(
            $"'{Name}' has no variant '{name}'. Its variants are: {string.Join(", ", Variants.Select(v => v.Name))}.", nameof(name));

    /// <summary>Creates a module of <paramref name="variant"/> on <paramref name="device"/> (CPU when null).</summary>
    public nn.Module<Tensor, Tensor> Create(string variant, Device? device = null)
    {
        GetVariant(variant);
        var module = CreateModule(variant);
        if (device is not null && device.type != DeviceType.CPU) module.to(device);
        return module;
    }

    /// <summary>
    /// Creates the base and motivated modules on <paramref name="device"/>, copies the base's weights into the
    /// motivated model's mapped regions, and binds the map. With a <paramref name="seed"/>, initialisation is reproducible.
    /// </summary>
    public MotivationPair CreatePair(Device? device = null, long? seed = null) => CreatePair(device, seed, zeroCopy: false);

    /// <summary>
    /// As <see cref="CreatePair(Device?, long?)"/>; with <paramref name="zeroCopy"/> the map is bound with
    /// <see cref="WeightsMap.BindShared"/>: the base's mapped parameters and buffers become views of their regions
    /// of the motivated model, so switching copies nothing for them. Same initial values either way.
    /// </summary>
    public MotivationPair CreatePair(Device? device, long? seed, bool zeroCopy)
    {
        if (seed is { } s) torch.manual_seed(s);
        var baseModel = Create(BaseVariant, device);
        var motivated = Create(MotivatedVariant, device);
        BoundWeightsMap bound;
        if (zeroCopy) bound = Map.BindShared(baseModel, motivated);
        else
        {
            bound = Map.Bind(baseModel, motivated);
            bound.CopyBaseToMotivated();
        }
        return new MotivationPair(this, baseModel, motivated, bound);
    }

    public override string ToString() => $"{Name} ({BaseVariant} -> {MotivatedVariant})";
}
