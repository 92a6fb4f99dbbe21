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

    /// <summary>The model's name; the manifest file is <c>{Name}.motivation.json</c>.</summary>
    public string Name { get; } = name;

    public string ManifestJson { get; } = manifestJson;
}
