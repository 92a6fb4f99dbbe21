using MotivationDsl.Training.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MotivationDsl.Training.Tests;

public class OptimizerTests
{
    private static (Parameter[] Mine, Parameter[] Theirs, Tensor[][] Grads) Setup(int steps)
    {
        var g = new Generator(123);
        var shapes = new long[][] { [5, 3], [3], [2, 3, 3, 3] };
        var init = shapes.Select(s => randn(s, generator: g)).ToArray();
        var mine = init.Select(t => new Parameter(t.clone())).ToArray();
        var theirs = init.Select(t => new Parameter(t.clone())).ToArray();
        var grads = Enumerable.Range(0, steps).Select(_ => shapes.Select(s => randn(s, generator: g)).ToArray()).ToArray();
        return (mine, theirs, grads);
    }

    private static void SetGrads(Parameter[] ps, Tensor[] grads)
    {
        foreach (var p in ps) p.grad = null;
        // loss = sum(p * g) gives exactly grad = g
        var loss = ps.Zip(grads).Select(x => (x.First * x.Second).sum()).Aggregate((a, b) => a + b);
        loss.backward();
    }

    private static void Compare(Func<Parameter[], MotivationOptimizer> mine, Func<Parameter[], optim.Optimizer> theirs, int steps = 6)
    {
        var (a, b, grads) = Setup(steps);
        using var o1 = mine(a);
        var o2 = theirs(b);
        for (var s = 0; s < steps; s++)
        {
            SetGrads(a, grads[s]);
            o1.Step();
            SetGrads(b, grads[s]);
            o2.step();
        }
        for (var i = 0; i < a.Length; i++)
            Numerics.AssertClose(b[i], a[i], Numerics.Elementwise, $"parameter {i}");
    }

    private static IEnumerable<(string, Parameter)> Named(Parameter[] ps) => ps.Select((p, i) => ($"p{i}", p));

    [Theory]
    [InlineData(0.0, 0.0, 0.0, false)]
    [InlineData(0.9, 0.0, 5e-4, false)]
    [InlineData(0.9, 0.0, 5e-4, true)]
    [InlineData(0.9, 0.1, 0.0, false)]
    public void Sgd_matches_torch(double momentum, double dampening, double wd, bool nesterov) =>
        Compare(p => new SgdOptimizer(Named(p), 0.05, momentum, dampening, wd, nesterov),
            p => optim.SGD(p, 0.05, momentum, dampening, wd, nesterov));

    [Theory]
    [InlineData(0.0, false)]
    [InlineData(0.01, false)]
    [InlineData(0.01, true)]
    public void Adam_matches_torch(double wd, bool amsgrad) =>
        Compare(p => new AdamOptimizer(Named(p), 0.01, 0.9, 0.999, 1e-8, wd, decoupled: false, amsgrad),
            p => optim.Adam(p, 0.01, 0.9, 0.999, 1e-8, wd, amsgrad));

    [Theory]
    [InlineData(0.05, false)]
    [InlineData(0.05, true)]
    public void AdamW_matches_torch(double wd, bool amsgrad) =>
        Compare(p => AdamOptimizer.AdamW(Named(p), 0.01, 0.9, 0.999, 1e-8, wd, amsgrad),
            p => optim.AdamW(p, 0.01, 0.9, 0.999, 1e-8, wd, amsgrad));

    [Theory]
    [InlineData(0.0, 0.0, false)]
    [InlineData(0.9, 1e-4, false)]
    [InlineData(0.9, 0.0, true)]
    [InlineData(0.0, 1e-4, true)]
    public void RmsProp_matches_torch(double momentum, double wd, bool centered) =>
        Compare(p => new RmsPropOptimizer(Named(p), 0.01, 0.99, 1e-8, wd, momentum, centered),
            p => optim.RMSProp(p, 0.01, 0.99, 1e-8, wd, momentum, centered));

    [Fact]
    public void Step_counts_and_state_are_addressable_by_name()
    {
        var (a, _, grads) = Setup(2);
        using var o = new AdamOptimizer(Named(a));
        Assert.Equal(["exp_avg", "exp_avg_sq"], o.StateNames);
        Assert.Equal(0, o.GetStep("p1"));
        SetGrads(a, grads[0]);
        o.Step();
        Assert.Equal(1, o.GetStep("p1"));
        Assert.True(o.GetState("p1", "exp_avg").abs().sum().item<float>() > 0);
        Assert.Throws<KeyNotFoundException>(() => { o.GetStep("nope"); });
    }
}
