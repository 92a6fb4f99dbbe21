using static TorchSharp.torch;

namespace MotivationDsl.Training;

/// <summary>
/// What the trainer optimises and measures for one kind of model: the batch loss, correct predictions, and how an
/// evaluation is summarised. <see cref="ClassificationTask"/> (the default) and <see cref="LanguageModelTask"/>.
/// </summary>
public interface ITrainingTask
{
    ModelTask Kind { get; }

    /// <summary>The batch loss: the mean over every prediction of the batch (the value the motivation condition sees).</summary>
    Tensor Loss(Tensor output, Tensor target);

    /// <summary>Predictions in a batch, the weight of its loss in a mean: samples for classification, target tokens for a language model. Read from shapes only (no sync).</summary>
    long Predictions(Tensor input, Tensor target);

    /// <summary>Correct predictions of the batch as an int64 scalar on the device (no sync), or null when the output has no accuracy.</summary>
    Tensor? Correct(Tensor output, Tensor target);

    /// <summary>Tokens per input sample: the model's context length for a language model, 0 for a non-sequence task (the FLOPs-per-token divisor).</summary>
    long TokensPerSample(VariantInfo model);

    /// <summary>An evaluation from its mean loss and accuracy per prediction (NaN accuracy when not measured).</summary>
    EvalResult Evaluation(double meanLoss, double accuracy, long samples, long predictions);
}

/// <summary>Picks the training task of a model.</summary>
public static class TrainingTasks
{
    /// <summary>
    /// The task of <paramref name="definition"/>'s <see cref="ScalableModelDefinition.ModelTask"/>: classification (with
    /// <paramref name="loss"/> when given) or next-token language modelling over its vocabulary.
    /// </summary>
    public static ITrainingTask For(ScalableModelDefinition definition, Func<Tensor, Tensor, Tensor>? loss = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return definition.ModelTask switch
        {
            ModelTask.Classification => new ClassificationTask(loss),
            ModelTask.LanguageModel when loss is not null =>
                throw new ArgumentException($"TrainerOptions.Loss replaces the classification loss only; '{definition.Name}' is a language model (its loss is the next-token cross entropy). Give a TrainerOptions.TrainingTask instead."),
            ModelTask.LanguageModel => LanguageModelTask.For(definition.GetVariant(definition.BaseVariant)),
            var other => throw new ArgumentException($"'{definition.Name}' declares the task {other}, which the trainer does not know."),
        };
    }
}
