using System.Linq;
using static MotivationDsl.Generators.CodeWriter;

namespace MotivationDsl.Generators;

/// <summary>
/// The model file: the pair's variant names, the definition's variants table and, for a model that cannot derive from the
/// runtime's <c>GeneratedModel&lt;ModelDefinition&gt;</c> (<see cref="EntryPoints.Generated"/>), the static entry points.
/// </summary>
internal static class ModelPart
{
    /// <summary>The base list the model file's class declaration adds ("" when the entry points are generated).</summary>
    public static string BaseList(ModelSpec spec) =>
        spec.EntryPoints == EntryPoints.RuntimeBase ? " : __Dsl.GeneratedModel<" + Emitter.Qualified(spec) + ".ModelDefinition>" : "";

    private const string Definition = "__Dsl.ScalableModelDefinition";
    private const string Pair = "__Dsl.MotivationPair";
    private const string Device = "global::TorchSharp.torch.Device?";
    private const string Options = "__Dsl.ModelOptions";

    public static void Write(CodeWriter w, BuiltModel model, string fq)
    {
        var spec = model.Spec;
        w.Line($"/// <summary>The variant trained on every batch: <c>{model.Base.Name}</c>.</summary>");
        w.Line($"public const string BaseVariantName = {S(model.Base.Name)};");
        w.Line($"/// <summary>The variant trained while motivated: <c>{model.Motivated.Name}</c>.</summary>");
        w.Line($"public const string MotivatedVariantName = {S(model.Motivated.Name)};");
        if (spec.EntryPoints == EntryPoints.Generated) WriteEntryPoints(w);
        w.Line();
        w.Line("/// <summary>The generated definition: the variants' table (modules, metadata) over the manifest.</summary>");
        w.Open("public sealed partial class ModelDefinition : __Dsl.GeneratedModelDefinition");
        w.Line("public ModelDefinition() : base(");
        w.Line($"    typeof({fq}), {spec.ClassName}.__Manifest,");
        w.Line("    new __Dsl.GeneratedVariant[]");
        w.Line("    {");
        foreach (var v in model.Variants) w.Line($"        new({S(v.Name)}, o => new {v.Name}(o), {MetadataPart.Field(v)}),");
        w.Line("    },");
        w.Line("    new __Dsl.GeneratedPair[]");
        w.Line("    {");
        foreach (var p in MapPart.PairsTable(model)) w.Line($"        {p},");
        w.Line("    }) { }");
        w.Close();
    }

    /// <summary>What the runtime's <c>GeneratedModel&lt;TDefinition&gt;</c> states once, for a class that cannot derive from it.</summary>
    private static void WriteEntryPoints(CodeWriter w)
    {
        w.Line("/// <summary>Variants, weights map, manifest and factories of this scalable model.</summary>");
        w.Line($"public static {Definition} Definition {{ get; }} = new ModelDefinition();");
        w.Line("/// <summary>The manifest the build writes next to the output (motivationdsl.manifest/1).</summary>");
        w.Line("public static string ManifestJson => Definition.ManifestJson;");
        w.Line("/// <summary>Where each base tensor lives in the motivated model (proven at compile time).</summary>");
        w.Line("public static __Dsl.WeightsMap Map => Definition.Map;");
        w.Line("/// <summary>Compile-time metadata of every variant.</summary>");
        w.Line("public static global::System.Collections.Generic.IReadOnlyList<__Dsl.VariantInfo> Variants => Definition.Variants;");
        w.Line("/// <summary>Creates both modules, copies the base into the motivated one and binds the map.</summary>");
        w.Line($"public static {Pair} CreatePair({Device} device = null, long? seed = null) =>");
        w.Line("    Definition.CreatePair(device, seed);");
        w.Line("/// <summary>Creates the pair for <paramref name=\"options\"/> (class count, input size).</summary>");
        w.Line($"public static {Pair} CreatePair(");
        w.Line($"    {Options} options, {Device} device = null, long? seed = null) =>");
        w.Line("    Definition.CreatePair(device, seed, options);");
        w.Line("/// <summary>Creates a freshly initialised module of <paramref name=\"variant\"/>.</summary>");
        w.Line($"public static __Module Create(string variant, {Device} device = null) =>");
        w.Line("    Definition.Create(variant, device);");
        w.Line("/// <summary>Creates a module of <paramref name=\"variant\"/> for <paramref name=\"options\"/>.</summary>");
        w.Line($"public static __Module Create(");
        w.Line($"    string variant, {Options} options, {Device} device = null) =>");
        w.Line("    Definition.Create(variant, device, options);");
        w.Line("/// <summary>This model with another proven pair (see <c>Definition.Pairs</c>) as base and motivated.</summary>");
        w.Line($"public static {Definition} WithPair(string baseVariant, string motivatedVariant) =>");
        w.Line("    Definition.WithPair(baseVariant, motivatedVariant);");
        w.Line("/// <summary>This model with the proven pair declared with <paramref name=\"growth\"/>.</summary>");
        w.Line($"public static {Definition} WithPair(");
        w.Line("    string baseVariant, string motivatedVariant, __Dsl.Growth growth) =>");
        w.Line("    Definition.WithPair(baseVariant, motivatedVariant, growth);");
    }
}
