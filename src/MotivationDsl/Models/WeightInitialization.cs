using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MotivationDsl;

/// <summary>
/// The initialisations of <see cref="WeightInit"/>, applied by every generated module's constructor after its layers are
/// built (one call, so the rules live here rather than in generated code). Parameters are visited in registration order, so a
/// seed gives the same weights as when the generated code did this itself.
/// </summary>
public static class WeightInitialization
{
    public static void Apply(nn.Module module, WeightInit init)
    {
        using var _ = no_grad();
        switch (init)
        {
            case WeightInit.PyTorchDefault:
                return;
            case WeightInit.KaimingNormal:
                // Every parameter with 2+ dimensions: the convolution and linear weights of a CNN (as documented), but also
                // a transformer's fused attention projections and embeddings.
                foreach (var p in module.parameters())
                    if (p.dim() >= 2) nn.init.kaiming_normal_(p);
                return;
            case WeightInit.EfficientNet:
                foreach (var m in module.modules())
                    switch (m)
                    {
                        case Conv2d:
                            nn.init.kaiming_normal_(Weight(m), mode: nn.init.FanInOut.FanOut);
                            ZeroBias(m);
                            break;
                        case BatchNorm2d:
                            nn.init.ones_(Weight(m));
                            ZeroBias(m);
                            break;
                        case Linear:
                            var range = 1.0 / Math.Sqrt(Weight(m).shape[0]);
                            nn.init.uniform_(Weight(m), -range, range);
                            ZeroBias(m);
                            break;
                    }
                return;
            case WeightInit.Gpt2:
                // nanoGPT's _init_weights and its scaled residual projections; a tied weight is visited once.
                var parameters = module.named_parameters().ToList();
                var blocks = parameters.Count(p => p.name.EndsWith(".attn.c_proj.weight", StringComparison.Ordinal));
                foreach (var (name, p) in parameters)
                {
                    if (name.EndsWith("c_proj.weight", StringComparison.Ordinal)) nn.init.normal_(p, 0, 0.02 / Math.Sqrt(2.0 * Math.Max(1, blocks)));
                    else if (IsNorm(module, name)) continue;
                    else if (p.dim() >= 2) nn.init.normal_(p, 0, 0.02);
                    else nn.init.zeros_(p);
                }
                return;
            default:
                throw new ArgumentOutOfRangeException(nameof(init), init, "not a WeightInit member");
        }
    }

    private static bool IsNorm(nn.Module module, string parameter)
    {
        var owner = parameter.LastIndexOf('.') is var dot and > 0 ? parameter[..dot] : "";
        return owner.Length > 0 && module.named_modules().FirstOrDefault(m => m.name == owner).module is LayerNorm;
    }

    private static Tensor Weight(nn.Module m) => m.get_parameter("weight") ?? throw new InvalidOperationException($"{m.GetName()} has no weight");

    private static void ZeroBias(nn.Module m)
    {
        if (m.get_parameter("bias") is { } bias) nn.init.zeros_(bias);
    }
}
