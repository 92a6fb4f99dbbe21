using Spectre.Console;

namespace MotivationDsl.Cli;

/// <summary>
/// Where the CLI writes: Spectre.Console tables and progress on a terminal, plain aligned text when the output
/// is redirected (CI logs, pipes, tests).
/// </summary>
public sealed class CliOutput
{
    public CliOutput(TextWriter writer, bool rich)
    {
        Writer = writer;
        Rich = rich;
        Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = rich ? AnsiSupport.Detect : AnsiSupport.No,
            Interactive = rich ? InteractionSupport.Detect : InteractionSupport.No,
            ColorSystem = rich ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
    }

    public TextWriter Writer { get; }
    public bool Rich { get; }

    /// <summary>Where <see cref="Error"/> writes instead of <see cref="Writer"/> (a data-parallel rank other than 0), and what it prefixes.</summary>
    private TextWriter? _errors;
    private string _errorPrefix = "";

    /// <summary>
    /// The output of one rank of a data-parallel run: rank 0 prints as usual, the other ranks print nothing but their
    /// errors (to standard error); every error names its rank.
    /// </summary>
    public CliOutput ForRank(int rank, int size)
    {
        var output = rank == 0 ? new CliOutput(Writer, Rich) : new CliOutput(TextWriter.Null, rich: false) { _errors = System.Console.Error };
        output._errorPrefix = $"rank {rank} of {size}: ";
        return output;
    }
    public IAnsiConsole Console { get; }

    public static CliOutput ForProcess() =>
        new(System.Console.Out, !System.Console.IsOutputRedirected && Environment.GetEnvironmentVariable("NO_COLOR") is null);

    public void Line(string text = "") => Writer.WriteLine(text);

    public void Heading(string text)
    {
        if (Rich) Console.Write(new Rule(Markup.Escape(text)).LeftJustified());
        else { Writer.WriteLine(text); Writer.WriteLine(new string('-', text.Length)); }
    }

    /// <summary>A table; columns whose header starts with '>' are right-aligned (the '>' is not shown).</summary>
    public void Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var data = rows.ToList();
        var right = headers.Select(h => h.StartsWith('>')).ToArray();
        var names = headers.Select(h => h.TrimStart('>')).ToArray();
        if (Rich)
        {
            var table = new Table().Border(TableBorder.Rounded);
            for (var i = 0; i < names.Length; i++)
            {
                var column = new TableColumn(Markup.Escape(names[i]));
                table.AddColumn(right[i] ? column.RightAligned() : column);
            }
            foreach (var row in data) table.AddRow(row.Select(Markup.Escape).ToArray());
            Console.Write(table);
            return;
        }
        var widths = names.Select((n, i) => Math.Max(n.Length, data.Count == 0 ? 0 : data.Max(r => r[i].Length))).ToArray();
        string Format(IReadOnlyList<string> cells) => string.Join("  ",
            cells.Select((c, i) => right[i] ? c.PadLeft(widths[i]) : c.PadRight(widths[i]))).TrimEnd();
        Writer.WriteLine(Format(names));
        Writer.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in data) Writer.WriteLine(Format(row));
    }

    /// <summary>A "warning: ..." line: something the user should know that does not stop the command.</summary>
    public void Warning(string message)
    {
        if (Rich) Console.MarkupLine($"[yellow]warning:[/] {Markup.Escape(message)}");
        else Writer.WriteLine($"warning: {message}");
    }

    public void Error(string message)
    {
        message = _errorPrefix + message;
        if (_errors is not null) { _errors.WriteLine($"error: {message}"); _errors.Flush(); }
        else if (Rich) Console.MarkupLine($"[red]error:[/] {Markup.Escape(message)}");
        else Writer.WriteLine($"error: {message}");
    }
}
