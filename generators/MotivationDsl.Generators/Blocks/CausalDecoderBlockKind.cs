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

    public string ModuleClass(BuiltModel model, LayerSpec stage) => "CausalDecoderBlock";

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

    public void EmitModule(CodeWriter w, BuiltModel model, LayerSpec stage) => w.Block(Source);

    private const string Source = @"/// <summary>
/// A pre-LayerNorm GPT-2 block in nanoGPT's layout: <c>x = x + attn(ln_1(x))</c>, <c>x = x + mlp(ln_2(x))</c>;
/// LayerNorm eps 1e-5, MLP <c>c_fc</c> (4 x width)-GELU-<c>c_proj</c>, no dropout.
/// </summary>
public sealed class CausalDecoderBlock : __Module
{
    private readonly __Modules.LayerNorm ln_1;
    private readonly CausalSelfAttention attn;
    private readonly __Modules.LayerNorm ln_2;
    private readonly GptMlp mlp;

    public CausalDecoderBlock(long dim, long heads, long context) : base(""CausalDecoderBlock"")
    {
        this.ln_1 = __nn.LayerNorm(normalized_shape: new long[] { dim });
        this.attn = new CausalSelfAttention(dim, heads, context);
        this.ln_2 = __nn.LayerNorm(normalized_shape: new long[] { dim });
        this.mlp = new GptMlp(dim);
        RegisterComponents();
    }

    public override __Tensor forward(__Tensor input)
    {
        using var __scope = global::TorchSharp.torch.NewDisposeScope();
        var __x = input + this.attn.forward(this.ln_1.forward(input));
        return __scope.MoveToOuter(__x + this.mlp.forward(this.ln_2.forward(__x)));
    }

    /// <summary>This block's tensors and MACs (the same arguments as the constructor).</summary>
    internal static void Describe(__Meta m, long dim, long heads, long context)
    {
        m.Parameter(""ln_1.weight"", dim);
        m.Parameter(""ln_1.bias"", dim);
        m.Parameter(""attn.c_attn.weight"", 3 * dim, dim);
        m.Parameter(""attn.c_attn.bias"", 3 * dim);
        m.Parameter(""attn.c_proj.weight"", dim, dim);
        m.Parameter(""attn.c_proj.bias"", dim);
        m.Buffer(""attn.bias"", 1, 1, context, context);
        m.Parameter(""ln_2.weight"", dim);
        m.Parameter(""ln_2.bias"", dim);
        m.Parameter(""mlp.c_fc.weight"", 4 * dim, dim);
        m.Parameter(""mlp.c_fc.bias"", 4 * dim);
        m.Parameter(""mlp.c_proj.weight"", dim, 4 * dim);
        m.Parameter(""mlp.c_proj.bias"", dim);
        // Per token: q/k/v and output projections (4 dim^2), the MLP (8 dim^2); the two attention products.
        m.AddMacs(context * (12 * dim * dim + 2 * context * dim));
    }
}

/// <summary>
/// nanoGPT's CausalSelfAttention: fused <c>c_attn</c> (q, k, v stacked), <c>c_proj</c>, and the causal mask <c>bias</c>
/// [1, 1, context, context] (a buffer, as nanoGPT registers it where PyTorch has no flash attention). Input and output
/// <c>[batch, tokens, dim]</c>, tokens up to the context length.
/// </summary>
public sealed class CausalSelfAttention : __Module
{
    private readonly __Modules.Linear c_attn;
    private readonly __Modules.Linear c_proj;
    private readonly __Tensor bias;
    private readonly long __heads;

    public CausalSelfAttention(long dim, long heads, long context) : base(""CausalSelfAttention"")
    {
        this.c_attn = __nn.Linear(inputSize: dim, outputSize: 3 * dim);
        this.c_proj = __nn.Linear(inputSize: dim, outputSize: dim);
        this.bias = global::TorchSharp.torch.ones(context, context).tril().view(1, 1, context, context);
        this.__heads = heads;
        RegisterComponents();
    }

    /// <summary>Attention heads.</summary>
    public long Heads => this.__heads;

    public override __Tensor forward(__Tensor input)
    {
        using var __scope = global::TorchSharp.torch.NewDisposeScope();
        long n = input.shape[0], t = input.shape[1], d = input.shape[2], dh = d / this.__heads;
        var __qkv = this.c_attn.forward(input).split(d, 2);
        var __q = __qkv[0].view(n, t, this.__heads, dh).transpose(1, 2);
        var __k = __qkv[1].view(n, t, this.__heads, dh).transpose(1, 2);
        var __v = __qkv[2].view(n, t, this.__heads, dh).transpose(1, 2);
        var __scores = __q.matmul(__k.transpose(-2, -1)).mul(1.0 / global::System.Math.Sqrt(dh));
        var __mask = this.bias.narrow(2, 0, t).narrow(3, 0, t).eq(0);
        var __a = __scores.masked_fill(__mask, double.NegativeInfinity).softmax(-1);
        var __o = __a.matmul(__v).transpose(1, 2).contiguous().view(n, t, d);
        return __scope.MoveToOuter(this.c_proj.forward(__o));
    }
}

/// <summary>nanoGPT's MLP: <c>c_fc</c> (dim -> 4 dim), exact GELU, <c>c_proj</c> (4 dim -> dim).</summary>
public sealed class GptMlp : __Module
{
    private readonly __Modules.Linear c_fc;
    private readonly __Modules.Linear c_proj;

    public GptMlp(long dim) : base(""MLP"")
    {
        this.c_fc = __nn.Linear(inputSize: dim, outputSize: 4 * dim);
        this.c_proj = __nn.Linear(inputSize: 4 * dim, outputSize: dim);
        RegisterComponents();
    }

    public override __Tensor forward(__Tensor input)
    {
        using var __scope = global::TorchSharp.torch.NewDisposeScope();
        return __scope.MoveToOuter(this.c_proj.forward(__F.gelu(this.c_fc.forward(input))));
    }
}";
}
