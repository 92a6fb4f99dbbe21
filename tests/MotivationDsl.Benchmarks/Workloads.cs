using MotivationDsl.Data;
using MotivationDsl.Examples.ResNetCifar;
using MotivationDsl.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MotivationDsl.Benchmarks;

internal static class Workloads
{
    public static ScalableModelDefinition ResNet => ResNetCifar.Definition;

    /// <summary>
    /// The first <paramref name="samples"/> Fashion-MNIST training images (Debian's dataset, else the embedded sample)
    /// as CIFAR-shaped input: [0,1], normalised, zero-padded 28 -> 32 and repeated to 3 channels; file order, no
    /// shuffle, so every consumer sees the same batches.
    /// </summary>
    public static (TensorDataLoader Loader, string Source) FashionAsCifar(int samples, int batch, int size = 32)
    {
        using var ds = Datasets.FashionMnist();
        var (train, _) = ds;
        var n = (int)Math.Min(samples, train.Count);
        using var scope = NewDisposeScope();
        var x = train.Images.narrow(0, 0, n).to(ScalarType.Float32).div_(255).sub_(0.2860).div_(0.3530);
        var pad = (size - 28) / 2;
        if (size >= 28) x = nn.functional.pad(x, [pad, size - 28 - pad, pad, size - 28 - pad]);
        else x = nn.functional.interpolate(x, [size, size], mode: InterpolationMode.Bilinear, align_corners: false);
        x = x.expand(n, 3, size, size).contiguous();
        var y = train.Labels.narrow(0, 0, n).clone();
        x.MoveToOuterDisposeScope(); y.MoveToOuterDisposeScope();
        return (new TensorDataLoader(x, y, batch, shuffleSeed: null, dropLast: true), ds.Source);
    }
}
