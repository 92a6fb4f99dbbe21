namespace MotivationDsl.Data.Tests;

public class LoaderTests
{
    /// <summary>N images 3 x 8 x 8 whose pixels encode the image index (so batches can be traced back), labels i % 10.</summary>
    private static ImageDataset Indexed(int n, int c = 3, int h = 8, int w = 8)
    {
        var px = new byte[n * c * h * w];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < c * h * w; j++)
                px[i * c * h * w + j] = (byte)((i + j) % 251);
        return ImageDataset.FromBytes(px, Synthetic.Labels(n, 10), c, h, w, 10, "synthetic");
    }

    private static List<long> Order(DataLoader loader, int epoch)
    {
        var ids = new List<long>();
        foreach (var b in loader.Batches(epoch))
            using (b)
            {
                // pixel [0,0,0] = i % 251 / 255 -> recover i (n < 251)
                var first = (b.Input[.., 0, 0, 0] * 255f).round().to_type(ScalarType.Int64);
                ids.AddRange(first.data<long>().ToArray());
            }
        return ids;
    }

    [Fact]
    public void SameSeedAndEpochGiveTheSameOrderDifferentEpochsDiffer()
    {
        using var ds = Indexed(200);
        var a = new DataLoader(ds, 32, shuffle: true, seed: 7);
        var b = new DataLoader(ds, 32, shuffle: true, seed: 7);
        var e3 = Order(a, 3);
        Assert.Equal(e3, Order(b, 3));
        Assert.Equal(e3, Order(a, 3)); // replay
        Assert.Equal(Enumerable.Range(0, 200).Select(i => (long)i), e3.OrderBy(x => x)); // a permutation
        Assert.NotEqual(e3, Order(a, 4));
        Assert.NotEqual(e3, Order(new DataLoader(ds, 32, shuffle: true, seed: 8), 3));
        Assert.Equal(a.EpochOrder(3), e3);
        // Targets come from the same indices.
        var targets = a.Batches(3).SelectMany(x => { using (x) return x.Target.data<long>().ToArray(); }).ToList();
        Assert.Equal(e3.Select(i => i % 10), targets);
    }

    [Fact]
    public void OrderIsAPinnedFunctionOfSeedAndEpoch()
    {
        // SplitMix64 + Fisher-Yates: independent of torch and .NET versions. Pin a few values against regressions.
        using var ds = Indexed(10);
        var order = new DataLoader(ds, 4, seed: 1).EpochOrder(0);
        Assert.Equal(order, new DataLoader(ds, 4, seed: 1).EpochOrder(0));
        Assert.Equal(10, order.Distinct().Count());
        Assert.NotEqual(Enumerable.Range(0, 10).Select(i => (long)i), order);
        Assert.Equal("2,9,0,4,7,6,5,1,8,3", string.Join(",", order));
    }

    [DebianFashionMnistFact]
    public void FullEpochIsFast()
    {
        using var pair = Datasets.FashionMnist();
        var loader = new DataLoader(pair.Train, 128, seed: 1, augment: new Augmentation(2, true), normalize: Normalization.FashionMnist);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        long n = 0;
        foreach (var b in loader.Batches(0)) using (b) n += b.Size;
        Assert.Equal(60000, n);
        Console.WriteLine($"epoch of 60000 with crop+flip+normalise: {sw.ElapsedMilliseconds} ms");
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(60));
    }

    [Fact]
    public void NoShuffleKeepsFileOrderAndDropLastDropsThePartialBatch()
    {
        using var ds = Indexed(70);
        var keep = new DataLoader(ds, 32, shuffle: false);
        Assert.Equal(3, keep.BatchesPerEpoch);
        Assert.Equal(Enumerable.Range(0, 70).Select(i => (long)i), Order(keep, 0));
        var sizes = keep.Batches(0).Select(b => { using (b) return b.Size; }).ToArray();
        Assert.Equal(new long[] { 32, 32, 6 }, sizes);

        var drop = new DataLoader(ds, 32, shuffle: true, dropLast: true);
        Assert.Equal(2, drop.BatchesPerEpoch);
        Assert.Equal(64, drop.SamplesPerEpoch);
        Assert.Equal(70, drop.Count);
        Assert.All(drop.Batches(1), b => { using (b) Assert.Equal(32, b.Size); });
    }

    [Fact]
    public void BatchesAreFloatInUnitRangeWithInt64Targets()
    {
        using var ds = Indexed(10);
        using var b = new DataLoader(ds, 4, shuffle: false).Batches(0).First();
        Assert.Equal(ScalarType.Float32, b.Input.dtype);
        Assert.Equal(ScalarType.Int64, b.Target.dtype);
        Assert.Equal(new long[] { 4, 3, 8, 8 }, b.Input.shape);
        Assert.Equal(2f / 255f, b.Input[2, 0, 0, 0].item<float>(), 6);
    }

    [Fact]
    public void NormalisationUsesPerChannelMeanAndStd()
    {
        // Channel c of every pixel = 51 * (c + 1) -> 0.2, 0.4, 0.6 in [0,1].
        var px = new byte[2 * 3 * 2 * 2];
        for (int i = 0; i < 2; i++) for (int c = 0; c < 3; c++) for (int k = 0; k < 4; k++) px[i * 12 + c * 4 + k] = (byte)(51 * (c + 1));
        using var ds = ImageDataset.FromBytes(px, new byte[] { 0, 1 }, 3, 2, 2, 2, "const");
        var norm = new Normalization([0.1f, 0.2f, 0.3f], [0.5f, 0.25f, 0.1f]);
        using var b = new DataLoader(ds, 2, shuffle: false, normalize: norm).Batches(0).Single();
        Assert.Equal((0.2f - 0.1f) / 0.5f, b.Input[1, 0, 1, 1].item<float>(), 5);
        Assert.Equal((0.4f - 0.2f) / 0.25f, b.Input[0, 1, 0, 1].item<float>(), 5);
        Assert.Equal((0.6f - 0.3f) / 0.1f, b.Input[1, 2, 1, 0].item<float>(), 4);

        var stats = Normalization.FromDataset(ds);
        Assert.Equal(new[] { 0.2f, 0.4f, 0.6f }, stats.Mean.Select(m => MathF.Round(m, 5)));
        Assert.All(stats.Std, s => Assert.Equal(0f, s, 5));
    }

    [Fact]
    public void EachBatchLeavesExactlyItsTwoTensorsInTheCallersScope()
    {
        using var ds = Indexed(40, 3, 8, 8);
        var loader = new DataLoader(ds, 16, seed: 2, augment: new Augmentation(2, true), normalize: Normalization.Cifar10);
        using var e = loader.Batches(0).GetEnumerator();
        for (int i = 0; i < loader.BatchCount; i++)
        {
            using var scope = torch.NewDisposeScope();
            Assert.True(e.MoveNext());
            Assert.Equal(2, scope.DisposablesCount);
            var (x, y) = e.Current;
            Assert.Equal(x.shape[0], y.shape[0]);
        }
        Assert.False(e.MoveNext());
    }

    [Fact]
    public void NormalisationChannelCountMustMatch()
    {
        using var ds = Indexed(4);
        Assert.Throws<ArgumentException>(() => new DataLoader(ds, 2, normalize: Normalization.FashionMnist));
    }

    [Fact]
    public void FlipProbabilityOneFlipsEveryImageZeroNone()
    {
        using var ds = Indexed(6);
        using var plain = new DataLoader(ds, 6, shuffle: false).Batches(0).Single();
        using var flipped = new DataLoader(ds, 6, shuffle: false, augment: new Augmentation(0, true, 1.0)).Batches(0).Single();
        using var never = new DataLoader(ds, 6, shuffle: false, augment: new Augmentation(0, true, 0.0)).Batches(0).Single();
        SampleTool.AssertSame(plain.Input.flip(3), flipped.Input);
        SampleTool.AssertSame(plain.Input, never.Input);
        // Column 0 of a flipped image is column W-1 of the original.
        Assert.Equal(plain.Input[3, 1, 2, 7].item<float>(), flipped.Input[3, 1, 2, 0].item<float>());
    }

    [Fact]
    public void RandomFlipFlipsSomeImagesAndIsSeeded()
    {
        using var ds = Indexed(64);
        var aug = new Augmentation(0, true);
        using var plain = new DataLoader(ds, 64, shuffle: false).Batches(0).Single();
        using var a = new DataLoader(ds, 64, shuffle: false, seed: 5, augment: aug).Batches(2).Single();
        using var again = new DataLoader(ds, 64, shuffle: false, seed: 5, augment: aug).Batches(2).Single();
        using var other = new DataLoader(ds, 64, shuffle: false, seed: 5, augment: aug).Batches(3).Single();
        SampleTool.AssertSame(a.Input, again.Input);
        Assert.False(a.Input.eq(other.Input).all().item<bool>());
        int flippedCount = 0;
        for (int i = 0; i < 64; i++)
        {
            bool same = a.Input[i].eq(plain.Input[i]).all().item<bool>();
            bool flip = a.Input[i].eq(plain.Input[i].flip(2)).all().item<bool>();
            Assert.True(same ^ flip, $"image {i} is neither the original nor its mirror");
            if (flip) flippedCount++;
        }
        Assert.InRange(flippedCount, 16, 48);
    }

    [Fact]
    public void RandomCropKeepsShapeAndIsAShiftedWindowOfThePaddedImage()
    {
        using var ds = Indexed(16);
        const int p = 2;
        using var plain = new DataLoader(ds, 16, shuffle: false).Batches(0).Single();
        using var crop = new DataLoader(ds, 16, shuffle: false, seed: 3, augment: new Augmentation(p, false)).Batches(0).Single();
        Assert.Equal(plain.Input.shape, crop.Input.shape);
        using var padded = nn.functional.pad(plain.Input, [p, p, p, p]);
        int shifted = 0;
        for (int i = 0; i < 16; i++)
        {
            var match = new List<(int, int)>();
            for (int dy = 0; dy <= 2 * p; dy++)
                for (int dx = 0; dx <= 2 * p; dx++)
                    if (padded[i, .., dy..(dy + 8), dx..(dx + 8)].eq(crop.Input[i]).all().item<bool>()) match.Add((dy, dx));
            Assert.NotEmpty(match);
            if (!match.Contains((p, p))) shifted++;
        }
        Assert.True(shifted > 0, "no image was shifted");
    }

    [Fact]
    public void CifarStandardAugmentationOnA32x32Batch()
    {
        using var ds = Indexed(10, 3, 32, 32);
        var loader = new DataLoader(ds, 4, seed: 1, augment: Augmentation.CifarStandard, normalize: Normalization.Cifar10);
        var shapes = loader.Batches(0).Select(b => { using (b) return b.Input.shape; }).ToArray();
        Assert.Equal(new[] { new long[] { 4, 3, 32, 32 }, new long[] { 4, 3, 32, 32 }, new long[] { 2, 3, 32, 32 } }, shapes);
    }

    [Fact]
    public void IsTheTrainersIDataLoader_WithTheSameBatches()
    {
        using var ds = Indexed(10);
        var loader = new DataLoader(ds, 4, seed: 3, normalize: new Normalization([0.5f, 0.5f, 0.5f], [0.25f, 0.25f, 0.25f]));
        MotivationDsl.Training.IDataLoader trainers = loader;
        Assert.Equal(3, trainers.BatchCount);
        var direct = loader.Batches(2).ToList();
        var viaInterface = trainers.Batches(2).ToList();
        Assert.Equal(direct.Count, viaInterface.Count);
        for (var i = 0; i < direct.Count; i++)
        {
            Assert.True(direct[i].Input.eq(viaInterface[i].Input).all().item<bool>(), $"batch {i} inputs differ");
            Assert.True(direct[i].Target.eq(viaInterface[i].Target).all().item<bool>(), $"batch {i} targets differ");
            direct[i].Dispose();
            viaInterface[i].Input.Dispose();
            viaInterface[i].Target.Dispose();
        }
    }
}

public class ImageDatasetTests
{
    private static ImageDataset Labelled(params byte[] labels)
    {
        var px = labels.SelectMany((l, i) => Enumerable.Repeat((byte)i, 4)).ToArray();
        return ImageDataset.FromBytes(px, labels, 1, 2, 2, 10, "labelled", Datasets.FashionMnistClassNames);
    }

    [Fact]
    public void SubsetTakesIndicesInOrder()
    {
        using var ds = Labelled(0, 1, 2, 3, 4);
        using var s = ds.Subset(new long[] { 4, 0, 2 });
        Assert.Equal(new long[] { 4, 0, 2 }, s.LabelArray());
        Assert.Equal((byte)4, s.Images[0, 0, 0, 0].item<byte>());
        using var t = ds.Take(2);
        Assert.Equal(new long[] { 0, 1 }, t.LabelArray());
    }

    [Fact]
    public void WhereClassesRelabelsInGivenOrder()
    {
        using var ds = Labelled(5, 0, 7, 5, 9, 7);
        using var s = ds.WhereClasses([7, 5]);
        Assert.Equal(2, s.NumClasses);
        Assert.Equal(new long[] { 1, 0, 1, 0 }, s.LabelArray());      // 5->1, 7->0, file order kept
        Assert.Equal(new[] { "Sneaker", "Sandal" }, s.ClassNames);
        Assert.Equal((byte)2, s.Images[1, 0, 0, 0].item<byte>());   // image 2 (label 7)
        using var k = ds.WhereClasses([7, 5], relabel: false);
        Assert.Equal(new long[] { 5, 7, 5, 7 }, k.LabelArray());
        Assert.Equal(10, k.NumClasses);
    }

    [Fact]
    public void SplitByClassesForTransfer()
    {
        using var ds = Labelled(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 0);
        var (a, b) = ds.SplitByClasses([0, 1, 2, 3, 4]);
        using (a) using (b)
        {
            Assert.Equal(new long[] { 0, 1, 2, 3, 4, 0 }, a.LabelArray());
            Assert.Equal(new long[] { 0, 1, 2, 3, 4, 4 }, b.LabelArray());
            Assert.Equal(5, b.NumClasses);
            Assert.Equal("Sandal", b.ClassNames![0]);
        }
    }

    [Fact]
    public void RandomSplitIsDeterministicAndDisjoint()
    {
        using var ds = Labelled(Enumerable.Range(0, 50).Select(i => (byte)(i % 10)).ToArray());
        var (a, b) = ds.RandomSplit(0.8, 42);
        var (c, d) = ds.RandomSplit(0.8, 42);
        using (a) using (b) using (c) using (d)
        {
            Assert.Equal(40, a.Count);
            Assert.Equal(10, b.Count);
            SampleTool.AssertSame(a.Images, c.Images);
            var ia = a.Images[.., 0, 0, 0].data<byte>().ToArray();
            var ib = b.Images[.., 0, 0, 0].data<byte>().ToArray();
            Assert.Empty(ia.Intersect(ib));
            Assert.Equal(50, ia.Concat(ib).Distinct().Count());
        }
    }

    [Fact]
    public void BalancedTakesFirstPerClass()
    {
        using var ds = Labelled(1, 1, 1, 2, 1, 2, 2, 2);
        using var s = ds.Balanced(2);
        Assert.Equal(new long[] { 1, 1, 2, 2 }, s.LabelArray());
        Assert.Equal(new byte[] { 0, 1, 3, 5 }, s.Images[.., 0, 0, 0].data<byte>().ToArray());
        Assert.Equal(2, s.ClassCounts()[1]);
    }
}

public class DatasetsTests
{
    [Fact]
    public void EmbeddedSampleLoadsAndIsBalanced()
    {
        using var pair = Datasets.FashionMnistSample();
        Assert.True(pair.IsEmbeddedSample);
        Assert.Contains("embedded sample", pair.Source);
        Assert.Contains("MIT", pair.Source);
        Assert.Equal(3000, pair.Train.Count);
        Assert.Equal(1000, pair.Test.Count);
        Assert.Equal(new long[] { 3000, 1, 28, 28 }, pair.Train.Images.shape);
        Assert.All(pair.Train.ClassCounts(), c => Assert.Equal(300, c));
        Assert.All(pair.Test.ClassCounts(), c => Assert.Equal(100, c));
        Assert.Equal("Ankle boot", pair.Train.ClassNames![9]);
        // Real images, not blanks: mean pixel near Fashion-MNIST's 0.286.
        using var x = pair.Train.ImagesAsFloat();
        Assert.InRange(x.mean().item<float>(), 0.2f, 0.4f);
        pair.Train.EnsureCompatible(10, 1, 28, 28);
    }

    [DebianFashionMnistFact]
    public void DebianFashionMnistLoadsFully()
    {
        using var pair = Datasets.FashionMnist();
        Assert.False(pair.IsEmbeddedSample);
        Assert.Equal(Datasets.DefaultFashionMnistDir, pair.Source);
        Assert.Equal(60000, pair.Train.Count);
        Assert.Equal(10000, pair.Test.Count);
        Assert.All(pair.Train.ClassCounts(), c => Assert.Equal(6000, c));
        Assert.All(pair.Test.ClassCounts(), c => Assert.Equal(1000, c));
        pair.Test.EnsureCompatible(10, 1, 28, 28);
    }

    [Fact]
    public void DefaultFolderAbsentOrIncompleteMeansEmbeddedSampleWithTheReason()
    {
        using var tmp = new TempDir();
        var missing = tmp["absent"];
        using (var a = Datasets.FashionMnist(null, missing))
        {
            Assert.True(a.IsEmbeddedSample);
            Assert.Equal($"{Datasets.SampleDescription}; {missing} not found", a.Source);
            Assert.Equal(3000, a.Train.Count);
        }
        Synthetic.WriteIdxSet(tmp.Path, 10, 10);
        File.Delete(tmp["t10k-labels-idx1-ubyte.gz"]);
        using (var b = Datasets.FashionMnist(null, tmp.Path))
            Assert.Equal($"{Datasets.SampleDescription}; {tmp.Path} does not hold the four IDX files", b.Source);
        Synthetic.WriteIdxSet(tmp.Path, 10, 10);
        using (var c = Datasets.FashionMnist(null, tmp.Path))
        {
            Assert.False(c.IsEmbeddedSample);
            Assert.Equal(tmp.Path, c.Source);
            Assert.Equal(10, c.Train.Count);
        }
    }

    [Fact]
    public void FashionMnistFallsBackToTheSampleOnlyWhenTheDefaultFolderIsMissing()
    {
        using var pair = Datasets.FashionMnist();
        Assert.Equal(!DebianFashionMnistFactAttribute.Present, pair.IsEmbeddedSample);
        if (pair.IsEmbeddedSample) Assert.Contains("not found", pair.Source);
    }
}
