using System.Runtime.CompilerServices;
using TorchSharp;

namespace MotivationDsl.Data.Tests;

internal static class TestInit
{
    [ModuleInitializer]
    internal static void Init() => torch.set_num_threads(1);
}

/// <summary>A temporary folder deleted on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mdsl-data-" + Guid.NewGuid().ToString("N"));
    public TempDir() => Directory.CreateDirectory(Path);
    public string this[string name] => System.IO.Path.Combine(Path, name);
    public void Dispose() { try { Directory.Delete(Path, true); } catch (IOException) { } }
}

/// <summary>A fact that is skipped (with the reason) when the Debian Fashion-MNIST files are not installed.</summary>
public sealed class DebianFashionMnistFactAttribute : FactAttribute
{
    public static bool Present =>
        File.Exists(System.IO.Path.Combine(Datasets.DefaultFashionMnistDir, "train-images-idx3-ubyte.gz"))
        && File.Exists(System.IO.Path.Combine(Datasets.DefaultFashionMnistDir, "t10k-labels-idx1-ubyte.gz"));

    public DebianFashionMnistFactAttribute()
    {
        if (!Present) Skip = $"{Datasets.DefaultFashionMnistDir} not installed (apt-get install dataset-fashion-mnist)";
    }
}

internal static class Synthetic
{
    /// <summary>Deterministic pseudo-random bytes.</summary>
    public static byte[] Bytes(int n, int seed)
    {
        var r = new Random(seed);
        var b = new byte[n];
        r.NextBytes(b);
        return b;
    }

    /// <summary>Labels 0..classes-1 cycling.</summary>
    public static byte[] Labels(int n, int classes) => Enumerable.Range(0, n).Select(i => (byte)(i % classes)).ToArray();

    public static void WriteIdxSet(string dir, int train, int test, int rows = 28, int cols = 28, bool gzip = true)
    {
        string ext = gzip ? ".gz" : "";
        IdxWriter.WriteImages(System.IO.Path.Combine(dir, "train-images-idx3-ubyte" + ext), Bytes(train * rows * cols, 1), train, rows, cols, gzip);
        IdxWriter.WriteLabels(System.IO.Path.Combine(dir, "train-labels-idx1-ubyte" + ext), Labels(train, 10), gzip);
        IdxWriter.WriteImages(System.IO.Path.Combine(dir, "t10k-images-idx3-ubyte" + ext), Bytes(test * rows * cols, 2), test, rows, cols, gzip);
        IdxWriter.WriteLabels(System.IO.Path.Combine(dir, "t10k-labels-idx1-ubyte" + ext), Labels(test, 10), gzip);
    }

    /// <summary>Writes CIFAR records: for each i, label byte(s) then 3072 pixel bytes (pixel value = (i + j) % 256 per plane offset).</summary>
    public static byte[] CifarRecords(int n, bool cifar100, int seed = 3)
    {
        int rec = cifar100 ? 3074 : 3073;
        var bytes = new byte[n * rec];
        var px = Bytes(n * 3072, seed);
        for (int i = 0; i < n; i++)
        {
            if (cifar100)
            {
                bytes[i * rec] = (byte)(i % 20);      // coarse
                bytes[i * rec + 1] = (byte)(i % 100); // fine
            }
            else bytes[i * rec] = (byte)(i % 10);
            Buffer.BlockCopy(px, i * 3072, bytes, i * rec + (cifar100 ? 2 : 1), 3072);
        }
        return bytes;
    }
}
