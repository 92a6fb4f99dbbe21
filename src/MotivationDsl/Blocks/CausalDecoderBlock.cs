using TorchSharp;
using static TorchSharp.torch;

namespace MotivationDsl.Blocks;

/// <summary>
/// A pre-LayerNorm GPT-2 block (<c>Block.CausalDecoder</c>) in nanoGPT's layout: <c>x = x + attn(ln_1(x))</c>,
/// <c>x = x + mlp(ln_2(x))</c>; LayerNorm eps 1e-5, MLP <c>c_fc</c> (4 x width)-GELU-<c>c_proj</c>, no dropout.
/// </summary>
public sealed class CausalDecoderBlock : nn.Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.LayerNorm ln_1;
    private readonly CausalSelfAttention attn;
    private readonly TorchSharp.Modules.LayerNorm ln_2;
    private readonly GptMlp mlp;

    /// <param name="dim">Token features.</param>
    /// <param name="heads">Attention heads (they divide <paramref name="dim"/>).</param>
    /// <param name="context">The longest token sequence (the causal mask's size).</param>
    public CausalDecoderBlock(long dim, long heads, long context) : base(nameof(CausalDecoderBlock))
    {
        ln_1 = nn.LayerNorm(normalized_shape: [dim]);
        attn = new CausalSelfAttention(dim, heads, context);
        ln_2 = nn.LayerNorm(normalized_shape: [dim]);
        mlp = new GptMlp(dim);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = input + attn.forward(ln_1.forward(input));
        return scope.MoveToOuter(x + mlp.forward(ln_2.forward(x)));
    }

    /// <summary>This block as a layer list states it (<see cref="LayerList.Blocks"/>): its constructor and <c>Describe</c>.</summary>
    public static BlockDescription Of(long dim, long heads, long context) =>
        new(() => new CausalDecoderBlock(dim, heads, context), m => Describe(m, dim, heads, context));

    /// <summary>This block's tensors and MACs (the constructor's arguments) added to <paramref name="m"/>.</summary>
    public static void Describe(VariantMetadataBuilder m, long dim, long heads, long context)
    {
        ArgumentNullException.ThrowIfNull(m);
        m.Parameter("ln_1.weight", dim);
        m.Parameter("ln_1.bias", dim);
        m.Parameter("attn.c_attn.weight", 3 * dim, dim);
        m.Parameter("attn.c_attn.bias", 3 * dim);
        m.Parameter("attn.c_proj.weight", dim, dim);
        m.Parameter("attn.c_proj.bias", dim);
        m.Buffer("attn.bias", 1, 1, context, context);
        m.Parameter("ln_2.weight", dim);
        m.Parameter("ln_2.bias", dim);
        m.Parameter("mlp.c_fc.weight", 4 * dim, dim);
        m.Parameter("mlp.c_fc.bias", 4 * dim);
        m.Parameter("mlp.c_proj.weight", dim, 4 * dim);
        m.Parameter("mlp.c_proj.bias", dim);
        // Per token: q/k/v and output projections (4 dim^2), the MLP (8 dim^2); the two attention products.
        m.AddMacs(context * (12 * dim * dim + 2 * context * dim));
    }
}

/// <summary>
/// nanoGPT's CausalSelfAttention: fused <c>c_attn</c> (q, k, v stacked), <c>c_proj</c>, and the causal mask <c>bias</c>
/// [1, 1, context, context] (a buffer, as nanoGPT registers it where PyTorch has no flash attention). Input and output
/// <c>[batch, tokens, dim]</c>, tokens up to the context length.
/// </summary>
public sealed class CausalSelfAttention : nn.Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.Linear c_attn;
    private readonly TorchSharp.Modules.Linear c_proj;
    private readonly Tensor bias;

    public CausalSelfAttention(long dim, long heads, long context) : base(nameof(CausalSelfAttention))
    {
        c_attn = nn.Linear(inputSize: dim, outputSize: 3 * dim);
        c_proj = nn.Linear(inputSize: dim, outputSize: dim);
        bias = ones(context, context).tril().view(1, 1, context, context);
        Heads = heads;
        RegisterComponents();
    }

    /// <summary>Attention heads.</summary>
    public long Heads { get; }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        long n = input.shape[0], t = input.shape[1], d = input.shape[2], dh = d / Heads;
        var qkv = c_attn.forward(input).split(d, 2);
        var q = qkv[0].view(n, t, Heads, dh).transpose(1, 2);
        var k = qkv[1].view(n, t, Heads, dh).transpose(1, 2);
        var v = qkv[2].view(n, t, Heads, dh).transpose(1, 2);
        var scores = q.matmul(k.transpose(-2, -1)).mul(1.0 / Math.Sqrt(dh));
        var mask = bias.narrow(2, 0, t).narrow(3, 0, t).eq(0);
        var a = scores.masked_fill(mask, double.NegativeInfinity).softmax(-1);
        var o = a.matmul(v).transpose(1, 2).contiguous().view(n, t, d);
        return scope.MoveToOuter(c_proj.forward(o));
    }
}

/// <summary>nanoGPT's MLP: <c>c_fc</c> (dim -> 4 dim), exact GELU, <c>c_proj</c> (4 dim -> dim).</summary>
public sealed class GptMlp : nn.Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.Linear c_fc;
    private readonly TorchSharp.Modules.Linear c_proj;

    public GptMlp(long dim) : base("MLP")
    {
        c_fc = nn.Linear(inputSize: dim, outputSize: 4 * dim);
        c_proj = nn.Linear(inputSize: 4 * dim, outputSize: dim);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return scope.MoveToOuter(c_proj.forward(nn.functional.gelu(c_fc.forward(input))));
    }
}
