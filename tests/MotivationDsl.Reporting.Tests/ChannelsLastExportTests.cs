using System.Diagnostics;
using System.Globalization;
using MotivationDsl;

namespace MotivationDsl.Reporting.Tests;

/// <summary>
/// A module with channels-last weights exports files that PyTorch loads into its default layout with strict=True
/// (needs Debian's python3-torch, which .ci/run installs).
/// </summary>
public class ChannelsLastExportTests
{
    // Rebuilds the same Sequential in PyTorch (default NCHW layout), loads the exported state with strict=True from the
    // safetensors file (read with the standard library) and from the .pt file (torch.load), runs the input, and prints
    // the largest difference from TorchSharp's output for each, and the output's scale.
    private const string Script = """
import json, struct, sys
import torch, torch.nn as nn
d = sys.argv[1]
def model():
    return nn.Sequential(nn.Conv2d(3, 6, 3, padding=1), nn.BatchNorm2d(6), nn.ReLU(), nn.Conv2d(6, 5, 3, stride=2),
                         nn.Flatten(), nn.Linear(5 * 3 * 3, 4)).eval()
def raw(name, shape):
    with open(f"{d}/{name}.bin", "rb") as f:
        return torch.frombuffer(bytearray(f.read()), dtype=torch.float32).reshape(shape)
x, y = raw("input", (2, 3, 8, 8)), raw("output", (2, 4))
with open(f"{d}/m.safetensors", "rb") as f:
    n = struct.unpack("<Q", f.read(8))[0]
    header = json.loads(f.read(n))
    data = f.read()
dt = {"F32": torch.float32, "I64": torch.int64}
st = {k: torch.frombuffer(bytearray(data[e["data_offsets"][0]:e["data_offsets"][1]]), dtype=dt[e["dtype"]]).reshape(e["shape"])
      for k, e in header.items() if k != "__metadata__"}
for label, state in (("safetensors", st), ("pt", torch.load(f"{d}/m.pt"))):
    m = model()
    m.load_state_dict(state, strict=True)
    assert m[0].weight.is_contiguous(), "PyTorch's default layout expected"
    with torch.no_grad():
        print(label, float((m(x) - y).abs().max()))
print("scale", float(y.abs().max()))
""";

    [PythonFact]
    public void Channels_last_weights_export_to_pytorch_default_layout()
    {
        using var tmp = new TempDir();
        torch.manual_seed(3);
        var net = nn.Sequential(("0", nn.Conv2d(3, 6, 3, padding: 1)), ("1", nn.BatchNorm2d(6)), ("2", nn.ReLU()),
            ("3", nn.Conv2d(6, 5, 3, stride: 2)), ("4", nn.Flatten()), ("5", nn.Linear(45, 4)));
        using (var _ = net.call(randn(4, 3, 8, 8))) { }   // BN running statistics that are not the defaults
        net.eval();
        net.ToMemoryFormat(MemoryFormat.ChannelsLast);
        Assert.Equal(MemoryFormat.ChannelsLast, net.MemoryFormatOf());
        using var x = randn(2, 3, 8, 8);
        using var y = net.call(x.In(MemoryFormat.ChannelsLast));
        File.WriteAllBytes(tmp["input.bin"], x.contiguous().bytes.ToArray());
        File.WriteAllBytes(tmp["output.bin"], y.contiguous().bytes.ToArray());
        ModelExport.SaveSafetensors(net, tmp["m.safetensors"]);
        ModelExport.SavePyTorch(net, tmp["m.pt"]);
        ModelExport.SaveTorchSharp(net, tmp["m.dat"]);
        Assert.Equal(MemoryFormat.ChannelsLast, net.MemoryFormatOf());   // exporting leaves the module as it was
        // The TorchSharp file loads back into an NCHW twin with the same values.
        torch.manual_seed(99);
        var twin = nn.Sequential(("0", nn.Conv2d(3, 6, 3, padding: 1)), ("1", nn.BatchNorm2d(6)), ("2", nn.ReLU()),
            ("3", nn.Conv2d(6, 5, 3, stride: 2)), ("4", nn.Flatten()), ("5", nn.Linear(45, 4)));
        ModelExport.LoadTorchSharp(twin, tmp["m.dat"]);
        twin.eval();
        using (var yt = twin.call(x)) Assert.True((yt - y).abs().max().item<float>() <= 1e-5f * Math.Max(1f, y.abs().max().item<float>()));
        File.WriteAllText(tmp["check.py"], Script);
        var psi = new ProcessStartInfo(PythonFactAttribute.Python, [tmp["check.py"], tmp.Path]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, stdout + stderr.Result);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToDictionary(l => l.Split(' ')[0], l => double.Parse(l.Split(' ')[1], CultureInfo.InvariantCulture));
        var scale = lines["scale"];
        Assert.True(scale > 0);
        Assert.True(lines["safetensors"] <= 1e-5 * Math.Max(1, scale), stdout);
        Assert.True(lines["pt"] <= 1e-5 * Math.Max(1, scale), stdout);
    }

    [Fact]
    public void Exports_load_into_a_channels_last_module_which_keeps_its_layout()
    {
        using var tmp = new TempDir();
        static nn.Module Net() => nn.Sequential(("0", nn.Conv2d(3, 6, 3, padding: 1)), ("1", nn.BatchNorm2d(6)), ("2", nn.ReLU()),
            ("3", nn.Conv2d(6, 5, 3, stride: 2)), ("4", nn.Flatten()), ("5", nn.Linear(45, 4)));
        torch.manual_seed(4);
        var source = Net();
        source.ToMemoryFormat(MemoryFormat.ChannelsLast);
        ModelExport.SaveTorchSharp(source, tmp["m.dat"]);
        ModelExport.SaveSafetensors(source, tmp["m.safetensors"]);
        foreach (var (file, load) in new (string, Action<nn.Module, string>)[] { ("m.dat", ModelExport.LoadTorchSharp), ("m.safetensors", ModelExport.LoadSafetensors) })
        {
            torch.manual_seed(98);
            var target = Net();
            target.ToMemoryFormat(MemoryFormat.ChannelsLast);
            var weight = target.parameters().First();
            load(target, tmp[file]);
            Assert.Same(weight, target.parameters().First());   // filled in place: an optimizer holding it keeps working
            Assert.Equal(MemoryFormat.ChannelsLast, target.MemoryFormatOf());
            var expected = source.state_dict();
            foreach (var (key, t) in target.state_dict()) Assert.True(t.eq(expected[key]).all().item<bool>(), $"{file}: {key}");
        }
    }
}
