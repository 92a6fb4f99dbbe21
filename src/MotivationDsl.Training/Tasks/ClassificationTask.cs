using static TorchSharp.torch;

namespace MotivationDsl.Training;

/// <summary>Classification: [B, classes] logits against [B] int64 class indices; cross entropy unless another loss is given.</summary>
public sealed class ClassificationTask(Func<Tensor, Tensor, Tensor>? loss = null) : ITrainingTask
{
    private readonly Func<Tensor, Tensor, Tensor> _loss = loss ?? ((o, t) => nn.functional.cross_entropy(o, t));

    public ModelTask Kind => ModelTask.Classification;

    public Tensor Loss(Tensor output, Tensor target) => _loss(output, target);

    public long Predictions(Tensor input, Tensor target) => input.shape[0];

    /// <summary>argmax over the classes equals the target; null for outputs that are not [B, classes] against [B] int64.</summary>
    public Tensor? Correct(Tensor output, Tensor target) =>
        output.dim() == 2 && target.dim() == 1 && target.dtype == ScalarType.Int64 ? output.argmax(1).eq(target).sum() : null;

    public long TokensPerSample(VariantInfo model) => 0;

    public EvalResult Evaluation(double meanLoss, double accuracy, long samples, long predictions) => new(meanLoss, accuracy, samples);
}
