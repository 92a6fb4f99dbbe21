using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MotivationDsl;

/// <summary>
/// A token embedding table (<c>torch.nn.Embedding(tokens, dim)</c>: parameter <c>weight</c> [tokens, dim], normal(0, 1) at
/// creation, output the rows of the input's token ids) as a managed module, so that a <see cref="TiedHead"/> can share its
/// one parameter object. Generated language models use it for their token embedding.
/// </summary>
public sealed class TokenTable : nn.Module<Tensor, Tensor>
{
    private readonly Parameter _weight;

    public TokenTable(long tokens, long dim) : base("Embedding")
    {
        _weight = new Parameter(empty(tokens, dim).normal_());
        register_parameter("weight", _weight);
    }

    /// <summary>The table [tokens, dim].</summary>
    public Parameter weight => _weight;

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var rows = _weight.index_select(0, input.reshape(-1));
        return rows.reshape([.. input.shape, _weight.shape[1]]).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// A language-model head tied to a <see cref="TokenTable"/>: logits = x W^T with W the table's own parameter (nanoGPT's
/// <c>lm_head</c> with <c>transformer.wte.weight = lm_head.weight</c>). It has no parameter of its own, so the tied weight
/// is one tensor to parameter counts, optimizers, weights maps and checkpoints; its <see cref="state_dict"/> lists the
/// weight under <c>weight</c> as well, as PyTorch's does, so the state_dict loads into nanoGPT with strict=True.
/// </summary>
public sealed class TiedHead : nn.Module<Tensor, Tensor>
{
    // A delegate, not a field of module type: the table must not be registered as a child of the head.
    private readonly Func<Parameter> _weight;

    public TiedHead(TokenTable table) : base("Linear")
    {
        ArgumentNullException.ThrowIfNull(table);
        _weight = () => table.weight;
    }

    /// <summary>The shared weight [vocabulary, dim] (the table's parameter).</summary>
    public Parameter weight => _weight();

    public override Tensor forward(Tensor input) => nn.functional.linear(input, _weight());

    public override Dictionary<string, Tensor> state_dict(Dictionary<string, Tensor>? destination = null, string? prefix = null)
    {
        destination ??= [];
        destination.TryAdd(string.IsNullOrEmpty(prefix) ? "weight" : prefix + ".weight", _weight());
        return destination;
    }
}
