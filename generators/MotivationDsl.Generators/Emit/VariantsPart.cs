using System.Collections.Generic;
using System.Linq;
using static MotivationDsl.Generators.CodeWriter;
using static MotivationDsl.Generators.Forward;

namespace MotivationDsl.Generators;

/// <summary>
/// The variants file: one module class per variant. Variants with one layer list (the same text but for block counts,
/// widths and other named numbers) share one abstract module class that takes those numbers as constructor arguments;
/// each variant is then a small sealed subclass passing its own (<see cref="VariantText"/>).
/// </summary>
internal static class VariantsPart
{
    private const string Options = "global::MotivationDsl.ModelOptions?";

    /// <summary>One variant's recorded text: field declarations, constructor statements and forward statements.</summary>
    private sealed record Parts(VariantText Fields, VariantText Constructor, VariantText Forward, bool NeedsInfo)
    {
        public string Skeleton => $"{NeedsInfo}\n{Fields.Skeleton}\n--\n{Constructor.Skeleton}\n--\n{Forward.Skeleton}";
    }

    public static void Write(CodeWriter w, BuiltModel model)
    {
        var parts = model.Variants.Select(v => Record(model, v)).ToList();
        var groups = VariantText.Groups(parts.Select(p => p.Skeleton).ToList());
        var sharedCount = groups.Count(g => g.Count > 1);
        var first = true;
        void Gap() { if (!first) w.Line(); first = false; }
        foreach (var g in groups)
        {
            var variants = g.Select(i => model.Variants[i]).ToList();
            var texts = g.Select(i => parts[i]).ToList();
            if (g.Count == 1)
            {
                Gap();
                Single(w, variants[0], texts[0]);
                continue;
            }
            var name = SharedName(model, sharedCount == 1 ? 0 : groups.Where(x => x.Count > 1).ToList().IndexOf(g) + 1);
            Gap();
            var holes = Shared(w, name, variants, texts);
            for (var k = 0; k < variants.Count; k++)
            {
                Gap();
                Subclass(w, name, variants[k], texts[k].NeedsInfo, holes, k);
            }
        }
    }

    /// <summary>The shared class's name: <c>VariantModule</c> (numbered when several layer lists share), never a variant's.</summary>
    private static string SharedName(BuiltModel model, int number)
    {
        var name = "VariantModule" + (number == 0 ? "" : number.ToString(System.Globalization.CultureInfo.InvariantCulture));
        while (model.Variants.Any(v => v.Name == name)) name += "_";
        return name;
    }

    private static string Summary(ResolvedVariant v) =>
        $"/// <summary>Variant <c>{v.Name}</c>: {v.Parameters:N0} parameters, {v.Macs:N0} MACs (declared sizes).</summary>";

    // A variant that shares its layer list with no other: one sealed class, as written for it.
    private static void Single(CodeWriter w, ResolvedVariant v, Parts p)
    {
        var texts = new[] { p };
        var holes = new List<Hole>();
        w.Line(Summary(v));
        w.Open($"public sealed class {v.Name} : __Module");
        VariantText.Replay(w, texts.Select(t => t.Fields).ToList(), holes, S(v.Name));
        w.Line();
        w.Line("/// <summary>A module at the declared input size and class count.</summary>");
        w.Line($"public {v.Name}() : this(null) {{ }}");
        w.Line("/// <summary>A module for <paramref name=\"options\"/> (class count, input size); null: as declared.</summary>");
        w.Open($"public {v.Name}({Options} options) : base({S(v.Name)})");
        if (p.NeedsInfo) w.Line($"var __info = ModelDefinition.Describe_{v.Name}(options);");
        VariantText.Replay(w, texts.Select(t => t.Constructor).ToList(), holes, S(v.Name));
        w.Close();
        w.Line();
        w.Open("public override __Tensor forward(__Tensor input)");
        VariantText.Replay(w, texts.Select(t => t.Forward).ToList(), holes, S(v.Name));
        w.Close();
        w.Close();
    }

    // The module class of several variants: what differs between them are constructor parameters (the holes).
    private static List<Hole> Shared(CodeWriter w, string name, List<ResolvedVariant> variants, List<Parts> texts)
    {
        var holes = new List<Hole>();
        var fields = new CodeWriter(w.Level + 1);
        VariantText.Replay(fields, texts.Select(t => t.Fields).ToList(), holes, "name");
        var body = new CodeWriter(w.Level + 2);
        VariantText.Replay(body, texts.Select(t => t.Constructor).ToList(), holes, "name");
        var forward = new CodeWriter(w.Level + 2);
        VariantText.Replay(forward, texts.Select(t => t.Forward).ToList(), holes, "name");
        var list = string.Join(", ", variants.Select(v => $"<c>{v.Name}</c>"));
        w.Line($"/// <summary>The module of variants {list}: one layer list, the numbers that differ are arguments.</summary>");
        w.Open($"public abstract class {name} : __Module");
        w.Append(fields);
        w.Line();
        w.Line("/// <summary>The variant <paramref name=\"name\"/> with its block counts and sizes.</summary>");
        var parameters = new List<string> { "string name" };
        if (texts[0].NeedsInfo) parameters.Add("__Dsl.VariantInfo __info");
        parameters.AddRange(holes.Select(h => h.Parameter));
        w.Call($"protected {name}", parameters, " : base(name)");
        w.Line("{");
        w.Append(body);
        w.Line("}");
        w.Line();
        w.Open("public override __Tensor forward(__Tensor input)");
        w.Append(forward);
        w.Close();
        w.Close();
        return holes;
    }

    private static void Subclass(CodeWriter w, string shared, ResolvedVariant v, bool needsInfo, List<Hole> holes, int index)
    {
        w.Line(Summary(v));
        w.Open($"public sealed class {v.Name} : {shared}");
        w.Line("/// <summary>A module at the declared input size and class count.</summary>");
        w.Line($"public {v.Name}() : this(null) {{ }}");
        w.Line("/// <summary>A module for <paramref name=\"options\"/> (class count, input size); null: as declared.</summary>");
        w.Line($"public {v.Name}({Options} options)");
        var args = new List<string> { S(v.Name) };
        if (needsInfo) args.Add($"ModelDefinition.Describe_{v.Name}(options)");
        args.AddRange(holes.Select(h => h.Argument(index)));
        w.Indent();
        w.CallFilled(": base", args, " { }");
        w.Outdent();
        w.Close();
    }

    // Records the variant's text (fields, constructor, forward); numbers in named arguments may become parameters.
    private static Parts Record(BuiltModel model, ResolvedVariant v)
    {
        var fields = new VariantText();
        var nodes = new List<string>();
        foreach (var l in v.Layers)
        {
            if (l.Kind != LayerKind.Stage && ModelLayerKinds.Find(l.Kind)?.Named != true) continue;
            var parts = l.Spec.Name!.Split('.');
            for (var i = 1; i < parts.Length; i++)
            {
                var path = string.Join(".", parts.Take(i));
                if (!nodes.Contains(path)) nodes.Add(path);
            }
            var fieldType = l.Kind == LayerKind.Stage ? "__Modules.Sequential" : ModelLayerKinds.Find(l.Kind)?.ModuleType(l);
            if (fieldType is not null) fields.Line($"private readonly {fieldType} {Field(l.Spec.Name!)};");
        }
        foreach (var n in nodes) fields.Line($"private readonly __Dsl.Blocks.NamingNode {NodeField(n)};");

        var w = new VariantText();
        var created = new HashSet<string>();
        void EnsureNode(string path)
        {
            if (path.Length == 0 || created.Contains(path)) return;
            EnsureNode(Parent(path));
            created.Add(path);
            w.Line($"this.{NodeField(path)} = new __Dsl.Blocks.NamingNode({S(Leaf(path))});");
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
            w.Context = name ?? "";
            switch (l.Kind)
            {
                case LayerKind.Stage:
                {
                    var kind = BlockKinds.Of(l.Spec);
                    var type = kind.ModuleType(model, l.Spec);
                    w.Line($"this.{f} = new global::MotivationDsl.StageBuilder(blockPrefix: {S(l.Spec.BlockPrefix)})");
                    w.Indent();
                    var runs = Runs(l.Blocks, kind);
                    for (var r = 0; r < runs.Count; r++)
                    {
                        w.Context = name + "_run" + r.ToString(System.Globalization.CultureInfo.InvariantCulture);
                        w.Call($".Add(count: {runs[r].Count}, () => new {type}", runs[r].Arguments, ")");
                    }
                    w.Line(".Build();");
                    w.Outdent();
                    w.Context = name ?? "";
                    Register(name!, f);
                    break;
                }
                default:
                    ModelLayerKinds.Find(l.Kind)?.Construct(new ModelLayerEmit(w, EnsureNode, Register), l);
                    break;
            }
        }
        w.Context = "";
        w.Line($"global::MotivationDsl.WeightInitialization.Apply(this, global::MotivationDsl.WeightInit.{model.Spec.InitName});");

        var forward = new VariantText();
        forward.Line("using var __scope = global::TorchSharp.torch.NewDisposeScope();");
        forward.Line("var __x = input;");
        foreach (var l in v.Layers) forward.Line(ModelLayerKinds.Find(l.Kind)?.Forward(l) ?? Step(l.Spec, l.Kernel, l.Stride, l.Padding, l.P));
        forward.Line("return __scope.MoveToOuter(__x);");
        var needsInfo = v.Layers.Any(l => ModelLayerKinds.Find(l.Kind)?.ReadsInfo(l) == true);
        return new Parts(fields, w, forward, needsInfo);
    }

    /// <summary>Consecutive blocks with the same constructor arguments, as (count, arguments, first index).</summary>
    public static List<(int Count, IReadOnlyList<string> Arguments, int First)> Runs(IReadOnlyList<RBlock> blocks, IBlockKind kind)
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
