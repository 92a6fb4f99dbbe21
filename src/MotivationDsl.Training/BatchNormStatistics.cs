using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MotivationDsl.Training;

/// <summary>
/// Re-estimates the running statistics of a model's BatchNorm layers from data, like PyTorch's
/// <c>torch.optim.swa_utils.update_bn</c>: the statistics are reset, the model runs forward in training mode without
/// gradients over the batches, and every layer keeps the plain average of the batches' statistics (PyTorch's
/// <c>momentum = None</c>). Weights are not touched; the model's training/eval mode is restored afterwards.
/// </summary>
/// <remarks>
/// A motivated model needs this when its running statistics do not describe its own activations: the weights map
/// copies the base's statistics into it at every activation, and it trains on few batches before the next switch.
/// </remarks>
public static class BatchNormStatistics
{
    /// <summary>The model's BatchNorm layers that track running statistics.</summary>
    public static IReadOnlyList<BatchNorm> Layers(nn.Module model) =>
        model.modules().OfType<BatchNorm>().Where(b => b.running_mean is not null && b.running_var is not null).ToList();

    /// <summary>
    /// Re-estimates the statistics of every BatchNorm layer of <paramref name="model"/> from the first
    /// <paramref name="batches"/> batches of <paramref name="data"/> (its epoch-0 order); returns the number of layers
    /// re-estimated (0: the model has none, nothing ran).
    /// </summary>
    public static int Recalibrate(nn.Module<Tensor, Tensor> model, IDataLoader data, int batches, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        if (batches < 1) throw new ArgumentOutOfRangeException(nameof(batches), batches, "Re-estimating BatchNorm statistics needs at least one batch.");
        var layers = Layers(model);
        if (layers.Count == 0) return 0;
        var momenta = layers.Select(b => b.momentum).ToArray();
        var wasTraining = model.training;
        try
        {
            using var _ = no_grad();
            foreach (var b in layers)
            {
                b.running_mean!.zero_();
                b.running_var!.fill_(1);
                b.num_batches_tracked?.zero_();
            }
            model.train();
            var seen = 0;
            using (var all = data.Batches(0).GetEnumerator())
            {
                while (seen < batches)
                {
                    using var scope = NewDisposeScope();
                    if (!all.MoveNext()) break;
                    seen++;
                    // The n-th batch's statistics enter with weight 1/n: after n batches each layer holds their plain mean.
                    foreach (var b in layers) b.momentum = 1.0 / seen;
                    var input = all.Current.Input;
                    model.call(device is null || input.device == device ? input : input.to(device));
                }
            }
            if (seen == 0) throw new ArgumentException("The data for re-estimating BatchNorm statistics has no batches.", nameof(data));
        }
        finally
        {
            for (var i = 0; i < layers.Count; i++) layers[i].momentum = momenta[i];
            model.train(wasTraining);
        }
        return layers.Count;
    }
}
