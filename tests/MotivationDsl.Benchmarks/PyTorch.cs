using System.Diagnostics;
using System.Text.Json.Nodes;

namespace MotivationDsl.Benchmarks;

/// <summary>Runs tests/benchmarks/pytorch_resnet_step.py with Debian's /usr/bin/python3 (torch 1.13), same thread count.</summary>
internal static class PyTorch
{
    public const string Python = "/usr/bin/python3";

    public sealed record Status(bool Ok, string Describe);

    private static Status? s_status;

    public static Status Available(Config c)
    {
        if (s_status is not null) return s_status;
        if (!File.Exists(Python)) return s_status = new(false, $"{Python} not found");
        var (code, output) = Exec(c, "-c \"import torch; print(torch.__version__)\"");
        return s_status = code == 0 ? new(true, $"{Python}, torch {output.Trim()}") : new(false, $"torch not importable by {Python}: {output.Trim()}");
    }

    /// <summary>Seconds per step of <paramref name="steps"/> timed steps after <paramref name="warmup"/> untimed ones, in a fresh process.</summary>
    public static Spread Run(Config c, int steps, int warmup)
    {
        var script = Path.Combine(c.Root, "tests", "benchmarks", "pytorch_resnet_step.py");
        var (code, output) = Exec(c, $"\"{script}\" --threads {c.Threads} --batch {c.Batch} --steps {steps} --warmup {warmup}");
        if (code != 0) throw new InvalidOperationException($"{script} failed: {output}");
        var json = JsonNode.Parse(output.Trim().Split('\n')[^1])!;
        return Spread.Of(json["seconds_per_step"]!.AsArray().Select(x => x!.GetValue<double>()));
    }

    /// <summary>Per-step seconds of forward (with the loss), backward and optimizer step (<c>--sections</c>).</summary>
    public static Dictionary<string, double[]> Sections(Config c, int steps, int warmup)
    {
        var script = Path.Combine(c.Root, "tests", "benchmarks", "pytorch_resnet_step.py");
        var (code, output) = Exec(c, $"\"{script}\" --threads {c.Threads} --batch {c.Batch} --steps {steps} --warmup {warmup} --sections");
        if (code != 0) throw new InvalidOperationException($"{script} failed: {output}");
        var json = JsonNode.Parse(output.Trim().Split('\n')[^1])!["sections"]!.AsObject();
        return json.ToDictionary(kv => kv.Key, kv => kv.Value!.AsArray().Select(x => x!.GetValue<double>()).ToArray());
    }

    /// <summary>
    /// A long-lived PyTorch step process (<c>--serve</c>) for interleaved measurements: the model, data, allocator and
    /// oneDNN caches stay warm between passes, as they do in the C# process it is paired with.
    /// </summary>
    public sealed class Session : IDisposable
    {
        private readonly Process _p;
        public bool ChannelsLast { get; }

        public Session(Config c, bool channelsLast, int dataSteps, int warmup)
        {
            ChannelsLast = channelsLast;
            var script = Path.Combine(c.Root, "tests", "benchmarks", "pytorch_resnet_step.py");
            var psi = Start(c, $"\"{script}\" --serve --threads {c.Threads} --batch {c.Batch} --steps {dataSteps} --warmup {warmup}{(channelsLast ? " --channels-last" : "")}");
            psi.RedirectStandardInput = true;
            _p = Process.Start(psi)!;
            _p.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 } d) Console.Error.WriteLine("  [pytorch] " + d); };
            _p.BeginErrorReadLine();
        }

        /// <summary>Seconds per step over <paramref name="steps"/> steps.</summary>
        public double SecondsPerStep(int steps)
        {
            _p.StandardInput.WriteLine(steps.ToString(System.Globalization.CultureInfo.InvariantCulture));
            _p.StandardInput.Flush();
            var line = _p.StandardOutput.ReadLine() ?? throw new InvalidOperationException($"the PyTorch step process ended (exit {(_p.HasExited ? _p.ExitCode : -1)})");
            return JsonNode.Parse(line)!["seconds"]!.GetValue<double>() / steps;
        }

        public void Dispose()
        {
            try { _p.StandardInput.Close(); if (!_p.WaitForExit(10_000)) _p.Kill(); } catch (InvalidOperationException) { }
            _p.Dispose();
        }
    }

    private static ProcessStartInfo Start(Config c, string args)
    {
        var psi = new ProcessStartInfo(Python, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.Environment["OMP_NUM_THREADS"] = c.Threads.ToString();
        psi.Environment["MKL_NUM_THREADS"] = c.Threads.ToString();
        return psi;
    }

    private static (int, string) Exec(Config c, string args)
    {
        var psi = Start(c, args);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var o = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, p.ExitCode == 0 ? o : o + err.Result);
    }
}
