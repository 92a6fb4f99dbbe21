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
    /// <summary>
    /// Runs a command body; user errors become one line on the output and exit code 2: <see cref="CliException"/>,
    /// and file-system failures (a file that cannot be read or written, a full disk, a corrupt file) that a command
    /// did not turn into a more specific message.
    /// </summary>
    public static int Guard(CliOutput output, Func<int> body)
    {
        try { return body(); }
        catch (CliException e) { output.Error(e.Message); return 2; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            output.Error(e.Message.ReplaceLineEndings(" ").Trim());
            return 2;
        }
    }
}
