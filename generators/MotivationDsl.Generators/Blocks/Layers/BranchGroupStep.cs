using System.Collections.Generic;
using System.Linq;
using static MotivationDsl.Generators.CodeWriter;

namespace MotivationDsl.Generators;

/// <summary>
/// Parallel branches inside a block, <c>[Branch("a")] ... [Branch("b")] ... [Join(JoinMode.Add | JoinMode.Concat)]</c>:
/// every branch runs on the same input; each is a nested module (<c>__Branch_a</c>) registered as the block's field
/// <c>a</c>, so its tensors read <c>a.conv.weight</c>. Add needs equal shapes; Concat concatenates channels in branch
/// order, which makes the channels after it a list of segments (<see cref="BlockBody.Segments"/>): the layer that reads
/// them maps piecewise, branch by branch, and a block that outputs them must keep every segment but the last as wide
/// as the base's (MOT063).
/// </summary>
internal sealed class BranchGroupStep : BlockStep
{
    private readonly IReadOnlyList<BranchSpec> _branches;
    private readonly JoinKind _join;
    private long? _startArea; // the area the branches start from, known once Construct has run

    public BranchGroupStep(IReadOnlyList<BranchSpec> branches, JoinKind join) { _branches = branches; _join = join; }

    private static string Class(BranchSpec b) => "__Branch_" + b.Name;

    private string Input => "__in_" + _branches[0].Name;

    public override bool Resolve(BlockBody body)
    {
        var start = body.Save();
        var ends = new List<(long C, long H, long W, int Rank, long? Area, long[]? Segments)>();
        foreach (var branch in _branches)
        {
            body.Restore(start);
            foreach (var step in branch.Keyed.Select(l => new LayerStep(l)))
                if (!step.Resolve(body)) return false;
            ends.Add(body.Save());
        }
        string Shape((long C, long H, long W, int Rank, long? Area, long[]? Segments) s) => s.Rank == 3 ? $"[{s.C}, {s.H}, {s.W}]" : $"[{s.C}]";
        var shapes = string.Join(", ", ends.Select((e, i) => $"{_branches[i].Name} {Shape(e)}"));
        var first = ends[0];
        var key = body.Request.Key;
        if (_join == JoinKind.Add)
        {
            if (ends.Any(e => Shape(e) != Shape(first)))
                return Fail(body, $"JoinMode.Add needs every branch to output the same shape, but they output {shapes}");
            if (ends.Any(e => !SameSegments(e.Segments, first.Segments)))
                return Fail(body, "JoinMode.Add would add channels that sit at different places in a wider variant: one branch outputs a concatenation; end it with a Conv2d or Linear");
            body.Restore(first);
            body.Area = ends.All(e => e.Area == first.Area) ? first.Area : null;
            return true;
        }
        if (ends.Any(e => e.Rank != first.Rank || e.H != first.H || e.W != first.W))
            return Fail(body, $"JoinMode.Concat needs every branch to output the same spatial size, but they output {shapes}");
        body.Restore(first);
        body.C = ends.Sum(e => e.C);
        body.Segments = ends.SelectMany(e => e.Segments ?? new[] { e.C }).ToArray();
        body.Area = ends.All(e => e.Area == first.Area) ? first.Area : null;
        return true;

        bool Fail(BlockBody b, string why)
        {
            b.Builder.Report(DiagnosticDescriptors.JoinShapes, b.Request.Stage.Location, key, why);
            return false;
        }
    }

    private static bool SameSegments(long[]? a, long[]? b) => a is null ? b is null : b is not null && a.SequenceEqual(b);

    public override IEnumerable<string> Fields() => _branches.Select(b => Class(b) + " " + b.Name);

    public override void Construct(CodeWriter w, BlockEmit e)
    {
        var start = _startArea = e.Area;
        var areas = new List<long?>();
        foreach (var b in _branches)
        {
            w.Line($"this.{b.Name} = new {Class(b)}(inPlanes: __c, planes: planes, stride: stride);");
            var branch = new BlockEmit { Area = start };
            foreach (var step in b.Layers.Select(l => new LayerStep(l))) step.Construct(new CodeWriter(), branch);
            areas.Add(branch.Area);
        }
        w.Line(_join == JoinKind.Add
            ? $"__c = this.{_branches[0].Name}.__out;"
            : "__c = " + string.Join(" + ", _branches.Select(b => $"this.{b.Name}.__out")) + ";");
        e.Area = areas.All(a => a == areas[0]) ? areas[0] : null;
    }

    public override string Forward()
    {
        var outputs = _branches.Select(b => $"this.{b.Name}.forward({Input})").ToList();
        return $"var {Input} = __x;\n" + (_join == JoinKind.Add
            ? "__x = " + string.Join("\n    + ", outputs) + ";"
            : "__x = global::TorchSharp.torch.cat(new[] {\n    " + string.Join(",\n    ", outputs) + " }, 1);");
    }

    public override void Describe(CodeWriter w, BlockEmit e)
    {
        w.Line($"var {Input} = m.Activation;");
        var start = e.Area;
        var areas = new List<long?>();
        foreach (var b in _branches)
        {
            if (b != _branches[0]) w.Line($"m.Activation = {Input};");
            var branch = new BlockEmit { Area = start };
            foreach (var step in b.Keyed.Select(l => new LayerStep(l))) step.Describe(w, branch);
            areas.Add(branch.Area);
            if (_join == JoinKind.Concat) w.Line($"var __out_{b.Name} = m.Activation.Channels;");
        }
        if (_join == JoinKind.Concat)
            w.Line("m.Activation = m.Activation with { Channels = " + string.Join(" + ", _branches.Select(b => "__out_" + b.Name)) + " };");
        e.Area = areas.All(a => a == areas[0]) ? areas[0] : null;
    }

    public override void EmitClasses(CodeWriter w, BuiltModel model)
    {
        foreach (var b in _branches)
        {
            w.Line();
            w.Line($"/// <summary>Branch <c>{b.Name}</c>: runs on the block's activation before the branches.</summary>");
            w.Open($"public sealed class {Class(b)} : __Module");
            var steps = b.Layers.Select(l => new LayerStep(l)).ToList();
            foreach (var f in steps.SelectMany(s => s.Fields())) w.Line($"private readonly {f};");
            w.Line("internal readonly long __out;");
            w.Line();
            w.Open($"public {Class(b)}(long inPlanes, long planes, long stride) : base({S(b.Name)})");
            w.Line("var __c = inPlanes;");
            var e = new BlockEmit { Area = _startArea };
            foreach (var s in steps) s.Construct(w, e);
            w.Line("this.__out = __c;");
            w.Line("RegisterComponents();");
            w.Close();
            w.Line();
            if (steps.Count == 0)
            {
                w.Line("public override __Tensor forward(__Tensor input) => input; // the identity: no scope owns the input");
                w.Close();
                continue;
            }
            w.Open("public override __Tensor forward(__Tensor input)");
            w.Line("using var __scope = global::TorchSharp.torch.NewDisposeScope();");
            w.Line("var __x = input;");
            foreach (var s in steps) w.Line(s.Forward());
            w.Line("return __scope.MoveToOuter(__x);");
            w.Close();
            w.Close();
        }
    }
}
