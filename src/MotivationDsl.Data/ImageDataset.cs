using TorchSharp;
using static TorchSharp.torch;

namespace MotivationDsl.Data;

/// <summary>
/// An in-memory image classification dataset: <see cref="Images"/> is one N x C x H x W tensor (uint8 pixels as
/// read, or float), <see cref="Labels"/> one int64 tensor of N class indices. Owns its tensors (dispose it).
/// </summary>
public sealed class ImageDataset : IDisposable
{
    /// <summary>N x C x H x W, uint8 (0..255) or float32.</summary>
    public Tensor Images { get; }

    /// <summary>N class indices, int64.</summary>
    public Tensor Labels { get; }

    /// <summary>Number of classes of the label space (labels are 0..NumClasses-1).</summary>
    public int NumClasses { get; }

    /// <summary>Class names, when known (index = label).</summary>
    public IReadOnlyList<string>? ClassNames { get; }

    /// <summary>Where the data came from, for logs and reports (e.g. a folder, or "embedded sample ...").</summary>
    public string Source { get; }

    /// <summary>File the images were read from (used in error messages); null for derived or in-memory data.</summary>
    public string? ImagesFile { get; init; }

    /// <summary>File the labels were read from (used in error messages).</summary>
    public string? LabelsFile { get; init; }

    public ImageDataset(Tensor images, Tensor labels, int numClasses, string source, IReadOnlyList<string>? classNames = null)
    {
        if (images.dim() != 4)
            throw new ArgumentException($"images must be N x C x H x W, got shape [{string.Join(", ", images.shape)}].", nameof(images));
        if (labels.dim() != 1)
            throw new ArgumentException($"labels must be one-dimensional, got shape [{string.Join(", ", labels.shape)}].", nameof(labels));
        if (images.shape[0] != labels.shape[0])
            throw new DatasetFormatException(null, $"{source}: {images.shape[0]} images but {labels.shape[0]} labels.");
        if (images.dtype != ScalarType.Byte && images.dtype != ScalarType.Float32)
            throw new ArgumentException($"images must be uint8 or float32, got {images.dtype}.", nameof(images));
        if (classNames is not null && classNames.Count != numClasses)
            throw new ArgumentException($"{classNames.Count} class names for {numClasses} classes.", nameof(classNames));
        Images = images;
        Labels = labels.dtype == ScalarType.Int64 ? labels : labels.to_type(ScalarType.Int64);
        NumClasses = numClasses;
        Source = source;
        ClassNames = classNames;
    }

    /// <summary>Builds a dataset from raw uint8 pixels (N*C*H*W, channel-major per image) and byte labels.</summary>
    public static ImageDataset FromBytes(byte[] pixels, byte[] labels, int channels, int height, int width, int numClasses,
        string source, IReadOnlyList<string>? classNames = null, string? imagesFile = null, string? labelsFile = null)
    {
        long n = labels.Length;
        if (pixels.LongLength != n * channels * height * width)
        {
            long images = pixels.LongLength / ((long)channels * height * width);
            throw new DatasetFormatException(imagesFile,
                $"{imagesFile ?? source}: {images} images but {labelsFile ?? "the labels"} has {n} labels; the counts must match.");
        }
        var img = torch.tensor(pixels, new long[] { n, channels, height, width }, ScalarType.Byte);
        var lab = torch.tensor(labels, new long[] { n }, ScalarType.Byte).to_type(ScalarType.Int64);
        return new ImageDataset(img, lab, numClasses, source, classNames) { ImagesFile = imagesFile, LabelsFile = labelsFile };
    }

    public long Count => Images.shape[0];
    public int Channels => (int)Images.shape[1];
    public int Height => (int)Images.shape[2];
    public int Width => (int)Images.shape[3];

    /// <summary>Shape of one image, C x H x W.</summary>
    public (int Channels, int Height, int Width) ImageShape => (Channels, Height, Width);

    /// <summary>Labels as a managed array.</summary>
    public long[] LabelArray() => Labels.data<long>().ToArray();

    /// <summary>How many images each class has (index = label).</summary>
    public long[] ClassCounts()
    {
        using var _ = torch.NewDisposeScope();
        return torch.bincount(Labels, minlength: NumClasses).data<long>().ToArray();
    }

    /// <summary>
    /// Checks that this dataset fits a model with <paramref name="numClasses"/> outputs and input C x H x W.
    /// Throws <see cref="DatasetFormatException"/> naming the file, the offending label value and index, or both shapes.
    /// </summary>
    public void EnsureCompatible(int numClasses, int channels, int height, int width)
    {
        if (Channels != channels || Height != height || Width != width)
            throw new DatasetFormatException(ImagesFile,
                $"{ImagesFile ?? Source}: image shape {Channels}x{Height}x{Width} (CxHxW) does not match the model's input shape {channels}x{height}x{width}.");
        EnsureLabelsWithin(numClasses);
    }

    /// <summary>Checks every label is in 0..numClasses-1; the message names the first bad label value and its index.</summary>
    public void EnsureLabelsWithin(int numClasses)
    {
        using var _ = torch.NewDisposeScope();
        var bad = ((Labels < 0) | (Labels >= numClasses)).nonzero();
        if (bad.shape[0] == 0) return;
        long index = bad[0, 0].item<long>();
        long value = Labels[index].item<long>();
        throw new DatasetFormatException(LabelsFile,
            $"{LabelsFile ?? Source}: label {value} at index {index} is outside the model's {numClasses} classes (0..{numClasses - 1}); {bad.shape[0]} label(s) out of range.");
    }

    /// <summary>The images at <paramref name="indices"/> (in that order), as a new dataset.</summary>
    public ImageDataset Subset(long[] indices, string? source = null)
    {
        using var idx = torch.tensor(indices, ScalarType.Int64);
        return Subset(idx, source);
    }

    /// <summary>The images at <paramref name="indices"/> (int64 tensor), as a new dataset.</summary>
    public ImageDataset Subset(Tensor indices, string? source = null)
        => new(Images.index_select(0, indices), Labels.index_select(0, indices), NumClasses,
               source ?? $"{Source} (subset of {indices.shape[0]})", ClassNames) { ImagesFile = ImagesFile, LabelsFile = LabelsFile };

    /// <summary>The first <paramref name="count"/> images.</summary>
    public ImageDataset Take(long count)
    {
        count = Math.Min(count, Count);
        return new(Images.slice(0, 0, count, 1).clone(), Labels.slice(0, 0, count, 1).clone(), NumClasses,
                   $"{Source} (first {count})", ClassNames) { ImagesFile = ImagesFile, LabelsFile = LabelsFile };
    }

    /// <summary>
    /// Keeps only the images of <paramref name="classes"/>. With <paramref name="relabel"/> (default) the labels become
    /// 0..k-1 in the order the classes are given (class names follow), so a model with k outputs can train on it;
    /// otherwise the original labels and class count are kept.
    /// </summary>
    public ImageDataset WhereClasses(IReadOnlyList<int> classes, bool relabel = true)
    {
        if (classes.Count == 0) throw new ArgumentException("No classes given.", nameof(classes));
        if (classes.Distinct().Count() != classes.Count) throw new ArgumentException("Classes repeat.", nameof(classes));
        foreach (var c in classes)
            if (c < 0 || c >= NumClasses)
                throw new ArgumentOutOfRangeException(nameof(classes), $"class {c} is outside 0..{NumClasses - 1}.");
        var labels = LabelArray();
        var map = new int[NumClasses];
        Array.Fill(map, -1);
        for (int i = 0; i < classes.Count; i++) map[classes[i]] = i;
        var keep = new List<long>();
        for (long i = 0; i < labels.Length; i++) if (map[labels[i]] >= 0) keep.Add(i);
        string desc = $"{Source} (classes {string.Join(",", classes)})";
        using var idx = torch.tensor(keep.ToArray(), ScalarType.Int64);
        var images = Images.index_select(0, idx);
        if (!relabel)
            return new ImageDataset(images, Labels.index_select(0, idx), NumClasses, desc, ClassNames) { ImagesFile = ImagesFile, LabelsFile = LabelsFile };
        var newLabels = keep.Select(i => (long)map[labels[i]]).ToArray();
        var names = ClassNames is null ? null : classes.Select(c => ClassNames[c]).ToArray();
        return new ImageDataset(images, torch.tensor(newLabels, ScalarType.Int64), classes.Count, desc, names) { ImagesFile = ImagesFile, LabelsFile = LabelsFile };
    }

    /// <summary>
    /// Splits by class for transfer learning: <c>Selected</c> holds the images of <paramref name="classes"/>,
    /// <c>Others</c> the other classes; each is relabelled 0..k-1 (Selected in the given order, Others in ascending order).
    /// E.g. Fashion-MNIST classes 0-4 to pre-train and 5-9 to fine-tune.
    /// </summary>
    public (ImageDataset Selected, ImageDataset Others) SplitByClasses(IReadOnlyList<int> classes)
    {
        var rest = Enumerable.Range(0, NumClasses).Where(c => !classes.Contains(c)).ToArray();
        if (rest.Length == 0) throw new ArgumentException("The selection holds every class; nothing is left.", nameof(classes));
        return (WhereClasses(classes), WhereClasses(rest));
    }

    /// <summary>
    /// Deterministic random split (e.g. train/validation): the first part holds round(fraction * N) images.
    /// The same seed gives the same split.
    /// </summary>
    public (ImageDataset First, ImageDataset Second) RandomSplit(double fraction, long seed)
    {
        if (fraction < 0 || fraction > 1) throw new ArgumentOutOfRangeException(nameof(fraction));
        var perm = SeededRandom.ForEpoch(seed, -1).Permutation(checked((int)Count));
        int k = (int)Math.Round(fraction * Count);
        return (Subset(perm[..k], $"{Source} (split {fraction:0.###}, seed {seed}, part 1)"),
                Subset(perm[k..], $"{Source} (split {fraction:0.###}, seed {seed}, part 2)"));
    }

    /// <summary>
    /// Deterministic class-balanced subset: the first <paramref name="perClass"/> images of every class in file order
    /// (fewer when a class has fewer), kept in file order.
    /// </summary>
    public ImageDataset Balanced(int perClass)
    {
        var labels = LabelArray();
        var taken = new int[NumClasses];
        var keep = new List<long>();
        for (long i = 0; i < labels.Length; i++)
            if (taken[labels[i]]++ < perClass) keep.Add(i);
        return Subset(keep.ToArray(), $"{Source} (balanced, {perClass} per class)");
    }

    /// <summary>A copy of this dataset on <paramref name="device"/> (e.g. keep uint8 images on the GPU so batches are gathered there).</summary>
    public ImageDataset To(Device device)
        => new(Images.to(device), Labels.to(device), NumClasses, Source, ClassNames) { ImagesFile = ImagesFile, LabelsFile = LabelsFile };

    /// <summary>Images as float32 in [0, 1] (a new tensor; the dataset keeps its own).</summary>
    public Tensor ImagesAsFloat() => Images.dtype == ScalarType.Byte ? Images.to_type(ScalarType.Float32).div_(255f) : Images.clone();

    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }

    public override string ToString() => $"{Count} images {Channels}x{Height}x{Width}, {NumClasses} classes, from {Source}";
}
