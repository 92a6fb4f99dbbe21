using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace MotivationDsl.Generators;

/// <summary>
/// C# written for one variant, recorded as statements so that the text of several variants can be merged into one
/// class or method: where the variants differ only in the literal of a named argument (<c>count: 3</c> vs
/// <c>count: 5</c>, <c>planes: 16</c> vs <c>planes: 32</c>), the merged text reads a parameter instead (a
/// <see cref="Hole"/>), and each variant passes its own values as named arguments. Variants whose text differs anywhere
/// else (another layer list, another block kind, a shortcut kind) get their own class.
/// </summary>
internal sealed class VariantText
{
    /// <summary>Written where the variant's name belongs; replaced on replay (a literal, or a parameter when shared).</summary>
    public const string Name = "\u0001name\u0001";

    // A named argument with a number literal: `planes: 16`, `stochasticDepth: 0.05`, `eps: 1E-05`.
    private static readonly Regex Slot = new(@"(?<![\w.])(?<name>[A-Za-z_]\w*): (?<value>-?\d+(?:\.\d+)?(?:E[-+]?\d+)?)(?![\w.])");

    private enum OpKind { Line, Call, Open, Close, Indent, Outdent }

    private sealed record Op(OpKind Kind, string Context, string Text, IReadOnlyList<string> Args, string Tail);

    private readonly List<Op> _ops = new();

    /// <summary>Names the parameters the following statements' numbers may become (<c>layer2_run1</c> -> <c>layer2_run1_count</c>).</summary>
    public string Context { get; set; } = "";

    public void Line(string text = "") => _ops.Add(new Op(OpKind.Line, Context, text, System.Array.Empty<string>(), ""));

    public void Call(string head, IReadOnlyList<string> args, string tail) => _ops.Add(new Op(OpKind.Call, Context, head, args.ToList(), tail));

    public void Open(string text) => _ops.Add(new Op(OpKind.Open, Context, text, System.Array.Empty<string>(), ""));

    public void Close() => _ops.Add(new Op(OpKind.Close, Context, "", System.Array.Empty<string>(), ""));

    public void Indent() => _ops.Add(new Op(OpKind.Indent, Context, "", System.Array.Empty<string>(), ""));

    public void Outdent() => _ops.Add(new Op(OpKind.Outdent, Context, "", System.Array.Empty<string>(), ""));

    /// <summary>Ends the statement the last line or call continues (a chain of calls): appends <c>;</c> to it.</summary>
    public void Terminate()
    {
        var last = _ops[_ops.Count - 1];
        _ops[_ops.Count - 1] = last.Kind == OpKind.Call ? last with { Tail = last.Tail + ";" } : last with { Text = last.Text + ";" };
    }

    /// <summary>The text with every named number replaced by <c>#</c>: variants with equal skeletons can share their code.</summary>
    public string Skeleton => string.Join("\n", _ops.Select(o =>
        $"{o.Kind}|{Slot.Replace(o.Text, "${name}: #")}|{string.Join(",", o.Args.Select(a => Slot.Replace(a, "${name}: #")))}|{o.Tail}"));

    /// <summary>
    /// Writes the statements of <paramref name="texts"/> (equal skeletons) once: a number that is the same in every variant
    /// stays a literal, one that differs becomes a parameter, added to <paramref name="holes"/> (reused by name when
    /// already there, so that several parts of one class share one parameter list).
    /// </summary>
    public static void Replay(CodeWriter w, IReadOnlyList<VariantText> texts, List<Hole> holes, string name)
    {
        var first = texts[0];
        for (var i = 0; i < first._ops.Count; i++)
        {
            var op = first._ops[i];
            string Merge(System.Func<Op, string> part)
            {
                var variants = texts.Select(t => part(t._ops[i])).ToList();
                var slot = 0;
                return Slot.Replace(variants[0], m =>
                {
                    var k = slot++;
                    var values = variants.Select(v => Slot.Matches(v)[k].Groups["value"].Value).ToList();
                    if (values.All(v => v == values[0])) return m.Value;
                    return m.Groups["name"].Value + ": " + Hole.For(holes, op.Context, m.Groups["name"].Value, values).Name;
                }).Replace(Name, name);
            }
            switch (op.Kind)
            {
                case OpKind.Line: w.Line(Merge(o => o.Text)); break;
                case OpKind.Call:
                    w.Call(Merge(o => o.Text), op.Args.Select((_, a) => Merge(o => o.Args[a])).ToList(), Merge(o => o.Tail));
                    break;
                case OpKind.Open: w.Open(Merge(o => o.Text)); break;
                case OpKind.Close: w.Close(); break;
                case OpKind.Indent: w.Indent(); break;
                case OpKind.Outdent: w.Outdent(); break;
            }
        }
    }

    /// <summary>Groups variants (in declaration order) whose texts have equal skeletons.</summary>
    public static List<List<int>> Groups(IReadOnlyList<string> skeletons)
    {
        var groups = new List<List<int>>();
        var byText = new Dictionary<string, List<int>>();
        for (var i = 0; i < skeletons.Count; i++)
        {
            if (!byText.TryGetValue(skeletons[i], out var g)) { g = new List<int>(); byText[skeletons[i]] = g; groups.Add(g); }
            g.Add(i);
        }
        return groups;
    }
}

/// <summary>A parameter of a shared class or method: a number that differs between its variants, and each one's value.</summary>
internal sealed record Hole(string Name, string Type, IReadOnlyList<string> Values)
{
    private string Stem { get; init; } = Name;

    /// <summary>The hole for a slot (the same context and argument name with the same values is one hole).</summary>
    public static Hole For(List<Hole> holes, string context, string argument, IReadOnlyList<string> values)
    {
        var stem = (context.Length == 0 ? "__" : Regex.Replace(context, @"\W", "_") + "_") + argument;
        var existing = holes.FirstOrDefault(h => h.Stem == stem && h.Values.SequenceEqual(values));
        if (existing is not null) return existing;
        var name = stem;
        for (var n = 2; holes.Any(h => h.Name == name); n++) name = stem + "_" + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var isInteger = values.All(v => v.IndexOf('.') < 0 && v.IndexOf('E') < 0);
        var type = !isInteger ? "double" : values.All(v => long.Parse(v, System.Globalization.CultureInfo.InvariantCulture) is >= int.MinValue and <= int.MaxValue) ? "int" : "long";
        var hole = new Hole(name, type, values) { Stem = stem };
        holes.Add(hole);
        return hole;
    }

    /// <summary>The parameter declaration: <c>int layer1_run0_count</c>.</summary>
    public string Parameter => Type + " " + Name;

    /// <summary>Variant <paramref name="index"/>'s named argument: <c>layer1_run0_count: 3</c>.</summary>
    public string Argument(int index) => Name + ": " + Values[index];
}
