using System;
using System.Collections.Generic;
using System.Linq;
using static MotivationDsl.Generators.CodeWriter;

namespace MotivationDsl.Generators;

/// <summary>
/// A pre-LayerNorm GPT-2 block (<c>Block.CausalDecoder</c>) in nanoGPT's layout: <c>ln_1</c>, causal multi-head
/// self-attention <c>attn</c> (fused <c>c_attn</c> [3d, d], <c>c_proj</c>, the causal-mask buffer <c>attn.bias</c>
/// [1, 1, T, T] nanoGPT registers on PyTorch &lt; 2.0), <c>ln_2</c>, <c>mlp</c> (<c>c_fc</c> d -> 4d, exact GELU,
/// <c>c_proj</c>); both branches residual. Maps head-aware as the encoder block (base head h into motivated head h).
/// </summary>
internal sealed class CausalDecoderBlockKind : IBlockKind
{
    public BlockKindId Id => BlockKindId.CausalDecoder;

    public bool UsesKernel => false;

    public bool TakesVariantKernels => false;

    public bool TakesStochasticDepth => false;

    public bool TakesTokens => true;

    public string? WhyNotInput(int rank, string inShape) =>
        rank == 2 ? null : $"a CausalDecoder stage needs a token sequence but receives {inShape}";

    /// <summary>The runtime's <c>MotivationDsl.Blocks.CausalDecoderBlock</c> (src/MotivationDsl/Blocks/).</summary>
    public string ModuleType(BuiltModel model, LayerSpec stage) => "__Dsl.Blocks.CausalDecoderBlock";

    public BlockDraft? Resolve(ModelBuilder builder, BlockRequest r)
    {
        var (rv, v, stage, key) = (r.Variant, r.Spec, r.Stage, r.Key);
        var s = stage.Name!;
        long d = r.InChannels, n = r.Tokens;
        if (r.Planes != d)
        {
            builder.Report(DiagnosticDescriptors.Unsupported, stage.Location, key, $"a CausalDecoder stage keeps the token width: it receives {d} features but its channels are {r.Planes}");
            return null;
        }
        var heads = v.Heads > 0 ? v.Heads : stage.Heads;
        if (heads <= 0 || d % heads != 0)
        {
            builder.Report(DiagnosticDescriptors.HeadsNotDividing, v.Heads > 0 ? v.At("Heads") : stage.At("Heads"), v.Name, s, heads, d);
            return null;
        }
        void T(string local, bool buffer, params long[] shape) => builder.AddT(rv, new TensorDesc(key + "." + local, buffer, shape, s, r.Index, local));
        T("ln_1.weight", false, d); T("ln_1.bias", false, d);
        T("attn.c_attn.weight", false, 3 * d, d); T("attn.c_attn.bias", false, 3 * d);
        T("attn.c_proj.weight", false, d, d); T("attn.c_proj.bias", false, d);
        T("attn.bias", true, 1, 1, n, n);
        T("ln_2.weight", false, d); T("ln_2.bias", false, d);
        T("mlp.c_fc.weight", false, 4 * d, d); T("mlp.c_fc.bias", false, 4 * d);
        T("mlp.c_proj.weight", false, d, 4 * d); T("mlp.c_proj.bias", false, d);
        // Per token: q/k/v and output projections (4 d^2), the MLP (8 d^2); the two T x T attention products as computed.
        builder.Mac(rv, n * (12 * d * d + 2 * n * d));
        return new BlockDraft { In = d, Planes = d, Out = d, Stride = 1, Heads = heads, Mlp = 4 * d, Residual = true, Tokens = n };
    }

    public bool CheckPair(ModelBuilder builder, PairBlocks p) => EncoderBlockKind.CheckHeads(builder, p, "attn");

    public List<((long Start, long Length)[] Base, (long Start, long Length)[] Motivated)>? Pieces(string local, RBlock b, RBlock m) =>
        b.In == m.In && b.Heads == m.Heads ? null
        : EncoderBlockKind.HeadPieces(local, "attn.c_attn.weight", "attn.c_attn.bias", "attn.c_proj.weight", b.In, b.Heads, m.In, m.Heads);

    public bool ReLUAfterAdd(ModelBuilder builder, LayerSpec stage) => false;

    public string? WhyNotIdentity(ModelBuilder builder, LayerSpec stage, RBlock block) => null;

    /// <summary>Both residual branches' outputs: the attention's and the MLP's <c>c_proj</c> (weights and biases).</summary>
    public IEnumerable<TensorDesc> IdentityZeroes(IReadOnlyList<TensorDesc> blockParameters) =>
        blockParameters.Where(t => t.Local.StartsWith("attn.c_proj.", StringComparison.Ordinal) || t.Local.StartsWith("mlp.c_proj.", StringComparison.Ordinal));

    public bool IsStreamTensor(string local) =>
        local.StartsWith("ln_1.", StringComparison.Ordinal) || local.StartsWith("ln_2.", StringComparison.Ordinal)
        || local.StartsWith("attn.c_proj.", StringComparison.Ordinal) || local.StartsWith("mlp.c_proj.", StringComparison.Ordinal);

    public IReadOnlyList<string> Arguments(RBlock b) => Args(("dim", L(b.In)), ("heads", L(b.Heads)), ("context", L(b.Tokens)));
}
