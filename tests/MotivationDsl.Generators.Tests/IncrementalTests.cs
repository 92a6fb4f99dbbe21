using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace MotivationDsl.Generators.Tests;

public class IncrementalTests
{
    private static readonly string[] TrackedSteps =
    {
        TrackingNames.Models, TrackingNames.Blocks, TrackingNames.BlocksCollected, TrackingNames.BlockSet,
        TrackingNames.ModelsWithBlocks, TrackingNames.Built, TrackingNames.Diagnostics, TrackingNames.Sources,
    };

    private static void AssertAllCached(GeneratorDriverRunResult result)
    {
        var steps = result.Results.Single().TrackedSteps;
        // A step with no inputs (e.g. Blocks in a compilation without [ScalableBlock]) records no runs.
        Assert.True(steps.ContainsKey(TrackingNames.Models) && steps.ContainsKey(TrackingNames.Built), "pipeline steps were not tracked");
        foreach (var name in TrackedSteps.Where(steps.ContainsKey))
        {
            foreach (var step in steps[name])
                foreach (var (_, reason) in step.Outputs)
                    Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                        $"step {name} output was {reason}");
        }
        foreach (var (_, reason) in result.Results.Single().TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs))
            Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"output step was {reason}");
    }

    [Fact]
    public void UnrelatedFileAddedKeepsEveryStepCached()
    {
        var compilation = GeneratorHarness.Compile(Sources.UserBlockModel, Sources.UserBlock);
        var first = GeneratorHarness.Run(compilation);
        Assert.Empty(first.GeneratorDiagnostics);
        var edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace Other; public class Unrelated { public int X() => 1; }", GeneratorHarness.ParseOptions, path: "Unrelated.cs"));
        var second = first.Driver.RunGenerators(edited).GetRunResult();
        Assert.All(TrackedSteps, name => Assert.True(second.Results.Single().TrackedSteps.ContainsKey(name), name));
        AssertAllCached(second);
    }

    [Fact]
    public void UnrelatedMethodEditInModelFileKeepsOutputsCached()
    {
        var withMethod = Sources.ResNetCifar.Replace("public partial class ResNetCifar\n{\n}", "public partial class ResNetCifar\n{\n    public int Answer() => 41;\n}");
        var compilation = GeneratorHarness.Compile(withMethod);
        var first = GeneratorHarness.Run(compilation);
        Assert.Empty(first.GeneratorDiagnostics);
        var oldTree = compilation.SyntaxTrees.Single();
        var newTree = oldTree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(withMethod.Replace("41", "42")));
        var second = first.Driver.RunGenerators(compilation.ReplaceSyntaxTree(oldTree, newTree)).GetRunResult();
        AssertAllCached(second);
    }

    [Fact]
    public void ChangingTheModelRegenerates()
    {
        var compilation = GeneratorHarness.Compile(Sources.ResNetCifar);
        var first = GeneratorHarness.Run(compilation);
        var oldTree = compilation.SyntaxTrees.Single();
        var newTree = oldTree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(Sources.ResNetCifar.Replace("{ 9, 9, 9 }", "{ 9, 9, 11 }")));
        var second = first.Driver.RunGenerators(compilation.ReplaceSyntaxTree(oldTree, newTree)).GetRunResult();
        var built = second.Results.Single().TrackedSteps[TrackingNames.Built];
        Assert.Contains(built.SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
    }

    [Fact]
    public void ChangingABlockInAnotherFileRegeneratesTheModel()
    {
        var compilation = GeneratorHarness.Compile(Sources.UserBlockModel, Sources.UserBlock);
        var first = GeneratorHarness.Run(compilation);
        var oldTree = compilation.SyntaxTrees.ElementAt(1);
        var newTree = oldTree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(Sources.UserBlock.Replace("Expansion = 2", "Expansion = 4")));
        var driver = first.Driver.RunGenerators(compilation.ReplaceSyntaxTree(oldTree, newTree));
        var source = string.Concat(driver.GetRunResult().Results.Single().GeneratedSources.Select(s => s.SourceText.ToString()));
        Assert.Contains("\"baseShape\": [128, 32, 1, 1]", GeneratorHarness.Manifest(source)); // stage2 conv2 now 4 x 32
    }
}
