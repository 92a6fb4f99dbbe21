namespace MotivationDsl.Cli.Tests;

/// <summary>
/// The program a test starts as a child process (this test assembly is an executable): <c>cli ARGS</c> runs the CLI on
/// the tests' models (<see cref="Cli.Catalog"/>), with the console output a user sees.
/// </summary>
public static class TestHost
{
    public static int Main(string[] args)
    {
        if (args is ["cli", .. var rest]) return MotivationCli.Run(rest, Cli.Catalog, CliOutput.ForProcess());
        Console.Error.WriteLine("error: usage: cli ARGS");
        return 2;
    }

    /// <summary>Starts <c>dotnet this.dll cli ARGS</c> with its output redirected (read it, or it may block on a full pipe).</summary>
    public static System.Diagnostics.Process StartCli(params string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(typeof(TestHost).Assembly.Location);
        psi.ArgumentList.Add("cli");
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["NO_COLOR"] = "1";
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        return System.Diagnostics.Process.Start(psi)!;
    }
}
