using System.Collections.Immutable;
using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using MotivationDsl.Generators;

namespace MotivationDsl.Benchmarks;

/// <summary>
/// Generator cost: (1) in-process, Roslyn's GeneratorDriver over a compilation with 20 scalable models: cold run, run
/// after an unrelated edit (tracked steps: how many outputs were regenerated) and after editing one model; (2) the
/// build time the 20 models add to a real project (artifacts/genbench/with vs without, both wired like repo projects);
/// (3) the generated code's size: ResNetCifar's lines, and the bytes and build time of two deep models (depth 1000).
/// </summary>
internal static class GeneratorBench
{
    public const int Models = 20;

    /// <summary>Issue 11's goal: the 20 models add at most this many seconds to a build (met when the whole 95 % CI is under it).</summary>
    private const double GoalSeconds = 2.0;

    /// <summary>Model i: the CIFAR ResNet declaration with its own name and base/motivated depths (i varies the depths; base depth >= 2 so the last-to-last map keeps strides aligned).</summary>
    public static string ModelSource(int i) => $$"""
        using MotivationDsl;
        namespace GenBench.Models;
        [ScalableModel(InputShape = new[] { 3, 32, 32 }, Classes = 10, Base = "Small", Motivated = "Large")]
        [Variant("Small", Depth = new[] { {{2 + i % 3}}, {{2 + i % 3}}, {{2 + i % 3}} })]
        [Variant("Large", Depth = new[] { {{3 + i % 3 + i % 2}}, {{3 + i % 3 + i % 2}}, {{3 + i % 3 + i % 2}} })]
        [Conv2d("conv1", 16, Kernel = 3, Padding = 1, Bias = false)]
        [BatchNorm2d("bn1")]
        [ReLU]
        [Stage("layer1", Block.Basic, 16, Stride = 1, Shortcut = Shortcut.A)]
        [Stage("layer2", Block.Basic, 32, Stride = 2, Shortcut = Shortcut.A)]
        [Stage("layer3", Block.Basic, 64, Stride = 2, Shortcut = Shortcut.A)]
        [GlobalAvgPool]
        [Flatten]
        [Linear("fc")]
        public partial class Net{{i:D2}}
        {
        }
        """;

    public static string Unrelated(int version) => $$"""
        namespace GenBench;
        public static class Unrelated
        {
            public static int Value() => {{version}};
        }
        """;

    private static readonly CSharpParseOptions Parse = new(LanguageVersion.Latest);

    public static IEnumerable<Figure> Run(Config c)
    {
        // In-process generator runs first: the builds below rebuild the generator assembly this process has loaded.
        yield return Lines();
        var sizes = new[] { 18, 165 }.ToDictionary(b => b, b => Generated(DeepSource(b)));
        yield return Driver(c);
        foreach (var f in Deep(c, sizes)) yield return f;
        foreach (var f in Build(c)) yield return f;
    }

    /// <summary>The CIFAR ResNet of the generator's snapshot tests (ResNet-20/32/44/56, option A).</summary>
    public const string ResNetCifar = """
        using MotivationDsl;
        namespace Demo.Cifar;
        [ScalableModel(InputShape = new[] { 3, 32, 32 }, Classes = 10, Base = "ResNet20", Motivated = "ResNet32", Init = WeightInit.KaimingNormal)]
        [Variant("ResNet20", Depth = new[] { 3, 3, 3 })]
        [Variant("ResNet32", Depth = new[] { 5, 5, 5 })]
        [Variant("ResNet44", Depth = new[] { 7, 7, 7 })]
        [Variant("ResNet56", Depth = new[] { 9, 9, 9 })]
        [Conv2d("conv1", 16, Kernel = 3, Padding = 1, Bias = false)]
        [BatchNorm2d("bn1")]
        [ReLU]
        [Stage("layer1", Block.Basic, 16, Stride = 1, Shortcut = Shortcut.A)]
        [Stage("layer2", Block.Basic, 32, Stride = 2, Shortcut = Shortcut.A)]
        [Stage("layer3", Block.Basic, 64, Stride = 2, Shortcut = Shortcut.A)]
        [GlobalAvgPool]
        [Flatten]
        [Linear("linear")]
        public partial class ResNetCifar
        {
        }
        """;

    /// <summary>
    /// A CIFAR ResNet of about 1000 layers (motivated: 166 basic blocks per stage, 6 x 166 + 2 = 998 layers) with a base of
    /// <paramref name="baseBlocks"/> blocks per stage: 18 (ResNet-110) or 165 (ResNet-992, every base tensor is mapped).
    /// </summary>
    public static string DeepSource(int baseBlocks) => $$"""
        using MotivationDsl;
        namespace GenBench.Deep;
        [ScalableModel(InputShape = new[] { 3, 32, 32 }, Classes = 10, Base = "Small", Motivated = "Deep")]
        [Variant("Small", Depth = new[] { {{baseBlocks}}, {{baseBlocks}}, {{baseBlocks}} })]
        [Variant("Deep", Depth = new[] { 166, 166, 166 })]
        [Conv2d("conv1", 16, Kernel = 3, Padding = 1, Bias = false)]
        [BatchNorm2d("bn1")]
        [ReLU]
        [Stage("layer1", Block.Basic, 16, Stride = 1, Shortcut = Shortcut.A)]
        [Stage("layer2", Block.Basic, 32, Stride = 2, Shortcut = Shortcut.A)]
        [Stage("layer3", Block.Basic, 64, Stride = 2, Shortcut = Shortcut.A)]
        [GlobalAvgPool]
        [Flatten]
        [Linear("fc")]
        public partial class Deep{{baseBlocks}}
        {
        }
        """;

    private static (int Lines, long Bytes, int LongestLine) Generated(string source)
    {
        var refs = Basic.Reference.Assemblies.Net100.References.All.Cast<MetadataReference>()
            .Append(MetadataReference.CreateFromFile(typeof(ScalableModelAttribute).Assembly.Location))
            .Append(MetadataReference.CreateFromFile(typeof(TorchSharp.torch).Assembly.Location)).ToImmutableArray();
        var compilation = CSharpCompilation.Create("GenSize", [CSharpSyntaxTree.ParseText(source, Parse, path: "Model.cs")], refs,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var driver = CSharpGeneratorDriver.Create([new ScalableModelGenerator().AsSourceGenerator()], parseOptions: Parse).RunGenerators(compilation);
        var result = driver.GetRunResult();
        if (result.Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error))
            throw new InvalidOperationException("generator errors: " + string.Join("; ", result.Diagnostics));
        var texts = result.Results.Single().GeneratedSources.Select(g => g.SourceText.ToString()).ToList();
        var lines = texts.SelectMany(t => t.TrimEnd('\n').Split('\n')).ToList();
        return (lines.Count, texts.Sum(t => (long)Encoding.UTF8.GetByteCount(t)), lines.Max(l => l.Length));
    }

    private static Figure Lines()
    {
        var (lines, bytes, longest) = Generated(ResNetCifar);
        return new Figure
        {
            Name = "generated C# of ResNetCifar (all files)", Value = Spread.Of([lines]), Unit = "lines", Format = "F0",
            Goal = "<= 600 lines, no line over 120 characters", Met = lines <= 600 && longest <= 120,
            Details = new JsonObject { ["bytes"] = bytes, ["longestLine"] = longest, ["how"] = "in-process generator run, files concatenated" },
        };
    }

    private static IEnumerable<Figure> Deep(Config c, Dictionary<int, (int Lines, long Bytes, int LongestLine)> sizes)
    {
        var root = Path.Combine(c.Root, "artifacts", "genbench");
        foreach (var (baseBlocks, (lines, bytes, longest)) in sizes)
        {
            var dir = Path.Combine(root, $"deep{baseBlocks}");
            Directory.CreateDirectory(dir);
            WriteProject(dir, $"deep{baseBlocks}");
            File.WriteAllText(Path.Combine(dir, "Deep.cs"), DeepSource(baseBlocks));
            var (code, log, _) = DotnetBuild(dir, "", CompilerMode.FreshCompiler);
            if (code != 0) throw new InvalidOperationException($"deep build failed in {dir}:\n{log}");
            var times = new List<double>();
            for (var r = 0; r < (c.Quick ? 1 : 3); r++)
            {
                var (c1, l1, t1) = DotnetBuild(dir, "--no-restore --no-dependencies --no-incremental", CompilerMode.FreshCompiler);
                if (c1 != 0) throw new InvalidOperationException(l1);
                times.Add(t1);
                Console.Error.WriteLine($"  genbench deep{baseBlocks} repeat {r + 1}: full {t1:F1}s  load {Machine.LoadAverage()[0]:F1}");
            }
            var details = new JsonObject
            {
                ["model"] = $"CIFAR ResNet, motivated 166 blocks per stage (998 layers), base {baseBlocks} blocks per stage",
                ["generatedBytes"] = bytes, ["generatedLines"] = lines, ["longestLine"] = longest,
                ["command"] = "dotnet build -c Release -v q --no-restore --no-dependencies --no-incremental (project with this model only)",
            };
            yield return new Figure
            {
                Name = $"depth-1000 model (base {baseBlocks} blocks/stage): generated size", Value = Spread.Of([bytes / 1e6]), Unit = "MB",
                Format = "F3", Goal = "<= 1 MB", Met = bytes <= 1_000_000, Details = details,
            };
            yield return new Figure
            {
                Name = $"depth-1000 model (base {baseBlocks} blocks/stage): full build", Value = Spread.Of(times), Unit = "s", Format = "F1",
                Goal = "<= 10 s", Met = times.Average() <= 10, Details = new JsonObject { ["see"] = "details of the size figure" },
            };
        }
    }

    private static Figure Driver(Config c)
    {
        var refs = Basic.Reference.Assemblies.Net100.References.All.Cast<MetadataReference>()
            .Append(MetadataReference.CreateFromFile(typeof(ScalableModelAttribute).Assembly.Location))
            .Append(MetadataReference.CreateFromFile(typeof(TorchSharp.torch).Assembly.Location)).ToImmutableArray();
        var trees = Enumerable.Range(0, Models).Select(i => CSharpSyntaxTree.ParseText(ModelSource(i), Parse, path: $"Net{i:D2}.cs"))
            .Append(CSharpSyntaxTree.ParseText(Unrelated(1), Parse, path: "Unrelated.cs")).ToArray();
        var compilation = CSharpCompilation.Create("GenBench", trees, refs, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var cold = new List<double>(); var unrelated = new List<double>(); var oneModel = new List<double>();
        int regenUnrelated = -1, totalOutputs = -1, regenOneModel = -1;
        var reps = c.Quick ? 2 : 5;
        for (var r = 0; r < reps; r++)
        {
            GeneratorDriver driver = CSharpGeneratorDriver.Create([new ScalableModelGenerator().AsSourceGenerator()], parseOptions: Parse,
                driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
            var sw = Stopwatch.StartNew();
            driver = driver.RunGenerators(compilation);
            cold.Add(sw.Elapsed.TotalSeconds);
            var first = driver.GetRunResult();
            if (first.Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error))
                throw new InvalidOperationException("generator errors: " + string.Join("; ", first.Diagnostics));
            totalOutputs = first.Results.Single().GeneratedSources.Length;

            var old = compilation.SyntaxTrees.Single(t => t.FilePath == "Unrelated.cs");
            var edited = compilation.ReplaceSyntaxTree(old, old.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(Unrelated(r + 2))));
            sw.Restart();
            var d2 = driver.RunGenerators(edited);
            unrelated.Add(sw.Elapsed.TotalSeconds);
            regenUnrelated = Regenerated(d2.GetRunResult());

            var m0 = edited.SyntaxTrees.Single(t => t.FilePath == "Net00.cs");
            var editedModel = edited.ReplaceSyntaxTree(m0, m0.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(ModelSource(0).Replace("Classes = 10", "Classes = 11"))));
            sw.Restart();
            var d3 = d2.RunGenerators(editedModel);
            oneModel.Add(sw.Elapsed.TotalSeconds);
            regenOneModel = Regenerated(d3.GetRunResult());
        }
        var s = Spread.Of(unrelated);
        return new Figure
        {
            Name = $"generator: re-run after an unrelated edit ({Models} models)", Value = s, Unit = "s", Format = "E2",
            Goal = "regenerates nothing", Met = regenUnrelated == 0,
            Details = new JsonObject
            {
                ["how"] = "Roslyn CSharpGeneratorDriver in-process with trackIncrementalGeneratorSteps; outputs whose run reason is New or Modified count as regenerated",
                ["generatedFiles"] = totalOutputs, ["regeneratedAfterUnrelatedEdit"] = regenUnrelated,
                ["regeneratedAfterEditingOneModel"] = regenOneModel,
                ["coldRunSeconds"] = Spread.Of(cold).Json(), ["unrelatedEditRunSeconds"] = s.Json(), ["oneModelEditRunSeconds"] = Spread.Of(oneModel).Json(),
            },
        };
    }

    private static int Regenerated(GeneratorDriverRunResult r) =>
        r.Results.Single().TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs)
            .Count(o => o.Reason is IncrementalStepRunReason.New or IncrementalStepRunReason.Modified);

    // ---- real builds ----------------------------------------------------------------------------------------------
    /// <summary>How the C# compiler runs in the measured builds.</summary>
    private enum CompilerMode
    {
        /// <summary>A fresh csc per build (<c>UseSharedCompilation=false</c>, this machine's environment): every build pays
        /// the compiler's and the generator's JIT.</summary>
        FreshCompiler,

        /// <summary>The compiler server (<c>UseSharedCompilation=true</c>, the SDK's default on a developer's machine), warmed
        /// by one untimed build of each project first.</summary>
        CompilerServer,
    }

    private static IEnumerable<Figure> Build(Config c)
    {
        var root = Path.Combine(c.Root, "artifacts", "genbench");
        var with = Project(root, "with", Models);
        var without = Project(root, "without", 0);
        // First builds: restore, and make sure the dependencies (runtime, generator, task) are built in Release.
        foreach (var p in new[] { with, without })
        {
            var (code, log, _) = DotnetBuild(p, "", CompilerMode.FreshCompiler);
            if (code != 0) throw new InvalidOperationException($"genbench build failed in {p}:\n{log}");
        }
        foreach (var mode in new[] { CompilerMode.FreshCompiler, CompilerMode.CompilerServer })
            foreach (var f in Build(c, mode, with, without)) yield return f;
    }

    private static IEnumerable<Figure> Build(Config c, CompilerMode mode, string with, string without)
    {
        if (mode == CompilerMode.CompilerServer)
            foreach (var dir in new[] { with, without })
            {
                var (code, log, _) = DotnetBuild(dir, "--no-restore --no-dependencies --no-incremental", mode);
                if (code != 0) throw new InvalidOperationException($"genbench warm-up build failed in {dir}:\n{log}");
            }
        var reps = c.Quick ? 1 : c.Repeats;
        var full = new Dictionary<string, List<double>> { ["with"] = [], ["without"] = [] };
        var edit = new Dictionary<string, List<double>> { ["with"] = [], ["without"] = [] };
        var version = 100 + (int)mode * 1000;
        for (var r = 0; r < reps; r++)
            foreach (var (name, dir) in new[] { ("with", with), ("without", without) })
            {
                // Full compile of the project itself (dependencies are up to date and not rebuilt).
                var (c1, l1, t1) = DotnetBuild(dir, "--no-restore --no-dependencies --no-incremental", mode);
                if (c1 != 0) throw new InvalidOperationException(l1);
                full[name].Add(t1);
                // An unrelated edit: one constant in Unrelated.cs.
                File.WriteAllText(Path.Combine(dir, "Unrelated.cs"), Unrelated(version++));
                var (c2, l2, t2) = DotnetBuild(dir, "--no-restore --no-dependencies", mode);
                if (c2 != 0) throw new InvalidOperationException(l2);
                edit[name].Add(t2);
                Console.Error.WriteLine($"  genbench {mode} {name,-7} repeat {r + 1}/{reps}: full {t1:F1}s  unrelated edit {t2:F1}s  load {Machine.LoadAverage()[0]:F1}");
            }
        if (mode == CompilerMode.CompilerServer) ShutDownBuildServers();
        List<double> Diff(Dictionary<string, List<double>> d) => d["with"].Zip(d["without"], (a, b) => a - b).ToList();
        var suffix = mode == CompilerMode.CompilerServer ? ", compiler server" : "";
        var details = new JsonObject
        {
            ["projects"] = "artifacts/genbench/with (20 [ScalableModel] classes + Unrelated.cs) vs artifacts/genbench/without (Unrelated.cs only); MotivationDslConsumer=true, Release",
            ["command"] = "dotnet build -c Release -v q --no-restore --no-dependencies [--no-incremental]",
            ["compiler"] = mode == CompilerMode.CompilerServer
                ? "UseSharedCompilation=true: the compiler server, warmed by one untimed full build of each project"
                : "UseSharedCompilation=false: a fresh csc per build (pays the compiler's and the generator's JIT every time)",
            ["breakdown"] = "tests/MotivationDsl.Benchmarks/scripts/genbench-csc-breakdown.sh (csc CPU seconds by part)",
            ["fullWithSeconds"] = Spread.Of(full["with"]).Json(), ["fullWithoutSeconds"] = Spread.Of(full["without"]).Json(),
            ["editWithSeconds"] = Spread.Of(edit["with"]).Json(), ["editWithoutSeconds"] = Spread.Of(edit["without"]).Json(),
        };
        yield return Figure.PairedDifference($"build time added by {Models} models (full compile{suffix})", Diff(full), "s", GoalSeconds, details);
        yield return Figure.PairedDifference($"build time added by {Models} models (unrelated edit{suffix})", Diff(edit), "s", GoalSeconds,
            new JsonObject { ["see"] = "details of the full-compile figure" });
    }

    private static void ShutDownBuildServers()
    {
        using var p = Process.Start(new ProcessStartInfo("dotnet", "build-server shutdown") { RedirectStandardOutput = true, UseShellExecute = false })!;
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
    }

    private static string Project(string root, string name, int models)
    {
        var dir = Path.Combine(root, name);
        Directory.CreateDirectory(dir);
        WriteProject(dir, name);
        File.WriteAllText(Path.Combine(dir, "Unrelated.cs"), Unrelated(1));
        for (var i = 0; i < models; i++) File.WriteAllText(Path.Combine(dir, $"Net{i:D2}.cs"), ModelSource(i));
        return dir;
    }

    private static void WriteProject(string dir, string name) =>
        File.WriteAllText(Path.Combine(dir, $"GenBench.{name}.csproj"), """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <OutputType>Library</OutputType>
                <MotivationDslConsumer>true</MotivationDslConsumer>
                <IsPackable>false</IsPackable>
              </PropertyGroup>
            </Project>
            """);

    private static (int Code, string Log, double Seconds) DotnetBuild(string dir, string extra, CompilerMode mode)
    {
        var psi = new ProcessStartInfo("dotnet", $"build -c Release -v q -nologo {extra}")
        { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["UseSharedCompilation"] = mode == CompilerMode.CompilerServer ? "true" : "false";
        var sw = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var o = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, o + err.Result, sw.Elapsed.TotalSeconds);
    }
}
