using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using MotivationDsl.Generators;
using Xunit;

namespace MotivationDsl.Generators.Tests;

/// <summary>Runs the generator on in-memory sources against reference assemblies + MotivationDsl + TorchSharp.</summary>
public sealed record GeneratorRun(
    CSharpCompilation Input,
    Compilation Output,
    GeneratorDriver Driver,
    GeneratorDriverRunResult Result,
    ImmutableArray<Diagnostic> GeneratorDiagnostics)
{
    public IEnumerable<Diagnostic> Mot => GeneratorDiagnostics.Where(d => d.Id.StartsWith("MOT", StringComparison.Ordinal));
    /// <summary>Every generated file whose hint name contains <paramref name="hintContains"/>, concatenated (null: none).</summary>
    public string? Source(string hintContains)
    {
        var files = Result.Results.SelectMany(r => r.GeneratedSources).Where(s => s.HintName.Contains(hintContains)).ToList();
        return files.Count == 0 ? null : string.Concat(files.Select(f => "//// " + f.HintName + "\n" + f.SourceText));
    }
    public IEnumerable<Diagnostic> OutputErrors => Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error);
}

public static class GeneratorHarness
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> s_references = new(() =>
        Basic.Reference.Assemblies.Net100.References.All.Cast<MetadataReference>()
            .Append(MetadataReference.CreateFromFile(typeof(ScalableModelAttribute).Assembly.Location))
            .Append(MetadataReference.CreateFromFile(typeof(TorchSharp.torch).Assembly.Location))
            .ToImmutableArray());

    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    public static CSharpCompilation Compile(params string[] sources) =>
        CSharpCompilation.Create("TestAssembly",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"File{i}.cs")),
            s_references.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver CreateDriver(bool track = true) =>
        CSharpGeneratorDriver.Create(new[] { new ScalableModelGenerator().AsSourceGenerator() }, parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: track));

    public static GeneratorRun Run(params string[] sources) => Run(Compile(sources));

    public static GeneratorRun Run(CSharpCompilation compilation, GeneratorDriver? driver = null)
    {
        driver = (driver ?? CreateDriver()).RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        return new GeneratorRun(compilation, output, driver, driver.GetRunResult(), diagnostics);
    }

    /// <summary>
    /// The manifest in generated source: the verbatim <c>__Manifest</c> constant (quotes undoubled), expanded as the build
    /// task and the runtime expand it (<see cref="ManifestPacking"/>).
    /// </summary>
    public static string Manifest(string source) => ManifestPacking.Expand(PackedManifest(source));

    /// <summary>The verbatim <c>__Manifest</c> constant of generated source, quotes undoubled.</summary>
    public static string PackedManifest(string source)
    {
        var start = source.IndexOf("__Manifest = @\"", StringComparison.Ordinal) + "__Manifest = @\"".Length;
        var end = source.IndexOf("\";", start, StringComparison.Ordinal);
        return source.Substring(start, end - start).Replace("\"\"", "\"");
    }

    /// <summary>
    /// Snapshot check by hand, following Verify's convention: compares <paramref name="actual"/> with
    /// <c>Snapshots/{name}.verified.cs</c> next to this file. On a mismatch it writes <c>{name}.received.cs</c> and
    /// fails. Set the environment variable <c>MOTIVATIONDSL_ACCEPT=1</c> to accept: the received text then overwrites
    /// the verified file (review the diff before committing).
    /// </summary>
    public static void VerifySnapshot(string name, string actual, [CallerFilePath] string callerFile = "")
    {
        var dir = Path.Combine(Path.GetDirectoryName(callerFile)!, "Snapshots");
        Directory.CreateDirectory(dir);
        var verified = Path.Combine(dir, name + ".verified.cs");
        var received = Path.Combine(dir, name + ".received.cs");
        actual = actual.Replace("\r\n", "\n");
        var expected = File.Exists(verified) ? File.ReadAllText(verified).Replace("\r\n", "\n") : null;
        if (expected == actual)
        {
            if (File.Exists(received)) File.Delete(received);
            return;
        }
        if (Environment.GetEnvironmentVariable("MOTIVATIONDSL_ACCEPT") == "1")
        {
            File.WriteAllText(verified, actual);
            if (File.Exists(received)) File.Delete(received);
            return;
        }
        File.WriteAllText(received, actual);
        Assert.Fail(expected is null
            ? $"No verified snapshot {verified}; wrote {received}. Review it and rerun with MOTIVATIONDSL_ACCEPT=1 to accept."
            : $"Snapshot {name} differs from {verified}; wrote {received}. Diff them, and rerun with MOTIVATIONDSL_ACCEPT=1 to accept.");
    }
}

/// <summary>Fluent checks of one diagnostic: id, exact message, location (1-based line/column).</summary>
public sealed class DiagnosticAssertion
{
    private readonly Diagnostic _d;
    private DiagnosticAssertion(Diagnostic d) => _d = d;

    public static DiagnosticAssertion Single(GeneratorRun run, string id)
    {
        var all = run.Mot.ToList();
        var matching = all.Where(d => d.Id == id).ToList();
        Assert.True(matching.Count == 1,
            $"Expected exactly one {id}; got: {string.Join(" | ", all.Select(d => d.Id + " " + d.GetMessage()))}");
        Assert.True(all.Count == 1, $"Expected only {id}; got: {string.Join(" | ", all.Select(d => d.Id + " " + d.GetMessage()))}");
        Assert.Equal(DiagnosticSeverity.Error, matching[0].Severity);
        return new DiagnosticAssertion(matching[0]);
    }

    public DiagnosticAssertion WithMessage(string message)
    {
        Assert.Equal(message, _d.GetMessage());
        return this;
    }

    /// <summary>Asserts the diagnostic starts at the text <paramref name="marker"/> in <paramref name="source"/> (first occurrence).</summary>
    public DiagnosticAssertion At(string source, string marker)
    {
        var index = source.IndexOf(marker, StringComparison.Ordinal);
        Assert.True(index >= 0, $"marker '{marker}' not in source");
        var line = source.Take(index).Count(c => c == '\n');
        var column = index - (source.LastIndexOf('\n', Math.Max(index - 1, 0)) + 1);
        if (line == 0) column = index;
        return At(line + 1, column + 1);
    }

    public DiagnosticAssertion At(int line, int column)
    {
        var span = _d.Location.GetLineSpan();
        Assert.Equal((line, column), (span.StartLinePosition.Line + 1, span.StartLinePosition.Character + 1));
        return this;
    }
}
