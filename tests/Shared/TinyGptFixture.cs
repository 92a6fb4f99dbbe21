using MotivationDsl;
using MotivationDsl.Blocks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MotivationDsl.Testing;

// TEST FIXTURE, not a model family users declare: a hand-written GPT pair (a ScalableModelDefinition without the generator)
// in nanoGPT's layout, built from the runtime's CausalDecoderBlock, for the language-model task, trainer, text loader and
// the CLI's sample command.
// State_dict keys are nanoGPT's (transformer.wte, transformer.wpe, transformer.h.N.{ln_1, attn.c_attn, attn.c_proj, attn.bias,
// ln_2, mlp.c_fc, mlp.c_proj}, transformer.ln_f, lm_head); attn.bias is the causal-mask buffer nanoGPT registers when
// PyTorch has no flash attention (torch < 2.0, as Debian's 1.13). The head is not tied to the token embedding.

/// <summary>nanoGPT's <c>transformer</c> container: wte, wpe, h, ln_f.</summary>
internal sealed class TinyGptTransformer : nn.Module
{
    public readonly Embedding wte;
    public readonly Embedding wpe;
    public readonly ModuleList<CausalDecoderBlock> h;
    public readonly LayerNorm ln_f;

    public TinyGptTransformer(int vocabulary, int context, int embedding, int heads, int layers) : base("transformer")
    {
        wte = nn.Embedding(vocabulary, embedding);
        wpe = nn.Embedding(context, embedding);
        h = nn.ModuleList(Enumerable.Range(0, layers).Select(_ => new CausalDecoderBlock(embedding, heads, context)).ToArray());
        ln_f = nn.LayerNorm(embedding);
        RegisterComponents();
    }
}

/// <summary>The GPT: token ids [B, T] (T up to the context) -> logits [B, T, vocabulary]; nanoGPT's initialisation.</summary>
internal sealed class TinyGpt : nn.Module<Tensor, Tensor>
{
    private readonly TinyGptTransformer transformer;
    private readonly Linear lm_head;
    private readonly int _context;

    public TinyGpt(int vocabulary, int context, int embedding, int heads, int layers) : base("GPT")
    {
        transformer = new TinyGptTransformer(vocabulary, context, embedding, heads, layers);
        lm_head = nn.Linear(embedding, vocabulary, hasBias: false);
        _context = context;
        RegisterComponents();
        using var _ = no_grad();
        foreach (var (name, p) in named_parameters())
        {
            if (name.EndsWith(".bias", StringComparison.Ordinal) && !name.Contains(".ln_") && !name.Contains("ln_f")) p.zero_();
            else if (name.EndsWith("c_proj.weight", StringComparison.Ordinal)) nn.init.normal_(p, 0, 0.02 / Math.Sqrt(2 * layers));
            else if (!name.Contains("ln_")) nn.init.normal_(p, 0, 0.02);
        }
    }

    public override Tensor forward(Tensor idx)
    {
        using var scope = NewDisposeScope();
        var t = idx.shape[1];
        if (t > _context) throw new ArgumentException($"Cannot forward a sequence of length {t}: the context length is {_context}.");
        var pos = arange(t, ScalarType.Int64, idx.device);
        var x = transformer.wte.call(idx) + transformer.wpe.call(pos);
        foreach (var block in transformer.h) x = block.call(x);
        return lm_head.call(transformer.ln_f.call(x)).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// TEST FIXTURE: a byte-level GPT depth pair (vocabulary 256) in nanoGPT's layout, base d{baseDepth} -> motivated
/// d{motivatedDepth}; the map sends base block i to motivated block i (the extra blocks start random, the paper's rule) and
/// every other tensor to the same tensor. <see cref="ScalableModelDefinition.ModelTask"/> is <see cref="ModelTask.LanguageModel"/>.
/// </summary>
internal sealed class TinyGptFixtureDefinition : ScalableModelDefinition
{
    public const int Vocabulary = 256;
    private readonly (string Name, int Depth)[] _variants;

    public TinyGptFixtureDefinition(string name = "Tests.TinyGptFixture", int baseDepth = 1, int motivatedDepth = 2, int context = 16, int embedding = 32, int heads = 4)
    {
        Name = name;
        Context = context;
        Embedding = embedding;
        Heads = heads;
        _variants = [($"d{baseDepth}", baseDepth), ($"d{motivatedDepth}", motivatedDepth)];
        BaseVariant = _variants[0].Name;
        MotivatedVariant = _variants[1].Name;
        Variants = _variants.Select(v => Info(v.Name, v.Depth)).ToArray();
        Map = BuildMap();
    }

    public int Context { get; }
    public int Embedding { get; }
    public int Heads { get; }
    public override string Name { get; }
    public override ModelTask ModelTask => ModelTask.LanguageModel;
    public override Type ModelType => typeof(TinyGpt);
    public override IReadOnlyList<VariantInfo> Variants { get; }
    public override string BaseVariant { get; }
    public override string MotivatedVariant { get; }
    public override WeightsMap Map { get; }
    public override string ManifestJson => "{}";

    protected override nn.Module<Tensor, Tensor> CreateModule(string variant) =>
        new TinyGpt(Vocabulary, Context, Embedding, Heads, _variants.Single(v => v.Name == variant).Depth);

    /// <summary>MACs of one sequence of the full context: per block T(12 C^2 + 2 T C) (projections, and the whole T x T score and value products as computed), plus the head T C V.</summary>
    public long MacsPerSequence(int depth) =>
        (long)depth * Context * (12L * Embedding * Embedding + 2L * Context * Embedding) + (long)Context * Embedding * Vocabulary;

    private VariantInfo Info(string name, int depth)
    {
        using var m = new TinyGpt(Vocabulary, Context, Embedding, Heads, depth);
        var tensors = new List<TensorInfo>();
        foreach (var (n, p) in m.named_parameters()) tensors.Add(new TensorInfo(n, TensorKind.Parameter, p.shape));
        foreach (var (n, b) in m.named_buffers()) tensors.Add(new TensorInfo(n, TensorKind.Buffer, b.shape));
        return new VariantInfo(name, tensors.Where(t => t.Kind == TensorKind.Parameter).Sum(t => t.Elements), MacsPerSequence(depth), [Context], Vocabulary, tensors);
    }

    private WeightsMap BuildMap()
    {
        var motivated = Variants[1].Tensors.ToDictionary(t => t.Name);
        var entries = Variants[0].Tensors.Select(t =>
        {
            var m = motivated[t.Name];
            return new MapEntry(t.Name, m.Name, t.Kind, t.Shape, m.Shape, new TensorRegion(t.Shape.Select(n => new DimRange(0, n)).ToArray()));
        }).ToList();
        return new WeightsMap(BaseVariant, MotivatedVariant, entries);
    }
}
