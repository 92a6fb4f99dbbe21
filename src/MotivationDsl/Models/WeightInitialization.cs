using TorchSharp;

namespace MotivationDsl;

/// <summary>Initialises a generated module's weights by a <see cref="WeightInit"/> scheme (the generated constructors call it once).</summary>
public static class WeightInitialization
{
    /// <summary>Applies <paramref name="scheme"/> to <paramref name="module"/>'s parameters in place (in named_parameters order).</summary>
    public static void Apply(torch.nn.Module module, WeightInit scheme)
    {
        ArgumentNullException.ThrowIfNull(module);
        switch (scheme)
        {
            case WeightInit.PyTorchDefault:
                return;
            case WeightInit.KaimingNormal:
                // kaiming_normal_ on every convolution and linear weight (the only parameters with 2+ dimensions).
                using (torch.no_grad())
                    foreach (var (_, p) in module.named_parameters())
                        if (p.dim() >= 2) torch.nn.init.kaiming_normal_(p);
                return;
            default:
                throw new ArgumentOutOfRangeException(nameof(scheme), scheme, "Unknown weight initialisation scheme.");
        }
    }
}
