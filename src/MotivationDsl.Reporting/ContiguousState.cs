using TorchSharp;
using static TorchSharp.torch;

namespace MotivationDsl.Reporting;

/// <summary>
/// A stand-in module whose state dict has the same keys and values as another module's, every tensor a contiguous
/// (row-major, PyTorch-default) copy. TorchSharp's and PyBridge's writers read a tensor's bytes, which only works for
/// contiguous tensors: channels-last weights (<see cref="MemoryFormat.ChannelsLast"/>) and a zero-copy base's strided
/// views are written through this, so every export loads into PyTorch's default layout.
/// </summary>
internal sealed class ContiguousState : nn.Module
{
    private ContiguousState(string name) : base(name) { }

    /// <summary>Whether <paramref name="module"/> has a tensor the writers cannot write directly.</summary>
    public static bool Needed(nn.Module module) => module.state_dict().Values.Any(t => !t.is_contiguous());

    /// <summary>The stand-in for <paramref name="module"/> (the caller disposes it; the original is not touched).</summary>
    public static nn.Module Of(nn.Module module)
    {
        var root = new ContiguousState(module.GetName());
        using var _ = no_grad();
        foreach (var (key, t) in module.state_dict())
        {
            var parts = key.Split('.');
            nn.Module owner = root;
            foreach (var part in parts[..^1])
            {
                var child = owner.named_children().FirstOrDefault(c => c.name == part).module;
                if (child is null)
                {
                    child = new ContiguousState(part);
                    owner.register_module(part, child);
                }
                owner = child;
            }
            owner.register_buffer(parts[^1], t.detach().contiguous().clone(), persistent: true);
        }
        return root;
    }

    /// <summary>
    /// Runs <paramref name="read"/> (a loader that fills a module's tensors from a file) on <paramref name="module"/>, or,
    /// when the module has tensors TorchSharp's readers cannot fill in place (channels-last, strided views), on its
    /// contiguous stand-in, then copies every value into the module's own tensors, keeping their layout.
    /// </summary>
    public static void Read(nn.Module module, Action<nn.Module> read)
    {
        if (!Needed(module)) { read(module); return; }
        using var stand = Of(module);
        read(stand);
        using var _ = no_grad();
        var loaded = stand.state_dict();
        foreach (var (key, t) in module.state_dict()) t.copy_(loaded[key]);
    }

    /// <summary>Runs <paramref name="write"/> on <paramref name="module"/>, or on its contiguous stand-in when one is needed.</summary>
    public static void Write(nn.Module module, Action<nn.Module> write)
    {
        if (!Needed(module)) { write(module); return; }
        using var stand = Of(module);
        write(stand);
    }
}
