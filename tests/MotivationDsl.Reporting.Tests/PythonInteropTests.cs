using System.Diagnostics;
using System.Text.Json;

namespace MotivationDsl.Reporting.Tests;

/// <summary>A fact skipped (with the reason) when /usr/bin/python3 is not installed.</summary>
public sealed class PythonFactAttribute : FactAttribute
{
    public const string Python = "/usr/bin/python3";
    public PythonFactAttribute()
    {
        if (!File.Exists(Python)) Skip = $"{Python} not installed";
    }
}

public class PythonInteropTests
{
    // Reads a .safetensors file with nothing but the standard library (and, when installed, also with the
    // safetensors package), and prints per-tensor dtype, shape and the values' sum and first element.
    private const string Script = """
import json, struct, sys
path = sys.argv[1]
with open(path, 'rb') as f:
    n = struct.unpack('<Q', f.read(8))[0]
    header = json.loads(f.read(n))
    data = f.read()
out = {}
fmt = {'F32': 'f', 'F64': 'd', 'I64': 'q', 'I32': 'i'}
for name, e in header.items():
    if name == '__metadata__':
        continue
    b, end = e['data_offsets']
    c = fmt[e['dtype']]
    vals = struct.unpack('<%d%s' % ((end - b) // struct.calcsize(c), c), data[b:end])
    out[name] = {'dtype': e['dtype'], 'shape': e['shape'], 'sum': float(sum(vals)), 'first': float(vals[0]) if vals else None}
lib = False
try:
    from safetensors.numpy import load_file
    arrays = load_file(path)
    lib = all(abs(float(arrays[k].sum()) - out[k]['sum']) < 1e-3 for k in out)
except ImportError:
    pass
print(json.dumps({'tensors': out, 'library': lib}))
""";

    [PythonFact]
    public void PythonReadsOurSafetensorsWithTheSameValues()
    {
        using var tmp = new TempDir();
        torch.manual_seed(5);
        var net = nn.Sequential(("fc", nn.Linear(4, 3)), ("bn", nn.BatchNorm1d(3)));
        ModelExport.SaveSafetensors(net, tmp["m.safetensors"]);
        File.WriteAllText(tmp["read.py"], Script);
        var psi = new ProcessStartInfo(PythonFactAttribute.Python, [tmp["read.py"], tmp["m.safetensors"]])
        { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEnd();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var tensors = doc.RootElement.GetProperty("tensors");
        foreach (var (name, t) in net.state_dict())
        {
            Assert.True(tensors.TryGetProperty(name, out var e), $"{name} not in the file");
            Assert.Equal(t.shape, e.GetProperty("shape").EnumerateArray().Select(x => x.GetInt64()).ToArray());
            double sum = t.to_type(ScalarType.Float64).sum().item<double>();
            Assert.Equal(sum, e.GetProperty("sum").GetDouble(), 4);
            if (t.numel() > 0)
                Assert.Equal(t.flatten()[0].to_type(ScalarType.Float64).item<double>(), e.GetProperty("first").GetDouble(), 6);
        }
    }
}
