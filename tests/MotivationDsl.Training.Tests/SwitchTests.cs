using MotivationDsl.Training.Conditions;
using MotivationDsl.Training.Optimizers;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace MotivationDsl.Training.Tests;

/// <summary>A condition that follows a script: motivated for the next batch when script(epoch, batch) is true.</summary>
internal sealed class Scripted(Func<int, int, bool> script) : IMotivationCondition
{
    public string Name => "scripted";
    public bool Update(in BatchSignal s) => script(s.Epoch, s.Batch);
    public void OnEpochEnd(int epoch) { }
    public void Reset() { }
    public JsonObject SaveState() => new();
    public void LoadState(JsonObject state) { }
}

public class SwitchTests
{
    public static TheoryData<string> Optimizers => new() { "sgd", "adamw", "rmsprop" };

    private static OptimizerOptions Opt(string kind) => kind switch
    {
        "sgd" => new SgdOptions(0.05, Momentum: 0.9, WeightDecay: 5e-4),
        "adamw" => new AdamOptions(1e-3, WeightDecay: 0.05, Decoupled: true),
        _ => new RmsPropOptions(1e-3, Momentum: 0.9, Centered: true),
    };

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void Switching_there_and_back_without_a_step_leaves_the_base_bitwise_equal(string kind)
    {
        var (train, _) = Synthetic.Data(train: 64);
        using var __ = train;
        // Motivated on some batches, so both optimizers have non-trivial state and different step counts.
        using var trainer = MotivationTrainer.Create(new TinyDefinition(), new TrainerOptions
        {
            Optimizer = Opt(kind), Condition = new Scripted((e, b) => b is 0 or 1), Seed = 5,
        });
        trainer.Fit(train, null, 1);
        var model = Snap.State(trainer.Pair.Base);
        var opt = Snap.Optimizer(trainer.BaseOptimizer);

        trainer.SwitchToMotivated();
        Assert.Equal(ModelRole.Motivated, trainer.Active);
        // The motivated model now holds the base's weights, buffers and optimizer state in the mapped regions.
        foreach (var e in trainer.Pair.Map.Entries)
        {
            Assert.True(Snap.Bitwise(e.Base, e.MotivatedRegion), e.Entry.ToString());
            if (e.Entry.Kind != TensorKind.Parameter) continue;
            Assert.Equal(trainer.BaseOptimizer.GetStep(e.Entry.BaseName), trainer.MotivatedOptimizer.GetStep(e.Entry.MotivatedName));
            foreach (var s in trainer.BaseOptimizer.StateNames)
            {
                using var region = MotivationDsl.WeightsMap.RegionView(trainer.MotivatedOptimizer.GetState(e.Entry.MotivatedName, s), e.Entry.Region);
                Assert.True(Snap.Bitwise(trainer.BaseOptimizer.GetState(e.Entry.BaseName, s), region), $"{s} of {e.Entry.BaseName}");
            }
        }
        trainer.SwitchToBase();
        Snap.AssertBitwiseEqual(model, Snap.State(trainer.Pair.Base));
        Snap.AssertBitwiseEqual(opt, Snap.Optimizer(trainer.BaseOptimizer));
        Assert.Equal(1, trainer.Accounting.SwitchesToMotivated - trainer.Accounting.SwitchesToBase + 1);
    }

    private sealed class DifferentialProbe : TrainerCallback
    {
        public Dictionary<string, Tensor>? AtEpoch0End;
        public Dictionary<string, Tensor>? AtEpoch2Switch;
        public Dictionary<string, Tensor>? BaseAtEpoch0End;
        public Dictionary<string, Tensor>? BaseAtEpoch2Switch;

        private static bool Differential(string name) => name.StartsWith("blocks.0.", StringComparison.Ordinal);

        private static Dictionary<string, Tensor> Take(MotivationTrainer t)
        {
            var all = Snap.State(t.Pair.Motivated).Where(kv => Differential(kv.Key.Replace("buffer:", ""))).ToDictionary();
            foreach (var (k, v) in Snap.Optimizer(t.MotivatedOptimizer)) if (Differential(k)) all["opt:" + k] = v;
            return all;
        }

        public override void OnSwitch(MotivationTrainer t, in SwitchEvent e)
        {
            if (e.Forced && e.Epoch == 0) { AtEpoch0End = Take(t); BaseAtEpoch0End = Snap.State(t.Pair.Base); }
            if (e.Direction == MapDirection.BaseToMotivated && e.Epoch == 2 && AtEpoch2Switch is null)
            {
                AtEpoch2Switch = Take(t);
                BaseAtEpoch2Switch = Snap.State(t.Pair.Base);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void Differential_parameters_keep_values_and_optimizer_state_between_activations(string kind)
    {
        var (train, _) = Synthetic.Data(train: 64);
        using var __ = train;
        var probe = new DifferentialProbe();
        // Epoch 0: motivated for batches 1-3; epoch 1: never; epoch 2: motivated from batch 2 on.
        using var trainer = MotivationTrainer.Create(new TinyDefinition(), new TrainerOptions
        {
            Optimizer = Opt(kind), Condition = new Scripted((e, b) => e == 0 || (e == 2 && b >= 1)), Callbacks = [probe], Seed = 6,
        });
        trainer.Fit(train, null, 3);
        Assert.NotNull(probe.AtEpoch0End);
        Assert.NotNull(probe.AtEpoch2Switch);
        // Differential block (motivated blocks.0: the base's only block maps to the motivated LAST block) trained in epoch 0 ...
        Assert.True(probe.AtEpoch0End!["opt:blocks.0.conv1.weight/step"].item<long>() > 0);
        // ... and is untouched by the base-only epoch and by the switch in epoch 2.
        Snap.AssertBitwiseEqual(probe.AtEpoch0End, probe.AtEpoch2Switch!);
        // While the base did change in between.
        Assert.False(Snap.Bitwise(probe.BaseAtEpoch0End!["stem.weight"], probe.BaseAtEpoch2Switch!["stem.weight"]));
    }
}
