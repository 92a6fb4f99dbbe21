using Xunit;
using static MotivationDsl.Generators.Tests.DiagnosticTests;
using static MotivationDsl.Generators.Tests.VocabularySources;

namespace MotivationDsl.Generators.Tests;

/// <summary>The rules of [Branch] / [Join] inside user blocks: id, exact message, location.</summary>
public class BranchDiagnosticTests
{
    [Fact]
    public void BranchesModelIsValid()
    {
        var run = GeneratorHarness.Run(Branches);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.OutputErrors);
    }

    [Fact]
    public void MOT062_AddOfDifferentShapes()
    {
        var src = Branches.Replace("[Conv2d(\"conv\", Kernel = 3, Padding = 1)]\n[BatchNorm2d(\"bn\")]\n[Branch(\"skip\")]",
            "[Conv2d(\"conv\", Kernel = 3, Padding = 1, Expansion = 2)]\n[BatchNorm2d(\"bn\")]\n[Branch(\"skip\")]");
        Expect(src, "MOT062").WithMessage("[Join] in block 'fuse.0': JoinMode.Add needs every branch to output the same shape, but they output main [16, 16, 16], skip [8, 16, 16]")
            .At(src, "Stage(\"fuse\"");
    }

    [Fact]
    public void MOT062_ConcatOfDifferentSpatialSizes()
    {
        var src = Branches.Replace("[Conv2d(\"conv\", Kernel = 1, Bias = false)]", "[Conv2d(\"conv\", Kernel = 1, Stride = 2, Bias = false)]");
        Expect(src, "MOT062").WithMessage("[Join] in block 'mix.0': JoinMode.Concat needs every branch to output the same spatial size, but they output b1 [8, 8, 8], b2 [16, 16, 16]")
            .At(src, "Stage(\"mix\"");
    }

    [Fact]
    public void MOT063_ConcatenationLeavesTheBlockWidened()
    {
        // Without the projection the block outputs [b1, b2]: in W, b2's base channels start at 12, not 8.
        var src = Branches.Replace("[Join(JoinMode.Concat)]\n[BatchNorm2d(\"bn\")]\n[Conv2d(\"project\", Kernel = 1)]", "[Join(JoinMode.Concat)]")
            .Replace("[Stage(\"fuse\", typeof(AddBlock), 8)]", "[Stage(\"fuse\", typeof(AddBlock), 24)]")
            .Replace("Width = new[] { 8, 8 }", "Width = new[] { 8, 24 }").Replace("Width = new[] { 12, 12 }", "Width = new[] { 12, 36 }");
        Expect(src, "MOT063").WithMessage("Block 'mix.0' of base 'S' outputs concatenated channels [8, 16] but block 'mix.0' of motivated 'L' outputs [12, 24]: a later branch's base channels do not start where they start in the motivated block, so what reads the block's output cannot map as a prefix; end the block with a Conv2d or Linear after the [Join] (its weights map branch by branch), or widen only the last branch")
            .At(src, "Width = new[] { 12, 36 })]\n[LayerWidth");
    }

    [Fact]
    public void ConcatenationLeavingTheBlockIsAPrefixWhenOnlyTheLastBranchGrows()
    {
        // A depthwise b1 keeps the stem's 8 channels in both variants; only b2 grows, so [b1, b2] stays a prefix.
        var src = Branches.Replace("[Conv2d(\"conv\", Kernel = 1, Bias = false)]", "[Conv2d(\"conv\", Kernel = 1, Bias = false, Depthwise = true)]")
            .Replace("[Join(JoinMode.Concat)]\n[BatchNorm2d(\"bn\")]\n[Conv2d(\"project\", Kernel = 1)]", "[Join(JoinMode.Concat)]")
            .Replace("[Stage(\"fuse\", typeof(AddBlock), 8)]", "[Stage(\"fuse\", typeof(AddBlock), 24)]")
            .Replace("Width = new[] { 8, 8 }", "Width = new[] { 8, 24 }").Replace("Width = new[] { 12, 12 }", "Width = new[] { 12, 32 }")
            .Replace("[Pair(\"S\", \"W\")]\n", "").Replace("[Variant(\"W\", Depth = new[] { 1, 1 }, Width = new[] { 12, 32 })]\n", "");
        var run = GeneratorHarness.Run(src);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.OutputErrors);
    }

    [Fact]
    public void MOT014_JoinWithoutBranches()
    {
        var src = Branches.Replace("[Join(JoinMode.Add)]\n[ReLU]", "[Join(JoinMode.Add)]\n[ReLU]\n[Join(JoinMode.Add)]");
        Expect(src, "MOT014").WithMessage("Layer 'Join': a [Join] needs [Branch] attributes before it").At(src, "Join(JoinMode.Add)]\npublic");
    }

    [Fact]
    public void MOT014_OneBranchOnly()
    {
        var src = Branches.Replace("[Branch(\"skip\")]\n", "");
        Expect(src, "MOT014").WithMessage("Layer 'Join': a [Join] joins at least two branches; this one has only 'main'").At(src, "Join(JoinMode.Add)");
    }

    [Fact]
    public void MOT014_BranchesNeverJoined()
    {
        var src = Branches.Replace("[Join(JoinMode.Add)]\n", "");
        Expect(src, "MOT014").WithMessage("Layer 'skip': the branches are never joined: add a [Join] after the last branch's layers").At(src, "Branch(\"skip\")");
    }

    [Fact]
    public void MOT014_BranchAtModelLevel()
    {
        var src = Branches.Replace("[Conv2d(\"stem\", 8, Padding = 1)]", "[Branch(\"stem\")]\n[Conv2d(\"stem\", 8, Padding = 1)]");
        var run = GeneratorHarness.Run(src);
        Assert.Contains(run.Mot, d => d.Id == "MOT014" && d.GetMessage() == "Layer 'stem': Branch only applies inside a [ScalableBlock]");
    }

    [Fact]
    public void MOT027_JoinModeOutsideTheEnum()
    {
        var src = Branches.Replace("[Join(JoinMode.Add)]", "[Join((JoinMode)7)]");
        Expect(src, "MOT027").WithMessage("Layer 'Join': mode is 7; use JoinMode.Add or JoinMode.Concat").At(src, "(JoinMode)7");
    }

    [Fact]
    public void MOT020_GroupedConvolutionReadingAConcatenation()
    {
        var src = Branches.Replace("[Conv2d(\"project\", Kernel = 1)]", "[Conv2d(\"project\", Kernel = 1, Groups = 2)]");
        Expect(src, "MOT020").WithMessage("Convolution 'mix.0.project' with 2 groups: its input is a concatenation of branches, whose channels a group would split differently in base and motivated variants")
            .At(src, "Groups = 2");
    }

    [Fact]
    public void MOT033_ResidualBlockEndingWithBranches()
    {
        var src = Branches.Replace("[ScalableBlock(Residual = false)]\n[Branch(\"main\")]", "[ScalableBlock(ReLUAfterAdd = false)]\n[Branch(\"main\")]")
            .Replace("[Join(JoinMode.Add)]\n[ReLU]", "[Join(JoinMode.Add)]")
            .Replace("Motivated = \"L\")]", "Motivated = \"L\", Growth = Growth.FunctionPreserving)]")
            .Replace("[Stage(\"mix\", typeof(MixBlock), 8)]", "[Stage(\"mix\", typeof(MixBlock), 8, Growth = Growth.Paper)]");
        Expect(src, "MOT033").WithMessage("Function-preserving growth S -> L: extra block 'fuse.1' cannot start as an identity: [ScalableBlock] AddBlock ends with branches joined by [Join]: zeroing one branch's last layer leaves the others, so the residual branch cannot start at zero; put a Conv2d or BatchNorm2d after the [Join]")
            .At(src, "Growth = Growth.FunctionPreserving");
    }
}
