using System.Collections;
using System.Diagnostics;
using System.Text;
using Microsoft.Build.Framework;
using Xunit;

namespace MotivationDsl.Build.Tests;

/// <summary>Paths of the repository and of the test run.</summary>
public static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string GeneratorProject => Path.Combine(Root, "generators", "MotivationDsl.Generators", "MotivationDsl.Generators.csproj");

    public static bool HasGenerator => File.Exists(GeneratorProject);

    public static string TargetsFile => Path.Combine(Root, "src", "MotivationDsl", "build", "MotivationDsl.targets");

    /// <summary>Debug or Release: the configuration this test assembly was built in.</summary>
    public static string Configuration { get; } =
        AppContext.BaseDirectory.Replace('\\', '/').Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";

    public static string NuGetPackages { get; } =
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p
            ? p
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    public static string CachedLibTorchSharp =>
        Path.Combine(NuGetPackages, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    private static string FindRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "MotivationDsl.sln"))) return d.FullName;
        throw new InvalidOperationException($"No MotivationDsl.sln above {AppContext.BaseDirectory}.");
    }

    /// <summary>A fresh folder outside the repository, so its Directory.Build.* files do not apply.</summary>
    public static string NewTempDirectory(string prefix)
    {
        var dir = Path.Combine(Path.GetTempPath(), "motivationdsl-tests", prefix + "-" + DateTime.UtcNow.ToString("HHmmss") + "-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    public static void TryDelete(string dir)
    {
        try { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>A [Fact] that is skipped until the generator project (branch gen) is in the repository.</summary>
public sealed class RequiresGeneratorFactAttribute : FactAttribute
{
    public RequiresGeneratorFactAttribute()
    {
        if (!Repo.HasGenerator)
            Skip = "Needs generators/MotivationDsl.Generators (being written on branch gen); runs automatically once it is merged.";
    }
}

/// <summary>A [Fact] for Linux only (TorchSharp's native library fix-up).</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux()) Skip = "Linux only.";
    }
}

public sealed record ProcessResult(int ExitCode, string Output)
{
    public override string ToString() => $"exit code {ExitCode}\n{Output}";
}

/// <summary>Runs the dotnet CLI as a child, isolated from the MSBuild environment of the test host.</summary>
public static class DotNet
{
    public static ProcessResult Run(string workingDirectory, TimeSpan timeout, params string[] args) =>
        RunProcess("dotnet", workingDirectory, timeout, args);

    /// <summary>`dotnet build` etc. with no node reuse (build servers on this machine are shared: never shut down).</summary>
    public static ProcessResult Msbuild(string workingDirectory, string verb, params string[] args) =>
        Msbuild(workingDirectory, TimeSpan.FromMinutes(5), verb, args);

    public static ProcessResult Msbuild(string workingDirectory, TimeSpan timeout, string verb, params string[] args)
    {
        var all = new List<string> { verb, "-nodeReuse:false", "-tl:off", "-clp:NoSummary" };
        all.AddRange(args);
        return Run(workingDirectory, timeout, all.ToArray());
    }

    public static ProcessResult RunProcess(string fileName, string workingDirectory, TimeSpan timeout, params string[] args) =>
        RunProcess(fileName, workingDirectory, timeout, new Dictionary<string, string>(), args);

    /// <param name="environment">Variables set (or replaced) in the child's environment.</param>
    public static ProcessResult RunProcess(string fileName, string workingDirectory, TimeSpan timeout,
                                           IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        // The test host may run under `dotnet test`, whose MSBuild variables would leak into the child build.
        foreach (DictionaryEntry e in Environment.GetEnvironmentVariables())
        {
            var key = (string)e.Key;
            if (key.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || key.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)
                || key is "DOTNET_HOST_PATH" or "MSBUILD_EXE_PATH")
                psi.Environment.Remove(key);
        }
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        psi.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        foreach (var (key, value) in environment) psi.Environment[key] = value;

        var output = new StringBuilder();
        using var process = new Process { StartInfo = psi };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            lock (output) output.AppendLine($"[test] killed after {timeout}");
            return new ProcessResult(-1, output.ToString());
        }
        process.WaitForExit();
        lock (output) return new ProcessResult(process.ExitCode, output.ToString());
    }
}

/// <summary>An IBuildEngine that records what a task logs.</summary>
public sealed class RecordingBuildEngine : IBuildEngine
{
    public List<BuildErrorEventArgs> Errors { get; } = new();
    public List<BuildWarningEventArgs> Warnings { get; } = new();
    public List<BuildMessageEventArgs> Messages { get; } = new();

    public string ErrorText => string.Join("\n", Errors.Select(e => $"{e.Code}: {e.Message}"));

    public bool ContinueOnError => false;
    public int LineNumberOfTaskNode => 0;
    public int ColumnNumberOfTaskNode => 0;
    public string ProjectFileOfTaskNode => "test.proj";

    public bool BuildProjectFile(string projectFileName, string[] targetNames, IDictionary globalProperties, IDictionary targetOutputs) => false;
    public void LogCustomEvent(CustomBuildEventArgs e) { }
    public void LogErrorEvent(BuildErrorEventArgs e) => Errors.Add(e);
    public void LogMessageEvent(BuildMessageEventArgs e) => Messages.Add(e);
    public void LogWarningEvent(BuildWarningEventArgs e) => Warnings.Add(e);
}

/// <summary>Tests that start `dotnet` children run one at a time (the machine has 2 cores).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ChildBuildCollection
{
    public const string Name = "dotnet child builds";
}
