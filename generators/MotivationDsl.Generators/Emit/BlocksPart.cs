using System.Collections.Generic;
using System.Linq;

namespace MotivationDsl.Generators;

/// <summary>
/// The blocks file: the class <c>ModelDefinition.Blocks</c> with each block kind's module, once, and the naming node.
/// It is nested in the generated definition, not in the model class, so that it never hides a user's namespace or type
/// named <c>Blocks</c> from code inside the model class; the generated code names it by the file alias <c>__Blocks</c>.
/// </summary>
internal static class BlocksPart
{
    public static void Write(CodeWriter w, BuiltModel model)
    {
        w.Open("partial class ModelDefinition");
        w.Line("/// <summary>The block modules the stages are made of.</summary>");
        w.Open("public static class Blocks");
        var written = new HashSet<string>();
        var first = true;
        foreach (var stage in model.Stages)
        {
            var kind = BlockKinds.Of(stage);
            if (!written.Add(kind.ModuleClass(model, stage))) continue;
            if (!first) w.Line();
            first = false;
            kind.EmitModule(w, model, stage);
        }
        if (model.Variants.Any(v => v.Layers.Any(l => l.Spec.Name is { } n && n.IndexOf('.') >= 0)))
        {
            if (!first) w.Line();
            w.Block(NodeSource);
        }
        w.Close();
        w.Close();
    }

    private const string NodeSource = @"/// <summary>
/// A container that only names its children (state_dict paths such as <c>features.0.0</c>);
/// it has no forward.
/// </summary>
public sealed class Node : __Module
{
    public Node(string name) : base(name) { }

    public void Add(string name, global::TorchSharp.torch.nn.Module module) =>
        register_module(name, module);

    public override __Tensor forward(__Tensor input) =>
        throw new global::System.NotSupportedException(""A naming container has no forward."");
}";
}
