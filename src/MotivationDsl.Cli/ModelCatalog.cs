using System.Reflection;

namespace MotivationDsl.Cli;

/// <summary>Finds the scalable models of an application: every <see cref="GeneratedScalableModelAttribute"/> in
/// the entry assembly and the assemblies it references.</summary>
public sealed class ModelCatalog
{
    private readonly List<ScalableModelDefinition> _models;

    public ModelCatalog(IEnumerable<ScalableModelDefinition> models) => _models = models.ToList();

    public IReadOnlyList<ScalableModelDefinition> Models => _models;

    public static ModelCatalog FromAssemblies(IEnumerable<Assembly> assemblies)
    {
        var found = new List<ScalableModelDefinition>();
        var seen = new HashSet<Type>();
        foreach (var assembly in assemblies)
            foreach (var attribute in assembly.GetCustomAttributes<GeneratedScalableModelAttribute>())
                if (seen.Add(attribute.Model) && ScalableModelDefinition.Of(attribute.Model) is { } definition)
                    found.Add(definition);
        return new ModelCatalog(found.OrderBy(m => m.Name, StringComparer.Ordinal));
    }

    /// <summary>The entry assembly and the assemblies it references (loaded on demand).</summary>
    public static ModelCatalog FromEntryAssembly(Assembly? entry = null)
    {
        entry ??= Assembly.GetEntryAssembly();
        if (entry is null) return new ModelCatalog([]);
        var assemblies = new List<Assembly> { entry };
        foreach (var name in entry.GetReferencedAssemblies())
        {
            try { assemblies.Add(Assembly.Load(name)); }
            catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException) { }
        }
        return FromAssemblies(assemblies);
    }

    /// <summary>The model named <paramref name="name"/> (full or short name, case-insensitive); the only model when null.</summary>
    public ScalableModelDefinition Find(string? name)
    {
        if (_models.Count == 0)
            throw new CliException("This application declares no scalable model: add a [ScalableModel] partial class to it or to a library it references.");
        if (string.IsNullOrEmpty(name))
        {
            if (_models.Count == 1) return _models[0];
            throw new CliException($"This application has several models; choose one with --model: {string.Join(", ", _models.Select(m => m.Name))}.");
        }
        var match = _models.Where(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase)
                                       || string.Equals(ShortName(m.Name), name, StringComparison.OrdinalIgnoreCase)).ToList();
        return match.Count switch
        {
            1 => match[0],
            0 => throw new CliException($"No model named '{name}'. Models: {string.Join(", ", _models.Select(m => m.Name))}."),
            _ => throw new CliException($"'{name}' is ambiguous: {string.Join(", ", match.Select(m => m.Name))}; use the full name."),
        };
    }

    public static string ShortName(string fullName) => fullName[(fullName.LastIndexOf('.') + 1)..];
}

/// <summary>A user error the CLI reports as one line and exit code 2, without a stack trace.</summary>
public sealed class CliException(string message) : Exception(message);
