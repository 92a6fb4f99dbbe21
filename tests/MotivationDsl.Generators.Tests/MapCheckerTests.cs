using Xunit;

namespace MotivationDsl.Generators.Tests;

/// <summary>The map checker on hand-made maps (a correct builder never produces these; the checker must catch them).</summary>
public class MapCheckerTests
{
    private static TensorDesc T(string name, params long[] shape) => new(name, false, shape, null, -1, name);
    private static TensorDesc B(string name, params long[] shape) => new(name, true, shape, null, -1, name);
    private static MapEntryDesc E(TensorDesc b, TensorDesc m, params (long, long)[] region) =>
        new(b.Name, m.Name, b.IsBuffer, b.Shape, m.Shape, region);

    private static readonly TensorDesc BaseW = T("conv.weight", 16, 3, 3, 3);
    private static readonly TensorDesc BaseB = T("conv.bias", 16);
    private static readonly TensorDesc MotW = T("conv.weight", 32, 3, 3, 3);
    private static readonly TensorDesc MotB = T("conv.bias", 32);
    private static readonly (long, long)[] WholeBaseW = { (0, 16), (0, 3), (0, 3), (0, 3) };

    private static List<MapProblem> Check(TensorDesc[] b, TensorDesc[] m, params MapEntryDesc[] entries) =>
        MapChecker.Check("Small", "Large", b, m, entries);

    [Fact]
    public void CorrectMapHasNoProblems() =>
        Assert.Empty(Check(new[] { BaseW, BaseB }, new[] { MotW, MotB }, E(BaseW, MotW, WholeBaseW), E(BaseB, MotB, (0, 16))));

    [Fact]
    public void NotCovered_MOT021()
    {
        var p = Assert.Single(Check(new[] { BaseW, BaseB }, new[] { MotW, MotB }, E(BaseW, MotW, WholeBaseW)));
        Assert.Equal("MOT021: Weights map Small -> Large: base parameter 'conv.bias' with shape [16] is not covered", p.ToString());
    }

    [Fact]
    public void CoveredTwice_MOT022()
    {
        var problems = Check(new[] { BaseB }, new[] { MotB }, E(BaseB, MotB, (0, 16)), E(BaseB, MotB, (16, 16)));
        var p = Assert.Single(problems);
        Assert.Equal("MOT022: Weights map Small -> Large: base tensor 'conv.bias' with shape [16] is covered 2 times", p.ToString());
    }

    [Fact]
    public void RegionOutside_MOT023()
    {
        var p = Assert.Single(Check(new[] { BaseB }, new[] { MotB }, E(BaseB, MotB, (20, 16))));
        Assert.Equal("MOT023: Weights map Small -> Large: base 'conv.bias' with shape [16] maps to region [20:36] which does not fit inside 'conv.bias' with shape [32]", p.ToString());
    }

    [Fact]
    public void RegionOfWrongShape_MOT023()
    {
        var p = Assert.Single(Check(new[] { BaseB }, new[] { MotB }, E(BaseB, MotB, (0, 8))));
        Assert.Equal("MOT023", p.Descriptor.Id);
    }

    [Fact]
    public void MissingTarget_MOT024()
    {
        var other = T("other.bias", 32);
        var p = Assert.Single(Check(new[] { BaseB }, new[] { MotB }, E(BaseB, other, (0, 16))));
        Assert.Equal("MOT024: Weights map Small -> Large: base 'conv.bias' with shape [16] maps to 'other.bias' with shape [32], which the motivated variant does not have", p.ToString());
    }

    [Fact]
    public void KindMismatch_MOT024()
    {
        var buffer = B("conv.bias", 32);
        var p = Assert.Single(Check(new[] { BaseB }, new[] { buffer }, E(BaseB, buffer, (0, 16))));
        Assert.Equal("MOT024: Weights map Small -> Large: base 'conv.bias' with shape [16] maps to 'conv.bias' with shape [32], but one is a parameter and the other a buffer", p.ToString());
    }

    [Fact]
    public void Overlap_MOT025()
    {
        var b1 = T("a.bias", 16); var b2 = T("b.bias", 16);
        var problems = Check(new[] { b1, b2 }, new[] { MotB }, E(b1, MotB, (0, 16)), E(b2, MotB, (8, 16)));
        var p = Assert.Single(problems);
        Assert.Equal("MOT025: Weights map Small -> Large: base 'a.bias' with shape [16] and base 'b.bias' with shape [16] overlap inside 'conv.bias' with shape [32]", p.ToString());
    }

    [Fact]
    public void DisjointRegionsInOneTensorAreFine()
    {
        var b1 = T("a.bias", 16); var b2 = T("b.bias", 16);
        Assert.Empty(Check(new[] { b1, b2 }, new[] { MotB }, E(b1, MotB, (0, 16)), E(b2, MotB, (16, 16))));
    }

    [Fact]
    public void ScalarBuffersTwiceOverlap()
    {
        var n1 = B("a.num_batches_tracked"); var n2 = B("b.num_batches_tracked"); var m = B("a.num_batches_tracked");
        var p = Assert.Single(Check(new[] { n1, n2 }, new[] { m }, E(n1, m), E(n2, m)));
        Assert.Equal("MOT025", p.Descriptor.Id);
    }

    [Theory]
    [InlineData(0, 3, 5, 1, 0)]
    [InlineData(1, 3, 5, 1, 1)]
    [InlineData(2, 3, 5, 1, 4)]
    [InlineData(2, 3, 5, 2, 2)]
    [InlineData(0, 1, 4, 1, 3)]
    [InlineData(0, 1, 4, 2, 0)]
    public void DepthRules(int i, int l, int lm, int rule, int expected) =>
        Assert.Equal(expected, ModelBuilder.MapBlock(i, l, lm, rule));

    // Piecewise (head-aware) entries: d 4 with 2 heads (head dim 2) -> d 8 with 2 heads (head dim 4).
    private static readonly TensorDesc InProjB = T("attn.in_proj_weight", 12, 4);
    private static readonly TensorDesc InProjM = T("attn.in_proj_weight", 24, 8);

    private static MapEntryDesc Pieces(TensorDesc b, TensorDesc m, List<((long, long)[], (long, long)[])> pieces)
    {
        var e = E(b, m, b.Shape.Select(d => (0L, d)).ToArray());
        return new MapEntryDesc(e.BaseName, e.MotivatedName, e.IsBuffer, e.BaseShape, e.MotivatedShape, e.Region, pieces);
    }

    [Fact]
    public void HeadAwarePiecesAreProven()
    {
        var pieces = EncoderBlockKind.HeadPieces("self_attention.in_proj_weight", 4, 2, 8, 2)!;
        Assert.Equal(6, pieces.Count);
        // v of head 1: base rows [8 + 2, 8 + 4) -> motivated rows [16 + 4, 16 + 6), inputs [0, 4).
        Assert.Contains(pieces, p => p.Item1[0] == (10, 2) && p.Item2[0] == (20, 2) && p.Item2[1] == (0, 4));
        Assert.Empty(Check(new[] { InProjB }, new[] { InProjM }, Pieces(InProjB, InProjM, pieces)));
        var outB = T("attn.out_proj.weight", 4, 4); var outM = T("attn.out_proj.weight", 8, 8);
        Assert.Empty(Check(new[] { outB }, new[] { outM }, Pieces(outB, outM, EncoderBlockKind.HeadPieces("self_attention.out_proj.weight", 4, 2, 8, 2)!)));
    }

    [Fact]
    public void PiecesMustCoverTheBaseTensor_MOT021()
    {
        var pieces = EncoderBlockKind.HeadPieces("self_attention.in_proj_weight", 4, 2, 8, 2)!.Skip(1).ToList();
        var p = Assert.Single(Check(new[] { InProjB }, new[] { InProjM }, Pieces(InProjB, InProjM, pieces)));
        Assert.Equal("MOT021: Weights map Small -> Large: base parameter 'attn.in_proj_weight' with shape [12, 4] (its pieces cover 40 of 48 elements) is not covered", p.ToString());
    }

    [Fact]
    public void PiecesMustBeDisjoint_MOT022()
    {
        var pieces = EncoderBlockKind.HeadPieces("self_attention.in_proj_weight", 4, 2, 8, 2)!;
        pieces[1] = (pieces[0].Item1, pieces[1].Item2); // base head 0 twice, base head 1 of q never
        var p = Assert.Single(Check(new[] { InProjB }, new[] { InProjM }, Pieces(InProjB, InProjM, pieces)));
        Assert.Equal("MOT022", p.Descriptor.Id);
    }

    [Fact]
    public void PiecesMustFitInside_MOT023()
    {
        var pieces = EncoderBlockKind.HeadPieces("self_attention.in_proj_weight", 4, 2, 8, 2)!;
        pieces[5] = (pieces[5].Item1, new[] { (23L, 2L), (0L, 4L) });
        var p = Assert.Single(Check(new[] { InProjB }, new[] { InProjM }, Pieces(InProjB, InProjM, pieces)));
        Assert.Equal("MOT023", p.Descriptor.Id);
    }

    [Fact]
    public void MotivatedPiecesMustNotOverlap_MOT025()
    {
        var pieces = EncoderBlockKind.HeadPieces("self_attention.in_proj_weight", 4, 2, 8, 2)!;
        pieces[1] = (pieces[1].Item1, new[] { (1L, 2L), (0L, 4L) }); // overlaps head 0's motivated rows [0, 2)
        var p = Assert.Single(Check(new[] { InProjB }, new[] { InProjM }, Pieces(InProjB, InProjM, pieces)));
        Assert.Equal("MOT025", p.Descriptor.Id);
    }
}
