using System.Buffers.Binary;

namespace MotivationDsl.Data.Tests;

/// <summary>Every bad-data case, with its exact message.</summary>
public class ErrorTests
{
    [Fact]
    public void WrongMagicSaysExpectedAndFound()
    {
        using var tmp = new TempDir();
        IdxWriter.WriteLabels(tmp["labels"], new byte[] { 1, 2 }, gzip: false);
        var e = Assert.Throws<DatasetFormatException>(() => IdxReader.ReadImages(tmp["labels"]));
        Assert.Equal(tmp["labels"], e.FilePath);
        Assert.Equal($"{tmp["labels"]}: wrong magic number: expected 0x00000803 (IDX images: uint8, 3 dimensions), found 0x00000801 (IDX labels: uint8, 1 dimension).", e.Message);
    }

    [Fact]
    public void NotAnIdxFileAtAll()
    {
        using var tmp = new TempDir();
        File.WriteAllText(tmp["x.txt"], "hello world, this is text");
        var e = Assert.Throws<DatasetFormatException>(() => IdxReader.ReadLabels(tmp["x.txt"]));
        Assert.Equal($"{tmp["x.txt"]}: wrong magic number: expected 0x00000801 (IDX labels: uint8, 1 dimension), found 0x68656C6C (not an IDX file).", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TruncatedImagesSayExpectedAndActualBytes(bool gzip)
    {
        using var tmp = new TempDir();
        IdxWriter.WriteImages(tmp["full"], new byte[3 * 4 * 4], 3, 4, 4, gzip: false);
        var bytes = File.ReadAllBytes(tmp["full"])[..^5];
        var path = tmp["cut"];
        if (gzip)
        {
            using var fs = File.Create(path);
            using var gz = new System.IO.Compression.GZipStream(fs, System.IO.Compression.CompressionLevel.Fastest);
            gz.Write(bytes);
        }
        else File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<DatasetFormatException>(() => IdxReader.ReadImages(path));
        Assert.Equal($"{path}: truncated: the header describes 3 images of 4x4, so 64 bytes are expected (uncompressed), but the file has 59 bytes.", e.Message);
    }

    [Fact]
    public void TruncatedHeader()
    {
        using var tmp = new TempDir();
        File.WriteAllBytes(tmp["h"], new byte[] { 0, 0, 8, 3, 0, 0 });
        var e = Assert.Throws<DatasetFormatException>(() => IdxReader.ReadImages(tmp["h"]));
        Assert.Equal($"{tmp["h"]}: truncated: 6 bytes is shorter than the 16-byte IDX images header.", e.Message);
    }

    [Fact]
    public void TruncatedCifarFile()
    {
        using var tmp = new TempDir();
        File.WriteAllBytes(tmp["data_batch_1.bin"], Synthetic.CifarRecords(2, false)[..^100]);
        var e = Assert.Throws<DatasetFormatException>(() => CifarReader.Read(tmp["data_batch_1.bin"], CifarKind.Cifar10));
        Assert.Equal($"{tmp["data_batch_1.bin"]}: truncated: 6046 bytes is not a whole number of 3073-byte CIFAR-10 records (1 label byte + 3072 pixel bytes); 2 records need 6146 bytes, the file has 6046 bytes.", e.Message);
    }

    [Fact]
    public void CifarLabelOutOfRangeNamesValueAndRecord()
    {
        using var tmp = new TempDir();
        var bytes = Synthetic.CifarRecords(3, false);
        bytes[2 * 3073] = 42;
        File.WriteAllBytes(tmp["test_batch.bin"], bytes);
        var e = Assert.Throws<DatasetFormatException>(() => CifarReader.Read(tmp["test_batch.bin"], CifarKind.Cifar10));
        Assert.Equal($"{tmp["test_batch.bin"]}: label 42 of record 2 is outside the 10 classes (0..9); is this a CIFAR-100 file?", e.Message);
    }

    [Fact]
    public void ImageAndLabelCountsDiffer()
    {
        using var tmp = new TempDir();
        Synthetic.WriteIdxSet(tmp.Path, 10, 5, gzip: true);
        IdxWriter.WriteLabels(tmp["t10k-labels-idx1-ubyte.gz"], Synthetic.Labels(4, 10), gzip: true);
        var e = Assert.Throws<DatasetFormatException>(() => Datasets.Mnist(tmp.Path));
        Assert.Equal($"{tmp["t10k-images-idx3-ubyte.gz"]}: 5 images but {tmp["t10k-labels-idx1-ubyte.gz"]} has 4 labels; the counts must match.", e.Message);
    }

    [Fact]
    public void LabelOutsideModelClassesNamesValueAndIndex()
    {
        using var tmp = new TempDir();
        Synthetic.WriteIdxSet(tmp.Path, 20, 5);
        using var pair = Datasets.Mnist(tmp.Path);
        // Labels cycle 0..9; a 7-class model rejects the first 7 (index 7).
        var e = Assert.Throws<DatasetFormatException>(() => pair.Train.EnsureCompatible(7, 1, 28, 28));
        var file = tmp["train-labels-idx1-ubyte.gz"];
        Assert.Equal(file, e.FilePath);
        Assert.Equal($"{file}: label 7 at index 7 is outside the model's 7 classes (0..6); 6 label(s) out of range.", e.Message);
        pair.Train.EnsureCompatible(10, 1, 28, 28); // fits
    }

    [Fact]
    public void LabelFileWithLabelAboveClassNamesIsRejectedOnLoad()
    {
        using var tmp = new TempDir();
        Synthetic.WriteIdxSet(tmp.Path, 5, 5);
        IdxWriter.WriteLabels(tmp["train-labels-idx1-ubyte.gz"], new byte[] { 1, 2, 3, 12, 4 }, gzip: true);
        var e = Assert.Throws<DatasetFormatException>(() => Datasets.FashionMnist(tmp.Path));
        Assert.Equal($"{tmp["train-labels-idx1-ubyte.gz"]}: label 12 at index 3 is outside the model's 10 classes (0..9); 1 label(s) out of range.", e.Message);
    }

    [Fact]
    public void ImageShapeMismatchNamesBothShapes()
    {
        using var tmp = new TempDir();
        Synthetic.WriteIdxSet(tmp.Path, 4, 4);
        using var pair = Datasets.Mnist(tmp.Path);
        var e = Assert.Throws<DatasetFormatException>(() => pair.Test.EnsureCompatible(10, 3, 32, 32));
        Assert.Equal($"{tmp["t10k-images-idx3-ubyte.gz"]}: image shape 1x28x28 (CxHxW) does not match the model's input shape 3x32x32.", e.Message);
    }

    [Fact]
    public void MissingFilesNameTheFilesAndTheFolder()
    {
        using var tmp = new TempDir();
        Synthetic.WriteIdxSet(tmp.Path, 4, 4);
        File.Delete(tmp["t10k-images-idx3-ubyte.gz"]);
        File.Delete(tmp["train-labels-idx1-ubyte.gz"]);
        var e = Assert.Throws<DatasetFormatException>(() => Datasets.FashionMnist(tmp.Path));
        Assert.Equal($"{tmp.Path}: missing Fashion-MNIST files: expected train-labels-idx1-ubyte or train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte or t10k-images-idx3-ubyte.gz in folder {tmp.Path}.", e.Message);
    }

    [Fact]
    public void MissingCifarBatchesAndMissingFolder()
    {
        using var tmp = new TempDir();
        File.WriteAllBytes(tmp["data_batch_1.bin"], Synthetic.CifarRecords(1, false));
        var e = Assert.Throws<DatasetFormatException>(() => Datasets.Cifar10(tmp.Path));
        Assert.Equal($"{tmp.Path}: missing CIFAR-10 files: expected data_batch_2.bin, data_batch_3.bin, data_batch_4.bin, data_batch_5.bin, test_batch.bin in folder {tmp.Path}.", e.Message);

        var nowhere = tmp["nowhere"];
        var e2 = Assert.Throws<DatasetFormatException>(() => Datasets.Cifar100(nowhere));
        Assert.Equal($"{nowhere}: folder not found; expected CIFAR-100 files train.bin, test.bin in folder {nowhere}.", e2.Message);
    }

    [Fact]
    public void UnknownFolderContents()
    {
        using var tmp = new TempDir();
        File.WriteAllText(tmp["readme.txt"], "nothing here");
        var e = Assert.Throws<DatasetFormatException>(() => Datasets.Load(tmp.Path));
        Assert.StartsWith($"{tmp.Path}: no known dataset found: expected train-images-idx3-ubyte[.gz]", e.Message);
        Assert.EndsWith($"or train.bin, test.bin (CIFAR-100) in folder {tmp.Path}.", e.Message);
    }
}
