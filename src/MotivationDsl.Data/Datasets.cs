using System.Reflection;

namespace MotivationDsl.Data;

/// <summary>A train/test pair of one dataset, with a description of where it came from.</summary>
public sealed record DatasetPair(string Name, ImageDataset Train, ImageDataset Test, string Source) : IDisposable
{
    /// <summary>True when the data is the small sample embedded in this assembly rather than the full dataset.</summary>
    public bool IsEmbeddedSample { get; init; }

    public void Deconstruct(out ImageDataset train, out ImageDataset test)
    {
        train = Train;
        test = Test;
    }

    public void Dispose()
    {
        Train.Dispose();
        Test.Dispose();
    }

    public override string ToString() => $"{Name}: {Train.Count} train / {Test.Count} test images, from {Source}";
}

/// <summary>Loaders for the datasets the project uses.</summary>
public static class Datasets
{
    /// <summary>Where Debian's dataset-fashion-mnist package installs the IDX files.</summary>
    public const string DefaultFashionMnistDir = "/usr/share/datasets/fashion-mnist";

    public static IReadOnlyList<string> FashionMnistClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    public static IReadOnlyList<string> Cifar10ClassNames { get; } =
        ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

    public static IReadOnlyList<string> MnistClassNames { get; } = Enumerable.Range(0, 10).Select(i => i.ToString()).ToArray();

    /// <summary>Number of images per class in the embedded sample (train, test).</summary>
    public const int SampleTrainPerClass = 300, SampleTestPerClass = 100;

    public const string SampleDescription =
        "embedded sample (3,000 train / 1,000 test images of Fashion-MNIST, 300 / 100 per class; MIT licence, Copyright (c) 2017 Zalando SE)";

    private static readonly string[] IdxStems = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    /// <summary>
    /// Fashion-MNIST. With <paramref name="dir"/> null: the Debian folder <see cref="DefaultFashionMnistDir"/> when it
    /// holds the four files, else the embedded sample (see <see cref="DatasetPair.Source"/>). With a folder given, its
    /// files are required.
    /// </summary>
    public static DatasetPair FashionMnist(string? dir = null) => FashionMnist(dir, DefaultFashionMnistDir);

    internal static DatasetPair FashionMnist(string? dir, string defaultDir)
    {
        if (dir is null)
        {
            if (Directory.Exists(defaultDir) && IdxStems.All(s => FindIdx(defaultDir, s) is not null))
                return LoadIdx(defaultDir, "Fashion-MNIST", FashionMnistClassNames);
            return FashionMnistSample(Directory.Exists(defaultDir) ? $"{defaultDir} does not hold the four IDX files" : $"{defaultDir} not found");
        }
        return LoadIdx(dir, "Fashion-MNIST", FashionMnistClassNames);
    }

    /// <summary>The embedded, class-balanced Fashion-MNIST sample (always available, no files needed).</summary>
    public static DatasetPair FashionMnistSample() => FashionMnistSample(null);

    private static DatasetPair FashionMnistSample(string? why)
    {
        var asm = typeof(Datasets).Assembly;
        ImageDataset Load(string imagesStem, string labelsStem, string split)
        {
            var imgName = $"{imagesStem}.gz";
            var labName = $"{labelsStem}.gz";
            var images = IdxReader.ReadImages(OpenResource(asm, imgName), $"embedded:{imgName}");
            var labels = IdxReader.ReadLabels(OpenResource(asm, labName), $"embedded:{labName}");
            return FromIdx(images, labels, $"{SampleDescription}, {split}", FashionMnistClassNames, $"embedded:{imgName}", $"embedded:{labName}");
        }
        var source = why is null ? SampleDescription : $"{SampleDescription}; {why}";
        return new DatasetPair("Fashion-MNIST", Load(IdxStems[0], IdxStems[1], "train"), Load(IdxStems[2], IdxStems[3], "test"), source)
        { IsEmbeddedSample = true };
    }

    private static Stream OpenResource(Assembly asm, string file)
        => asm.GetManifestResourceStream($"MotivationDsl.Data.Samples.{file}")
           ?? throw new DatasetFormatException($"embedded:{file}", $"embedded:{file}: resource missing from {asm.GetName().Name}.");

    /// <summary>MNIST (same IDX files and names as Fashion-MNIST).</summary>
    public static DatasetPair Mnist(string dir) => LoadIdx(dir, "MNIST", MnistClassNames);

    /// <summary>Any folder with the four MNIST-style IDX files (raw or .gz).</summary>
    public static DatasetPair LoadIdx(string dir, string name, IReadOnlyList<string>? classNames = null)
    {
        RequireFolder(dir, name, IdxStems.Select(s => s + "[.gz]"));
        var paths = IdxStems.Select(s => FindIdx(dir, s)).ToArray();
        if (paths.Any(p => p is null))
        {
            var missing = IdxStems.Where((s, i) => paths[i] is null).Select(s => $"{s} or {s}.gz");
            throw new DatasetFormatException(dir,
                $"{dir}: missing {name} files: expected {string.Join(", ", missing)} in folder {dir}.");
        }
        ImageDataset Load(string img, string lab, string split)
        {
            var images = IdxReader.ReadImages(img);
            var labels = IdxReader.ReadLabels(lab);
            return FromIdx(images, labels, $"{dir} ({split})", classNames, img, lab);
        }
        return new DatasetPair(name, Load(paths[0]!, paths[1]!, "train"), Load(paths[2]!, paths[3]!, "test"), dir);
    }

    private static ImageDataset FromIdx(IdxImages images, byte[] labels, string source, IReadOnlyList<string>? classNames,
                                        string imagesFile, string labelsFile)
    {
        if (images.Count != labels.Length)
            throw new DatasetFormatException(imagesFile,
                $"{imagesFile}: {images.Count} images but {labelsFile} has {labels.Length} labels; the counts must match.");
        int classes = classNames?.Count ?? (labels.Length == 0 ? 0 : labels.Max() + 1);
        var ds = ImageDataset.FromBytes(images.Pixels, labels, 1, images.Rows, images.Cols, classes, source, classNames, imagesFile, labelsFile);
        try { ds.EnsureLabelsWithin(classes); }
        catch { ds.Dispose(); throw; }
        return ds;
    }

    private static string? FindIdx(string dir, string stem)
    {
        // Accept the canonical names and the dotted variant some mirrors use (train-images.idx3-ubyte).
        int dash = stem.IndexOf("-idx", StringComparison.Ordinal);
        string dotted = stem[..dash] + "." + stem[(dash + 1)..];
        foreach (var n in new[] { stem + ".gz", stem, dotted + ".gz", dotted })
        {
            var p = Path.Combine(dir, n);
            if (File.Exists(p)) return p;
        }
        return null;
    }

    /// <summary>CIFAR-10 binary version: data_batch_1..5.bin and test_batch.bin (or a cifar-10-batches-bin subfolder).</summary>
    public static DatasetPair Cifar10(string dir)
    {
        var files = Cifar10Files;
        RequireFolder(dir, "CIFAR-10", files);
        dir = Resolve(dir, "cifar-10-batches-bin", files[0]);
        RequireFiles(dir, "CIFAR-10", files);
        var names = ReadNames(Path.Combine(dir, "batches.meta.txt"), 10) ?? Cifar10ClassNames;
        var train = ReadCifar(files.Take(5).Select(f => Path.Combine(dir, f)).ToArray(), CifarKind.Cifar10, false, $"{dir} (train)", names);
        var test = ReadCifar([Path.Combine(dir, "test_batch.bin")], CifarKind.Cifar10, false, $"{dir} (test)", names);
        return new DatasetPair("CIFAR-10", train, test, dir);
    }

    /// <summary>CIFAR-100 binary version: train.bin and test.bin (or a cifar-100-binary subfolder). Fine labels (100 classes) unless <paramref name="coarseLabels"/> (20 superclasses).</summary>
    public static DatasetPair Cifar100(string dir, bool coarseLabels = false)
    {
        string[] files = ["train.bin", "test.bin"];
        RequireFolder(dir, "CIFAR-100", files);
        dir = Resolve(dir, "cifar-100-binary", files[0]);
        RequireFiles(dir, "CIFAR-100", files);
        int classes = CifarReader.ClassCount(CifarKind.Cifar100, coarseLabels);
        var names = ReadNames(Path.Combine(dir, coarseLabels ? "coarse_label_names.txt" : "fine_label_names.txt"), classes);
        var train = ReadCifar([Path.Combine(dir, "train.bin")], CifarKind.Cifar100, coarseLabels, $"{dir} (train)", names);
        var test = ReadCifar([Path.Combine(dir, "test.bin")], CifarKind.Cifar100, coarseLabels, $"{dir} (test)", names);
        return new DatasetPair(coarseLabels ? "CIFAR-100 (coarse)" : "CIFAR-100", train, test, dir);
    }

    private static readonly string[] Cifar10Files =
        ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"];

    /// <summary>
    /// Loads whatever dataset <paramref name="dir"/> holds, detected from its file names: the four IDX files
    /// (Fashion-MNIST when the folder name contains "fashion", else MNIST), CIFAR-10 batches, or CIFAR-100 train/test.bin.
    /// Null: <see cref="FashionMnist(string?)"/> (the Debian folder, else the embedded sample).
    /// </summary>
    public static DatasetPair Load(string? dir = null)
    {
        if (dir is null) return FashionMnist();
        RequireFolder(dir, "dataset", ["an MNIST/Fashion-MNIST, CIFAR-10 or CIFAR-100 file set"]);
        if (IdxStems.Any(s => FindIdx(dir, s) is not null))
            return dir.Contains("fashion", StringComparison.OrdinalIgnoreCase) ? FashionMnist(dir) : Mnist(dir);
        if (File.Exists(Path.Combine(dir, "data_batch_1.bin")) || File.Exists(Path.Combine(dir, "test_batch.bin"))
            || Directory.Exists(Path.Combine(dir, "cifar-10-batches-bin")))
            return Cifar10(dir);
        if (File.Exists(Path.Combine(dir, "train.bin")) || Directory.Exists(Path.Combine(dir, "cifar-100-binary")))
            return Cifar100(dir);
        throw new DatasetFormatException(dir,
            $"{dir}: no known dataset found: expected {string.Join(", ", IdxStems.Select(s => s + "[.gz]"))} (MNIST / Fashion-MNIST), " +
            $"or {string.Join(", ", Cifar10Files)} (CIFAR-10), or train.bin, test.bin (CIFAR-100) in folder {dir}.");
    }

    private static void RequireFolder(string dir, string name, IEnumerable<string> files)
    {
        if (!Directory.Exists(dir))
            throw new DatasetFormatException(dir,
                $"{dir}: folder not found; expected {name} files {string.Join(", ", files)} in folder {dir}.");
    }

    private static void RequireFiles(string dir, string name, IEnumerable<string> files)
    {
        var missing = files.Where(f => !File.Exists(Path.Combine(dir, f))).ToArray();
        if (missing.Length > 0)
            throw new DatasetFormatException(dir,
                $"{dir}: missing {name} files: expected {string.Join(", ", missing)} in folder {dir}.");
    }

    private static string Resolve(string dir, string sub, string probe)
        => !File.Exists(Path.Combine(dir, probe)) && Directory.Exists(Path.Combine(dir, sub)) ? Path.Combine(dir, sub) : dir;

    private static IReadOnlyList<string>? ReadNames(string path, int count)
    {
        if (!File.Exists(path)) return null;
        var names = File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
        return names.Length == count ? names : null;
    }

    private static ImageDataset ReadCifar(string[] files, CifarKind kind, bool coarse, string source, IReadOnlyList<string>? names)
    {
        var parts = files.Select(f => CifarReader.Read(f, kind, coarse)).ToArray();
        int n = parts.Sum(p => p.Count);
        var pixels = new byte[(long)n * CifarReader.ImageBytes];
        var labels = new byte[n];
        long off = 0; int lo = 0;
        foreach (var p in parts)
        {
            Buffer.BlockCopy(p.Pixels, 0, pixels, (int)off, p.Pixels.Length);
            Buffer.BlockCopy(p.Labels, 0, labels, lo, p.Count);
            off += p.Pixels.Length; lo += p.Count;
        }
        string imagesFile = files.Length == 1 ? files[0] : $"{Path.GetDirectoryName(files[0])}/{{{string.Join(",", files.Select(Path.GetFileName))}}}";
        return ImageDataset.FromBytes(pixels, labels, 3, 32, 32, CifarReader.ClassCount(kind, coarse), source, names, imagesFile, imagesFile);
    }
}
