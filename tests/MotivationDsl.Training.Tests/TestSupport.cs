using System.Runtime.CompilerServices;
using MotivationDsl;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace MotivationDsl.Training.Tests;

internal static class TestSetup
{
    [ModuleInitializer]
    internal static void Init() => torch.set_num_threads(1);
}

internal static class Synthetic
{
    /// <summary>Four classes, each a fixed random template plus noise: separable, learnable in a few epochs.</summary>
    public static (TensorDataLoader Train, TensorDataLoader Test) Data(int train = 256, int test = 128, int batch = 16, long seed = 7)
    {
        using var g = new Generator((ulong)seed);
        using var templates = randn([TinyDefinition.NumClasses, 3, TinyDefinition.Size, TinyDefinition.Size], generator: g);
        (Tensor, Tensor) Make(int n)
        {
            var y = randint(0, TinyDefinition.NumClasses, [n], generator: g);
            using var noise = randn([n, 3, TinyDefinition.Size, TinyDefinition.Size], generator: g);
            using var t = templates.index_select(0, y);
            return (t + noise * 0.8, y);
        }
        var (xtr, ytr) = Make(train);
        var (xte, yte) = Make(test);
        return (new TensorDataLoader(xtr, ytr, batch, shuffleSeed: seed), new TensorDataLoader(xte, yte, 64));
    }
}

internal static class Snap
{
    public static Dictionary<string, Tensor> State(nn.Module m)
    {
        var d = new Dictionary<string, Tensor>();
        foreach (var (n, p) in m.named_parameters()) d[n] = p.detach().clone();
        foreach (var (n, b) in m.named_buffers()) d["buffer:" + n] = b.clone();
        return d;
    }

    public static Dictionary<string, Tensor> Optimizer(Optimizers.MotivationOptimizer o)
    {
        var d = new Dictionary<string, Tensor>();
        foreach (var p in o.ParameterNames)
        {
            foreach (var s in o.StateNames) d[$"{p}/{s}"] = o.GetState(p, s).clone();
            d[$"{p}/step"] = tensor(o.GetStep(p));
        }
        return d;
    }

    public static void AssertBitwiseEqual(Dictionary<string, Tensor> a, Dictionary<string, Tensor> b)
    {
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        foreach (var (k, t) in a)
            Assert.True(Bitwise(t, b[k]), $"'{k}' differs");
    }

    public static bool Bitwise(Tensor a, Tensor b)
    {
        if (a.dtype != b.dtype || !a.shape.SequenceEqual(b.shape)) return false;
        using var x = a.detach().cpu().contiguous();
        using var y = b.detach().cpu().contiguous();
        return x.bytes.SequenceEqual(y.bytes);
    }
}
