using System.Collections.Generic;
using System.Linq;

namespace MotivationDsl.Generators;

/// <summary>
/// The blocks file: the class <c>ModelDefinition.Blocks</c> with the module of each user block (<see cref="IGeneratedBlockKind"/>),
/// once; a model of built-in blocks only has no blocks file (their modules are runtime classes, <c>MotivationDsl.Blocks</c>).
/// It is nested in the generated definition, not in the model class, so that it never hides a user's namespace or type
/// named <c>Blocks</c> from code inside the model class; the generated code names it by the file alias <c>__Blocks</c>.
/// </summary>
internal static class BlocksPart
{
    /// <summary>True when the model has a block kind whose module is written per model.</summary>
    public static bool Needed(BuiltModel model) => model.Stages.Any(s => BlockKinds.Of(s) is IGeneratedBlockKind);

    public static void Write(CodeWriter w, BuiltModel model)
    {
        w.Open("partial class ModelDefinition");
        w.Line("/// <summary>The modules of the user blocks (<c>[ScalableBlock]</c>) the stages are made of.</summary>");
        w.Open("public static class Blocks");
        var written = new HashSet<string>();
        var first = true;
        foreach (var stage in model.Stages)
        {
            if (BlockKinds.Of(stage) is not IGeneratedBlockKind kind || !written.Add(kind.ModuleType(model, stage))) continue;
            if (!first) w.Line();
            first = false;
            kind.EmitModule(w, model, stage);
        }
        w.Close();
        w.Close();
    }
}
