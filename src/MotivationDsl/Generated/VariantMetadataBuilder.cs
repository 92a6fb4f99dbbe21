namespace MotivationDsl;

/// <summary>
/// Computes a variant's <see cref="VariantInfo"/> (tensor names and shapes, parameters, MACs) at run time from the
/// small description the generator emits: one call per layer, one per block run. Channel counts come from the
/// description; the input size and the class count follow <see cref="ModelOptions"/>. The generator proves the same
/// numbers at compile time for the declared sizes (the manifest's figures).
/// </summary>
public sealed class VariantMetadataBuilder
{
    private readonly List<TensorInfo> _tensors = [];
    private readonly int[] _inputShape;
    private string _prefix = "";

    public VariantMetadataBuilder(string variant, ModelOptions? options, int declaredClasses, IReadOnlyList<int> declaredInputShape)
    {
        Variant = variant;
        var (classes, c, h, w) = (options ?? new ModelOptions()).Resolve(declaredClasses, declaredInputShape);
        Classes = classes;
        Channels = c;
        Height = h;
        Width = w;
        _inputShape = [c, h, w];
    }

    /// <summary>A language model's metadata: token ids [<paramref name="contextLength"/>] in, logits over <paramref name="vocabulary"/> out.</summary>
    public static VariantMetadataBuilder ForTokens(string variant, ModelOptions? options, int vocabulary, int contextLength)
    {
        if (options is { Classes: not null } or { InputSize: not null } or { InputHeight: not null } or { InputWidth: not null })
            throw new ArgumentException($"Variant '{variant}' is a language model: its vocabulary ({vocabulary}) and context length ({contextLength}) are fixed by its declaration, so ModelOptions cannot change them.", nameof(options));
        return new VariantMetadataBuilder(variant, vocabulary, contextLength);
    }

    private VariantMetadataBuilder(string variant, int vocabulary, int contextLength)
    {
        Variant = variant;
        Classes = vocabulary;
        Tokens = contextLength;
        _inputShape = [contextLength];
    }

    public string Variant { get; }

    /// <summary>The class count (the output features of a classifier Linear).</summary>
    public long Classes { get; }

    /// <summary>Channels (image), features per token (tokens) or features (flat) of the current activation.</summary>
    public long Channels { get; private set; }

    public long Height { get; private set; }

    public long Width { get; private set; }

    /// <summary>Tokens of the sequence after a patch embedding (class token included once added).</summary>
    public long Tokens { get; private set; }

    /// <summary>The current activation's size; a block's parallel branches each start from the same one.</summary>
    public ActivationSize Activation
    {
        get => new(Channels, Height, Width);
        set => (Channels, Height, Width) = (value.Channels, value.Height, value.Width);
    }

    /// <summary>Multiply-accumulates so far, for one sample.</summary>
    public long Macs { get; private set; }

    public void AddMacs(long macs) => Macs += macs;

    public void Parameter(string name, params long[] shape) => _tensors.Add(new TensorInfo(_prefix + name, TensorKind.Parameter, shape));

    public void Buffer(string name, params long[] shape) => _tensors.Add(new TensorInfo(_prefix + name, TensorKind.Buffer, shape));

    /// <summary>A convolution from <paramref name="inChannels"/> (default: the current channels) at the current size.</summary>
    public void Conv2d(string name, long outChannels, long kernel, long stride = 1, long padding = 0, long groups = 1,
        bool bias = true, long? inChannels = null)
    {
        var inC = inChannels ?? Channels;
        Parameter(name + ".weight", outChannels, inC / groups, kernel, kernel);
        if (bias) Parameter(name + ".bias", outChannels);
        Height = Spatial(Height, kernel, stride, padding);
        Width = Spatial(Width, kernel, stride, padding);
        Macs += outChannels * (inC / groups) * kernel * kernel * Height * Width;
        Channels = outChannels;
    }

    public void BatchNorm2d(string name)
    {
        Parameter(name + ".weight", Channels);
        Parameter(name + ".bias", Channels);
        Buffer(name + ".running_mean", Channels);
        Buffer(name + ".running_var", Channels);
        Buffer(name + ".num_batches_tracked");
    }

    public void LayerNorm(string name)
    {
        Parameter(name + ".weight", Channels);
        Parameter(name + ".bias", Channels);
    }

    /// <summary>A linear layer on flat features; <paramref name="outFeatures"/> is often <see cref="Classes"/>.</summary>
    public void Linear(string name, long outFeatures, bool bias = true)
    {
        Parameter(name + ".weight", outFeatures, Channels);
        if (bias) Parameter(name + ".bias", outFeatures);
        Macs += Channels * outFeatures;
        Channels = outFeatures;
    }

    /// <summary>Squeeze-and-excitation on the current channels (<see cref="SqueezeExcitationModule"/>): two 1x1 convolutions.</summary>
    public void SqueezeExcitation(string name, double ratio)
    {
        var squeeze = SqueezeExcitationModule.Squeeze(Channels, ratio);
        Parameter(name + ".fc1.weight", squeeze, Channels, 1, 1);
        Parameter(name + ".fc1.bias", squeeze);
        Parameter(name + ".fc2.weight", Channels, squeeze, 1, 1);
        Parameter(name + ".fc2.bias", Channels);
        Macs += 2 * Channels * squeeze;
    }

    /// <summary>Max or average pooling (no parameters, no MACs counted).</summary>
    public void Pool(long kernel, long stride, long padding)
    {
        Height = Spatial(Height, kernel, stride, padding);
        Width = Spatial(Width, kernel, stride, padding);
    }

    public void GlobalAvgPool() => (Height, Width) = (1, 1);

    /// <summary>Adaptive average or max pooling to <paramref name="outputSize"/> x <paramref name="outputSize"/>.</summary>
    public void AdaptivePool(long outputSize) => (Height, Width) = (outputSize, outputSize);

    /// <summary>Flattens [C, H, W] into C x H x W features.</summary>
    public void Flatten()
    {
        Channels *= Height * Width;
        (Height, Width) = (1, 1);
    }

    /// <summary>A patch embedding: a stride-<paramref name="patch"/> convolution whose positions become tokens.</summary>
    public void PatchEmbedding(string name, long dim, long patch)
    {
        Conv2d(name, dim, patch, patch);
        Tokens = Height * Width;
    }

    public void ClassToken(string name)
    {
        Parameter(name, 1, 1, Channels);
        Tokens += 1;
    }

    public void PositionalEmbedding(string name) => Parameter(name, 1, Tokens, Channels);

    /// <summary>A language model's token embedding <c>[vocabulary, dim]</c> (<see cref="Classes"/> is the vocabulary).</summary>
    public void TokenEmbedding(string name, long dim)
    {
        Parameter(name + ".weight", Classes, dim);
        Channels = dim;
    }

    /// <summary>A learned position embedding <c>[context length, dim]</c>.</summary>
    public void TokenPositions(string name) => Parameter(name + ".weight", Tokens, Channels);

    /// <summary>
    /// Logits over the vocabulary for every position (no bias); tied to <paramref name="tiedTo"/>'s weight, it has no tensor
    /// of its own (one tensor, counted once, as PyTorch counts a tied weight).
    /// </summary>
    public void LanguageModelHead(string name, string? tiedTo = null)
    {
        if (tiedTo is null) Parameter(name + ".weight", Classes, Channels);
        Macs += Tokens * Channels * Classes;
        Channels = Classes;
    }

    /// <summary>
    /// Blocks <paramref name="first"/> .. <paramref name="first"/> + <paramref name="count"/> - 1 of a stage: while the
    /// caller describes each one, tensor names start with <c>{keyPrefix}{index}.</c> (<c>layer2.</c> gives
    /// <c>layer2.3.conv1.weight</c>).
    /// </summary>
    public IEnumerable<VariantMetadataBuilder> Blocks(string keyPrefix, int first, int count)
    {
        try
        {
            for (var i = first; i < first + count; i++)
            {
                _prefix = keyPrefix + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".";
                yield return this;
            }
        }
        finally
        {
            _prefix = "";
        }
    }

    public VariantInfo Build() =>
        new(Variant, _tensors.Where(t => t.Kind == TensorKind.Parameter).Sum(t => t.Elements), Macs, _inputShape, (int)Classes, _tensors.ToArray());

    /// <summary>Output size of a convolution or pooling window; throws when the input is too small.</summary>
    internal static long Spatial(long size, long kernel, long stride, long padding)
    {
        var span = size + 2 * padding - kernel;
        if (span < 0) throw new ArgumentException($"The input is too small: a window of {kernel} (padding {padding}) does not fit {size} pixels.");
        return span / stride + 1;
    }
}

/// <summary>Channels (or features) and spatial size of an activation in <see cref="VariantMetadataBuilder"/>.</summary>
public readonly record struct ActivationSize(long Channels, long Height, long Width);
