using MotivationDsl.Data;
using MotivationDsl.Training;
using static TorchSharp.torch;

namespace MotivationDsl.Cli;

/// <summary>
/// The text data of a language-model run: a byte-level English corpus (<see cref="TextCorpora"/>: Debian's python3-doc
/// when installed, else the embedded sample; <c>--data sample</c>, or a text file or folder of <c>*.txt</c>) cut into
/// windows of the model's context length by <see cref="TokenWindowLoader"/> (training: a seeded order per epoch; test: the
/// held-out split in file order). <c>--train-limit</c> and <c>--test-limit</c> count windows.
/// </summary>
internal sealed class TextRunData : IRunData
{
    private readonly TextCorpus _corpus;
    private readonly int _context;
    private readonly int? _trainLimit, _testLimit;

    private TextRunData(TextCorpus corpus, int context, int? trainLimit, int? testLimit)
    {
        _corpus = corpus;
        _context = context;
        _trainLimit = trainLimit;
        _testLimit = testLimit;
    }

    public static TextRunData Load(string? data, int? trainLimit, int? testLimit, VariantInfo model)
    {
        if (model.Classes != TextCorpus.ByteVocabulary || model.InputShape.Length != 1)
            throw new CliException($"The CLI's text data is byte level (a vocabulary of {TextCorpus.ByteVocabulary}); variant '{model.Name}' has a vocabulary of {model.Classes}.");
        TextCorpus corpus;
        try
        {
            corpus = data switch
            {
                null => TextCorpora.English(),
                "sample" or "embedded" => TextCorpora.EnglishSample(),
                _ when !File.Exists(data) && !Directory.Exists(data) =>
                    throw new CliException($"Text data '{data}' not found (--data PATH: a text file or a folder of *.txt files; or --data sample)."),
                _ => TextCorpora.English(data),
            };
        }
        catch (DatasetFormatException e) { throw new CliException(e.Message); }
        var result = new TextRunData(corpus, model.InputShape[0], trainLimit, testLimit);
        try
        {
            // Built once here so that a corpus too short for the context fails before the run starts, naming both.
            _ = result.Windows(corpus.Train, 1, 0, shuffle: true, trainLimit, "training");
            _ = result.Windows(corpus.HeldOut, 1, 0, shuffle: false, testLimit, "held-out");
        }
        catch
        {
            result.Dispose();
            throw;
        }
        return result;
    }

    public string Description
    {
        get
        {
            var train = Windows(_corpus.Train, 1, 0, true, _trainLimit, "training");
            var test = Windows(_corpus.HeldOut, 1, 0, false, _testLimit, "held-out");
            return $"{_corpus.Name} from {_corpus.Source}: {_corpus.TrainBytes:N0} training / {_corpus.HeldOutBytes:N0} held-out bytes; " +
                   $"{train.WindowCount:N0} training and {test.WindowCount:N0} held-out windows of {_context} bytes";
        }
    }

    public string DatasetLabel => $"{_corpus.Name}, {(_corpus.IsEmbeddedSample ? "embedded sample" : _corpus.Source)}";

    public IDataLoader TrainLoader(int batchSize, long seed, bool augment, Device device)
    {
        if (augment) throw new CliException("--augment applies to image data; a language model trains on text windows.");
        return Adapt(Windows(_corpus.Train, batchSize, seed, shuffle: true, _trainLimit, "training", device));
    }

    public IDataLoader TestLoader(int batchSize, Device device) =>
        Adapt(Windows(_corpus.HeldOut, batchSize, 0, shuffle: false, _testLimit, "held-out", device));

    private TokenWindowLoader Windows(Tensor bytes, int batchSize, long seed, bool shuffle, int? limit, string split, Device? device = null)
    {
        try
        {
            return new TokenWindowLoader(bytes, new TokenWindowOptions
            {
                ContextLength = _context, BatchSize = batchSize, Shuffle = shuffle, Seed = seed, MaxWindows = limit,
                Device = device is { type: not TorchSharp.DeviceType.CPU } ? device : null,
            });
        }
        catch (ArgumentException e)
        {
            throw new CliException($"{_corpus.Name}: the {split} split is too short for the model's context of {_context} bytes ({e.Message})");
        }
    }

    private static IDataLoader Adapt(TokenWindowLoader loader) =>
        new DelegateDataLoader(loader.BatchCount, e => loader.Batches(e).Select(b => (b.Input, b.Target)));

    public void Dispose() => _corpus.Dispose();
}
