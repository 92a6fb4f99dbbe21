using System.Diagnostics;
using System.Globalization;
using MotivationDsl.Training;
using MotivationDsl.Training.Optimizers;
using TorchSharp;
using static TorchSharp.torch;

namespace MotivationDsl.Benchmarks;

/// <summary>
/// <c>profile</c>: where a ResNet-20 training step spends its time, in TorchSharp (our SGD and TorchSharp's optim.SGD) and in
/// PyTorch: forward with the loss, backward, optimizer step, timed separately with the same data, batch and threads.
/// Passes alternate between the sides so load changes hit both alike. Prints medians and the TorchSharp / PyTorch ratios.
/// </summary>
internal static class StepProfile
{
    public static int Run(Config c)
    {
        var py = PyTorch.Available(c);
        var def = Workloads.ResNet;
        var (loader, source) = Workloads.FashionAsCifar(c.Batch * c.Steps, c.Batch);
        using var _ = loader;
        manual_seed(1);
        using var model = def.Create(def.BaseVariant);
        model.train();
        var named = model.named_parameters().Select(p => (p.name, p.parameter)).ToList();
        using var ours = new SgdOptimizer(named, 0.1, momentum: 0.9, weightDecay: 5e-4);
        using var theirs = optim.SGD(named.Select(p => p.parameter), 0.1, momentum: 0.9, weight_decay: 5e-4);
        var sides = new Dictionary<string, Dictionary<string, List<double>>>();
        void Add(string side, string section, IEnumerable<double> xs)
        {
            if (!sides.TryGetValue(side, out var d)) sides[side] = d = new();
            if (!d.TryGetValue(section, out var l)) d[section] = l = new();
            l.AddRange(xs);
        }

        Pass(model, loader, () => ours.ZeroGrad(), () => ours.Step(), null);   // warm-up
        if (py.Ok) PyTorch.Sections(c, 1, 1);
        for (var r = 0; r < c.Repeats; r++)
        {
            foreach (var which in Enumerable.Range(0, 4).Select(i => (i + r) % 4))   // rotate the order between repeats
            {
                if (which == 3) Pass(model, loader, () => theirs.zero_grad(), () => ours.Step(), (s, v) => Add("TorchSharp + MotivationDsl SGD, grads zeroed in place", s, [v]));
                if (which == 0) Pass(model, loader, () => ours.ZeroGrad(), () => ours.Step(), (s, v) => Add("TorchSharp + MotivationDsl SGD", s, [v]));
                else if (which == 1) Pass(model, loader, () => theirs.zero_grad(), () => theirs.step(), (s, v) => Add("TorchSharp + optim.SGD", s, [v]));
                else if (py.Ok)
                    foreach (var (s, values) in PyTorch.Sections(c, c.Steps, 1)) Add("PyTorch " + py.Describe, s, values);
            }
            Console.Error.WriteLine($"  profile repeat {r + 1}/{c.Repeats}, load {Machine.LoadAverage()[0]:F1}");
        }

        Console.WriteLine($"ResNet-20, batch {c.Batch}, {c.Steps} steps x {c.Repeats} passes per side, threads {get_num_threads()}, data {source}; medians in ms");
        Console.WriteLine($"{"side",-48} {"forward",9} {"backward",9} {"step",9} {"total",9}");
        foreach (var (side, d) in sides)
        {
            var f = Spread.Of(d["forward"]).Median; var b = Spread.Of(d["backward"]).Median; var s = Spread.Of(d["step"]).Median;
            Console.WriteLine($"{side,-48} {f * 1e3,9:F1} {b * 1e3,9:F1} {s * 1e3,9:F2} {(f + b + s) * 1e3,9:F1}");
        }
        var pyKey = sides.Keys.FirstOrDefault(k => k.StartsWith("PyTorch", StringComparison.Ordinal));
        if (pyKey is not null)
            foreach (var side in sides.Keys.Where(k => k != pyKey))
                Console.WriteLine($"ratio {side} / PyTorch: " + string.Join("  ", new[] { "forward", "backward", "step" }.Select(s =>
                    $"{s} {(Spread.Of(sides[side][s]).Median / Spread.Of(sides[pyKey][s]).Median).ToString("F3", CultureInfo.InvariantCulture)}")));
        else Console.WriteLine($"PyTorch side skipped: {py.Describe}");
        return 0;
    }

    private static void Pass(nn.Module<Tensor, Tensor> model, IDataLoader loader, Action zeroGrad, Action step, Action<string, double>? record)
    {
        using var batches = loader.Batches(0).GetEnumerator();
        while (true)
        {
            using var scope = NewDisposeScope();
            if (!batches.MoveNext()) break;
            var (x, y) = batches.Current;
            zeroGrad();
            var t0 = Stopwatch.GetTimestamp();
            var loss = nn.functional.cross_entropy(model.call(x), y);
            var t1 = Stopwatch.GetTimestamp();
            loss.backward();
            var t2 = Stopwatch.GetTimestamp();
            step();
            var t3 = Stopwatch.GetTimestamp();
            _ = loss.item<float>();
            record?.Invoke("forward", Stopwatch.GetElapsedTime(t0, t1).TotalSeconds);
            record?.Invoke("backward", Stopwatch.GetElapsedTime(t1, t2).TotalSeconds);
            record?.Invoke("step", Stopwatch.GetElapsedTime(t2, t3).TotalSeconds);
        }
    }
}
