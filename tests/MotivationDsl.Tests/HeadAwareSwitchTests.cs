using MotivationDsl.Tests.Models;
using MotivationDsl.Training;
using MotivationDsl.Training.Conditions;
using MotivationDsl.Training.Optimizers;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MotivationDsl.Tests;

/// <summary>The trainer's switch moves optimizer state of head-aware (piecewise) map entries piece by piece.</summary>
public class HeadAwareSwitchTests
{
    [Fact]
    public void Switching_moves_momentum_of_fused_attention_weights_per_head_and_back_exactly()
    {
        torch.set_num_threads(1);
        var pair = TinyGrowingViT.Definition.CreatePair(null, 7); // 8 px, 4 classes; 2 -> 4 heads of 8 features, 2 -> 3 blocks
        using var trainer = new MotivationTrainer(pair, new TrainerOptions
        {
            Optimizer = new SgdOptions(0.01, Momentum: 0.9),
            Condition = new Never(),
            TrackTrainAccuracy = false,
        }, ownsPair: true);
        var data = new DelegateDataLoader(1, _ => [(randn(2, 3, 8, 8, generator: new Generator(3)), tensor(new long[] { 1, 3 }))]);
        trainer.Fit(data, null, epochs: 1);   // one base step: momentum buffers are non-zero

        var b = trainer.BaseOptimizer;
        var m = trainer.MotivatedOptimizer;
        var piecewise = pair.Map.Entries.Select(e => e.Entry).Where(e => e.Pieces is not null && e.Kind == TensorKind.Parameter).ToList();
        Assert.NotEmpty(piecewise);
        var before = piecewise.SelectMany(e => b.StateNames.Select(s => (e, s, b.GetState(e.BaseName, s).clone()))).ToList();
        Assert.Contains(before, x => x.Item3.abs().sum().item<float>() > 0);

        trainer.SwitchToMotivated();
        foreach (var (e, s, baseState) in before)
        {
            var motivatedState = m.GetState(e.MotivatedName, s);
            foreach (var piece in e.Pieces!)
            {
                using var expected = WeightsMap.RegionView(baseState, piece.Base);
                using var actual = WeightsMap.RegionView(motivatedState, piece.Motivated);
                Assert.True(expected.allclose(actual, rtol: 0, atol: 0), $"{e.BaseName} {s} piece {piece}");
            }
        }

        trainer.SwitchToBase();
        foreach (var (e, s, baseState) in before)
            Assert.True(baseState.allclose(b.GetState(e.BaseName, s), rtol: 0, atol: 0), $"{e.BaseName} {s} changed by a round trip");
    }
}
