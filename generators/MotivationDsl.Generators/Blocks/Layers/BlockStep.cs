using System.Collections.Generic;
using System.Linq;

namespace MotivationDsl.Generators;

/// <summary>
/// One step of a block's body: a layer (<see cref="LayerStep"/>) or a group of parallel branches and their join
/// (<see cref="BranchGroupStep"/>). <see cref="Of"/> turns a block's layer list into steps.
/// </summary>
internal abstract class BlockStep
{
    public abstract bool Resolve(BlockBody body);

    /// <summary>Field declarations of the block's module (<c>type name</c>).</summary>
    public abstract IEnumerable<string> Fields();

    public abstract void Construct(CodeWriter w, BlockEmit e);

    public abstract string Forward();

    public abstract void Describe(CodeWriter w, BlockEmit e);

    /// <summary>Nested module classes the step needs (a branch's module).</summary>
    public virtual void EmitClasses(CodeWriter w, BuiltModel model) { }

    /// <summary>The steps of a block's layers; <see cref="WhyNotGrouped"/> has accepted them.</summary>
    public static List<BlockStep> Of(IReadOnlyList<LayerSpec> layers)
    {
        var steps = new List<BlockStep>();
        List<(LayerSpec Branch, List<LayerSpec> Layers)>? group = null;
        foreach (var l in layers)
        {
            if (l.Kind == LayerKind.Branch) (group ??= new()).Add((l, new List<LayerSpec>()));
            else if (l.Kind == LayerKind.Join)
            {
                steps.Add(new BranchGroupStep(group!.Select(b => new BranchSpec(b.Branch.Name!, b.Layers)).ToList(), l.Join));
                group = null;
            }
            else if (group is not null) group[group.Count - 1].Layers.Add(l);
            else steps.Add(new LayerStep(l));
        }
        return steps;
    }

    /// <summary>Null when every [Branch] belongs to a group of at least two closed by a [Join]; else the layer and why not.</summary>
    public static (LayerSpec Layer, string Reason)? WhyNotGrouped(IReadOnlyList<LayerSpec> layers)
    {
        var open = new List<LayerSpec>();
        foreach (var l in layers)
        {
            if (l.Kind == LayerKind.Branch) open.Add(l);
            else if (l.Kind == LayerKind.Join)
            {
                if (open.Count == 0) return (l, "a [Join] needs [Branch] attributes before it");
                if (open.Count == 1) return (l, "a [Join] joins at least two branches; this one has only '" + open[0].Name + "'");
                open.Clear();
            }
        }
        return open.Count > 0 ? (open[open.Count - 1], "the branches are never joined: add a [Join] after the last branch's layers") : null;
    }
}

/// <summary>A branch: its name and its layers with their names as written (inside the branch's module).</summary>
internal sealed record BranchSpec(string Name, IReadOnlyList<LayerSpec> Layers)
{
    /// <summary>The layers with the branch's name before theirs (<c>b1.conv</c>): their tensors' names in the block.</summary>
    public IEnumerable<LayerSpec> Keyed => Layers.Select(l => l.Name is null ? l : l with { Name = Name + "." + l.Name });
}

/// <summary>One layer, done by its kind's <see cref="BlockLayer"/>.</summary>
internal sealed class LayerStep : BlockStep
{
    private readonly LayerSpec _layer;

    public LayerStep(LayerSpec layer) { _layer = layer; }

    private BlockLayer Kind => BlockLayer.Of(_layer.Kind);

    public override bool Resolve(BlockBody body) => Kind.Resolve(body, _layer);

    public override IEnumerable<string> Fields()
    {
        if (Kind.FieldType is { } type) yield return type + " " + _layer.Name;
    }

    public override void Construct(CodeWriter w, BlockEmit e) => Kind.Construct(w, _layer, e);

    public override string Forward() => Kind.Forward(_layer);

    public override void Describe(CodeWriter w, BlockEmit e) => Kind.Describe(w, _layer, e);
}
