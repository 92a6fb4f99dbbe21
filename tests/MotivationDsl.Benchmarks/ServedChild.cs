using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace MotivationDsl.Benchmarks;

/// <summary>
/// A long-lived child of this benchmark (<c>child-step-serve</c>, under mpirun or alone): a line "pass" in its command
/// file, one JSON line per timed pass out; "end" ends it. For arms that must be separate processes: ranks, or a
/// process-wide setting such as the native heap.
/// </summary>
internal sealed class ServedChild : IDisposable
{
    private static readonly string[] MpirunFlags = ["--allow-run-as-root", "--oversubscribe", "--mca", "btl", "self,vader", "-x", "TERM=dumb"];

    private readonly Process _p;
    private readonly string _name;
    private readonly string _commands = Path.GetTempFileName();

    /// <param name="ranks">0: a plain process; else that many ranks under mpirun.</param>
    public ServedChild(int ranks, int threads, params string[] args)
    {
        _name = ranks > 0 ? $"{ranks} ranks x {threads} thread(s)" : $"1 process x {threads} thread(s)";
        _p = Process.Start(Start(ranks, threads, [.. args, _commands]))!;
        _p.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 } d) Console.Error.WriteLine($"  [{_name}] {d}"); };
        _p.BeginErrorReadLine();
    }

    public JsonObject Pass()
    {
        File.AppendAllText(_commands, "pass\n");
        while (true)
        {
            var line = _p.StandardOutput.ReadLine()
                ?? throw new InvalidOperationException($"the {_name} step process ended (exit {(_p.WaitForExit(10_000) ? _p.ExitCode : -1)})");
            if (line.TrimStart().StartsWith('{')) return JsonNode.Parse(line)!.AsObject();
        }
    }

    /// <summary>One pass whose JSON is added to <paramref name="into"/>; returns its seconds (an arm of paired rounds).</summary>
    public double Pass(List<JsonObject> into)
    {
        var pass = Pass();
        into.Add(pass);
        return pass["seconds"]!.GetValue<double>();
    }

    public void Dispose()
    {
        try { File.AppendAllText(_commands, "end\n"); if (!_p.WaitForExit(30_000)) _p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        _p.Dispose();
        File.Delete(_commands);
    }

    /// <summary>This benchmark's dll with <c>--threads</c> and <paramref name="args"/>, under mpirun when <paramref name="ranks"/> > 0.</summary>
    public static ProcessStartInfo Start(int ranks, int threads, string[] args)
    {
        var self = typeof(ServedChild).Assembly.Location;
        var psi = new ProcessStartInfo(ranks > 0 ? FindMpirun()! : "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (ranks > 0)
        {
            foreach (var f in MpirunFlags) psi.ArgumentList.Add(f);
            psi.ArgumentList.Add("-np");
            psi.ArgumentList.Add(ranks.ToString(CultureInfo.InvariantCulture));
            psi.ArgumentList.Add("dotnet");
        }
        psi.ArgumentList.Add(self);
        foreach (var x in new[] { "--threads", threads.ToString(CultureInfo.InvariantCulture) }.Concat(args)) psi.ArgumentList.Add(x);
        return psi;
    }

    public static string? FindMpirun() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Select(d => Path.Combine(d, "mpirun")).FirstOrDefault(File.Exists);
}
