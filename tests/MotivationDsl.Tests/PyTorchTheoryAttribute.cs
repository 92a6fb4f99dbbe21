using System.Diagnostics;
using Xunit;

namespace MotivationDsl.Tests;

/// <summary>
/// A theory that needs Debian's PyTorch (<c>/usr/bin/python3</c> with torch and torchvision) for a reference check;
/// reported as skipped, with the reason, where it is absent (.ci/run installs python3-torch and python3-torchvision).
/// </summary>
public sealed class PyTorchTheoryAttribute : TheoryAttribute
{
    public const string Python = "/usr/bin/python3";

    private static readonly Lazy<string?> Missing = new(() =>
    {
        if (!File.Exists(Python)) return $"{Python} is not installed";
        try
        {
            using var p = Process.Start(new ProcessStartInfo(Python, "-c \"import torch, torchvision\"")
            { RedirectStandardError = true, RedirectStandardOutput = true })!;
            var stderr = p.StandardError.ReadToEnd();
            p.WaitForExit();
            return p.ExitCode == 0 ? null : $"{Python} cannot import torch and torchvision (apt-get install python3-torch python3-torchvision): {stderr.Trim().Split('\n')[^1]}";
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return $"{Python} could not be started: {e.Message}";
        }
    });

    public PyTorchTheoryAttribute()
    {
        if (Missing.Value is { } reason) Skip = reason;
    }
}

/// <summary>
/// Runs a reference script of tests/reference on a generated module: dumps its parameters and buffers, an input and
/// TorchSharp's output into a temporary folder, runs the script (which loads them into the PyTorch/torchvision model
/// with <c>load_state_dict(strict=True)</c> and prints <c>maxdiff</c> and <c>scale</c>), and returns those two numbers
/// (<see cref="Compare"/>), or the script's whole output (<see cref="Run"/>).
/// </summary>
internal static class PyTorchReference
{
    public static (double MaxDiff, double Scale) Compare(TorchSharp.torch.nn.Module module, TorchSharp.torch.Tensor input,
        TorchSharp.torch.Tensor output, string script, string arguments, [System.Runtime.CompilerServices.CallerFilePath] string file = "")
    {
        var stdout = Run(module, input, output, script, arguments, file);
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var diff = double.Parse(stdout.Split("maxdiff")[1].Split('\n')[0].Trim(), inv);
        var scale = double.Parse(stdout.Split("scale")[1].Split('\n')[0].Trim(), inv);
        return (diff, scale);
    }

    /// <summary>Dumps the module's tensors, the input and the output, runs the script on them, and returns its standard output.</summary>
    public static string Run(TorchSharp.torch.nn.Module module, TorchSharp.torch.Tensor input,
        TorchSharp.torch.Tensor output, string script, string arguments, [System.Runtime.CompilerServices.CallerFilePath] string file = "")
    {
        var path = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, "..", "reference", script));
        var dir = Directory.CreateTempSubdirectory("motivationdsl-ref").FullName;
        try
        {
            var index = new List<string>();
            void Dump(string name, TorchSharp.torch.Tensor t)
            {
                File.WriteAllBytes(Path.Combine(dir, name + ".bin"), t.contiguous().bytes.ToArray());
                var kind = t.dtype == TorchSharp.torch.ScalarType.Float32 ? "f32" : "i64";
                index.Add($"{name} {kind} {(t.dim() == 0 ? "-" : string.Join(",", t.shape))}");
            }
            // The state_dict: parameters and buffers, and a tied weight under each of its names (as PyTorch saves it).
            foreach (var (n, t) in module.state_dict()) Dump(n, t);
            Dump("input", input);
            Dump("output", output);
            File.WriteAllLines(Path.Combine(dir, "index.txt"), index);
            var psi = new ProcessStartInfo(PyTorchTheoryAttribute.Python, $"\"{path}\" \"{dir}\" {arguments}")
            { RedirectStandardOutput = true, RedirectStandardError = true };
            using var proc = Process.Start(psi)!;
            var stderrTask = proc.StandardError.ReadToEndAsync();
            var stdout = proc.StandardOutput.ReadToEnd();
            var stderr = stderrTask.Result;
            proc.WaitForExit();
            Assert.True(proc.ExitCode == 0, stdout + stderr);
            return stdout;
        }
        finally { Directory.Delete(dir, true); }
    }
}
