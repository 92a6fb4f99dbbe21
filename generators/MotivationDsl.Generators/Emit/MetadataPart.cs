using System.Linq;
using static MotivationDsl.Generators.CodeWriter;

namespace MotivationDsl.Generators;

/// <summary>
/// The metadata file: per variant, a short description (one call per layer, one per run of identical blocks) from which
/// <c>VariantMetadataBuilder</c> computes tensors, parameters and MACs for any class count and input size.
/// </summary>
internal static class MetadataPart
{
    public static void Write(CodeWriter w, BuiltModel model)
    {
        w.Open("partial class ModelDefinition");
        for (var i = 0; i < model.Variants.Count; i++)
        {
            if (i > 0) w.Line();
            Variant(w, model, model.Variants[i]);
        }
        w.Close();
    }

    private static void Variant(CodeWriter w, BuiltModel model, ResolvedVariant v)
    {
        w.Line($"/// <summary>Metadata of <c>{v.Name}</c> for <paramref name=\"options\"/>: tensors, parameters and MACs.</summary>");
        w.Open($"internal static __Dsl.VariantInfo Describe_{v.Name}(__Dsl.ModelOptions? options)");
        w.Line(v.Vocabulary > 0
            ? $"var m = __Meta.ForTokens({S(v.Name)}, options, vocabulary: {v.Vocabulary}, contextLength: {v.Context});"
            : $"var m = new __Meta({S(v.Name)}, options, {model.Spec.Classes}, __inputShape);");
        foreach (var l in v.Layers)
        {
            var name = l.Spec.Name is null ? "" : S(l.Spec.Name);
            switch (l.Kind)
            {
                case LayerKind.Conv2d:
                {
                    var args = new System.Collections.Generic.List<string> { name, "outChannels: " + L(l.Out), "kernel: " + L(l.Kernel) };
                    if (l.Stride != 1) args.Add("stride: " + L(l.Stride));
                    if (l.Padding != 0) args.Add("padding: " + L(l.Padding));
                    if (l.Groups != 1) args.Add("groups: " + L(l.Groups));
                    if (!l.Bias) args.Add("bias: false");
                    w.Call("m.Conv2d", args, ";");
                    break;
                }
                case LayerKind.PatchEmbedding: w.Line($"m.PatchEmbedding({name}, dim: {L(l.Out)}, patch: {L(l.Kernel)});"); break;
                case LayerKind.BatchNorm2d: w.Line($"m.BatchNorm2d({name});"); break;
                case LayerKind.LayerNorm: w.Line($"m.LayerNorm({name});"); break;
                case LayerKind.ClassToken: w.Line($"m.ClassToken({name});"); break;
                case LayerKind.PositionalEmbedding: w.Line($"m.PositionalEmbedding({name});"); break;
                case LayerKind.MaxPool2d:
                case LayerKind.AvgPool2d:
                    w.Line($"m.Pool(kernel: {L(l.Kernel)}, stride: {L(l.Stride)}, padding: {L(l.Padding)});");
                    break;
                case LayerKind.GlobalAvgPool: w.Line("m.GlobalAvgPool();"); break;
                case LayerKind.AdaptiveAvgPool2d:
                case LayerKind.AdaptiveMaxPool2d: w.Line($"m.AdaptivePool({L(l.Spec.OutputSize)});"); break;
                case LayerKind.Flatten:
                    if (l.InRank == 3) w.Line("m.Flatten();");
                    break;
                case LayerKind.Linear:
                    w.Line($"m.Linear({name}, {(l.Spec.HasOut ? L(l.Out) : "m.Classes")}{(l.Bias ? "" : ", bias: false")});");
                    break;
                case var other when ModelLayerKinds.Find(other) is { } layerKind:
                    w.Line(layerKind.Describe(l));
                    break;
                case LayerKind.Stage:
                {
                    var kind = BlockKinds.Of(l.Spec);
                    var cls = kind.ModuleClass(model, l.Spec);
                    var key = S(l.Spec.Name + "." + l.Spec.BlockPrefix);
                    foreach (var run in VariantsPart.Runs(l.Blocks, kind))
                    {
                        w.Line($"foreach (var b in m.Blocks({key}, first: {run.First}, count: {run.Count}))");
                        w.Indent();
                        w.Call($"__Blocks.{cls}.Describe", new[] { "b" }.Concat(run.Arguments).ToList(), ";");
                        w.Outdent();
                    }
                    break;
                }
            }
        }
        w.Line("return m.Build();");
        w.Close();
    }
}
