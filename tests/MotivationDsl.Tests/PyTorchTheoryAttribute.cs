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
