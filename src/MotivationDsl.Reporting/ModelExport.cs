using System.Buffers.Binary;
using System.Text.Json;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace MotivationDsl.Reporting;

/// <summary>Paths of one exported model.</summary>
public sealed record ExportedModel(string TorchSharpPath, string SafetensorsPath);

/// <summary>
/// Saves trained modules: TorchSharp's own format (<c>module.save</c>, load with <c>module.load</c>) and
/// safetensors (TorchSharp.PyBridge <c>save_safetensors</c>; loads in Python with safetensors.torch.load_file, or
/// back into TorchSharp with <c>load_safetensors</c>). Both writes are atomic.
/// </summary>
public static class ModelExport
{
    public const string TorchSharpExtension = ".dat";
    public const string SafetensorsExtension = ".safetensors";

    /// <summary>Writes <c>{dir}/{name}.dat</c> and <c>{dir}/{name}.safetensors</c>.</summary>
    public static ExportedModel Save(nn.Module module, string dir, string name)
    {
        var ts = Path.Combine(dir, name + TorchSharpExtension);
        var st = Path.Combine(dir, name + SafetensorsExtension);
        SaveTorchSharp(module, ts);
        SaveSafetensors(module, st);
        return new ExportedModel(ts, st);
    }

    // Each writer goes through ContiguousState: channels-last or strided (zero-copy) tensors are written as contiguous copies.
    public static void SaveTorchSharp(nn.Module module, string path)
        => AtomicFile.Write(path, tmp => ContiguousState.Write(module, m => m.save(tmp)));

    public static void SaveSafetensors(nn.Module module, string path)
        => AtomicFile.Write(path, tmp => ContiguousState.Write(module, m => m.save_safetensors(tmp)));

    /// <summary>A PyTorch <c>torch.save(state_dict)</c> file (TorchSharp.PyBridge <c>save_py</c>); loads with <c>torch.load</c>.</summary>
    public static void SavePyTorch(nn.Module module, string path)
        => AtomicFile.Write(path, tmp => ContiguousState.Write(module, m => m.save_py(tmp)));

    /// <summary>Loads a TorchSharp .dat into <paramref name="module"/>, whatever the layout of its tensors (channels-last included).</summary>
    public static void LoadTorchSharp(nn.Module module, string path) => ContiguousState.Read(module, m => m.load(path));

    /// <summary>Loads a .safetensors file into <paramref name="module"/>, whatever the layout of its tensors.</summary>
    public static void LoadSafetensors(nn.Module module, string path) => ContiguousState.Read(module, m => m.load_safetensors(path));
}

/// <summary>One tensor entry of a safetensors header.</summary>
public sealed record SafetensorsEntry(string Name, string Dtype, long[] Shape, long Begin, long End);

/// <summary>
/// Reads the header of a .safetensors file: 8-byte little-endian header length N, then N bytes of JSON mapping each
/// tensor name to {dtype, shape, data_offsets: [begin, end]} (offsets relative to the byte after the header),
/// plus an optional "__metadata__" object.
/// </summary>
public static class SafetensorsHeader
{
    public static IReadOnlyList<SafetensorsEntry> Read(string path)
    {
        using var fs = File.OpenRead(path);
        Span<byte> len = stackalloc byte[8];
        if (fs.Read(len) != 8) throw new InvalidDataException($"{path}: shorter than the 8-byte safetensors header length.");
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(len);
        if (n == 0 || n > (ulong)(fs.Length - 8)) throw new InvalidDataException($"{path}: header length {n} does not fit the {fs.Length}-byte file.");
        var json = new byte[n];
        fs.ReadExactly(json);
        long dataBytes = fs.Length - 8 - (long)n;
        using var doc = JsonDocument.Parse(json);
        var entries = new List<SafetensorsEntry>();
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            if (p.Name == "__metadata__") continue;
            var dtype = p.Value.GetProperty("dtype").GetString()!;
            var shape = p.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            var off = p.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            if (off.Length != 2 || off[0] < 0 || off[1] < off[0] || off[1] > dataBytes)
                throw new InvalidDataException($"{path}: tensor {p.Name} has data_offsets [{string.Join(", ", off)}] outside the {dataBytes}-byte data section.");
            entries.Add(new SafetensorsEntry(p.Name, dtype, shape, off[0], off[1]));
        }
        return entries;
    }
}
