using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace MotivationDsl;

/// <summary>
/// One variant of a generated model: its name, its module's constructor (the generated variant class, a
/// <see cref="VariantModule"/> over <paramref name="Layers"/>) and its layer list, which also gives its metadata.
/// </summary>
public sealed record GeneratedVariant(string Name, Func<ModelOptions?, nn.Module<Tensor, Tensor>> Create, LayerList Layers)
{
    /// <summary>The variant's tensors, parameters and MACs for <paramref name="options"/> (null: as declared).</summary>
    public VariantInfo Describe(ModelOptions? options) => Layers.Describe(Name, options);
}

/// <summary>
/// One proven pair of a generated model under a growth rule, with its map as the generator's JSON (the manifest for the
/// declared pair, read by <see cref="ManifestMap.Parse"/>).
/// </summary>
public sealed record GeneratedPair(string Base, string Motivated, Growth Growth, string MapJson);

/// <summary>
/// What every generated <c>ModelDefinition</c> does, written once: the model's name, pair and declared sizes come from
/// its manifest, modules and metadata from its variants' table, maps from its pairs' JSON. The generator emits only
/// these tables (issue 11: the generated facade was identical in every model).
/// </summary>
public abstract class GeneratedModelDefinition : ScalableModelDefinition
{
    private readonly GeneratedVariant[] _variants;
    private readonly GeneratedPair[] _pairs;
    private readonly int[] _inputShape;

    /// <param name="modelType">The <c>[ScalableModel]</c> class.</param>
    /// <param name="manifestJson">
    /// The manifest (schema motivationdsl.manifest/1, packed: <see cref="ManifestPacking"/>): model, pair, sizes, map.
    /// </param>
    /// <param name="variants">Every variant in declaration order.</param>
    /// <param name="pairs">Every proven pair: the declared pair (its map is the manifest's) first, then each <c>[Pair]</c>.</param>
    protected GeneratedModelDefinition(Type modelType, string manifestJson, GeneratedVariant[] variants, GeneratedPair[] pairs)
    {
        ModelType = modelType;
        ManifestJson = ManifestPacking.Expand(manifestJson);
        _variants = variants;
        _pairs = pairs;
        using (var doc = JsonDocument.Parse(manifestJson))
        {
            var root = doc.RootElement;
            Name = root.GetProperty("model").GetString()!;
            BaseVariant = root.GetProperty("base").GetString()!;
            MotivatedVariant = root.GetProperty("motivated").GetString()!;
            DefaultClasses = root.GetProperty("classes").GetInt32();
            ModelTask = root.TryGetProperty("task", out var task) ? Task(task.GetString()) : ModelTask.Classification;
            _inputShape = root.GetProperty("inputShape").EnumerateArray().Select(x => x.GetInt32()).ToArray();
        }
        Variants = variants.Select(v => v.Describe(null)).ToArray();
        Map = ManifestMap.Parse(ManifestJson);
        Pairs = pairs.Select(p => (p.Base, p.Motivated)).Distinct().ToArray();
    }

    public override string Name { get; }
    public override Type ModelType { get; }
    public override IReadOnlyList<VariantInfo> Variants { get; }
    public override string BaseVariant { get; }
    public override string MotivatedVariant { get; }
    public override WeightsMap Map { get; }
    public override string ManifestJson { get; }
    public override int DefaultClasses { get; }
    public override ModelTask ModelTask { get; }

    /// <summary>The manifest's <c>task</c> (absent: classification).</summary>
    private static ModelTask Task(string? task) => task switch
    {
        "language-model" => ModelTask.LanguageModel,
        "classification" => ModelTask.Classification,
        _ => throw new ArgumentException($"The manifest names an unknown task '{task}' (known: classification, language-model)."),
    };
    public override IReadOnlyList<int> DefaultInputShape => _inputShape;

    /// <summary>Every base -> motivated pair with a proven map: the declared pair, then each <c>[Pair]</c>.</summary>
    public override IReadOnlyList<(string Base, string Motivated)> Pairs { get; }

    protected override nn.Module<Tensor, Tensor> CreateModule(string variant) => CreateModule(variant, null);

    protected override nn.Module<Tensor, Tensor> CreateModule(string variant, ModelOptions? options) =>
        Variant(variant).Create(options);

    public override VariantInfo Describe(string variant, ModelOptions? options = null) => Variant(variant).Describe(options);

    protected override WeightsMap? CreatePairMap(string baseVariant, string motivatedVariant, Growth growth)
    {
        var i = Array.FindIndex(_pairs, p => p.Base == baseVariant && p.Motivated == motivatedVariant && p.Growth == growth);
        return i < 0 ? null : i == 0 ? Map : ManifestMap.Parse(_pairs[i].MapJson);
    }

    private GeneratedVariant Variant(string variant) =>
        Array.Find(_variants, v => v.Name == variant)
        ?? throw new ArgumentException($"'{Name}' has no variant '{variant}'. Its variants are: "
            + string.Join(", ", _variants.Select(v => v.Name)) + ".", nameof(variant));
}
