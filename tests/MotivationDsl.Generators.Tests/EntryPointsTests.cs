using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace MotivationDsl.Generators.Tests;

/// <summary>
/// A model class's static entry points (<c>Definition</c>, <c>CreatePair</c>, <c>Map</c>, ...) come from the runtime's
/// <c>GeneratedModel&lt;ModelDefinition&gt;</c> when the class can derive from it, and are generated into the class when
/// it is static or declares its own base class. Either way the same members compile and reach the same definition.
/// </summary>
public class EntryPointsTests
{
    /// <summary>User code calling every entry point through the model's name.</summary>
    private const string Caller = """
        using MotivationDsl;
        namespace Demo;
        public static class Caller
        {
            public static object[] All() => new object[]
            {
                Net.Definition, Net.Map, Net.Variants, Net.ManifestJson, Net.BaseVariantName, Net.MotivatedVariantName,
                Net.WithPair("Small", "Large"), Net.WithPair("Small", "Large", Growth.Default),
                (System.Func<MotivationPair>)(() => Net.CreatePair()),
                (System.Func<MotivationPair>)(() => Net.CreatePair(new ModelOptions { Classes = 3 })),
                (System.Func<object>)(() => Net.Create("Small")),
                (System.Func<object>)(() => Net.Create("Small", new ModelOptions { Classes = 3 })),
            };
        }
        """;

    public static TheoryData<string, string, bool> Declarations => new()
    {
        // (class declaration, extra source, entry points inherited from the runtime base)
        { "public partial class Net\n{\n}\n", "", true },
        { "public partial class Net : System.IDisposable\n{\n    public void Dispose() { }\n}\n", "", true },
        { "internal partial class Net\n{\n}\n", "", true },
        { "public static partial class Net\n{\n}\n", "", false },
        { "public partial class Net : Demo.Root\n{\n}\n", "namespace Demo; public abstract class Root { }", false },
        { "public partial class Net : object\n{\n}\n", "", false },
        // The base class named by another part of the class, in another file.
        { "public partial class Net\n{\n}\n", "namespace Demo; public partial class Net : Root { } public class Root { }", false },
    };

    [Theory]
    [MemberData(nameof(Declarations))]
    public void EveryEntryPointCompilesAndReachesTheDefinition(string declaration, string extra, bool inherited)
    {
        var sources = new List<string> { Sources.Model(cls: declaration), Caller.Replace("public static class", declaration.StartsWith("internal") ? "internal static class" : "public static class") };
        if (extra.Length > 0) sources.Add(extra);
        var run = GeneratorHarness.Run(sources.ToArray());
        Assert.Empty(run.OutputErrors);
        var model = run.Source("Net.Model")!;
        Assert.Equal(inherited, model.Contains(": __Dsl.GeneratedModel<global::Demo.Net.ModelDefinition>"));
        Assert.Equal(!inherited, model.Contains("public static __Dsl.ScalableModelDefinition Definition"));
        Assert.All(run.Source("Net.")!.Split('\n'), line => Assert.True(line.Length <= CodeWriter.MaxLine, line));

        var definition = RuntimeMetadataTests.Load(run, "Demo.Net");
        Assert.Equal("Demo.Net", definition.Name);
        Assert.Equal(["Small", "Large"], definition.Variants.Select(v => v.Name));
        // The one definition: the static Definition where it is declared (the runtime base or the class itself) is the
        // instance ScalableModelDefinition.Of finds.
        var type = definition.ModelType;
        var declaring = inherited ? type.BaseType! : type;
        var declared = declaring.GetProperty("Definition", BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly)!;
        Assert.Same(declared.GetValue(null), definition);
        Assert.Null(ScalableModelDefinition.Of(typeof(object)));
        Assert.Equal(inherited, type.BaseType!.IsGenericType && type.BaseType.GetGenericTypeDefinition() == typeof(GeneratedModel<>));
    }

    /// <summary>
    /// A base class named later in another file of the class (the model's own file untouched) switches the entry points to
    /// generated ones in the next run, and back when it is removed: the generated part never names a second base class.
    /// </summary>
    [Fact]
    public void ABaseClassAddedInAnotherFileIsSeenByTheNextRun()
    {
        const string plain = "namespace Demo; public partial class Net { public int Answer() => 42; }";
        const string withBase = "namespace Demo; public partial class Net : Root { public int Answer() => 42; } public class Root { }";
        var compilation = GeneratorHarness.Compile(Sources.Model(), plain);
        var first = GeneratorHarness.Run(compilation);
        Assert.Empty(first.OutputErrors);
        var other = compilation.SyntaxTrees.Last();
        var edited = compilation.ReplaceSyntaxTree(other, other.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(withBase)));
        var driver = first.Driver.RunGeneratorsAndUpdateCompilation(edited, out var output, out _);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        var model = driver.GetRunResult().Results.Single().GeneratedSources.Single(s => s.HintName.Contains("Net.Model")).SourceText.ToString();
        Assert.Contains("public static __Dsl.ScalableModelDefinition Definition", model);
        Assert.DoesNotContain("GeneratedModel<", model);

        var back = edited.ReplaceSyntaxTree(edited.SyntaxTrees.Last(), CSharpSyntaxTree.ParseText(plain, GeneratorHarness.ParseOptions, path: "File1.cs"));
        var third = driver.RunGeneratorsAndUpdateCompilation(back, out var restored, out _);
        Assert.Empty(restored.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        Assert.Contains(": __Dsl.GeneratedModel<global::Demo.Net.ModelDefinition>",
            third.GetRunResult().Results.Single().GeneratedSources.Single(s => s.HintName.Contains("Net.Model")).SourceText.ToString());
    }
}
