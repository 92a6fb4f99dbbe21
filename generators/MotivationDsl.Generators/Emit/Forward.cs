using static MotivationDsl.Generators.CodeWriter;

namespace MotivationDsl.Generators;

/// <summary>The forward statement of one layer inside a block (model-level layers run in the runtime's <c>LayerList</c>).</summary>
internal static class Forward
{
    /// <summary>The field of a layer: its name, or for a dotted path a mangled name (the module is registered under the path).</summary>
    public static string Field(string name) => name.IndexOf('.') < 0 ? name : "__f_" + name.Replace('.', '_');

    public static string Step(LayerSpec l, long k, long s, long p, double dropout = double.NaN) => l.Kind switch
    {
        LayerKind.Conv2d or LayerKind.BatchNorm2d or LayerKind.Linear or LayerKind.LayerNorm =>
            $"__x = this.{Field(l.Name!)}.forward(__x);",
        LayerKind.ReLU => "__x = __F.relu(__x);",
        LayerKind.SiLU => "__x = __F.silu(__x);",
        LayerKind.GELU => "__x = __F.gelu(__x);",
        LayerKind.MaxPool2d => $"__x = __F.max_pool2d(__x, {L(k)}, {L(s)}, {L(p)});",
        LayerKind.AvgPool2d => $"__x = __F.avg_pool2d(__x, {L(k)}, {L(s)}, {L(p)});",
        LayerKind.GlobalAvgPool => "__x = __x.mean(new long[] { 2, 3 }, true);",
        LayerKind.AdaptiveAvgPool2d => $"__x = __F.adaptive_avg_pool2d(__x, new long[] {{ {L(l.OutputSize)}, {L(l.OutputSize)} }});",
        LayerKind.AdaptiveMaxPool2d => $"__x = __F.adaptive_max_pool2d(__x, new long[] {{ {L(l.OutputSize)}, {L(l.OutputSize)} }});",
        LayerKind.Flatten => "__x = __x.flatten(1);",
        LayerKind.Dropout => $"__x = __F.dropout(__x, {D(double.IsNaN(dropout) ? l.P : dropout)}, this.training);",
        _ => "// unsupported layer",
    };
}
