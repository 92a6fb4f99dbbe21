using MotivationDsl;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MotivationDsl.Testing;

// A tiny hand-written width+depth pair, shared (linked) by the trainer tests and the benchmarks:
// stem conv 3->w, BN, d residual blocks, linear; base w4 d1 -> motivated w8 d2 (prefix slices and last-to-last depth).
/// <summary>conv-BN-relu-conv-BN + skip, relu.</summary>
internal sealed class TinyBlock : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d bn2;

    public TinyBlock(int c) : base("TinyBlock")
    {
        conv1 = nn.Conv2d(c, c, 3, padding: 1, bias: false);
        bn1 = nn.BatchNorm2d(c);
        conv2 = nn.Conv2d(c, c, 3, padding: 1, bias: false);
        bn2 = nn.BatchNorm2d(c);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = nn.functional.relu(bn1.call(conv1.call(x)));
        y = bn2.call(conv2.call(y));
        return nn.functional.relu(y + x).MoveToOuterDisposeScope();
    }
}

/// <summary>stem conv(3->w) + BN + relu, d residual blocks of width w, global average pool, linear(w->classes).</summary>
internal sealed class TinyResNet : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d stem;
    private readonly BatchNorm2d bn;
    private readonly ModuleList<TinyBlock> blocks;
    private readonly Linear fc;

    public TinyResNet(int width, int depth, int classes) : base("TinyResNet")
    {
        stem = nn.Conv2d(3, width, 3, padding: 1, bias: false);
        bn = nn.BatchNorm2d(width);
        blocks = nn.ModuleList(Enumerable.Range(0, depth).Select(_ => new TinyBlock(width)).ToArray());
        fc = nn.Linear(width, classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = nn.functional.relu(bn.call(stem.call(x)));
        foreach (var b in blocks) y = b.call(y);
        return fc.call(y.mean([2, 3])).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// Hand-written definition of a tiny CNN pair: width by prefix slices, depth by LastToLast (base blocks 0..l-2 to the
/// same motivated blocks, the base's last block to the motivated last block), BN buffers incl. num_batches_tracked.
/// </summary>
internal sealed class TinyDefinition : ScalableModelDefinition
{
    public const int Size = 8;
    public const int NumClasses = 4;
    private readonly (string Name, int W, int D)[] _variants;
    private readonly WeightsMap _map;

    public TinyDefinition(string name = "Tests.TinyResNet", int baseWidth = 4, int baseDepth = 1, int motivatedWidth = 8, int motivatedDepth = 2,
        string? motivatedVariant = null)
    {
        Name = name;
        _variants = [($"w{baseWidth}d{baseDepth}", baseWidth, baseDepth), (motivatedVariant ?? $"w{motivatedWidth}d{motivatedDepth}", motivatedWidth, motivatedDepth)];
        BaseVariant = _variants[0].Name;
        MotivatedVariant = _variants[1].Name;
        Variants = _variants.Select(v => Info(v.Name, v.W, v.D)).ToArray();
        _map = BuildMap(baseDepth, motivatedDepth);
    }

    public override string Name { get; }
    public override Type ModelType => typeof(TinyResNet);
    public override IReadOnlyList<VariantInfo> Variants { get; }
    public override string BaseVariant { get; }
    public override string MotivatedVariant { get; }
    public override WeightsMap Map => _map;
    public override string ManifestJson => "{}";

    protected override nn.Module<Tensor, Tensor> CreateModule(string variant)
    {
        var v = _variants.Single(x => x.Name == variant);
        return new TinyResNet(v.W, v.D, NumClasses);
    }

    private static VariantInfo Info(string name, int w, int d)
    {
        using var m = new TinyResNet(w, d, NumClasses);
        var tensors = new List<TensorInfo>();
        foreach (var (n, p) in m.named_parameters()) tensors.Add(new TensorInfo(n, TensorKind.Parameter, p.shape));
        foreach (var (n, b) in m.named_buffers()) tensors.Add(new TensorInfo(n, TensorKind.Buffer, b.shape));
        long hw = Size * Size;
        var macs = 9L * 3 * w * hw + d * 2 * 9L * w * w * hw + (long)w * NumClasses;
        return new VariantInfo(name, tensors.Where(t => t.Kind == TensorKind.Parameter).Sum(t => t.Elements), macs, [3, Size, Size], NumClasses, tensors);
    }

    private WeightsMap BuildMap(int baseDepth, int motivatedDepth)
    {
        var b = Variants[0];
        var m = Variants[1].Tensors.ToDictionary(t => t.Name);
        var entries = new List<MapEntry>();
        foreach (var t in b.Tensors)
        {
            var name = t.Name;
            if (name.StartsWith("blocks.", StringComparison.Ordinal))
            {
                var rest = name["blocks.".Length..];
                var i = int.Parse(rest[..rest.IndexOf('.')]);
                var j = i == baseDepth - 1 ? motivatedDepth - 1 : i;
                name = $"blocks.{j}{rest[rest.IndexOf('.')..]}";
            }
            var mt = m[name];
            entries.Add(new MapEntry(t.Name, name, t.Kind, t.Shape, mt.Shape, new TensorRegion(t.Shape.Select(n => new DimRange(0, n)).ToArray())));
        }
        return new WeightsMap(BaseVariant, MotivatedVariant, entries);
    }
}

