using System.Globalization;
using System.Text.Json;
using MotivationDsl.Cli;
using MotivationDsl.Training;
using MotivationDsl.Training.Conditions;
using MotivationDsl.Training.Distributed;
using MotivationDsl.Training.Optimizers;
using static TorchSharp.torch;

namespace MotivationDsl.Distributed.Tests;

/// <summary>
/// The program mpirun starts per rank (this test assembly is an executable): <c>cli ...</c> runs the CLI on this
/// assembly's models; <c>train ...</c> runs a small motivation training and writes <c>rank{r}.json</c> (the
/// per-step active models, losses and final tensors) into --out; <c>heap-probe</c> is <see cref="HeapProbe"/>.
/// </summary>
public static class Worker
{
    public static int Main(string[] args)
    {
        if (args is ["cli", .. var rest]) return MotivationCli.Run(rest, typeof(Worker).Assembly);
        if (args is ["train", .. var options]) return Train(Options.Parse(options));
        if (args is ["heap-probe", var policy]) return HeapProbe.Run(policy);
        Console.Error.WriteLine("error: usage: (cli ARGS | train --out DIR [--batch B] [--epochs E] [--bn] [--resume] [--fail-rank R --fail-epoch E] | heap-probe retain|system)");
        return 2;
    }

    private static int Train(Options o)
    {
        set_num_threads(1);
        using var world = Communicators.FromEnvironment();
        try
        {
            var definition = o.Flag("bn") ? TinyNorm.Definition : TinyNoNorm.Definition;
            using var data = SyntheticData.Create(train: 96, test: 64, batch: o.Int("batch", 16));
            var record = new StepRecorder();
            var checkpoints = Path.Combine(o.Text("out"), "checkpoints");
            var callbacks = new List<TrainerCallback> { record, new CheckpointCallback(checkpoints, keepLast: 10) };
            if (o.Has("fail-rank")) callbacks.Add(new FailAt(o.Int("fail-rank", 0), o.Int("fail-epoch", 1)));
            var options = new TrainerOptions
            {
                Optimizer = new SgdOptions(0.05, Momentum: 0.9, WeightDecay: 1e-4),
                Condition = new ConsecutiveDecrease(1), // switches often: every switch moves weights and momentum
                Seed = 3,
                Callbacks = callbacks,
                Communicator = world,
            };
            using var trainer = MotivationTrainer.Create(definition, options);
            if (o.Flag("resume")) trainer.LoadCheckpoint(CheckpointCallback.Latest(checkpoints) ?? throw new InvalidOperationException("no checkpoint to resume"));
            var report = trainer.Fit(data.Train, data.Test, o.Int("epochs", 2));
            var result = new Dictionary<string, object>
            {
                ["rank"] = world.Rank,
                ["size"] = world.Size,
                ["roles"] = record.Roles.ToString(),
                ["losses"] = record.Losses,
                ["switches"] = report.Accounting.Switches,
                ["testAccuracy"] = report.FinalBase?.Accuracy ?? double.NaN,
                ["tensors"] = Tensors(trainer),
            };
            File.WriteAllText(Path.Combine(o.Text("out"), $"rank{world.Rank}.json"), JsonSerializer.Serialize(result));
            return 0;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"error: rank {world.Rank} of {world.Size}: {e.Message}");
            Console.Error.Flush();
            if (world.Size > 1) world.Abort(1); // the other ranks wait in a collective: end them all
            return 1;
        }
    }

    private static Dictionary<string, float[]> Tensors(MotivationTrainer trainer)
    {
        var d = new Dictionary<string, float[]>();
        foreach (var (prefix, m) in new[] { ("base/", trainer.Pair.Base), ("motivated/", trainer.Pair.Motivated) })
        {
            foreach (var (n, p) in m.named_parameters()) d[prefix + n] = p.detach().contiguous().data<float>().ToArray();
            foreach (var (n, b) in m.named_buffers())
                if (b.is_floating_point()) d[prefix + n] = b.contiguous().data<float>().ToArray();
        }
        return d;
    }

    private sealed class StepRecorder : TrainerCallback
    {
        public System.Text.StringBuilder Roles { get; } = new();
        public List<double> Losses { get; } = [];
        public override void OnBatchEnd(MotivationTrainer trainer, in BatchResult result)
        {
            Roles.Append(result.Active == ModelRole.Base ? 'B' : 'M');
            Losses.Add(result.Loss);
        }
    }

    /// <summary>One rank fails at the start of an epoch (after the previous epoch's checkpoint).</summary>
    private sealed class FailAt(int rank, int epoch) : TrainerCallback
    {
        public override void OnEpochStart(MotivationTrainer trainer, int e)
        {
            if (trainer.Rank == rank && e == epoch) throw new IOException($"injected failure at the start of epoch {e}");
        }
    }

    private sealed class Options(Dictionary<string, string?> values)
    {
        public static Options Parse(string[] args)
        {
            var d = new Dictionary<string, string?>();
            for (var i = 0; i < args.Length; i++)
            {
                if (!args[i].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"unexpected argument '{args[i]}'");
                var hasValue = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal);
                d[args[i][2..]] = hasValue ? args[++i] : null;
            }
            return new Options(d);
        }

        public bool Has(string key) => values.ContainsKey(key);
        public bool Flag(string key) => values.ContainsKey(key);
        public string Text(string key) => values.TryGetValue(key, out var v) && v is not null ? v : throw new ArgumentException($"--{key} is required");
        public int Int(string key, int fallback) => values.TryGetValue(key, out var v) && v is not null ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
    }
}

/// <summary>Four classes, each a fixed random template plus noise (as the trainer tests' data).</summary>
internal sealed class SyntheticData : IDisposable
{
    public required TensorDataLoader Train { get; init; }
    public required TensorDataLoader Test { get; init; }

    public static SyntheticData Create(int train, int test, int batch, long seed = 7)
    {
        using var g = new Generator((ulong)seed);
        using var templates = randn([4, 3, 8, 8], generator: g);
        (Tensor, Tensor) Make(int n)
        {
            var y = randint(0, 4, [n], generator: g);
            using var noise = randn([n, 3, 8, 8], generator: g);
            using var t = templates.index_select(0, y);
            return (t + noise * 0.8, y);
        }
        var (xtr, ytr) = Make(train);
        var (xte, yte) = Make(test);
        return new SyntheticData { Train = new TensorDataLoader(xtr, ytr, batch, shuffleSeed: seed), Test = new TensorDataLoader(xte, yte, 32) };
    }

    public void Dispose()
    {
        Train.Dispose();
        Test.Dispose();
    }
}
