namespace MotivationDsl.Data.Tests;

/// <summary>
/// Regenerates the embedded Fashion-MNIST sample (src/MotivationDsl.Data/Samples/*.gz) from the full dataset.
/// Selection is deterministic: the first 300 images of each class of the training file and the first 100 of each
/// class of the test file, kept in file order (see <see cref="ImageDataset.Balanced"/>).
///
/// To regenerate (needs the full data, e.g. Debian's dataset-fashion-mnist):
///   MOTIVATIONDSL_MAKE_SAMPLE=src/MotivationDsl.Data/Samples \
///     dotnet test tests/MotivationDsl.Data.Tests --filter FullyQualifiedName~SampleTool.MakeSample
/// (optionally MOTIVATIONDSL_SAMPLE_SOURCE=/path/to/fashion-mnist; default /usr/share/datasets/fashion-mnist).
/// </summary>
public class SampleTool
{
    internal static void WriteSample(string sourceDir, string outDir)
    {
        using var full = Datasets.FashionMnist(sourceDir);
        Directory.CreateDirectory(outDir);
        Write(full.Train.Balanced(Datasets.SampleTrainPerClass), outDir, "train");
        Write(full.Test.Balanced(Datasets.SampleTestPerClass), outDir, "t10k");
    }

    private static void Write(ImageDataset d, string dir, string prefix)
    {
        using (d)
        {
            var pixels = d.Images.data<byte>().ToArray();
            var labels = d.LabelArray().Select(l => (byte)l).ToArray();
            IdxWriter.WriteImages(Path.Combine(dir, $"{prefix}-images-idx3-ubyte.gz"), pixels, (int)d.Count, d.Height, d.Width, gzip: true);
            IdxWriter.WriteLabels(Path.Combine(dir, $"{prefix}-labels-idx1-ubyte.gz"), labels, gzip: true);
        }
    }

    [Fact]
    public void MakeSample()
    {
        var outDir = Environment.GetEnvironmentVariable("MOTIVATIONDSL_MAKE_SAMPLE");
        if (string.IsNullOrEmpty(outDir)) return; // a tool, not a check: runs only when asked
        var src = Environment.GetEnvironmentVariable("MOTIVATIONDSL_SAMPLE_SOURCE") ?? Datasets.DefaultFashionMnistDir;
        WriteSample(src, outDir);
    }

    internal static void AssertSame(Tensor a, Tensor b)
    {
        Assert.Equal(a.shape, b.shape);
        Assert.True(a.eq(b).all().item<bool>());
    }

    [DebianFashionMnistFact]
    public void EmbeddedSampleEqualsTheDeterministicSelectionOfTheFullData()
    {
        using var tmp = new TempDir();
        WriteSample(Datasets.DefaultFashionMnistDir, tmp.Path);
        using var regenerated = Datasets.FashionMnist(tmp.Path);
        using var embedded = Datasets.FashionMnistSample();
        AssertSame(regenerated.Train.Images, embedded.Train.Images);
        AssertSame(regenerated.Train.Labels, embedded.Train.Labels);
        AssertSame(regenerated.Test.Images, embedded.Test.Images);
        AssertSame(regenerated.Test.Labels, embedded.Test.Labels);
    }
}
