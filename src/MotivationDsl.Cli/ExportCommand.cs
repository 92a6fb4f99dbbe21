using System.CommandLine;

namespace MotivationDsl.Cli;

/// <summary><c>export</c>: write a model's manifest (variants, metadata, weights map) as JSON.</summary>
internal static class ExportCommand
{
    public static Command Create(Func<ModelCatalog> catalog, CliOutput output)
    {
        var model = CommonOptions.Model();
        var manifest = new Option<FileInfo?>("--manifest") { Description = "Write the model's manifest JSON (variants, FLOPs, weights map) to this file." };
        var command = new Command("export", "Export a model's manifest JSON.") { model, manifest };
        command.SetAction(parse => CliErrors.Guard(output, () =>
        {
            var definition = catalog().Find(parse.GetValue(model));
            if (parse.GetValue(manifest) is not { } file)
                throw new CliException("Nothing to export: give --manifest FILE.");
            AtomicFile.WriteAllText(file.FullName, definition.ManifestJson);
            output.Line($"Wrote {file.FullName}");
            return 0;
        }));
        return command;
    }
}
