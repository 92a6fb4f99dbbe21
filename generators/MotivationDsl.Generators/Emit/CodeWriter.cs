using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace MotivationDsl.Generators;

/// <summary>Indented C# text with lines of at most <see cref="MaxLine"/> characters where a call can be wrapped.</summary>
internal sealed class CodeWriter
{
    public const int MaxLine = 120;

    /// <summary>File-level aliases every generated file starts with (names with two underscores never capture a user's).</summary>
    public const string Aliases =
        "using __Module = global::TorchSharp.torch.nn.Module<global::TorchSharp.torch.Tensor, global::TorchSharp.torch.Tensor>;\n"
        + "using __Tensor = global::TorchSharp.torch.Tensor;\n"
        + "using __Modules = global::TorchSharp.Modules;\n"
        + "using __nn = global::TorchSharp.torch.nn;\n"
        + "using __F = global::TorchSharp.torch.nn.functional;\n"
        + "using __Meta = global::MotivationDsl.VariantMetadataBuilder;\n"
        + "using __Dsl = global::MotivationDsl;\n";

    private readonly StringBuilder _sb = new();
    private int _indent;

    public CodeWriter() { }

    /// <summary>A writer that starts at <paramref name="level"/> (text to be appended where <see cref="Level"/> is that).</summary>
    public CodeWriter(int level) => _indent = level;

    /// <summary>The current indentation level.</summary>
    public int Level => _indent;

    /// <summary>Appends what <paramref name="other"/> wrote (it was written at this writer's level).</summary>
    public void Append(CodeWriter other) => _sb.Append(other._sb);

    /// <summary>One line, or several when <paramref name="text"/> contains line breaks (each indented).</summary>
    public void Line(string text = "")
    {
        foreach (var line in text.Split('\n'))
        {
            if (line.Length > 0 && _indent * 4 + line.Length > MaxLine && line.TrimStart().StartsWith("/// ", System.StringComparison.Ordinal))
            {
                WrapComment(line);
                continue;
            }
            if (line.Length > 0) _sb.Append(' ', _indent * 4).Append(line);
            _sb.Append('\n');
        }
    }

    // A documentation comment too long for one line, wrapped at spaces (a summary on one line is opened first).
    private void WrapComment(string line)
    {
        var lead = line.Substring(0, line.IndexOf("///", System.StringComparison.Ordinal)) + "/// ";
        var text = line.Substring(lead.Length);
        if (text.StartsWith("<summary>", System.StringComparison.Ordinal) && text.EndsWith("</summary>", System.StringComparison.Ordinal))
        {
            Line(lead + "<summary>");
            Line(lead + text.Substring(9, text.Length - 19));
            Line(lead + "</summary>");
            return;
        }
        var current = new StringBuilder(lead);
        foreach (var word in text.Split(' '))
        {
            if (current.Length > lead.Length && _indent * 4 + current.Length + 1 + word.Length > MaxLine)
            {
                _sb.Append(' ', _indent * 4).Append(current.ToString().TrimEnd()).Append('\n');
                current.Clear().Append(lead);
            }
            else if (current.Length > lead.Length) current.Append(' ');
            current.Append(word);
        }
        _sb.Append(' ', _indent * 4).Append(current.ToString().TrimEnd()).Append('\n');
    }

    /// <summary>Text written as is, without indentation (verbatim strings span lines).</summary>
    public void Raw(string text) => _sb.Append(' ', _indent * 4).Append(text).Append('\n');

    public void Open(string text) { Line(text); Line("{"); _indent++; }

    public void Close(string suffix = "") { _indent--; Line("}" + suffix); }

    public void Indent() => _indent++;

    public void Outdent() => _indent--;

    /// <summary><c>head(a, b, c)tail</c> on one line, or with one argument per line when it would be too long.</summary>
    public void Call(string head, IReadOnlyList<string> args, string tail)
    {
        var one = head + "(" + string.Join(", ", args) + ")" + tail;
        if (_indent * 4 + one.Length <= MaxLine || args.Count == 0) { Line(one); return; }
        var rest = string.Join(", ", args) + ")" + tail;
        if ((_indent + 1) * 4 + rest.Length <= MaxLine)
        {
            Line(head + "(");
            _indent++;
            Line(rest);
            _indent--;
            return;
        }
        Line(head + "(");
        _indent++;
        for (var i = 0; i < args.Count; i++) Line(args[i] + (i + 1 < args.Count ? "," : ")" + tail));
        _indent--;
    }

    /// <summary><c>head(a, b, c)tail</c> on one line, or with as many arguments per line as fit.</summary>
    public void CallFilled(string head, IReadOnlyList<string> args, string tail)
    {
        var line = new StringBuilder(head).Append('(');
        var width = _indent * 4;
        for (var i = 0; i < args.Count; i++)
        {
            var piece = args[i] + (i + 1 < args.Count ? "," : ")" + tail);
            if (i > 0 && width + line.Length + 1 + piece.Length > MaxLine)
            {
                Line(line.ToString());
                line.Clear().Append("    ");
            }
            else if (i > 0) line.Append(' ');
            line.Append(piece);
        }
        if (args.Count == 0) line.Append(')').Append(tail);
        Line(line.ToString());
    }

    /// <summary>Writes a multi-line template at the current indentation.</summary>
    public void Block(string text)
    {
        foreach (var line in text.Replace("\r\n", "\n").Split('\n')) Line(line);
    }

    public override string ToString() => _sb.ToString();

    public static string L(long v) => v.ToString(CultureInfo.InvariantCulture);

    public static string D(double v) => v.ToString("R", CultureInfo.InvariantCulture) + (v == System.Math.Floor(v) && !v.ToString("R", CultureInfo.InvariantCulture).Contains("E") ? ".0" : "");

    public static string S(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    public static string B(bool b) => b ? "true" : "false";

    public static IReadOnlyList<string> Args(params (string Name, string Value)[] args) => args.Select(a => a.Name + ": " + a.Value).ToList();
}
