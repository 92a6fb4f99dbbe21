using TorchSharp;
using static TorchSharp.torch;

namespace MotivationDsl;

/// <summary>
/// How 4-D tensors (convolution weights, NCHW activations) are laid out in memory. The logical shape is always
/// [N, C, H, W]; only the strides differ, so maps, checkpoints and exports see the same tensors either way.
/// </summary>
public enum MemoryFormat
{
    /// <summary>Row-major NCHW (PyTorch's default, <c>torch.contiguous_format</c>).</summary>
    Contiguous,

    /// <summary>NHWC in memory (<c>torch.channels_last</c>): channels are the innermost dimension.</summary>
    ChannelsLast,
}

/// <summary>Converting tensors and modules between <see cref="MemoryFormat"/>s (TorchSharp has no <c>memory_format</c> argument).</summary>
public static class MemoryFormats
{
    /// <summary>The strides of a dense tensor of <paramref name="shape"/> in <paramref name="format"/> (channels-last: 4-D only).</summary>
    public static long[] Strides(ReadOnlySpan<long> shape, MemoryFormat format)
    {
        var s = new long[shape.Length];
        if (format == MemoryFormat.ChannelsLast && shape.Length == 4)
        {
            long c = shape[1], h = shape[2], w = shape[3];
            s[1] = 1; s[3] = c; s[2] = w * c; s[0] = h * w * c;
            return s;
        }
        long acc = 1;
        for (var i = shape.Length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]; }
        return s;
    }

    /// <summary>
    /// Whether <paramref name="t"/> is dense in <paramref name="format"/> (strides of dimensions of size 1 do not count,
    /// as in PyTorch's <c>is_contiguous(memory_format)</c>). Channels-last applies to 4-D tensors only.
    /// </summary>
    public static bool Is(this Tensor t, MemoryFormat format)
    {
        if (format == MemoryFormat.ChannelsLast && t.dim() != 4) return false;
        var shape = t.shape;
        var expected = Strides(shape, format);
        var actual = t.stride();
        for (var i = 0; i < shape.Length; i++)
            if (shape[i] != 1 && actual[i] != expected[i]) return false;
        return true;
    }

    /// <summary>
    /// A copy of <paramref name="t"/> laid out in <paramref name="format"/> (same values, shape, dtype and device; not
    /// connected to autograd), or null when it already is (or is not 4-D, for channels-last).
    /// </summary>
    public static Tensor? ConvertedOrNull(Tensor t, MemoryFormat format)
    {
        if (t.dim() != 4 || t.Is(format)) return null;
        using var _ = no_grad();
        var dense = empty_strided(t.shape, Strides(t.shape, format), t.dtype, t.device);
        return dense.copy_(t);
    }

    /// <summary>
    /// <paramref name="t"/> in <paramref name="format"/>: itself when it already is (or is not 4-D), else a copy that stays
    /// connected to autograd (for inputs). The caller owns a new tensor only when the result is not <paramref name="t"/>.
    /// </summary>
    public static Tensor In(this Tensor t, MemoryFormat format)
    {
        if (t.dim() != 4 || t.Is(format)) return t;
        var dense = empty_strided(t.shape, Strides(t.shape, format), t.dtype, t.device);
        return dense.copy_(t);
    }

    /// <summary>
    /// Lays out every 4-D parameter and buffer of <paramref name="module"/> in <paramref name="format"/>, in place: the
    /// tensors keep their identity (an optimizer or map holding them keeps working), only their storage is replaced
    /// (PyTorch's <c>module.to(memory_format=...)</c>). Values are unchanged bit for bit.
    /// Call it before binding a zero-copy map (<see cref="WeightsMap.BindShared"/>): a shared base tensor is a view of the
    /// motivated model's storage, and giving it storage of its own would silently end the sharing, so views are refused.
    /// The motivated model of a bound zero-copy pair is not a view and cannot be detected: converting it would leave the
    /// base's views on the old storage, so convert pairs only through <see cref="ScalableModelDefinition.CreatePair(Device?, long?, ModelOptions?, bool, MemoryFormat)"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">A 4-D tensor to convert is a view into a larger storage.</exception>
    public static void ToMemoryFormat(this nn.Module module, MemoryFormat format)
    {
        ArgumentNullException.ThrowIfNull(module);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var tensors = module.named_parameters().Select(p => (p.name, (Tensor)p.parameter))
            .Concat(module.named_buffers().Select(b => (b.name, b.buffer)));
        foreach (var (name, t) in tensors)
        {
            if (t.dim() != 4 || t.Is(format)) continue;
            if (t.storage_offset() != 0 || StorageElements(t) != t.numel())
                throw new InvalidOperationException(
                    $"'{name}' is a view of a larger tensor (a zero-copy pair's shared weight?); convert the memory format before binding the map.");
            using var converted = ConvertedOrNull(t, format)!;
            t.set_(converted);
            if (t.grad is { } g && ConvertedOrNull(g, format) is { } cg) { g.set_(cg); cg.Dispose(); }
        }
    }

    /// <summary>The memory format of the module's 4-D parameters: channels-last when every one is, else contiguous.</summary>
    public static MemoryFormat MemoryFormatOf(this nn.Module module)
    {
        var four = module.parameters().Where(p => p.dim() == 4).ToArray();
        return four.Length > 0 && four.All(p => p.Is(MemoryFormat.ChannelsLast)) ? MemoryFormat.ChannelsLast : MemoryFormat.Contiguous;
    }

    // Elements of the tensor's whole storage (TorchSharp's Storage<T>.Count is only right for T = the tensor's element type);
    // dtypes without a matching .NET type are assumed not to be views.
    private static long StorageElements(Tensor t) => t.dtype switch
    {
        ScalarType.Float32 => t.storage<float>().Count,
        ScalarType.Float64 => t.storage<double>().Count,
        ScalarType.Float16 => t.storage<Half>().Count,
        ScalarType.Int64 => t.storage<long>().Count,
        ScalarType.Int32 => t.storage<int>().Count,
        _ => t.numel(),
    };
}
