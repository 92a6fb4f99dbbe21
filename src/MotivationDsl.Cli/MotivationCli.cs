using System.CommandLine;
using System.Reflection;

namespace MotivationDsl.Cli;

/// <summary>
/// The command line of an application that declares scalable models. A Program.cs is one line:
/// <code>return MotivationCli.Run(args);</code>
/// </summary>
public static class MotivationCli
{
    /// <summary>Parses <paramref name="args"/> and runs the command on the models of the entry assembly.</summary>
    public static int Run(string[] args) => Run(args, ModelCatalog.FromEntryAssembly(), CliOutput.ForProcess());

    /// <summary>Runs the CLI on the models declared in <paramref name="assemblies"/>.</summary>
    public static int Run(string[] args, params Assembly[] assemblies) =>
        Run(args, ModelCatalog.FromAssemblies(assemblies), CliOutput.ForProcess());

    public static int Run(string[] args, ModelCatalog catalog, CliOutput output)
    {
        var root = BuildRootCommand(() => catalog, output);
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0 && !IsHelpRequest(args))
        {
            // Usage errors (unknown option, a value that does not parse, a missing required option): one line each,
            // exit code 2 like every other user error.
            foreach (var error in parsed.Errors) output.Error(error.Message);
            output.Line("Run with --help for usage.");
            return 2;
        }
        return parsed.Invoke(new InvocationConfiguration { Output = output.Writer, Error = output.Writer });
    }

    private static bool IsHelpRequest(string[] args) => args.Any(a => a is "--help" or "-h" or "-?" or "/?");

    public static RootCommand BuildRootCommand(Func<ModelCatalog> catalog, CliOutput output)
    {
        var root = new RootCommand("Motivation training (arXiv:2602.21064): train a base and a motivated model in one run.");
        root.Add(TrainCommand.Create(catalog, output));
        root.Add(EvalCommand.Create(catalog, output));
        root.Add(InspectCommand.Create(catalog, output));
        root.Add(ExportCommand.Create(catalog, output));
        root.Add(SampleCommand.Create(catalog, output));
        return root;
    }
}
