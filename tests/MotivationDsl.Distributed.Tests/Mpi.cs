using System.Diagnostics;
using System.Text.Json;

namespace MotivationDsl.Distributed.Tests;

/// <summary>
/// A test that starts ranks with Open MPI's mpirun; reported as skipped, with the reason, where mpirun or libmpi is
/// absent (.ci/run installs openmpi-bin and libopenmpi-dev, so CI runs them).
/// </summary>
public sealed class MpiFactAttribute : FactAttribute
{
    public MpiFactAttribute()
    {
        if (Mpi.Missing.Value is { } reason) Skip = reason;
    }
}

/// <summary>Starts this assembly (<see cref="Worker"/>) under mpirun, on this machine only (shared-memory transport).</summary>
internal static class Mpi
{
    public static readonly Lazy<string?> Missing = new(() =>
    {
        var mpirun = FindOnPath("mpirun");
        if (mpirun is null) return "mpirun is not installed (apt-get install openmpi-bin libopenmpi-dev; .ci/run installs it)";
        if (!System.Runtime.InteropServices.NativeLibrary.TryLoad("libmpi.so.40", out var lib))
            return "libmpi.so.40 is not installed (apt-get install openmpi-bin libopenmpi-dev; .ci/run installs it)";
        System.Runtime.InteropServices.NativeLibrary.Free(lib);
        return null;
    });

    public static string WorkerDll => typeof(Worker).Assembly.Location;

    /// <summary>Runs <c>mpirun -np <paramref name="ranks"/> dotnet this.dll args</c>, or the program alone for 0 ranks.</summary>
    public static (int Exit, string Stdout, string Stderr) Run(int ranks, params string[] args)
    {
        var psi = ranks == 0
            ? new ProcessStartInfo("dotnet")
            : new ProcessStartInfo("mpirun");
        if (ranks > 0)
            foreach (var a in new[] { "--allow-run-as-root", "--oversubscribe", "--mca", "btl", "self,vader", "-x", "TERM=dumb", "-np", ranks.ToString(), "dotnet" })
                psi.ArgumentList.Add(a);
        psi.ArgumentList.Add(WorkerDll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.Environment["NO_COLOR"] = "1";
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"mpirun -np {ranks} did not finish within 5 minutes (a hang): {string.Join(' ', args)}\n{stdout.Result}\n{stderr.Result}");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    public static RankResult Result(string dir, int rank) =>
        JsonSerializer.Deserialize<RankResult>(File.ReadAllText(Path.Combine(dir, $"rank{rank}.json")))!;

    public static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "mdsl-mpi-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
}

internal sealed record RankResult(int rank, int size, string roles, double[] losses, long switches, double testAccuracy, Dictionary<string, float[]> tensors)
{
    /// <summary>Largest |a - b| over all tensors, and the largest |a| (the scale it is relative to).</summary>
    public (double MaxDiff, double Scale) Compare(RankResult other)
    {
        Assert.Equal(tensors.Keys.Order(), other.tensors.Keys.Order());
        double diff = 0, scale = 0;
        foreach (var (k, a) in tensors)
        {
            var b = other.tensors[k];
            for (var i = 0; i < a.Length; i++)
            {
                diff = Math.Max(diff, Math.Abs(a[i] - b[i]));
                scale = Math.Max(scale, Math.Abs(a[i]));
            }
        }
        return (diff, scale);
    }
}
