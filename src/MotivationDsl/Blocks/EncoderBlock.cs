using TorchSharp;
using static TorchSharp.torch;

namespace MotivationDsl.Blocks;

/// <summary>
/// A pre-norm transformer encoder block (<c>Block.Encoder</c>) as torchvision's ViT EncoderBlock:
/// <c>x = x + attn(ln_1(x))</c>, <c>x = x + mlp(ln_2(x))</c>; LayerNorm eps 1e-6, MLP <c>mlp.0</c>-GELU-dropout-<c>mlp.3</c>-dropout,
/// dropout and attention dropout 0. Input and output <c>[batch, tokens, dim]</c>.
/// </summary>
public sealed class EncoderBlock : nn.Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.LayerNorm ln_1;
    private readonly SelfAttention self_attention;
    private readonly TorchSharp.Modules.LayerNorm ln_2;
    private readonly TorchSharp.Modules.Sequential mlp;

    /// <param name="dim">Token features.</param>
    /// <param name="heads">Attention heads (they divide <paramref name="dim"/>).</param>
    /// <param name="mlpDim">The MLP's hidden features.</param>
    public EncoderBlock(long dim, long heads, long mlpDim) : base(nameof(EncoderBlock))
    {
        ln_1 = nn.LayerNorm(normalized_shape: [dim], eps: 1e-6);
        self_attention = new SelfAttention(dim, heads);
        ln_2 = nn.LayerNorm(normalized_shape: [dim], eps: 1e-6);
        mlp = nn.Sequential(
            ("0", nn.Linear(inputSize: dim, outputSize: mlpDim)),
            ("1", nn.GELU()),
            ("2", nn.Dropout(0.0)),
            ("3", nn.Linear(inputSize: mlpDim, outputSize: dim)),
            ("4", nn.Dropout(0.0)));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = self_attention.forward(ln_1.forward(input)) + input;
        var y = mlp.forward(ln_2.forward(x));
        return scope.MoveToOuter(x + y);
    }

    /// <summary>This block as a layer list states it (<see cref="LayerList.Blocks"/>): its constructor and <c>Describe</c>.</summary>
    public static BlockDescription Of(long dim, long heads, long mlpDim) =>
        new(() => new EncoderBlock(dim, heads, mlpDim), m => Describe(m, dim, heads, mlpDim));

    /// <summary>This block's tensors and MACs (the constructor's arguments) added to <paramref name="m"/>.</summary>
    public static void Describe(VariantMetadataBuilder m, long dim, long heads, long mlpDim)
    {
        ArgumentNullException.ThrowIfNull(m);
        m.LayerNorm("ln_1");
        m.Parameter("self_attention.in_proj_weight", 3 * dim, dim);
        m.Parameter("self_attention.in_proj_bias", 3 * dim);
        m.Parameter("self_attention.out_proj.weight", dim, dim);
        m.Parameter("self_attention.out_proj.bias", dim);
        m.LayerNorm("ln_2");
        m.Parameter("mlp.0.weight", mlpDim, dim);
        m.Parameter("mlp.0.bias", mlpDim);
        m.Parameter("mlp.3.weight", dim, mlpDim);
        m.Parameter("mlp.3.bias", dim);
        // q/k/v and output projections, the two attention products (tokens x tokens x dim each), the MLP.
        m.AddMacs(m.Tokens * dim * 4 * dim + 2 * m.Tokens * m.Tokens * dim + 2 * m.Tokens * dim * mlpDim);
    }
}

/// <summary>
/// Multi-head self-attention in torch.nn.MultiheadAttention's parameter layout: <c>in_proj_weight [3d, d]</c> (q, k, v
/// stacked), <c>in_proj_bias [3d]</c>, <c>out_proj</c> (Linear d -> d). Input and output <c>[batch, tokens, d]</c>.
/// Initialised as PyTorch: xavier-uniform in_proj_weight, zero biases, default Linear weight.
/// </summary>
public sealed class SelfAttention : nn.Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.Parameter in_proj_weight;
    private readonly TorchSharp.Modules.Parameter in_proj_bias;
    private readonly TorchSharp.Modules.Linear out_proj;

    public SelfAttention(long dim, long heads) : base(nameof(SelfAttention))
    {
        in_proj_weight = new TorchSharp.Modules.Parameter(empty(3 * dim, dim));
        in_proj_bias = new TorchSharp.Modules.Parameter(zeros(3 * dim));
        out_proj = nn.Linear(inputSize: dim, outputSize: dim);
        using (no_grad())
        {
            nn.init.xavier_uniform_(in_proj_weight);
            out_proj.bias!.zero_();
        }
        Heads = heads;
        RegisterComponents();
    }

    /// <summary>Attention heads.</summary>
    public long Heads { get; }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        long n = input.shape[0], l = input.shape[1], d = input.shape[2], dh = d / Heads;
        var w = get_parameter("in_proj_weight")!;
        var qkv = nn.functional.linear(input, w, get_parameter("in_proj_bias")!).chunk(3, -1);
        var q = qkv[0].reshape(n, l, Heads, dh).transpose(1, 2);
        var k = qkv[1].reshape(n, l, Heads, dh).transpose(1, 2);
        var v = qkv[2].reshape(n, l, Heads, dh).transpose(1, 2);
        var scores = q.matmul(k.transpose(-2, -1)) / Math.Sqrt(dh);
        var a = softmax(scores, -1);
        var o = a.matmul(v).transpose(1, 2).reshape(n, l, d);
        return scope.MoveToOuter(out_proj.forward(o));
    }
}
