using System.Text;

namespace MotivationDsl.Data.Tests;

/// <summary>A fact that is skipped (with the reason) when Debian's python3-doc (the real text corpus) is not installed.</summary>
public sealed class DebianPythonDocsFactAttribute : FactAttribute
{
    public DebianPythonDocsFactAttribute()
    {
        if (TextCorpora.FindPythonDocs() is null) Skip = $"{TextCorpora.DebianDocRoot}/python3.*/html/_sources not installed (apt-get install {TextCorpora.DebianPackage})";
    }
}

public class TextCorpusTests
{
    [Fact]
    public void EmbeddedSampleIsTheJargonFileExcerptSplitAtItsTail()
    {
        using var c = TextCorpora.EnglishSample();
        Assert.True(c.IsEmbeddedSample);
        Assert.Equal(TextCorpora.SampleName, c.Name);
        Assert.Equal(49_101, c.TrainBytes + c.HeldOutBytes);
        Assert.Equal((long)Math.Round(49_101 * 0.05), c.HeldOutBytes);
        var train = Encoding.UTF8.GetString(c.Train.data<byte>().ToArray());
        Assert.StartsWith("                          Welcome to the Jargon File", train);
        Assert.Contains("hacker", train);
        Assert.Equal(ScalarType.Byte, c.HeldOut.dtype);
    }

    [Fact]
    public void WithoutTheDebianDocsTheSampleIsUsedAndTheSourceSaysWhy()
    {
        using var dir = new TempDir();
        using var c = TextCorpora.English(null, dir.Path, 0.1);
        Assert.True(c.IsEmbeddedSample);
        Assert.Equal($"{TextCorpora.SampleDescription}; no {dir.Path}/python3.*/html/_sources (Debian package python3-doc) found", c.Source);
    }

    [Fact]
    public void TheNewestPythonDocsFolderIsFoundAndItsTextFilesAreConcatenatedInPathOrder()
    {
        using var dir = new TempDir();
        foreach (var v in new[] { "python3.9", "python3.11", "python3.10-doc" })
        {
            var sources = Path.Combine(dir.Path, v, "html", "_sources");
            Directory.CreateDirectory(Path.Combine(sources, "sub"));
            File.WriteAllText(Path.Combine(sources, "b.rst.txt"), $"{v} b|");
            File.WriteAllText(Path.Combine(sources, "sub", "a.rst.txt"), "sub a|");
            File.WriteAllText(Path.Combine(sources, "a.rst.txt"), "a|");
            File.WriteAllText(Path.Combine(sources, "ignored.html"), "<html>");
        }
        Assert.Equal(Path.Combine(dir.Path, "python3.11", "html", "_sources"), TextCorpora.FindPythonDocs(dir.Path));
        using var c = TextCorpora.English(null, dir.Path, 0.25);
        Assert.False(c.IsEmbeddedSample);
        Assert.Equal(TextCorpora.PythonDocsName, c.Name);
        var text = "a|python3.11 b|sub a|";
        var bytes = c.Train.data<byte>().ToArray().Concat(c.HeldOut.data<byte>().ToArray()).ToArray();
        Assert.Equal(text, Encoding.UTF8.GetString(bytes));
        Assert.Equal((long)Math.Round(text.Length * 0.25), c.HeldOutBytes);
    }

    [Fact]
    public void AGzipFileLoadsAsText()
    {
        using var dir = new TempDir();
        var path = dir["t.txt.gz"];
        using (var gz = new System.IO.Compression.GZipStream(File.Create(path), System.IO.Compression.CompressionLevel.Fastest))
            gz.Write(Encoding.UTF8.GetBytes("0123456789"));
        using var c = TextCorpora.Load(path, 0.2);
        Assert.Equal("01234567", Encoding.UTF8.GetString(c.Train.data<byte>().ToArray()));
        Assert.Equal("89", Encoding.UTF8.GetString(c.HeldOut.data<byte>().ToArray()));
    }

    [Fact]
    public void BadInputsAreNamedErrors()
    {
        using var dir = new TempDir();
        var missing = dir["nope"];
        Assert.Equal($"{missing}: no such file or folder; expected a text file or a folder of *.txt files.",
            Assert.Throws<DatasetFormatException>(() => TextCorpora.Load(missing)).Message);
        Assert.Equal($"{dir.Path}: no *.txt files in the folder or below it.",
            Assert.Throws<DatasetFormatException>(() => TextCorpora.Load(dir.Path)).Message);
        Assert.Equal("x: 3 bytes of text cannot be split into training and held-out parts with a held-out fraction of 0.05.",
            Assert.Throws<DatasetFormatException>(() => TextCorpus.FromBytes([1, 2, 3], "x", "x")).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => TextCorpus.FromBytes([1, 2, 3], "x", "x", 1.0));
    }

    [DebianPythonDocsFact]
    public void TheDebianCorpusHasSeveralMegabytesOfText()
    {
        using var c = TextCorpora.English();
        Assert.False(c.IsEmbeddedSample);
        Assert.True(c.TrainBytes > 5_000_000, $"{c.TrainBytes} training bytes");
        Assert.True(c.HeldOutBytes > 250_000, $"{c.HeldOutBytes} held-out bytes");
    }
}

public class TokenWindowLoaderTests
{
    private static Tensor Tokens(int n) => arange(n, ScalarType.Int64).remainder(251).to_type(ScalarType.Byte);

    private static long[] Flat(Tensor t) => t.data<long>().ToArray();

    [Fact]
    public void EveryWindowIsTheTextAtItsStartAndTheTargetIsShiftedByOne()
    {
        using var tokens = Tokens(1000);
        var loader = new TokenWindowLoader(tokens, new TokenWindowOptions { ContextLength = 16, BatchSize = 5, Seed = 3 });
        Assert.Equal((1000 - 16) / 16, loader.WindowCount);
        var starts = loader.WindowStarts(2);
        var seen = 0;
        foreach (var batch in loader.Batches(2))
        {
            using var _ = batch;
            Assert.Equal(ScalarType.Int64, batch.Input.dtype);
            var x = Flat(batch.Input);
            var y = Flat(batch.Target);
            for (var i = 0; i < batch.Size; i++)
            {
                var s = starts[seen + i];
                for (var j = 0; j < 16; j++)
                {
                    Assert.Equal((s + j) % 251, x[i * 16 + j]);
                    Assert.Equal((s + j + 1) % 251, y[i * 16 + j]);
                }
            }
            seen += (int)batch.Size;
        }
        Assert.Equal(loader.WindowCount, seen);
        // Non-overlapping windows at one offset, each visited once.
        var offset = starts.Min() % 16;
        Assert.Equal(Enumerable.Range(0, (int)loader.WindowCount).Select(i => offset + 16L * i), starts.Order());
    }

    [Fact]
    public void TheOrderDependsOnlyOnSeedAndEpochAndABatchCanBeResumed()
    {
        using var tokens = Tokens(4000);
        var options = new TokenWindowOptions { ContextLength = 8, BatchSize = 7, Seed = 11 };
        var a = new TokenWindowLoader(tokens, options);
        var b = new TokenWindowLoader(tokens, options);
        Assert.Equal(a.WindowStarts(4), b.WindowStarts(4));
        Assert.NotEqual(a.WindowStarts(4), a.WindowStarts(5));
        Assert.NotEqual(a.WindowStarts(4), new TokenWindowLoader(tokens, options with { Seed = 12 }).WindowStarts(4));
        var all = a.Batches(4).Select(x => { using (x) return Flat(x.Input); }).ToList();
        var resumed = b.Batches(4, firstBatch: 30).Select(x => { using (x) return Flat(x.Input); }).ToList();
        Assert.Equal(all.Count - 30, resumed.Count);
        for (var i = 0; i < resumed.Count; i++) Assert.Equal(all[30 + i], resumed[i]);
    }

    [Fact]
    public void UnshuffledWindowsAreInTextOrderAndMaxWindowsAndDropLastCap()
    {
        using var tokens = Tokens(101);
        var plain = new TokenWindowLoader(tokens, new TokenWindowOptions { ContextLength = 10, BatchSize = 4, Shuffle = false });
        Assert.Equal(10, plain.WindowCount);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => 10L * i), plain.WindowStarts(7));
        Assert.Equal(3, plain.BatchCount);
        var capped = new TokenWindowLoader(tokens, new TokenWindowOptions { ContextLength = 10, BatchSize = 4, Shuffle = false, MaxWindows = 6, DropLast = true });
        Assert.Equal(6, capped.WindowCount);
        Assert.Equal(1, capped.BatchCount);
        Assert.Equal(40, capped.TokensPerEpoch);
        Assert.Single(capped.Batches(0).Select(x => { x.Dispose(); return 0; }));
    }

    [Fact]
    public void TooShortATextIsAClearError()
    {
        using var tokens = Tokens(15);
        var e = Assert.Throws<ArgumentException>(() => new TokenWindowLoader(tokens, new TokenWindowOptions { ContextLength = 10 }));
        Assert.StartsWith("15 tokens are too few for one window of 10 tokens plus its shifted target at every offset", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new TokenWindowLoader(tokens, new TokenWindowOptions { ContextLength = 0 }));
    }

    [Fact]
    public void TheSampleCorpusFeedsTheLoader()
    {
        using var c = TextCorpora.EnglishSample();
        var train = new TokenWindowLoader(c.Train, new TokenWindowOptions { ContextLength = 64, BatchSize = 16, Seed = 1 });
        var heldOut = new TokenWindowLoader(c.HeldOut, new TokenWindowOptions { ContextLength = 64, BatchSize = 16, Shuffle = false });
        Assert.Equal((c.TrainBytes - 64) / 64, train.WindowCount);
        Assert.Equal((c.HeldOutBytes - 1) / 64, heldOut.WindowCount);
        using var first = heldOut.Batches(0).First();
        Assert.Equal(new long[] { 16, 64 }, first.Input.shape);
        Assert.True(first.Input.max().item<long>() < TextCorpus.ByteVocabulary);
    }
}
