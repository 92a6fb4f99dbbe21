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
            _ = result.Windows(heldOut: false, 1, 0, shuffle: true, trainLimit);
            _ = result.Windows(heldOut: true, 1, 0, shuffle: false, testLimit);
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
            var train = Windows(heldOut: false, 1, 0, true, _trainLimit);
            var test = Windows(heldOut: true, 1, 0, false, _testLimit);
            return $"{_corpus.Name} from {_corpus.Source}: {_corpus.TrainBytes:N0} training / {_corpus.HeldOutBytes:N0} held-out bytes; " +
                   $"{train.WindowCount:N0} training and {test.WindowCount:N0} held-out windows of {_context} bytes";
        }
    }

    public string DatasetLabel => $"{_corpus.Name}, {(_corpus.IsEmbeddedSample ? "embedded sample" : _corpus.Source)}";

    public IDataLoader TrainLoader(int batchSize, long seed, bool augment, Device device)
    {
        if (augment) throw new CliException("--augment applies to image data; a language model trains on text windows.");
        return Windows(heldOut: false, batchSize, seed, shuffle: true, _trainLimit, device).AsDataLoader();
    }

    public IDataLoader TestLoader(int batchSize, Device device) =>
        Windows(heldOut: true, batchSize, 0, shuffle: false, _testLimit, device).AsDataLoader();

    private TokenWindowLoader Windows(bool heldOut, int batchSize, long seed, bool shuffle, int? limit, Device? device = null)
    {
        try
        {
            return _corpus.Windows(heldOut, new TokenWindowOptions
            {
                ContextLength = _context, BatchSize = batchSize, Shuffle = shuffle, Seed = seed, MaxWindows = limit,
                Device = device is { type: not TorchSharp.DeviceType.CPU } ? device : null,
            });
        }
        catch (ArgumentException e)
        {
            throw new CliException(e.Message);
        }
    }

    public void Dispose() => _corpus.Dispose();
}
