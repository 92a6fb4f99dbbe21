using TorchSharp;
using TorchSharp.Modules;
using MotivationDsl.Blocks;
using static TorchSharp.torch;

namespace MotivationDsl;

/// <summary>
/// The module of a generated variant, built from its <see cref="LayerList"/>: each layer's module registered under its
/// state_dict name in layer order (a dotted name such as <c>heads.head</c> under <see cref="NamingNode"/> containers,
/// created on first use), then <see cref="WeightInitialization.Apply"/> with the model's <c>Init</c>. Its forward runs the
/// layers' steps in order in one dispose scope. Each generated variant class (<c>Net.ResNet20</c>) derives from it.
/// </summary>
public abstract class VariantModule : nn.Module<Tensor, Tensor>
{
    private readonly Dictionary<string, nn.Module> _byName = [];
    private readonly Func<Tensor, Tensor>[] _steps;

    /// <param name="name">The variant's name (the module's name).</param>
    /// <param name="layers">The variant's layers.</param>
    /// <param name="options">Class count and input size; null: as declared.</param>
    protected VariantModule(string name, LayerList layers, ModelOptions? options) : base(name)
    {
        ArgumentNullException.ThrowIfNull(layers);
        _steps = layers.Build(this, name, options);
        WeightInitialization.Apply(this, layers.Init);
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = input;
        foreach (var step in _steps) x = step(x);
        return scope.MoveToOuter(x);
    }

    /// <summary>Registers <paramref name="module"/> under the state_dict name <paramref name="name"/>; its forward.</summary>
    internal Func<Tensor, Tensor> Add(string name, nn.Module<Tensor, Tensor> module)
    {
        var (owner, leaf) = Owner(name);
        if (owner is null) register_module(leaf, module);
        else owner.Add(leaf, module);
        _byName[name] = module;
        return module.forward;
    }

    /// <summary>Registers a parameter under <paramref name="name"/>; a reader of the registered parameter (moves replace it).</summary>
    internal Func<Parameter> AddParameter(string name, Tensor init)
    {
        var (owner, leaf) = Owner(name);
        nn.Module container = owner is null ? this : owner;
        container.register_parameter(leaf, new Parameter(init));
        return () => container.get_parameter(leaf)!;
    }

    /// <summary>The module registered under <paramref name="name"/> by an earlier layer.</summary>
    internal T Find<T>(string name) where T : nn.Module => (T)_byName[name];

    // The container of a dotted name (null: this module) and the name's last part; containers are created on first use.
    private (NamingNode? Owner, string Leaf) Owner(string name)
    {
        var dot = name.LastIndexOf('.');
        return dot < 0 ? (null, name) : (Node(name[..dot]), name[(dot + 1)..]);
    }

    private NamingNode Node(string path)
    {
        if (_byName.TryGetValue(path, out var existing)) return (NamingNode)existing;
        var (owner, leaf) = Owner(path);
        var node = new NamingNode(leaf);
        if (owner is null) register_module(leaf, node);
        else owner.Add(leaf, node);
        _byName[path] = node;
        return node;
    }
}
