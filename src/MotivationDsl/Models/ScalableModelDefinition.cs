using System.Reflection;
using TorchSharp;
using static TorchSharp.torch;

namespace MotivationDsl;

/// <summary>
/// Everything generated for one scalable model: its variants and their metadata, the base/motivated pair,
/// the weights map, and factories. The generator emits one sealed subclass per <c>[ScalableModel]</c> class,
/// reachable as its static <c>Definition</c> property (or <see cref="Of"/> its type).
/// </summary>
public abstract class ScalableModelDefinition
{
    private readonly Dictionary<(string, string, Growth), WeightsMap> _pairMaps = new();

    /// <summary>
    /// The definition of the <c>[ScalableModel]</c> class <paramref name="model"/> (its static <c>Definition</c>, declared
    /// on it or inherited from <see cref="GeneratedModel{TDefinition}"/>); null when it has none.
    /// </summary>
    public static ScalableModelDefinition? Of(Type model) =>
        model.GetProperty("Definition", BindingFlags.Public | BindingFlags.Static | BindingFlags.FlattenHierarchy)
            ?.GetValue(null) as ScalableModelDefinition;

    /// <summary>The model's full type name, as declared.</summary>
    public abstract string Name { get; }

    public abstract Type ModelType { get; }

    /// <summary>Metadata of every variant at the declared input shape and class count.</summary>
    public abstract IReadOnlyList<VariantInfo> Variants { get; }

    public abstract string BaseVariant { get; }

    public abstract string MotivatedVariant { get; }

    /// <summary>Where each base tensor lives in the motivated model (at the declared sizes; see <see cref="MapFor"/>).</summary>
    public abstract WeightsMap Map { get; }

    /// <summary>The manifest the build writes next to the output (JSON).</summary>
    public abstract string ManifestJson { get; }

    /// <summary>What the model's output means (classification unless declared otherwise); trainers choose the loss and metrics from it.</summary>
    public virtual ModelTask ModelTask => ModelTask.Classification;

    /// <summary>The declared class count.</summary>
    public virtual int DefaultClasses => Variants[0].Classes;

    /// <summary>The declared input shape (channels, height, width).</summary>
    public virtual IReadOnlyList<int> DefaultInputShape => Variants[0].InputShape;

    /// <summary>Every (base, motivated) pair whose map was generated and proven: the declared pair first, then each <c>[Pair]</c>.</summary>
    public virtual IReadOnlyList<(string Base, string Motivated)> Pairs => new[] { (BaseVariant, MotivatedVariant) };

    /// <summary>Creates a freshly initialised module of <paramref name="variant"/> (PyTorch default initialisation).</summary>
    protected abstract nn.Module<Tensor, Tensor> CreateModule(string variant);

    /// <summary>Creates a module of <paramref name="variant"/> for <paramref name="options"/> (null: the declared sizes).</summary>
    protected virtual nn.Module<Tensor, Tensor> CreateModule(string variant, ModelOptions? options) =>
        options is null ? CreateModule(variant) : throw new NotSupportedException($"'{Name}' was generated without ModelOptions support.");

    /// <summary>The generated map of a declared pair, or null.</summary>
    protected virtual WeightsMap? CreatePairMap(string baseVariant, string motivatedVariant) =>
        baseVariant == BaseVariant && motivatedVariant == MotivatedVariant ? Map : null;

    /// <summary>
    /// The generated map of a declared pair under <paramref name="growth"/>: <see cref="Growth.Default"/> for the rule declared
    /// on the model and stages, else a <c>[Pair]</c> declared with that <c>Growth</c>; null when there is none.
    /// </summary>
    protected virtual WeightsMap? CreatePairMap(string baseVariant, string motivatedVariant, Growth growth) =>
        growth == Growth.Default ? CreatePairMap(baseVariant, motivatedVariant) : null;

    internal nn.Module<Tensor, Tensor> CreateModuleCore(string variant, ModelOptions? options) => CreateModule(variant, options);

    internal WeightsMap? PairMapCore(string baseVariant, string motivatedVariant, Growth growth)
    {
        lock (_pairMaps)
        {
            if (_pairMaps.TryGetValue((baseVariant, motivatedVariant, growth), out var map)) return map;
            map = CreatePairMap(baseVariant, motivatedVariant, growth);
            if (map is not null) _pairMaps[(baseVariant, motivatedVariant, growth)] = map;
            return map;
        }
    }

    public VariantInfo GetVariant(string name) =>
        Variants.FirstOrDefault(v => v.Name == name)
        ?? throw new ArgumentException(
            $"'{Name}' has no variant '{name}'. Its variants are: {string.Join(", ", Variants.Select(v => v.Name))}.", nameof(name));

    /// <summary>
    /// Metadata of <paramref name="variant"/> for <paramref name="options"/> (class count, input size): tensors, parameter
    /// count and MACs follow the sizes. Null options give <see cref="GetVariant"/>.
    /// </summary>
    public virtual VariantInfo Describe(string variant, ModelOptions? options = null) =>
        options is null ? GetVariant(variant) : throw new NotSupportedException($"'{Name}' was generated without ModelOptions support.");

    /// <summary>Creates a module of <paramref name="variant"/> on <paramref name="device"/> (CPU when null).</summary>
    public nn.Module<Tensor, Tensor> Create(string variant, Device? device = null) => Create(variant, device, null);

    /// <summary>Creates a module of <paramref name="variant"/> for <paramref name="options"/> on <paramref name="device"/>.</summary>
    public nn.Module<Tensor, Tensor> Create(string variant, Device? device, ModelOptions? options)
    {
        GetVariant(variant);
        var module = CreateModuleCore(variant, options);
        if (device is not null && device.type != DeviceType.CPU) module.to(device);
        return module;
    }

    /// <summary>Creates a module of <paramref name="variant"/> for <paramref name="options"/> on the CPU.</summary>
    public nn.Module<Tensor, Tensor> Create(string variant, ModelOptions options) => Create(variant, null, options);

    /// <summary>
    /// The weights map for modules created with <paramref name="options"/>. Option-dependent dimensions (the class count,
    /// the token count of a positional embedding, flattened features) are equal in both variants or prefixes; their
    /// regions are stretched to the new sizes. Everything else is the compile-time proven map.
    /// </summary>
    public WeightsMap MapFor(ModelOptions? options)
    {
        if (options is null) return Map;
        var b = Describe(BaseVariant, options);
        var m = Describe(MotivatedVariant, options);
        var entries = Map.Entries.Select(e => Resize(e, b.Shape(e.BaseName), m.Shape(e.MotivatedName))).ToArray();
        var byMotivated = Map.Entries.GroupBy(e => e.MotivatedName).ToDictionary(g => g.Key, g => g.First());
        var growth = Map.Growth.Select(g => Resize(g, byMotivated.GetValueOrDefault(g.Tensor), b, m)).ToArray();
        return new WeightsMap(Map.BaseVariant, Map.MotivatedVariant, entries, growth);
    }

    // A growth step's region along an option-dependent dimension: the whole dimension, the base's prefix, or the extra
    // part after it (e.g. the head's rows for another class count, the flattened features of another input size).
    private static GrowthStep Resize(GrowthStep g, MapEntry? e, VariantInfo b, VariantInfo m)
    {
        var motShape = m.Shape(g.Tensor);
        var oldMot = e?.MotivatedShape;
        if (oldMot is null || motShape.AsSpan().SequenceEqual(oldMot)) return g;
        var baseShape = b.Shape(e!.BaseName);
        TensorRegion Fix(TensorRegion r)
        {
            var dims = r.Dims.ToArray();
            for (var d = 0; d < dims.Length; d++)
            {
                if (motShape[d] == oldMot[d] && baseShape[d] == e.BaseShape[d]) continue;
                if (dims[d].Start == 0 && dims[d].Length == oldMot[d]) dims[d] = new DimRange(0, motShape[d]);
                else if (dims[d].Start == 0 && dims[d].Length == e.BaseShape[d]) dims[d] = new DimRange(0, baseShape[d]);
                else if (dims[d].Start == e.BaseShape[d] && dims[d].End == oldMot[d]) dims[d] = new DimRange(baseShape[d], motShape[d] - baseShape[d]);
                else throw new WeightsMapMismatchException($"The growth step {g} cannot follow the new sizes {WeightsMap.Shape(baseShape)} -> {WeightsMap.Shape(motShape)}.");
            }
            return new TensorRegion(dims);
        }
        return g with { Region = Fix(g.Region), Source = g.Source is null ? null : Fix(g.Source) };
    }

    private static MapEntry Resize(MapEntry e, long[] baseShape, long[] motShape)
    {
        if (baseShape.AsSpan().SequenceEqual(e.BaseShape) && motShape.AsSpan().SequenceEqual(e.MotivatedShape)) return e;
        TensorRegion Fix(TensorRegion r, bool isBase)
        {
            var dims = r.Dims.ToArray();
            for (var d = 0; d < dims.Length; d++)
            {
                if (baseShape[d] == e.BaseShape[d] && motShape[d] == e.MotivatedShape[d]) continue;
                if (dims[d].Start != 0 || dims[d].Length != e.BaseShape[d] || baseShape[d] > motShape[d])
                    throw new WeightsMapMismatchException($"The map entry {e} cannot follow the new sizes {WeightsMap.Shape(baseShape)} -> {WeightsMap.Shape(motShape)}.");
                dims[d] = new DimRange(0, baseShape[d]);
            }
            return new TensorRegion(dims);
        }
        return e.Pieces is null
            ? new MapEntry(e.BaseName, e.MotivatedName, e.Kind, baseShape, motShape, Fix(e.Region, false))
            : new MapEntry(e.BaseName, e.MotivatedName, e.Kind, baseShape, motShape, e.Pieces.Select(p => new MapPiece(Fix(p.Base, true), Fix(p.Motivated, false))).ToArray());
    }

    /// <summary>
    /// Creates the base and motivated modules on <paramref name="device"/>, copies the base's weights into the
    /// motivated model's mapped regions, and binds the map. With a <paramref name="seed"/>, initialisation is reproducible.
    /// </summary>
    public MotivationPair CreatePair(Device? device = null, long? seed = null) => CreatePair(device, seed, null, zeroCopy: false);

    /// <summary>As <see cref="CreatePair(Device?, long?)"/>, with both modules (and the map) for <paramref name="options"/>.</summary>
    public MotivationPair CreatePair(Device? device, long? seed, ModelOptions? options) => CreatePair(device, seed, options, zeroCopy: false);

    /// <summary>As <see cref="CreatePair(Device?, long?, ModelOptions?, bool)"/> at the declared sizes.</summary>
    public MotivationPair CreatePair(Device? device, long? seed, bool zeroCopy) => CreatePair(device, seed, null, zeroCopy);

    /// <summary>
    /// Creates the pair for <paramref name="options"/> (declared sizes when null). With <paramref name="zeroCopy"/> the map
    /// is bound with <see cref="WeightsMap.BindShared"/>: the base's mapped parameters and buffers become views of their
    /// regions of the motivated model, so switching copies nothing for them. Same initial values either way.
    /// </summary>
    public MotivationPair CreatePair(Device? device, long? seed, ModelOptions? options, bool zeroCopy) =>
        CreatePair(device, seed, options, zeroCopy, MemoryFormat.Contiguous);

    /// <summary>
    /// As <see cref="CreatePair(Device?, long?, ModelOptions?, bool)"/>, with both modules' 4-D parameters and buffers laid
    /// out in <paramref name="memoryFormat"/> before the map is bound (so zero-copy views are views of the converted storage).
    /// </summary>
    public MotivationPair CreatePair(Device? device, long? seed, ModelOptions? options, bool zeroCopy, MemoryFormat memoryFormat)
    {
        if (seed is { } s) torch.manual_seed(s);
        var baseModel = Create(BaseVariant, device, options);
        var motivated = Create(MotivatedVariant, device, options);
        if (memoryFormat != MemoryFormat.Contiguous)
        {
            baseModel.ToMemoryFormat(memoryFormat);
            motivated.ToMemoryFormat(memoryFormat);
        }
        var map = MapFor(options);
        BoundWeightsMap bound;
        if (zeroCopy) bound = map.BindShared(baseModel, motivated);
        else
        {
            bound = map.Bind(baseModel, motivated);
            bound.CopyBaseToMotivated();
        }
        return new MotivationPair(this, baseModel, motivated, bound);
    }

    /// <summary>
    /// This model with another declared pair as base and motivated (<see cref="Pairs"/>: the <c>[ScalableModel]</c> pair and
    /// every <c>[Pair(base, motivated)]</c>, each with a map proven at compile time).
    /// </summary>
    public ScalableModelDefinition WithPair(string baseVariant, string motivatedVariant) => WithPair(baseVariant, motivatedVariant, Growth.Default);

    /// <summary>
    /// As <see cref="WithPair(string, string)"/>, under the growth rule <paramref name="growth"/>: a <c>[Pair]</c> declared
    /// with that <c>Growth</c>, or the pair as declared when its rule is that one (<see cref="Growth.Default"/>: as declared).
    /// </summary>
    public ScalableModelDefinition WithPair(string baseVariant, string motivatedVariant, Growth growth)
    {
        GetVariant(baseVariant);
        GetVariant(motivatedVariant);
        var root = this is PairView v ? v.Inner : this;
        var map = root.PairMapCore(baseVariant, motivatedVariant, growth);
        if (map is null && growth is Growth.Paper or Growth.FunctionPreserving
            && root.PairMapCore(baseVariant, motivatedVariant, Growth.Default) is { } declared
            && declared.PreservesFunction == (growth == Growth.FunctionPreserving))
            map = declared;
        if (map is null)
        {
            var rule = growth == Growth.Default ? "" : " under Growth." + growth;
            var fix = growth == Growth.Default ? "" : ", Growth = Growth." + growth;
            throw new ArgumentException(
                $"'{Name}' has no proven weights map {baseVariant} -> {motivatedVariant}{rule}. Declared pairs: "
                + string.Join(", ", root.Pairs.Select(p => p.Base + " -> " + p.Motivated)) + ". Add [Pair(\"" + baseVariant + "\", \"" + motivatedVariant + "\"" + fix + ")].",
                nameof(motivatedVariant));
        }
        return ReferenceEquals(map, root.Map) ? root : new PairView(root, baseVariant, motivatedVariant, map);
    }

    public override string ToString() => $"{Name} ({BaseVariant} -> {MotivatedVariant})";

    private sealed class PairView(ScalableModelDefinition inner, string baseVariant, string motivatedVariant, WeightsMap map) : ScalableModelDefinition
    {
        public ScalableModelDefinition Inner { get; } = inner;
        public override string Name => Inner.Name;
        public override Type ModelType => Inner.ModelType;
        public override IReadOnlyList<VariantInfo> Variants => Inner.Variants;
        public override string BaseVariant { get; } = baseVariant;
        public override string MotivatedVariant { get; } = motivatedVariant;
        public override WeightsMap Map { get; } = map;
        public override string ManifestJson => Inner.ManifestJson;
        public override int DefaultClasses => Inner.DefaultClasses;
        public override IReadOnlyList<int> DefaultInputShape => Inner.DefaultInputShape;
        public override IReadOnlyList<(string Base, string Motivated)> Pairs => Inner.Pairs;
        public override ModelTask ModelTask => Inner.ModelTask;
        protected override nn.Module<Tensor, Tensor> CreateModule(string variant) => Inner.CreateModuleCore(variant, null);
        protected override nn.Module<Tensor, Tensor> CreateModule(string variant, ModelOptions? options) => Inner.CreateModuleCore(variant, options);
        public override VariantInfo Describe(string variant, ModelOptions? options = null) => Inner.Describe(variant, options);
    }

    /// <summary>Output size of a convolution or pooling window (generated metadata code); throws when the input is too small.</summary>
    protected static long Spatial(long size, long kernel, long stride, long padding) =>
        VariantMetadataBuilder.Spatial(size, kernel, stride, padding);
}
