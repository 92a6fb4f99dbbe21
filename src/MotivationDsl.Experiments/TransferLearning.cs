using System.Text.RegularExpressions;
using MotivationDsl.Training.Checkpoints;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace MotivationDsl.Experiments;

/// <summary>
/// Renames the tensors of a foreign state dict to this project's names: ordered (regex, replacement) rules, the first
/// matching rule wins, a name no rule matches is kept. <see cref="Default"/> strips the wrappers PyTorch code often adds
/// (<c>module.</c> from DataParallel/DDP, <c>model.</c>, <c>_orig_mod.</c> from torch.compile); the state dict of the
/// reference CIFAR ResNet (akamaster/pytorch_resnet_cifar10: conv1, bn1, layerN.i.conv1/bn1/conv2/bn2, linear) then
/// needs no renaming at all: the generated modules use the same names. <see cref="TorchvisionResNet"/> also maps
/// torchvision's <c>fc.</c> head onto <c>linear.</c>.
/// </summary>
public sealed record NameMap(IReadOnlyList<(string Pattern, string Replacement)> Rules)
{
    public static NameMap Identity { get; } = new([]);
    public static NameMap Default { get; } = new([(@"^module\.", ""), (@"^_orig_mod\.", ""), (@"^model\.", "")]);
    public static NameMap TorchvisionResNet { get; } = new([.. Default.Rules, (@"^fc\.", "linear.")]);

    /// <summary>Parses rules "regex=replacement" (the CLI's <c>--rename</c>), after the <see cref="Default"/> ones.</summary>
    public static NameMap Parse(IEnumerable<string> rules) => new([.. Default.Rules, .. rules.Select(r =>
    {
        var i = r.IndexOf('=');
        return i > 0 ? (r[..i], r[(i + 1)..]) : throw new ArgumentException($"A rename rule is 'regex=replacement', got '{r}'.");
    })]);

    public string Apply(string name)
    {
        foreach (var (p, rep) in Rules)
        {
            var re = new Regex(p);
            if (re.IsMatch(name)) return re.Replace(name, rep, 1);
        }
        return name;
    }
}

/// <summary>What <see cref="TransferLearning.LoadBackbone"/> did.</summary>
public sealed record LoadReport(IReadOnlyList<string> Loaded, IReadOnlyList<string> SkippedHead, IReadOnlyList<string> UnusedSource)
{
    public override string ToString() =>
        $"loaded {Loaded.Count} tensors, kept {SkippedHead.Count} head tensors fresh ({string.Join(", ", SkippedHead)}), {UnusedSource.Count} source tensors unused" +
        (UnusedSource.Count > 0 ? $" ({string.Join(", ", UnusedSource.Take(8))}{(UnusedSource.Count > 8 ? ", ..." : "")})" : "");
}

/// <summary>
/// Transfer learning: read a trained state dict (our trainer checkpoint, a PyTorch <c>torch.save(state_dict)</c> file via
/// TorchSharp.PyBridge <c>UnpickleStateDict</c> (what <c>load_py</c> uses), or safetensors), and load every tensor except
/// the classifier head into a model of the same family declared with another class count. The head keeps its fresh
/// initialisation; then fine-tune classically or with motivation (<see cref="TransferCommand"/>).
/// </summary>
public static class TransferLearning
{
    /// <summary>The head's tensors: those of the last module that owns a parameter (for the ResNets, <c>linear.weight</c>, <c>linear.bias</c>).</summary>
    public static IReadOnlyList<string> HeadTensorNames(nn.Module module)
    {
        var names = module.state_dict().Keys.ToList();
        var lastParam = module.named_parameters().Select(p => p.name).Last();
        var prefix = lastParam.Contains('.') ? lastParam[..(lastParam.LastIndexOf('.') + 1)] : lastParam;
        return names.Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).ToList();
    }

    /// <summary>
    /// Reads a state dict from <paramref name="path"/>: <c>.mdckpt</c> (a trainer checkpoint; <paramref name="role"/> "base" or
    /// "motivated" picks the model), <c>.safetensors</c>, or anything else as a PyTorch pickle (<c>.pt</c>, <c>.pth</c>, <c>.bin</c>).
    /// Tensors are on the CPU; the caller disposes them.
    /// </summary>
    public static Dictionary<string, Tensor> ReadStateDict(string path, string role = "base")
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Checkpoint '{path}' not found.", path);
        var ext = Path.GetExtension(path).ToLowerInvariant();
        if (ext == ".mdckpt")
        {
            if (role is not ("base" or "motivated")) throw new ArgumentException($"The model of a trainer checkpoint is 'base' or 'motivated', not '{role}'.");
            using var r = CheckpointFile.Open(path);
            var prefix = role + "/";
            return r.Entries.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal))
                .ToDictionary(k => k[prefix.Length..], k => r.Read(k));
        }
        if (ext == ".safetensors") return Safetensors.LoadStateDict(path);
        var table = PyTorchUnpickler.UnpickleStateDict(path);
        var dict = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry e in table)
            if (e.Value is Tensor t) dict[(string)e.Key] = t;
        return dict;
    }

    /// <summary>
    /// Copies every tensor of <paramref name="target"/> except the head from <paramref name="source"/> (names after
    /// <paramref name="map"/>). Throws when a non-head tensor is missing in the source or has another shape: a
    /// backbone that loads only partly is an error, not a warning.
    /// </summary>
    public static LoadReport LoadBackbone(nn.Module target, IReadOnlyDictionary<string, Tensor> source, NameMap? map = null, IReadOnlyCollection<string>? head = null)
    {
        map ??= NameMap.Default;
        head ??= HeadTensorNames(target);
        var renamed = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (k, v) in source)
        {
            var n = map.Apply(k);
            if (!renamed.TryAdd(n, v)) throw new ArgumentException($"Two source tensors map to '{n}' (one of them is '{k}'); fix the name map.");
        }
        var state = target.state_dict();
        var missing = state.Keys.Where(k => !head.Contains(k) && !renamed.ContainsKey(k)).ToList();
        if (missing.Count > 0)
            throw new ArgumentException($"The source has no tensor for {missing.Count} backbone tensor(s): {string.Join(", ", missing.Take(10))}{(missing.Count > 10 ? ", ..." : "")}. " +
                                        $"Source names look like: {string.Join(", ", renamed.Keys.Take(5))}. Give a name map (--rename regex=replacement).");
        var loaded = new List<string>();
        using (no_grad())
        {
            foreach (var (name, t) in state)
            {
                if (head.Contains(name)) continue;
                var s = renamed[name];
                if (!s.shape.SequenceEqual(t.shape))
                    throw new ArgumentException($"Tensor '{name}' has shape [{string.Join(", ", s.shape)}] in the source but [{string.Join(", ", t.shape)}] in the model.");
                t.copy_(s.to(t.dtype, t.device));
                loaded.Add(name);
            }
        }
        var unused = renamed.Keys.Where(k => !state.ContainsKey(k) || head.Contains(k)).ToList();
        return new LoadReport(loaded, head.ToList(), unused);
    }

    /// <summary>
    /// Loads a source state dict into both models of a pair: the base gets the backbone; the motivated model gets the
    /// same tensors through the pair's weights map (as a switch would copy them). When <paramref name="motivatedSource"/>
    /// is given (e.g. the motivated model of the same checkpoint), the motivated model's own backbone is loaded from it.
    /// </summary>
    public static LoadReport LoadIntoPair(MotivationPair pair, IReadOnlyDictionary<string, Tensor> source, NameMap? map = null,
        IReadOnlyDictionary<string, Tensor>? motivatedSource = null)
    {
        var report = LoadBackbone(pair.Base, source, map);
        if (motivatedSource is not null) LoadBackbone(pair.Motivated, motivatedSource, map);
        else pair.Map.CopyBaseToMotivated();
        return report;
    }
}
