namespace MotivationDsl;

/// <summary>
/// Emitted by the generator, once per scalable model, on the assembly. The CLI finds models through it and
/// the build task reads <see cref="ManifestJson"/> from the compiled assembly's metadata to write
/// <c>&lt;Model&gt;.motivation.json</c> next to the output.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true, Inherited = false)]
public sealed class GeneratedScalableModelAttribute(Type model, string name, string manifestJson) : Attribute
{
    public Type Model { get; } = model;

    /// <summary>The model's name; the manifest file is <c>{Name}.motivation.json</c> (<c>{Namespace.Name}.motivation.json</c>
    /// when another model of the assembly has the same name: docs/msbuild.md).</summary>
    public string Name { get; } = name;

    /// <summary>The manifest (schema motivationdsl.manifest/1), expanded from the packed form the generator states.</summary>
    public string ManifestJson => _manifestJson ??= ManifestPacking.Expand(manifestJson);

    private string? _manifestJson;
}
