using System;
using System.Collections.Generic;
using System.Linq;
using static MotivationDsl.Generators.CodeWriter;

namespace MotivationDsl.Generators;

/// <summary>
/// A pre-norm transformer encoder block (<c>Block.Encoder</c>, torchvision's ViT EncoderBlock) on a token sequence.
/// Maps head-aware: base head h goes to the first head-dimension columns of motivated head h.
/// </summary>
internal sealed class EncoderBlockKind : IBlockKind
{
    public BlockKindId Id => BlockKindId.Encoder;

    public bool UsesKernel => false;

    public bool TakesVariantKernels => false;

    public bool TakesStochasticDepth => false;

    public bool TakesTokens => true;

    public string? WhyNotInput(int rank, string inShape) =>
        rank == 2 ? null : $"an Encoder stage needs a token sequence but receives {inShape}";

    /// <summary>The runtime's <c>MotivationDsl.Blocks.EncoderBlock</c> (src/MotivationDsl/Blocks/).</summary>
    public string ModuleType(BuiltModel model, LayerSpec stage) => "__Dsl.Blocks.EncoderBlock";

    public BlockDraft? Resolve(ModelBuilder builder, BlockRequest r)
    {
        var (rv, v, stage, key) = (r.Variant, r.Spec, r.Stage, r.Key);
        var s = stage.Name!;
        long d = r.InChannels, planes = r.Planes;
        if (planes != d)
        {
            builder.Report(DiagnosticDescriptors.Unsupported, stage.Location, key, $"an Encoder stage keeps the token width: it receives {d} features but its channels are {planes}");
            return null;
        }
        var heads = v.Heads > 0 ? v.Heads : stage.Heads;
        if (heads <= 0 || d % heads != 0)
        {
            builder.Report(DiagnosticDescriptors.HeadsNotDividing, v.Heads > 0 ? v.At("Heads") : stage.At("Heads"), v.Name, s, heads, d);
            return null;
        }
        var mlp = builder.ScaleChannels(stage.MlpDim, v.WidthMultiplier);
        if (mlp is null || stage.MlpDim <= 0)
        {
            builder.Report(DiagnosticDescriptors.NotWhole, v.At("WidthMultiplier"), v.Name, "the MLP features", stage.Display, stage.MlpDim, ModelBuilder.Num(v.WidthMultiplier), ModelBuilder.Num(stage.MlpDim * v.WidthMultiplier));
            return null;
        }
        var blk = new BlockDraft { In = d, Planes = d, Out = d, Stride = 1, Heads = heads, Mlp = mlp.Value, Residual = true };
        void T(string local, params long[] shape) => builder.AddT(rv, new TensorDesc(key + "." + local, false, shape, s, r.Index, local));
        T("ln_1.weight", d); T("ln_1.bias", d);
        T("self_attention.in_proj_weight", 3 * d, d); T("self_attention.in_proj_bias", 3 * d);
        T("self_attention.out_proj.weight", d, d); T("self_attention.out_proj.bias", d);
        T("ln_2.weight", d); T("ln_2.bias", d);
        T("mlp.0.weight", mlp.Value, d); T("mlp.0.bias", mlp.Value);
        T("mlp.3.weight", d, mlp.Value); T("mlp.3.bias", d);
        // q/k/v and output projections, the two attention products (n x n x d each), the MLP.
        var n = r.Tokens;
        builder.Mac(rv, n * d * 4 * d + 2 * n * n * d + 2 * n * d * mlp.Value);
        return blk;
    }

    public bool CheckPair(ModelBuilder builder, PairBlocks p) => CheckHeads(builder, p, "self_attention");

    /// <summary>A base attention fits a motivated one head by head: no more heads, and no wider heads.</summary>
    public static bool CheckHeads(ModelBuilder builder, PairBlocks p, string attention)
    {
        var (bb, mb) = (p.BaseBlock, p.MotivatedBlock);
        if (bb.Heads <= mb.Heads && bb.In / bb.Heads <= mb.In / mb.Heads) return true;
        builder.Report(DiagnosticDescriptors.BaseLarger, p.Motivated.Spec.Has("Heads") ? p.Motivated.Spec.At("Heads") : p.WidthLocation,
            p.BaseKey + "." + attention, p.Base.Name, $"[{bb.Heads} heads x {bb.In / bb.Heads}]",
            p.MotivatedKey + "." + attention, p.Motivated.Name, $"[{mb.Heads} heads x {mb.In / mb.Heads}]");
        return false;
    }

    /// <summary>
    /// Head-aware pieces of an attention tensor: head h of the base (rows/columns [h dh_b, (h+1) dh_b) of the q, k or v
    /// block) goes to [h dh_m, h dh_m + dh_b) of the same block of the motivated tensor; input features by prefix.
    /// Null for tensors that are plain prefixes (layer norms, out_proj.bias, MLP) and when nothing is widened.
    /// </summary>
    public List<((long Start, long Length)[] Base, (long Start, long Length)[] Motivated)>? Pieces(string local, RBlock b, RBlock m) =>
        b.In == m.In && b.Heads == m.Heads ? null : HeadPieces(local, b.In, b.Heads, m.In, m.Heads);

    /// <summary>Head-aware pieces of this kind's attention tensor <paramref name="local"/>.</summary>
    public static List<((long Start, long Length)[] Base, (long Start, long Length)[] Motivated)>? HeadPieces(
        string local, long db, long hb, long dm, long hm) =>
        HeadPieces(local, "self_attention.in_proj_weight", "self_attention.in_proj_bias", "self_attention.out_proj.weight", db, hb, dm, hm);

    /// <summary>
    /// Head-aware pieces of a multi-head attention's tensor <paramref name="local"/>, given the names of its fused q/k/v
    /// weight [3d, d] and bias [3d] (q, k, v stacked by rows) and of its output projection's weight [d, d]; null for any
    /// other tensor (a plain prefix).
    /// </summary>
    public static List<((long Start, long Length)[] Base, (long Start, long Length)[] Motivated)>? HeadPieces(
        string local, string fusedWeight, string fusedBias, string outWeight, long db, long hb, long dm, long hm)
    {
        long dhb = db / hb, dhm = dm / hm;
        var pieces = new List<((long, long)[], (long, long)[])>();
        if (local == fusedWeight || local == fusedBias)
        {
            var weight = local == fusedWeight;
            for (var j = 0; j < 3; j++)
                for (var h = 0; h < hb; h++)
                {
                    var br = (j * db + h * dhb, dhb); var mr = (j * dm + h * dhm, dhb);
                    pieces.Add(weight ? (new[] { br, (0L, db) }, new[] { mr, (0L, db) }) : (new[] { br }, new[] { mr }));
                }
            return pieces;
        }
        if (local != outWeight) return null;
        for (var h = 0; h < hb; h++)
            pieces.Add((new[] { (0L, db), (h * dhb, dhb) }, new[] { (0L, db), (h * dhm, dhb) }));
        return pieces;
    }

    public bool ReLUAfterAdd(ModelBuilder builder, LayerSpec stage) => false;

    public string? WhyNotIdentity(ModelBuilder builder, LayerSpec stage, RBlock block) => null;

    /// <summary>Both residual branches' outputs: the attention's output projection and the MLP's last linear.</summary>
    public IEnumerable<TensorDesc> IdentityZeroes(IReadOnlyList<TensorDesc> blockParameters) =>
        blockParameters.Where(t => t.Local.StartsWith("self_attention.out_proj.", StringComparison.Ordinal)
            || t.Local.StartsWith("mlp.3.", StringComparison.Ordinal));

    public bool IsStreamTensor(string local) =>
        local.StartsWith("ln_1.", StringComparison.Ordinal) || local.StartsWith("ln_2.", StringComparison.Ordinal)
        || local.StartsWith("self_attention.out_proj.", StringComparison.Ordinal) || local.StartsWith("mlp.3.", StringComparison.Ordinal);

    public IReadOnlyList<string> Arguments(RBlock b) => Args(("dim", L(b.In)), ("heads", L(b.Heads)), ("mlpDim", L(b.Mlp)));
}
