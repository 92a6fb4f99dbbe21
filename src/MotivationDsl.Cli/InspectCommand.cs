using System.CommandLine;

namespace MotivationDsl.Cli;

/// <summary><c>inspect</c>: variants, parameter counts, FLOPs and the weights map of a model.</summary>
internal static class InspectCommand
{
    public static Command Create(Func<ModelCatalog> catalog, CliOutput output)
    {
        var model = CommonOptions.Model();
        var showMap = new Option<bool>("--map") { Description = "Also list every weights-map entry (base tensor -> region of the motivated tensor)." };
        var command = new Command("inspect", "Show the variants (parameters, MACs, FLOPs per sample) and the weights map of a scalable model.")
        {
            model, showMap,
        };
        command.SetAction(parse => CliErrors.Guard(output, () =>
        {
            var definitions = parse.GetValue(model) is { } name ? [catalog().Find(name)] : catalog().Models;
            if (definitions.Count == 0) catalog().Find(null);
            foreach (var definition in definitions) Write(definition, parse.GetValue(showMap), output);
            return 0;
        }));
        return command;
    }

    public static void Write(ScalableModelDefinition definition, bool showMap, CliOutput output)
    {
        output.Heading($"{definition.Name}: base {definition.BaseVariant} -> motivated {definition.MotivatedVariant}");
        output.Table(
            ["variant", "role", ">parameters", ">buffers", ">MACs/sample", ">FLOPs/sample", "input", ">classes"],
            definition.Variants.Select(v => (IReadOnlyList<string>)
            [
                v.Name,
                v.Name == definition.BaseVariant ? "base" : v.Name == definition.MotivatedVariant ? "motivated" : "",
                Formatting.Count(v.ParameterCount),
                Formatting.Count(v.Buffers.Sum(b => b.Elements)),
                Formatting.Si(v.Macs),
                Formatting.Si(v.Flops),
                string.Join("x", v.InputShape),
                v.Classes.ToString(),
            ]));
        var map = definition.Map;
        var parameters = map.Entries.Count(e => e.Kind == TensorKind.Parameter);
        output.Line($"Weights map: {map.Entries.Count} entries ({parameters} parameters, {map.Entries.Count - parameters} buffers).");
        if (!showMap) return;
        output.Table(
            ["base", "kind", "motivated", "region", "motivated shape"],
            map.Entries.Select(e => (IReadOnlyList<string>)
            [
                e.BaseName, e.Kind == TensorKind.Buffer ? "buffer" : "param", e.MotivatedName, e.Region.ToString(), Formatting.Shape(e.MotivatedShape),
            ]));
    }
}
