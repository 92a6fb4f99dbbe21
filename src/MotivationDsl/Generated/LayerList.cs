using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MotivationDsl;

/// <summary>
/// A variant's layers, stated once: the generated code writes one chain of calls per layer list
/// (<c>new LayerList(...).Conv2d("conv1", outChannels: 16, kernel: 3).BatchNorm2d("bn1").ReLU()...</c>), and this class
/// turns it into both the variant's metadata (<see cref="Describe"/>, through <see cref="VariantMetadataBuilder"/>) and
/// its module (<see cref="VariantModule"/>: the same modules, registered under the same state_dict names in layer order,
/// and the same forward). Channel counts and sizes a layer receives come from the layers before it, so a layer states only
/// what it adds. Image layers here, token layers in <c>LayerList.Tokens.cs</c>.
/// </summary>
public sealed partial class LayerList
{
    private readonly List<Step> _steps = [];
    private readonly Func<string, ModelOptions?, VariantMetadataBuilder> _metadata;
    private StageRuns? _stage;
    private bool _frozen;

    /// <summary>An image model's layers: <paramref name="classes"/> and <paramref name="inputShape"/> [C, H, W] as declared.</summary>
    public LayerList(int classes, IReadOnlyList<int> inputShape, WeightInit init)
        : this((variant, options) => new VariantMetadataBuilder(variant, options, classes, inputShape), init) { }

    private LayerList(Func<string, ModelOptions?, VariantMetadataBuilder> metadata, WeightInit init)
    {
        _metadata = metadata;
        Init = init;
    }

    /// <summary>The initialisation applied to the module once every layer is built.</summary>
    public WeightInit Init { get; }

    /// <summary>
    /// One layer: what it adds to the metadata, and how it builds its module on the variant's module (reading the size it
    /// receives from the metadata builder before <see cref="Describe"/> runs), returning its forward step.
    /// </summary>
    private sealed record Step(Action<VariantMetadataBuilder> Describe, Func<VariantModule, VariantMetadataBuilder, Func<Tensor, Tensor>> Build);

    private LayerList Add(Action<VariantMetadataBuilder> describe, Func<VariantModule, VariantMetadataBuilder, Func<Tensor, Tensor>> build)
    {
        ThrowIfFrozen();
        _steps.Add(new Step(describe, build));
        _stage = null;
        return this;
    }

    /// <summary>
    /// A list is complete once it has described or built a variant: a generated list is shared by every module of its
    /// variant, so a layer added later would make the next module differ from the metadata and map already proven.
    /// </summary>
    private void ThrowIfFrozen()
    {
        if (_frozen)
            throw new InvalidOperationException(
                "This layer list has already described or built a variant; layers cannot be added to it any more.");
    }

    /// <summary>The variant's tensors, parameters and MACs for <paramref name="options"/> (null: the declared sizes).</summary>
    public VariantInfo Describe(string variant, ModelOptions? options)
    {
        _frozen = true;
        var m = _metadata(variant, options);
        foreach (var s in _steps) s.Describe(m);
        return m.Build();
    }

    /// <summary>Builds every layer's module on <paramref name="module"/> in order; the forward steps, in order.</summary>
    internal Func<Tensor, Tensor>[] Build(VariantModule module, string variant, ModelOptions? options)
    {
        _frozen = true;
        var m = _metadata(variant, options);
        var forward = new Func<Tensor, Tensor>[_steps.Count];
        for (var i = 0; i < _steps.Count; i++)
        {
            forward[i] = _steps[i].Build(module, m);
            _steps[i].Describe(m);
        }
        return forward;
    }

    /// <summary><c>nn.Conv2d</c> from the channels it receives (a depthwise one states <paramref name="groups"/> = them).</summary>
    public LayerList Conv2d(string name, long outChannels, long kernel, long stride = 1, long padding = 0, long groups = 1,
        bool bias = true) =>
        Add(m => m.Conv2d(name, outChannels, kernel, stride, padding, groups, bias), (module, m) => module.Add(name,
            nn.Conv2d(in_channels: m.Channels, out_channels: outChannels, kernel_size: kernel, stride: stride,
                padding: padding, groups: groups, bias: bias)));

    public LayerList BatchNorm2d(string name, double eps = 1e-5, double momentum = 0.1) =>
        Add(m => m.BatchNorm2d(name), (module, m) => module.Add(name, nn.BatchNorm2d(num_features: m.Channels, eps: eps, momentum: momentum)));

    public LayerList LayerNorm(string name, double eps = 1e-5) =>
        Add(m => m.LayerNorm(name), (module, m) => module.Add(name, nn.LayerNorm(normalized_shape: [m.Channels], eps: eps)));

    /// <summary>A linear layer on features: <paramref name="outFeatures"/> null is the classifier (the class count).</summary>
    public LayerList Linear(string name, long? outFeatures = null, bool bias = true) =>
        Add(m => m.Linear(name, outFeatures ?? m.Classes, bias),
            (module, m) => module.Add(name, nn.Linear(inputSize: m.Channels, outputSize: outFeatures ?? m.Classes, hasBias: bias)));

    /// <summary>Dropout with probability <paramref name="p"/> while the module trains.</summary>
    public LayerList Dropout(double p) =>
        Add(_ => { }, (module, _) => x => nn.functional.dropout(x, p, module.training));

    /// <summary>Flattens to features; <paramref name="image"/> false: the input is already flat (the sizes do not change).</summary>
    public LayerList Flatten(bool image = true) =>
        Add(m => { if (image) m.Flatten(); }, (_, _) => static x => x.flatten(1));

    public LayerList ReLU() => Add(_ => { }, (_, _) => static x => nn.functional.relu(x));

    public LayerList SiLU() => Add(_ => { }, (_, _) => static x => nn.functional.silu(x));

    public LayerList GELU() => Add(_ => { }, (_, _) => static x => nn.functional.gelu(x));

    public LayerList MaxPool2d(long kernel, long stride, long padding) =>
        Add(m => m.Pool(kernel, stride, padding), (_, _) => x => nn.functional.max_pool2d(x, kernel, stride, padding));

    public LayerList AvgPool2d(long kernel, long stride, long padding) =>
        Add(m => m.Pool(kernel, stride, padding), (_, _) => x => nn.functional.avg_pool2d(x, kernel, stride, padding));

    public LayerList AdaptiveAvgPool2d(long size)
    {
        long[] output = [size, size];
        return Add(m => m.AdaptivePool(size), (_, _) => x => nn.functional.adaptive_avg_pool2d(x, output));
    }

    public LayerList AdaptiveMaxPool2d(long size)
    {
        long[] output = [size, size];
        return Add(m => m.AdaptivePool(size), (_, _) => x => nn.functional.adaptive_max_pool2d(x, output));
    }

    private static readonly long[] SpatialDims = [2, 3];

    /// <summary>The mean over height and width, kept as 1 x 1.</summary>
    public LayerList GlobalAvgPool() => Add(m => m.GlobalAvgPool(), (_, _) => static x => x.mean(SpatialDims, true));

    /// <summary>
    /// A stage: a <c>Sequential</c> named <paramref name="name"/> whose blocks are keyed <c>{blockPrefix}{index}</c>; the
    /// following <see cref="Blocks"/> calls add its runs of identical blocks.
    /// </summary>
    public LayerList Stage(string name, string blockPrefix)
    {
        var stage = new StageRuns(name, blockPrefix);
        Add(stage.Describe, stage.Build);
        _stage = stage;
        return this;
    }

    /// <summary><paramref name="count"/> blocks of <paramref name="block"/> appended to the stage just stated.</summary>
    public LayerList Blocks(int count, BlockDescription block)
    {
        ArgumentNullException.ThrowIfNull(block);
        ThrowIfFrozen();
        if (_stage is null) throw new InvalidOperationException("Blocks must follow a Stage (or other Blocks) in a layer list.");
        _stage.Runs.Add((count, block));
        return this;
    }

    private sealed class StageRuns(string name, string blockPrefix)
    {
        public List<(int Count, BlockDescription Block)> Runs { get; } = [];

        public void Describe(VariantMetadataBuilder m)
        {
            var first = 0;
            foreach (var (count, block) in Runs)
            {
                foreach (var b in m.Blocks(name + "." + blockPrefix, first, count)) block.Describe(b);
                first += count;
            }
        }

        public Func<Tensor, Tensor> Build(VariantModule module, VariantMetadataBuilder m)
        {
            var builder = new StageBuilder(blockPrefix);
            foreach (var (count, block) in Runs) builder.Add(count, block.Create);
            return module.Add(name, builder.Build());
        }
    }
}

/// <summary>
/// A block as a layer list names it: its module's constructor and its metadata (<c>Describe</c>), from one set of
/// arguments. The runtime blocks give theirs (<c>BasicBlock.Of(...)</c>); a user block's generated module gives its own.
/// </summary>
public sealed class BlockDescription(Func<nn.Module<Tensor, Tensor>> create, Action<VariantMetadataBuilder> describe)
{
    public nn.Module<Tensor, Tensor> Create() => create();

    public void Describe(VariantMetadataBuilder m) => describe(m);
}
