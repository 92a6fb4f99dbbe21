using System.Collections.Generic;
using System.Linq;
using static MotivationDsl.Generators.CodeWriter;
using static MotivationDsl.Generators.Forward;

namespace MotivationDsl.Generators;

/// <summary>The variants file: one module class per variant, with named arguments for every layer and block.</summary>
internal static class VariantsPart
{
    public static void Write(CodeWriter w, BuiltModel model)
    {
        for (var i = 0; i < model.Variants.Count; i++)
        {
            if (i > 0) w.Line();
            Variant(w, model, model.Variants[i]);
        }
    }

    private static bool IsModuleLayer(LayerKind k) =>
        k is LayerKind.Conv2d or LayerKind.BatchNorm2d or LayerKind.Linear or LayerKind.Stage or LayerKind.LayerNorm or LayerKind.PatchEmbedding
        || ModelLayerKinds.Has(k);

    private static bool IsParameterLayer(LayerKind k) => k is LayerKind.ClassToken or LayerKind.PositionalEmbedding;

    private static void Variant(CodeWriter w, BuiltModel model, ResolvedVariant v)
    {
        w.Line($"/// <summary>Variant <c>{v.Name}</c>: {v.Parameters:N0} parameters, {v.Macs:N0} MACs (declared sizes).</summary>");
        w.Open($"public sealed class {v.Name} : __Module");
        var nodes = new List<string>();
        foreach (var l in v.Layers)
        {
            if (!IsModuleLayer(l.Kind) && !IsParameterLayer(l.Kind)) continue;
            var parts = l.Spec.Name!.Split('.');
            for (var i = 1; i < parts.Length; i++)
            {
                var path = string.Join(".", parts.Take(i));
                if (!nodes.Contains(path)) nodes.Add(path);
            }
            var type = l.Kind switch
            {
                LayerKind.Conv2d or LayerKind.PatchEmbedding => "Conv2d",
                LayerKind.BatchNorm2d => "BatchNorm2d",
                LayerKind.Linear => "Linear",
                LayerKind.LayerNorm => "LayerNorm",
                LayerKind.Stage => "Sequential",
                _ => null,
            };
            var fieldType = ModelLayerKinds.Find(l.Kind)?.ModuleType(l) ?? (type is null ? null : "__Modules." + type);
            if (fieldType is not null) w.Line($"private readonly {fieldType} {Field(l.Spec.Name!)};");
        }
        foreach (var n in nodes) w.Line($"private readonly __Blocks.Node {NodeField(n)};");
        w.Line();
        w.Line("/// <summary>A module at the declared input size and class count.</summary>");
        w.Line($"public {v.Name}() : this(null) {{ }}");
        w.Line("/// <summary>A module for <paramref name=\"options\"/> (class count, input size); null: as declared.</summary>");
        w.Open($"public {v.Name}(global::MotivationDsl.ModelOptions? options) : base({S(v.Name)})");
        if (v.Layers.Any(l => l.Kind is LayerKind.Linear || IsParameterLayer(l.Kind)))
            w.Line($"var __info = ModelDefinition.Describe_{v.Name}(options);");
        var created = new HashSet<string>();
        void EnsureNode(string path)
        {
            if (path.Length == 0 || created.Contains(path)) return;
            EnsureNode(Parent(path));
            created.Add(path);
            w.Line($"this.{NodeField(path)} = new __Blocks.Node({S(Leaf(path))});");
            w.Line(Parent(path).Length == 0
                ? $"register_module({S(path)}, this.{NodeField(path)});"
                : $"this.{NodeField(Parent(path))}.Add({S(Leaf(path))}, this.{NodeField(path)});");
        }
        void Register(string name, string field)
        {
            EnsureNode(Parent(name));
            w.Line(Parent(name).Length == 0 ? $"register_module({S(name)}, this.{field});" : $"this.{NodeField(Parent(name))}.Add({S(Leaf(name))}, this.{field});");
        }
        foreach (var l in v.Layers)
        {
            var name = l.Spec.Name;
            var f = name is null ? "" : Field(name);
            switch (l.Kind)
            {
                case LayerKind.Conv2d:
                case LayerKind.PatchEmbedding:
                {
                    var args = new List<string> { "in_channels: " + L(l.In), "out_channels: " + L(l.Out), "kernel_size: " + L(l.Kernel) };
                    if (l.Stride != 1) args.Add("stride: " + L(l.Stride));
                    if (l.Padding != 0) args.Add("padding: " + L(l.Padding));
                    if (l.Groups != 1) args.Add("groups: " + L(l.Groups));
                    if (!l.Bias) args.Add("bias: false");
                    w.Call($"this.{f} = __nn.Conv2d", args, ";");
                    Register(name!, f);
                    break;
                }
                case LayerKind.BatchNorm2d:
                    w.Line($"this.{f} = __nn.BatchNorm2d({ConvBlockKind.BatchNormArgs(L(l.In), l.Spec)});");
                    Register(name!, f);
                    break;
                case LayerKind.LayerNorm:
                    w.Line($"this.{f} = __nn.LayerNorm(normalized_shape: new long[] {{ {L(l.In)} }}, eps: {D(l.Spec.Eps)});");
                    Register(name!, f);
                    break;
                case LayerKind.Linear:
                {
                    var shape = $"__info.Shape({S(name + ".weight")})";
                    w.Call($"this.{f} = __nn.Linear", new[] { $"inputSize: {shape}[1]", $"outputSize: {shape}[0]", "hasBias: " + B(l.Bias) }, ";");
                    Register(name!, f);
                    break;
                }
                case LayerKind.ClassToken:
                case LayerKind.PositionalEmbedding:
                {
                    EnsureNode(Parent(name!));
                    var init = l.Kind == LayerKind.ClassToken
                        ? $"global::TorchSharp.torch.zeros(__info.Shape({S(name!)}))"
                        : $"global::TorchSharp.torch.empty(__info.Shape({S(name!)})).normal_(0.0, 0.02)";
                    w.Line($"{Owner(name!)}.register_parameter({S(Leaf(name!))}, new __Modules.Parameter(");
                    w.Line($"    {init}));");
                    break;
                }
                case LayerKind.Stage:
                {
                    var kind = BlockKinds.Of(l.Spec);
                    var cls = kind.ModuleClass(model, l.Spec);
                    w.Line($"this.{f} = new global::MotivationDsl.StageBuilder(blockPrefix: {S(l.Spec.BlockPrefix)})");
                    w.Indent();
                    foreach (var r in Runs(l.Blocks, kind)) w.Call($".Add({r.Count}, () => new __Blocks.{cls}", r.Arguments, ")");
                    w.Line(".Build();");
                    w.Outdent();
                    Register(name!, f);
                    break;
                }
                default:
                    if (ModelLayerKinds.Find(l.Kind) is { } layerKind)
                    {
                        w.Line($"this.{f} = {layerKind.Create(l)};");
                        Register(name!, f);
                    }
                    break;
            }
        }
        w.Line($"global::MotivationDsl.WeightInitialization.Apply(this, global::MotivationDsl.WeightInit.{model.Spec.InitName});");
        w.Close();
        w.Line();
        w.Open("public override __Tensor forward(__Tensor input)");
        w.Line("using var __scope = global::TorchSharp.torch.NewDisposeScope();");
        w.Line("var __x = input;");
        foreach (var l in v.Layers) w.Line(ModelLayerKinds.Find(l.Kind)?.Forward(l) ?? Step(l.Spec, l.Kernel, l.Stride, l.Padding, l.P));
        w.Line("return __scope.MoveToOuter(__x);");
        w.Close();
        w.Close();
    }

    /// <summary>Consecutive blocks with the same constructor arguments, as (count, arguments, first index).</summary>
    public static List<(int Count, IReadOnlyList<string> Arguments, int First)> Runs(List<RBlock> blocks, IBlockKind kind)
    {
        var runs = new List<(int Count, IReadOnlyList<string> Arguments, int First)>();
        for (var i = 0; i < blocks.Count; i++)
        {
            var args = kind.Arguments(blocks[i]);
            if (runs.Count > 0 && runs[runs.Count - 1].Arguments.SequenceEqual(args))
                runs[runs.Count - 1] = (runs[runs.Count - 1].Count + 1, args, runs[runs.Count - 1].First);
            else runs.Add((1, args, i));
        }
        return runs;
    }
}
