using System.CommandLine;

namespace MotivationDsl.Cli;

internal static class CommonOptions
{
    public static Option<string?> Model() => new("--model", "-m")
    {
        Description = "The scalable model (full or short type name); may be omitted when the application has one.",
    };
}

internal static class CliErrors
{
    /// <summary>Runs a command body; user errors become one line on the output and exit code 2.</summary>
    public static int Guard(CliOutput output, Func<int> body)
    {
        try { return body(); }
        catch (CliException e) { output.Error(e.Message); return 2; }
    }
}
