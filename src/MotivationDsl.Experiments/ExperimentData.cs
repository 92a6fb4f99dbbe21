using MotivationDsl.Data;
using MotivationDsl.Training;

namespace MotivationDsl.Experiments;

/// <summary>
/// The data of an experiment: the loaders its jobs train and evaluate on. <see cref="ImageExperimentData"/> for a
/// classifier, <see cref="TextExperimentData"/> for a language model; the trainer picks the loss and metrics from the
/// model's task (<see cref="TrainingTasks.For"/>), so both run through the same jobs.
/// </summary>
public abstract class ExperimentData
{
    /// <summary>Training samples per epoch (images, or windows of the context length): the unit of the equal-compute budgets.</summary>
    public abstract long TrainSamples { get; }

    /// <summary>The training batches of a job, in the seed's order (the same on resume).</summary>
    public abstract IDataLoader TrainLoader(ExperimentConfig config, long seed);

    /// <summary>The test (held-out) batches, in file order.</summary>
    public abstract IDataLoader TestLoader();
}

/// <summary>Training and test images (already subset) and the normalisation.</summary>
public sealed class ImageExperimentData(ImageDataset train, ImageDataset test, Normalization normalize) : ExperimentData
{
    public ImageDataset Train { get; } = train ?? throw new ArgumentNullException(nameof(train));
    public ImageDataset Test { get; } = test ?? throw new ArgumentNullException(nameof(test));
    public Normalization Normalize { get; } = normalize;

    public override long TrainSamples => Train.Count;

    public override IDataLoader TrainLoader(ExperimentConfig config, long seed)
    {
        var aug = config.CropPadding > 0 || config.HorizontalFlip ? new Augmentation(config.CropPadding, config.HorizontalFlip) : null;
        return new DataLoader(Train, new DataLoaderOptions
        {
            BatchSize = config.BatchSize, Shuffle = true, Seed = seed, Normalize = Normalize, Augment = aug,
        });
    }

    public override IDataLoader TestLoader() =>
        new DataLoader(Test, new DataLoaderOptions { BatchSize = 500, Shuffle = false, Normalize = Normalize });
}

/// <summary>
/// Byte-level text for a language model: non-overlapping windows of the context length over the corpus's training split
/// (<see cref="TokenWindowLoader"/>: a seeded order and offset per epoch; with a window limit, every epoch takes the first
/// windows of its own order, so epochs see different text) and the held-out split in file order. The corpus is not owned.
/// </summary>
public sealed class TextExperimentData : ExperimentData
{
    private readonly TextCorpus _corpus;

    /// <param name="trainWindows">Training windows per epoch (null: every window of the split).</param>
    /// <param name="testWindows">Held-out windows evaluated (null: all), the first ones in file order.</param>
    public TextExperimentData(TextCorpus corpus, int contextLength, int? trainWindows, int? testWindows)
    {
        _corpus = corpus ?? throw new ArgumentNullException(nameof(corpus));
        ContextLength = contextLength;
        TrainWindows = trainWindows;
        TestWindows = testWindows;
        // Built once so that a split too short for the context fails here, before any job starts.
        TrainSamples = Windows(heldOut: false, 1, 0, shuffle: true, trainWindows).WindowCount;
        HeldOutWindows = Windows(heldOut: true, 1, 0, shuffle: false, testWindows).WindowCount;
    }

    public int ContextLength { get; }
    public int? TrainWindows { get; }
    public int? TestWindows { get; }
    public override long TrainSamples { get; }
    /// <summary>Held-out windows one evaluation covers.</summary>
    public long HeldOutWindows { get; }

    /// <summary>What the configuration's <see cref="ExperimentConfig.Data"/> says about this data.</summary>
    public string Description =>
        $"{_corpus.Name} from {_corpus.Source}, byte level: {_corpus.TrainBytes:N0} training / {_corpus.HeldOutBytes:N0} held-out bytes " +
        $"(the last {_corpus.HeldOutFraction:P0}); {TrainSamples:N0} training windows per epoch (a seeded subset of the split each epoch) " +
        $"and {HeldOutWindows:N0} held-out windows of {ContextLength} bytes";

    public override IDataLoader TrainLoader(ExperimentConfig config, long seed) =>
        Windows(heldOut: false, config.BatchSize, seed, shuffle: true, TrainWindows).AsDataLoader();

    public override IDataLoader TestLoader() => Windows(heldOut: true, 64, 0, shuffle: false, TestWindows).AsDataLoader();

    private TokenWindowLoader Windows(bool heldOut, int batchSize, long seed, bool shuffle, int? limit) =>
        _corpus.Windows(heldOut, new TokenWindowOptions
        {
            ContextLength = ContextLength, BatchSize = batchSize, Shuffle = shuffle, Seed = seed, MaxWindows = limit,
        });
}
