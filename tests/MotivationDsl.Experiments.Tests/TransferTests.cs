using MotivationDsl.Data;
using MotivationDsl.Training;
using MotivationDsl.Training.Conditions;
using MotivationDsl.Training.Optimizers;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace MotivationDsl.Experiments.Tests;

public sealed class TransferTests
{
    private static readonly Normalization Norm = new([0.3f], [0.3f]);

    /// <summary>Pre-trains TinyNet (4 classes) on classes 0-1 only, as the paper's transfer setting in miniature, and saves a trainer checkpoint.</summary>
    private static string Pretrain(string dir)
    {
        using var all = Synthetic.Make(128, 5);
        using var pre = all.WhereClasses([0, 1], relabel: false);
        var options = new TrainerOptions { Optimizer = new SgdOptions(0.05, Momentum: 0.9), Condition = new ConsecutiveDecrease(1), Seed = 3 };
        using var trainer = MotivationTrainer.Create(TinyNet.Definition, options, CPU);
        var loader = new DataLoader(pre, new DataLoaderOptions { BatchSize = 16, Seed = 3, Normalize = Norm });
        trainer.Fit(loader, null, 3);
        var path = Path.Combine(dir, "pre.mdckpt");
        trainer.SaveCheckpoint(path);
        return path;
    }

    [Fact]
    public void LoadsEverythingButTheHeadAndLearnsTheNewClasses()
    {
        var dir = Synthetic.TempDir();
        var ckpt = Pretrain(dir);
        var source = TransferLearning.ReadStateDict(ckpt, "base");

        // Fine-tune on classes 2-3 relabelled 0-1, with a fresh 2-way head.
        using var all = Synthetic.Make(128, 7);
        using var train = all.WhereClasses([2, 3]);
        using var testAll = Synthetic.Make(64, 8);
        using var test = testAll.WhereClasses([2, 3]);
        var result = FineTuning.Run(TinyNet2.Definition, source, train, test, Norm,
            new FineTuneOptions { Epochs = 4, BatchSize = 16, LearningRate = 0.05, Seed = 1 });

        Assert.Equal(["linear.weight", "linear.bias"], result.Load.SkippedHead);
        var target = TinyNet2.Definition.Create("Small");
        var expected = target.state_dict().Keys.Where(k => !k.StartsWith("linear.", StringComparison.Ordinal)).ToHashSet();
        Assert.Equal(expected, result.Load.Loaded.ToHashSet());
        Assert.Equal(["linear.bias", "linear.weight"], result.Load.UnusedSource.Order());   // the old 4-way head
        Assert.True(result.BaseAccuracy >= 0.9, $"fine-tuned accuracy {result.BaseAccuracy}");
        foreach (var t in source.Values) t.Dispose();
        Directory.Delete(dir, true);
    }

    [Fact]
    public void BackboneTensorsAreCopiedExactlyAndTheHeadIsLeftAlone()
    {
        var dir = Synthetic.TempDir();
        var source = TransferLearning.ReadStateDict(Pretrain(dir), "base");
        using var pair = TinyNet2.Definition.CreatePair(CPU, 11);
        var headBefore = pair.Base.state_dict()["linear.weight"].clone();
        TransferLearning.LoadIntoPair(pair, source);
        var state = pair.Base.state_dict();
        Assert.True(state["layer2.0.conv1.weight"].allclose(source["layer2.0.conv1.weight"], 0, 0));
        Assert.True(state["bn1.running_var"].allclose(source["bn1.running_var"], 0, 0));
        Assert.True(state["linear.weight"].allclose(headBefore, 0, 0));
        // The motivated model got the backbone through the weights map (base's last block -> motivated last block).
        Assert.True(pair.Motivated.state_dict()["layer2.2.conv1.weight"].allclose(source["layer2.1.conv1.weight"], 0, 0));
        Directory.Delete(dir, true);
    }

    [Fact]
    public void PyTorchPickleAndSafetensorsLoadThroughTheNameMap()
    {
        var dir = Synthetic.TempDir();
        var source = TransferLearning.ReadStateDict(Pretrain(dir), "base");
        // A PyTorch state dict as DataParallel + torchvision would name it: "module." prefix, head called "fc".
        var py = source.ToDictionary(kv => "module." + (kv.Key.StartsWith("linear.", StringComparison.Ordinal) ? "fc." + kv.Key[7..] : kv.Key), kv => kv.Value);
        var pt = Path.Combine(dir, "resnet.pth");
        PyTorchPickler.PickleStateDict(pt, py);
        var st = Path.Combine(dir, "resnet.safetensors");
        Safetensors.SaveStateDict(st, source);

        var fromPt = TransferLearning.ReadStateDict(pt);
        using var a = TinyNet2.Definition.Create("Small");
        var report = TransferLearning.LoadBackbone(a, fromPt, NameMap.TorchvisionResNet);
        Assert.Equal(a.state_dict().Count - 2, report.Loaded.Count);
        Assert.True(a.state_dict()["layer1.0.bn2.weight"].allclose(source["layer1.0.bn2.weight"], 0, 0));

        using var b = TinyNet2.Definition.Create("Small");
        var fromSt = TransferLearning.ReadStateDict(st);
        Assert.Equal(b.state_dict().Count - 2, TransferLearning.LoadBackbone(b, fromSt).Loaded.Count);

        // Without the "module." rule a missing backbone is an error that names the tensors.
        using var c = TinyNet2.Definition.Create("Small");
        var e = Assert.Throws<ArgumentException>(() => TransferLearning.LoadBackbone(c, fromPt, NameMap.Identity));
        Assert.Contains("conv1.weight", e.Message);
        Assert.Contains("--rename", e.Message);
        Directory.Delete(dir, true);
    }
}
