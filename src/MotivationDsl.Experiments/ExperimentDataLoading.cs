using MotivationDsl.Data;

namespace MotivationDsl.Experiments;

/// <summary>The data of a <c>run</c>, loaded for the model's task, with what the configuration records about it; disposing frees it.</summary>
public sealed class LoadedExperimentData(ExperimentData data, string description, IDisposable owner) : IDisposable
{
    public ExperimentData Data { get; } = data;
    /// <summary>Source and subset, for <see cref="ExperimentConfig.Data"/> (hashed).</summary>
    public string Description { get; } = description;
    public void Dispose() => owner.Dispose();
}

public static class ExperimentDataLoading
{
    /// <summary>
    /// Images for a classifier (<paramref name="dataDir"/> or Fashion-MNIST, class-balanced limits) or byte-level text for a
    /// language model (<paramref name="dataDir"/>: a text file or folder of *.txt, or "sample"; null: python3-doc's text when
    /// installed, else the embedded sample; limits count windows of the model's context length).
    /// </summary>
    public static LoadedExperimentData Load(ScalableModelDefinition def, ExperimentConfig config, string? dataDir)
    {
        if (def.ModelTask == ModelTask.LanguageModel) return LoadText(def, config, dataDir);
        var pair = ExperimentCli.LoadData(dataDir);
        var train = ExperimentCli.Limit(pair.Train, config.TrainLimit);
        var test = ExperimentCli.Limit(pair.Test, config.TestLimit);
        var norm = Normalization.FromDataset(train);
        if (pair.Train.Source.Contains("fashion", StringComparison.OrdinalIgnoreCase) || dataDir is null) norm = Normalization.FashionMnist;
        return new LoadedExperimentData(new ImageExperimentData(train, test, norm),
            $"{pair.Train.Source} (train {train.Count} images, test {test.Count} images, balanced first-N per class)", pair);
    }

    private static LoadedExperimentData LoadText(ScalableModelDefinition def, ExperimentConfig config, string? dataDir)
    {
        var model = def.GetVariant(def.BaseVariant);
        if (model.Classes != TextCorpus.ByteVocabulary || model.InputShape.Length != 1)
            throw new ArgumentException($"The experiment runner's text data is byte level (a vocabulary of {TextCorpus.ByteVocabulary}); {def.Name} variant {model.Name} has a vocabulary of {model.Classes}.");
        if (config.CropPadding > 0 || config.HorizontalFlip)
            throw new ArgumentException("--crop and --flip apply to images; a language model trains on text windows.");
        var corpus = dataDir switch
        {
            null => TextCorpora.English(),
            "sample" or "embedded" => TextCorpora.EnglishSample(),
            _ => TextCorpora.Load(dataDir),
        };
        try
        {
            var text = new TextExperimentData(corpus, model.InputShape[0], config.TrainLimit, config.TestLimit);
            return new LoadedExperimentData(text, text.Description, corpus);
        }
        catch
        {
            corpus.Dispose();
            throw;
        }
    }
}
