using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace MotivationDsl.Reporting.Tests;

internal static class TestInit
{
    [ModuleInitializer]
    internal static void Init() => torch.set_num_threads(1);
}

internal sealed class TempDir : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mdsl-rep-" + Guid.NewGuid().ToString("N"));
    public TempDir() => Directory.CreateDirectory(Path);
    public string this[string name] => System.IO.Path.Combine(Path, name);
    public void Dispose() { try { Directory.Delete(Path, true); } catch (IOException) { } }
}

internal static class Samples
{
    public static RunReport Report(bool final = true)
    {
        var e1 = new EpochReport
        {
            Epoch = 1, Steps = 100, MotivatedSteps = 17, Activations = 9, MotivatedShare = 0.17,
            Base = new ModelMetrics { Accuracy = 0.81, Loss = 0.52, TrainLoss = 0.61, Forwards = 83 },
            Motivated = new ModelMetrics { Accuracy = 0.79, Loss = 0.58, TrainLoss = 0.55, Forwards = 17 },
            MeanForwardFlops = Flops.MeanForward(83, 82.82e6, 17, 139.5e6),
            TotalForwardFlops = Flops.Total(83, 82.82e6, 17, 139.5e6),
            LearningRate = 0.1, WallSeconds = 12.5,
        };
        var e2 = e1 with { Epoch = 2, Base = e1.Base with { Accuracy = 0.85, Loss = double.NaN }, Motivated = new ModelMetrics { Forwards = 0 }, LearningRate = null };
        return new RunReport
        {
            RunName = "resnet20-32 fashion", StartedUtc = new DateTimeOffset(2026, 11, 29, 9, 0, 0, TimeSpan.Zero),
            Dataset = "Fashion-MNIST (embedded sample)", Method = "motivated", Condition = "loss-decrease k=2", Seed = 42,
            Config = new Dictionary<string, string> { ["optimizer"] = "SGD momentum 0.9", ["batchSize"] = "128" },
            BaseModel = new ModelInfo { Name = "resnet20", Parameters = 272474, ForwardFlops = 82.82e6 },
            MotivatedModel = new ModelInfo { Name = "resnet32", Parameters = 466906, ForwardFlops = 139.5e6 },
            Epochs = [e1, e2],
            Final = final ? new FinalReport
            {
                Steps = 200, MotivatedSteps = 34, Activations = 18, MotivatedShare = 0.17,
                Base = new ModelMetrics { Accuracy = 0.85, Loss = 0.45, Forwards = 166 },
                Motivated = new ModelMetrics { Accuracy = 0.8, Loss = 0.5, Forwards = 34 },
                MeanForwardFlops = Flops.MeanForward(166, 82.82e6, 34, 139.5e6), TotalForwardFlops = Flops.Total(166, 82.82e6, 34, 139.5e6),
                WallSeconds = 25,
            } : null,
        };
    }

    public static List<StepRecord> Steps(int n = 300, int perEpoch = 100)
    {
        var r = new Random(1);
        var steps = new List<StepRecord>();
        for (int i = 0; i < n; i++)
        {
            bool mot = (i % 23) is >= 10 and < 14 || (i % 37) == 5;
            steps.Add(new StepRecord(i, i / perEpoch + 1, 2.3 * Math.Exp(-i / 120.0) + 0.2 * r.NextDouble(), mot));
        }
        return steps;
    }
}

public class ReportJsonTests
{
    [Fact]
    public void RoundTripsWithSchemaAndCamelCase()
    {
        using var tmp = new TempDir();
        var report = Samples.Report();
        ReportJson.Write(tmp["report.json"], report);
        var text = File.ReadAllText(tmp["report.json"]);
        using var doc = JsonDocument.Parse(text);
        var root = doc.RootElement;
        Assert.Equal("motivationdsl.report/1", root.GetProperty("schema").GetString());
        Assert.Equal("schema", root.EnumerateObject().First().Name);
        Assert.Equal(0.17, root.GetProperty("epochs")[0].GetProperty("motivatedShare").GetDouble());
        Assert.Equal(0.81, root.GetProperty("epochs")[0].GetProperty("base").GetProperty("accuracy").GetDouble());
        Assert.Equal(17, root.GetProperty("epochs")[0].GetProperty("motivated").GetProperty("forwards").GetInt64());
        Assert.Equal("NaN", root.GetProperty("epochs")[1].GetProperty("base").GetProperty("loss").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("epochs")[1].GetProperty("motivated").GetProperty("accuracy").ValueKind);
        Assert.True(root.GetProperty("final").TryGetProperty("meanForwardFlops", out _));
        Assert.Equal(82.82e6, root.GetProperty("baseModel").GetProperty("forwardFlops").GetDouble());

        var back = ReportJson.Read(tmp["report.json"]);
        Assert.Equal(ReportJson.Serialize(report), ReportJson.Serialize(back));
        Assert.Equal(report.Epochs[0], back.Epochs[0]);
        Assert.True(double.IsNaN(back.Epochs[1].Base.Loss!.Value));
        Assert.Equal("128", back.Config!["batchSize"]);
        Assert.Equal(report.Final, back.Final);
    }

    [Fact]
    public void MeanForwardFlopsFollowsThePaper()
    {
        // 83% base (82.82 MFLOPs), 17% motivated (139.5 MFLOPs).
        Assert.Equal((83 * 82.82e6 + 17 * 139.5e6) / 100, Flops.MeanForward(83, 82.82e6, 17, 139.5e6)!.Value, 3);
        Assert.Null(Flops.MeanForward(0, 1, 0, 2));
        Assert.Equal(0.5 / 10, Flops.AccuracyPerFlops(93.0, 30, 92.5, 20)!.Value, 9);
    }

    [Fact]
    public void RejectsOtherSchemas()
    {
        var e = Assert.Throws<InvalidDataException>(() => ReportJson.Deserialize("{\"schema\":\"motivationdsl.report/2\"}", "r.json"));
        Assert.Equal("r.json: unsupported schema \"motivationdsl.report/2\"; this reader understands \"motivationdsl.report/1\".", e.Message);
        var e2 = Assert.Throws<InvalidDataException>(() => ReportJson.Deserialize("{\"epochs\":[]}", "r.json"));
        Assert.Contains("no \"schema\" field", e2.Message);
    }

    [Fact]
    public void FailedWriteLeavesThePreviousFileAndNoTemporaries()
    {
        using var tmp = new TempDir();
        var path = tmp["report.json"];
        ReportJson.Write(path, Samples.Report(final: false));
        var before = File.ReadAllText(path);
        Assert.Throws<InvalidOperationException>(() => AtomicFile.WriteStream(path, s =>
        {
            s.Write(Encoding.UTF8.GetBytes("{\"schema\": \"motivationdsl.rep"));
            throw new InvalidOperationException("crash mid-write");
        }));
        Assert.Equal(before, File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(tmp.Path));
        ReportJson.Write(path, Samples.Report());
        Assert.NotNull(ReportJson.Read(path).Final);
        Assert.Single(Directory.GetFiles(tmp.Path));
    }
}

public class CsvTests
{
    [Fact]
    public void MetricsCsvHasOneRowPerEpochInInvariantCulture()
    {
        var saved = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = new CultureInfo("de-DE");
        try
        {
            using var tmp = new TempDir();
            MetricsCsv.Write(tmp["metrics.csv"], Samples.Report().Epochs);
            var lines = File.ReadAllLines(tmp["metrics.csv"]);
            Assert.Equal(3, lines.Length);
            Assert.Equal(string.Join(",", MetricsCsv.Columns), lines[0]);
            var row = lines[1].Split(',');
            Assert.Equal(MetricsCsv.Columns.Length, row.Length);
            Assert.Equal("1", row[0]);
            Assert.Equal("0.17", row[4]);
            Assert.Equal("0.81", row[5]);
            Assert.Equal("83", row[8]);
            Assert.Equal("12.5", row[16]);
            var row2 = lines[2].Split(',');
            Assert.Equal("NaN", row2[6]);
            Assert.Equal("", row2[9]);   // motivated accuracy not measured
            Assert.Equal("", row2[15]);  // no learning rate
        }
        finally { CultureInfo.CurrentCulture = saved; }
    }

    [Fact]
    public void StepsCsv()
    {
        var text = MetricsCsv.FormatSteps([new StepRecord(0, 1, 2.5, false), new StepRecord(1, 1, 0.125, true)]);
        Assert.Equal("step,epoch,loss,motivated\n0,1,2.5,0\n1,1,0.125,1\n", text);
    }
}

public class TensorBoardTests
{
    [Fact]
    public void EventsFileIsValidTfRecordsWithOurTags()
    {
        using var tmp = new TempDir();
        var log = new TensorBoardLog(tmp["tb"]);
        log.AddSteps(Samples.Steps(50));
        log.AddEpoch(Samples.Report().Epochs[0]);
        log.Dispose();
        var files = Directory.GetFiles(tmp["tb"], "events.out.tfevents.*", SearchOption.AllDirectories);
        Assert.NotEmpty(files);
        var bytes = files.SelectMany(File.ReadAllBytes).ToArray();
        Assert.NotEmpty(bytes);
        var records = TfRecord.Parse(bytes);
        // file_version record + 3 scalars per step + epoch scalars, possibly in several files
        Assert.True(records.Count >= 150, $"{records.Count} records");
        var all = Encoding.ASCII.GetString(records.SelectMany(r => r).ToArray());
        foreach (var tag in new[] { "train/loss_base", "train/loss_motivated", "train/active", "epoch/accuracy_base", "epoch/motivated_share" })
            Assert.Contains(tag, all);
    }
}

/// <summary>TFRecord framing: uint64 length, uint32 masked CRC32C of the length, data, uint32 masked CRC32C of the data.</summary>
internal static class TfRecord
{
    public static List<byte[]> Parse(byte[] b)
    {
        var list = new List<byte[]>();
        int p = 0;
        while (p < b.Length)
        {
            Assert.True(p + 12 <= b.Length, "truncated record header");
            ulong len = BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(p));
            Assert.Equal(Masked(Crc32C(b.AsSpan(p, 8))), BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(p + 8)));
            p += 12;
            Assert.True(p + (long)len + 4 <= b.Length, "truncated record data");
            var data = b.AsSpan(p, (int)len).ToArray();
            Assert.Equal(Masked(Crc32C(data)), BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(p + (int)len)));
            p += (int)len + 4;
            list.Add(data);
        }
        return list;
    }

    private static uint Crc32C(ReadOnlySpan<byte> data) => MotivationDsl.Tests.Shared.TensorBoardEvents.Crc32C(data);

    private static uint Masked(uint crc) => MotivationDsl.Tests.Shared.TensorBoardEvents.Masked(crc);
}

public class LossPlotTests
{
    [Fact]
    public void IntervalsAreContiguousMotivatedRuns()
    {
        var steps = new[] { false, true, true, false, true, false, false, true }
            .Select((m, i) => new StepRecord(i, 1, 1, m)).ToList();
        Assert.Equal(new (long, long)[] { (1, 2), (4, 4), (7, 7) }, LossPlot.MotivatedIntervals(steps));
    }

    [Fact]
    public void WritesAPng()
    {
        using var tmp = new TempDir();
        var path = tmp["loss.png"];
        LossPlot.Write(path, Samples.Steps(300), width: 900, height: 450);
        if (Environment.GetEnvironmentVariable("MOTIVATIONDSL_KEEP_PNG") is { Length: > 0 } keep) File.Copy(path, keep, true);
        var b = File.ReadAllBytes(path);
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, b[..8]);
        Assert.Equal("IHDR", Encoding.ASCII.GetString(b, 12, 4));
        Assert.Equal(900, BinaryPrimitives.ReadInt32BigEndian(b.AsSpan(16)));
        Assert.Equal(450, BinaryPrimitives.ReadInt32BigEndian(b.AsSpan(20)));
        Assert.InRange(b.Length, 10_000, 5_000_000);
        Assert.Single(Directory.GetFiles(tmp.Path));
    }

    [Fact]
    public void EmptyAndAllMotivatedRunsStillRender()
    {
        using var tmp = new TempDir();
        LossPlot.Write(tmp["a.png"], []);
        LossPlot.Write(tmp["b.png"], Enumerable.Range(0, 5).Select(i => new StepRecord(i, 1, double.NaN, true)).ToList());
        Assert.True(new FileInfo(tmp["a.png"]).Length > 1000);
        Assert.True(new FileInfo(tmp["b.png"]).Length > 1000);
    }
}

public class ModelExportTests
{
    private static nn.Module<Tensor, Tensor> Net(int seed)
    {
        torch.manual_seed(seed);
        return nn.Sequential(("fc1", nn.Linear(6, 5)), ("bn", nn.BatchNorm1d(5)), ("relu", nn.ReLU()), ("fc2", nn.Linear(5, 3)));
    }

    private static void AssertSameState(nn.Module a, nn.Module b)
    {
        var sa = a.state_dict();
        var sb = b.state_dict();
        Assert.Equal(sa.Keys.OrderBy(k => k), sb.Keys.OrderBy(k => k));
        foreach (var k in sa.Keys)
        {
            Assert.Equal(sa[k].shape, sb[k].shape);
            Assert.Equal(sa[k].dtype, sb[k].dtype);
            Assert.True(sa[k].eq(sb[k]).all().item<bool>(), $"{k} differs");
        }
    }

    [Fact]
    public void SavesAndLoadsBackInBothFormats()
    {
        using var tmp = new TempDir();
        var net = Net(1);
        using (torch.no_grad())
        {
            // Non-default BatchNorm statistics so buffers are checked too.
            net.train();
            net.call(torch.randn(16, 6));
        }
        var paths = ModelExport.Save(net, tmp["models"], "base");
        Assert.True(File.Exists(paths.TorchSharpPath) && paths.TorchSharpPath.EndsWith("base.dat"));
        Assert.True(File.Exists(paths.SafetensorsPath) && paths.SafetensorsPath.EndsWith("base.safetensors"));

        var a = Net(2);
        Assert.False(a.state_dict()["fc1.weight"].eq(net.state_dict()["fc1.weight"]).all().item<bool>());
        ModelExport.LoadTorchSharp(a, paths.TorchSharpPath);
        AssertSameState(net, a);

        var b = Net(3);
        ModelExport.LoadSafetensors(b, paths.SafetensorsPath);
        AssertSameState(net, b);
        Assert.Equal(2, Directory.GetFiles(tmp["models"]).Length); // no temporaries left
    }

    [Fact]
    public void SafetensorsHeaderDescribesEveryTensor()
    {
        using var tmp = new TempDir();
        var net = Net(4);
        ModelExport.SaveSafetensors(net, tmp["m.safetensors"]);
        var entries = SafetensorsHeader.Read(tmp["m.safetensors"]).ToDictionary(e => e.Name);
        var state = net.state_dict();
        foreach (var (name, t) in state)
        {
            if (t.dtype != ScalarType.Float32) continue; // num_batches_tracked is int64
            Assert.True(entries.ContainsKey(name), $"{name} missing from the header");
            Assert.Equal("F32", entries[name].Dtype);
            Assert.Equal(t.shape, entries[name].Shape);
            Assert.Equal(t.numel() * 4, entries[name].End - entries[name].Begin);
        }
        // Data offsets tile the data section without overlap.
        var spans = entries.Values.OrderBy(e => e.Begin).ToList();
        for (int i = 1; i < spans.Count; i++) Assert.True(spans[i].Begin >= spans[i - 1].End);
    }
}

public class RunFolderTests
{
    [Fact]
    public void WritesTheWholeLayout()
    {
        using var tmp = new TempDir();
        var run = RunFolder.CreateUnique(tmp.Path, "resnet 20/32", new DateTimeOffset(2026, 11, 29, 9, 30, 5, TimeSpan.Zero));
        Assert.Equal(tmp["resnet-20-32-20261129-093005"], run.Path);
        var again = RunFolder.CreateUnique(tmp.Path, "resnet 20/32", new DateTimeOffset(2026, 11, 29, 9, 30, 5, TimeSpan.Zero));
        Assert.EndsWith("-2", again.Path);

        var steps = Samples.Steps(200);
        var tb = run.OpenTensorBoard();
        tb.AddSteps(steps);
        foreach (var e in Samples.Report().Epochs) tb.AddEpoch(e);
        tb.Dispose();
        run.WriteReport(Samples.Report());
        run.WriteSteps(steps);
        run.SaveModel(nn.Linear(3, 2), "base");
        run.SaveModel(nn.Linear(3, 4), "motivated");

        foreach (var f in new[] { "report.json", "metrics.csv", "steps.csv", "loss.png", "models/base.dat", "models/base.safetensors", "models/motivated.dat", "models/motivated.safetensors" })
            Assert.True(File.Exists(Path.Combine(run.Path, f)), f);
        Assert.NotEmpty(Directory.GetFiles(run.TensorBoardDir, "events.out.tfevents.*", SearchOption.AllDirectories));
        Assert.Equal("resnet20", run.ReadReport().BaseModel.Name);
        Assert.Empty(Directory.GetFiles(run.Path, "*.tmp", SearchOption.AllDirectories));
    }
}
