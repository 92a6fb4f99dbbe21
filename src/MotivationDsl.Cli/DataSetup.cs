using MotivationDsl.Data;
using MotivationDsl.Training;
using MotivationDsl.Training.Distributed;
using TorchSharp;
using static TorchSharp.torch;

namespace MotivationDsl.Cli;

/// <summary>The data of a run, whatever the model's task: a description and its training and test loaders.</summary>
internal interface IRunData : IDisposable
{
    /// <summary>One line: which dataset, from where, how much of it is used.</summary>
    string Description { get; }

    /// <summary>The dataset as report.json names it.</summary>
    string DatasetLabel { get; }

    IDataLoader TrainLoader(int batchSize, long seed, bool augment, Device device);

    IDataLoader TestLoader(int batchSize, Device device);
}

/// <summary>Picks the data of a run by the model's task: images for a classifier, byte-level text for a language model.</summary>
internal static class RunDatasets
{
    public static IRunData Load(ScalableModelDefinition definition, string? data, int? trainLimit, int? testLimit, VariantInfo model) =>
        definition.ModelTask == ModelTask.LanguageModel
            ? TextRunData.Load(data, trainLimit, testLimit, model)
            : RunData.Load(data, trainLimit, testLimit, model);
}

/// <summary>The image data of a run: the dataset (with limits applied, checked against the model) and its loaders.</summary>
internal sealed class RunData : IRunData
{
    private readonly DatasetPair _pair;
    private readonly ImageDataset _train, _test;

    private RunData(DatasetPair pair, ImageDataset train, ImageDataset test, string description)
    {
        _pair = pair;
        _train = train;
        _test = test;
        Description = description;
    }

    /// <summary>One line: which dataset, from where, how many images were used.</summary>
    public string Description { get; }
    public bool IsEmbeddedSample => _pair.IsEmbeddedSample;
    public ImageDataset Train => _train;
    public ImageDataset Test => _test;

    /// <summary>Loads <paramref name="data"/> (null: Fashion-MNIST, Debian folder else the embedded sample; "sample": the
    /// embedded sample; else a folder), applies the limits and checks images and labels against the model.</summary>
    public static RunData Load(string? data, int? trainLimit, int? testLimit, VariantInfo model)
    {
        DatasetPair pair;
        try
        {
            pair = data switch
            {
                null => Datasets.FashionMnist(),
                "sample" or "embedded" => Datasets.FashionMnistSample(),
                _ when !Directory.Exists(data) => throw new CliException($"Data folder '{data}' not found (--data DIR: a folder with Fashion-MNIST/MNIST IDX files or CIFAR-10/100 binaries; or --data sample)."),
                _ => Datasets.Load(data),
            };
        }
        catch (DatasetFormatException e) { throw new CliException(e.Message); }

        ImageDataset train = pair.Train, test = pair.Test;
        try
        {
            if (trainLimit is { } tl && tl < train.Count) train = train.Take(tl);
            if (testLimit is { } sl && sl < test.Count) test = test.Take(sl);
            if (train.Count == 0) throw new CliException($"{pair.Name} from '{pair.Source}': the training set has no images.");
            if (test.Count == 0) throw new CliException($"{pair.Name} from '{pair.Source}': the test set has no images.");
            var shape = model.InputShape;
            if (shape.Length != 3)
                throw new CliException($"The model's input shape {string.Join("x", shape)} is not an image shape (C x H x W); the CLI trains on image datasets.");
            train.EnsureCompatible(model.Classes, shape[0], shape[1], shape[2]);
            test.EnsureCompatible(model.Classes, shape[0], shape[1], shape[2]);
        }
        catch (DatasetFormatException e)
        {
            pair.Dispose();
            throw new CliException(e.Message);
        }
        catch
        {
            pair.Dispose();
            throw;
        }
        var source = pair.IsEmbeddedSample ? pair.Source : $"{pair.Source}";
        var description = $"{pair.Name} from {source}: {train.Count:N0} of {pair.Train.Count:N0} training and {test.Count:N0} of {pair.Test.Count:N0} test images";
        return new RunData(pair, train, test, description);
    }

    public string DatasetLabel => $"{_pair.Name}, {(_pair.IsEmbeddedSample ? "embedded sample" : _pair.Source)}";

    private Normalization NormalizationFor() => _pair.Name switch
    {
        "Fashion-MNIST" => Normalization.FashionMnist,
        "MNIST" => Normalization.Mnist,
        "CIFAR-10" => Normalization.Cifar10,
        "CIFAR-100" => Normalization.Cifar100,
        _ => Normalization.FromDataset(_pair.Train),
    };

    public IDataLoader TrainLoader(int batchSize, long seed, bool augment, Device device) =>
        new DataLoader(_train, new DataLoaderOptions
        {
            BatchSize = batchSize, Shuffle = true, Seed = seed,
            Normalize = NormalizationFor(),
            Augment = augment ? new Augmentation(2, true) : null,
            Device = device.type == DeviceType.CPU ? null : device,
        });

    public IDataLoader TestLoader(int batchSize, Device device) =>
        new DataLoader(_test, new DataLoaderOptions
        {
            BatchSize = batchSize, Shuffle = false, Normalize = NormalizationFor(),
            Device = device.type == DeviceType.CPU ? null : device,
        });

    public void Dispose()
    {
        if (!ReferenceEquals(_train, _pair.Train)) _train.Dispose();
        if (!ReferenceEquals(_test, _pair.Test)) _test.Dispose();
        _pair.Dispose();
    }
}

internal static class Devices
{
    /// <summary>"cpu", "cuda" or "cuda:N"; a clear error when CUDA is asked for but not available.</summary>
    public static Device Resolve(string name)
    {
        var lower = name.Trim().ToLowerInvariant();
        if (lower == "cpu") return CPU;
        if (lower == "cuda" || lower.StartsWith("cuda:", StringComparison.Ordinal))
        {
            if (!cuda.is_available())
                throw new CliException($"--device {name}: CUDA is not available (torch.cuda.is_available() is false: no GPU/driver, or this build uses the CPU-only LibTorch). Use --device cpu.");
            return torch.device(lower);
        }
        throw new CliException($"Unknown device '{name}'. Use cpu, cuda or cuda:N.");
    }
}
