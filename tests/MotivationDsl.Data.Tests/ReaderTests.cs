using System.IO.Compression;

namespace MotivationDsl.Data.Tests;

public class IdxTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ImagesAndLabelsRoundTrip(bool gzip)
    {
        using var tmp = new TempDir();
        var px = Synthetic.Bytes(7 * 5 * 4, 11);
        var labels = new byte[] { 0, 1, 2, 3, 4, 5, 9 };
        IdxWriter.WriteImages(tmp["img"], px, 7, 5, 4, gzip);
        IdxWriter.WriteLabels(tmp["lab"], labels, gzip);
        var head = File.ReadAllBytes(tmp["img"]).Take(2).ToArray();
        Assert.Equal(gzip, head[0] == 0x1F && head[1] == 0x8B);

        var img = IdxReader.ReadImages(tmp["img"]);
        Assert.Equal((7, 5, 4), (img.Count, img.Rows, img.Cols));
        Assert.Equal(px, img.Pixels);
        Assert.Equal(labels, IdxReader.ReadLabels(tmp["lab"]));
    }

    [Fact]
    public void GzipIsDetectedByContentNotByName()
    {
        using var tmp = new TempDir();
        IdxWriter.WriteLabels(tmp["labels.raw"], new byte[] { 3, 1 }, gzip: true);   // gzip without .gz
        IdxWriter.WriteLabels(tmp["labels.gz"], new byte[] { 3, 1 }, gzip: false);   // raw named .gz
        Assert.Equal(new byte[] { 3, 1 }, IdxReader.ReadLabels(tmp["labels.raw"]));
        Assert.Equal(new byte[] { 3, 1 }, IdxReader.ReadLabels(tmp["labels.gz"]));
    }

    [Fact]
    public void FolderOfIdxFilesLoadsAsDataset()
    {
        using var tmp = new TempDir();
        Synthetic.WriteIdxSet(tmp.Path, 30, 20, gzip: false);
        using var pair = Datasets.Mnist(tmp.Path);
        var (train, test) = pair;
        Assert.Equal(30, train.Count);
        Assert.Equal(20, test.Count);
        Assert.Equal(new long[] { 30, 1, 28, 28 }, train.Images.shape);
        Assert.Equal(ScalarType.Byte, train.Images.dtype);
        Assert.Equal(ScalarType.Int64, train.Labels.dtype);
        Assert.Equal(Synthetic.Bytes(30 * 784, 1), train.Images.data<byte>().ToArray());
        Assert.Equal(Synthetic.Labels(20, 10).Select(b => (long)b), test.LabelArray());
        Assert.Equal(10, train.NumClasses);
    }

    [Fact]
    public void LoadDetectsIdxFolder()
    {
        using var tmp = new TempDir();
        var dir = Path.Combine(tmp.Path, "my-fashion-data");
        Directory.CreateDirectory(dir);
        Synthetic.WriteIdxSet(dir, 10, 10);
        using var pair = Datasets.Load(dir);
        Assert.Equal("Fashion-MNIST", pair.Name);
        Assert.Equal("Sandal", pair.Train.ClassNames![5]);
    }
}

public class CifarTests
{
    [Fact]
    public void Cifar10ReaderReadsLabelsAndPlanes()
    {
        using var tmp = new TempDir();
        var bytes = Synthetic.CifarRecords(5, cifar100: false);
        File.WriteAllBytes(tmp["b.bin"], bytes);
        var b = CifarReader.Read(tmp["b.bin"], CifarKind.Cifar10);
        Assert.Equal(5, b.Count);
        Assert.Equal(new byte[] { 0, 1, 2, 3, 4 }, b.Labels);
        Assert.Equal(bytes.AsSpan(3073 * 2 + 1, 3072).ToArray(), b.Pixels.AsSpan(3072 * 2, 3072).ToArray());
    }

    [Fact]
    public void Cifar10FolderLoadsTrainFromFiveBatchesAndTest()
    {
        using var tmp = new TempDir();
        var dir = Path.Combine(tmp.Path, "cifar-10-batches-bin");
        Directory.CreateDirectory(dir);
        for (int i = 1; i <= 5; i++) File.WriteAllBytes(Path.Combine(dir, $"data_batch_{i}.bin"), Synthetic.CifarRecords(4, false, seed: i));
        File.WriteAllBytes(Path.Combine(dir, "test_batch.bin"), Synthetic.CifarRecords(3, false, seed: 9));
        using var pair = Datasets.Load(tmp.Path); // detects the subfolder
        Assert.Equal("CIFAR-10", pair.Name);
        Assert.Equal(new long[] { 20, 3, 32, 32 }, pair.Train.Images.shape);
        Assert.Equal(3, pair.Test.Count);
        Assert.Equal(10, pair.Train.NumClasses);
        // Image 5 = batch 2, record 1: red plane first, then green, blue.
        var rec = Synthetic.CifarRecords(4, false, seed: 2).AsSpan(3073 + 1, 3072).ToArray();
        Assert.Equal(rec, pair.Train.Images[5].data<byte>().ToArray());
        Assert.Equal(rec[1024], pair.Train.Images[5, 1, 0, 0].item<byte>());
        Assert.Equal("airplane", pair.Train.ClassNames![0]);
    }

    [Theory]
    [InlineData(false, 100)]
    [InlineData(true, 20)]
    public void Cifar100FineByDefaultCoarseOnRequest(bool coarse, int classes)
    {
        using var tmp = new TempDir();
        File.WriteAllBytes(tmp["train.bin"], Synthetic.CifarRecords(120, true));
        File.WriteAllBytes(tmp["test.bin"], Synthetic.CifarRecords(10, true, seed: 4));
        using var pair = Datasets.Cifar100(tmp.Path, coarse);
        Assert.Equal(classes, pair.Train.NumClasses);
        var labels = pair.Train.LabelArray();
        Assert.Equal(coarse ? 19 : 99, labels[99]);
        Assert.Equal(coarse ? 10 : 10, labels[110]);
        Assert.Equal(Synthetic.CifarRecords(120, true).AsSpan(3074 * 7 + 2, 3072).ToArray(), pair.Train.Images[7].data<byte>().ToArray());
    }
}
