using System.Collections.ObjectModel;
using System.Reflection;
using Xunit;

namespace MotivationDsl.Generators.Tests;

/// <summary>
/// The resolved model (<see cref="BuiltModel"/> and every record it reaches: variants, layers, blocks, tensors, map entries,
/// growth steps, specs) is immutable: no public setter (init-only allowed), no writable public field, and no member whose
/// type could be written through: arrays, <c>List</c>, <c>Dictionary</c>, or an interface such as <c>IReadOnlyList</c>
/// (whose value may be a mutable array). Lists are <see cref="EquatableArray{T}"/> or <see cref="ReadOnlyCollection{T}"/>.
/// </summary>
public class ResolvedModelImmutabilityTests
{
    private static readonly Type[] ReadOnlyWrappers = { typeof(EquatableArray<>), typeof(ReadOnlyCollection<>), typeof(ReadOnlyDictionary<,>), typeof(Nullable<>) };

    /// <summary>The writable members reachable from <paramref name="roots"/>, as "Type.Member: why".</summary>
    private static List<string> WritableMembers(params Type[] roots) => WritableMembers(new HashSet<Type>(), roots);

    private static List<string> WritableMembers(HashSet<Type> seen, params Type[] roots)
    {
        var problems = new List<string>();
        var queue = new Queue<Type>(roots);
        while (queue.Count > 0)
        {
            var type = queue.Dequeue();
            if (!seen.Add(type)) continue;
            foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (p.GetIndexParameters().Length > 0) continue;
                if (p.SetMethod is { IsPublic: true } set && !set.ReturnParameter.GetRequiredCustomModifiers().Any(m => m.Name == "IsExternalInit"))
                    problems.Add($"{type.Name}.{p.Name}: public setter");
                CheckType(type.Name + "." + p.Name, p.PropertyType);
            }
            foreach (var f in type.GetFields(BindingFlags.Public | BindingFlags.Instance))
            {
                if (!f.IsInitOnly && !IsTuple(type)) problems.Add($"{type.Name}.{f.Name}: writable field");
                CheckType(type.Name + "." + f.Name, f.FieldType);
            }
        }
        return problems;

        void CheckType(string member, Type t)
        {
            if (t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(decimal)) return;
            if (t.IsArray) { problems.Add($"{member}: array {t.Name}"); return; }
            if (t.IsGenericType && (ReadOnlyWrappers.Contains(t.GetGenericTypeDefinition()) || IsTuple(t)))
            {
                foreach (var a in t.GetGenericArguments()) CheckType(member, a);
                return;
            }
            if (t.IsInterface || t.IsGenericType && t.Namespace == "System.Collections.Generic")
            { problems.Add($"{member}: {t.Name} may be written through"); return; }
            if (t.Assembly == typeof(BuiltModel).Assembly) { queue.Enqueue(t); return; }
            if (t.IsValueType && t.IsDefined(typeof(System.Runtime.CompilerServices.IsReadOnlyAttribute))) return;
            if (t == typeof(Microsoft.CodeAnalysis.DiagnosticDescriptor)) return; // Roslyn's, immutable
            problems.Add($"{member}: {t.FullName} is not known to be immutable");
        }
    }

    private static bool IsTuple(Type t) => t.IsGenericType && t.FullName!.StartsWith("System.ValueTuple`", StringComparison.Ordinal);

    [Fact]
    public void ResolvedRecordsExposeNothingWritable()
    {
        var seen = new HashSet<Type>();
        var problems = WritableMembers(seen, typeof(BuiltModel), typeof(MapProblem));
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.Superset(new HashSet<Type>
        {
            typeof(ResolvedVariant), typeof(RLayer), typeof(RBlock), typeof(TensorDesc), typeof(MapEntryDesc), typeof(GrowthOpDesc),
            typeof(ModelSpec), typeof(LayerSpec), typeof(VariantSpec), typeof(BlockSpec), typeof(LocationInfo),
        }, seen);
    }

    [Fact]
    public void TheCheckFindsWritableMembers()
    {
        var problems = WritableMembers(typeof(Writable));
        Assert.Contains("Writable.Shape: array Int64[]", problems);
        Assert.Contains("Writable.Names: public setter", problems);
        Assert.Contains(problems, p => p.StartsWith("Writable.Names: IReadOnlyList", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Writable.Items: List", StringComparison.Ordinal));
        Assert.Contains("Writable.Count: writable field", problems);
        Assert.Contains("Writable.Pieces: array ValueTuple`2[]", problems);
    }

    private sealed class Writable
    {
        public long[] Shape { get; } = Array.Empty<long>();
        public IReadOnlyList<string> Names { get; set; } = Array.Empty<string>();
        public List<int> Items { get; } = new();
        public int Count;
        public ReadOnlyCollection<(long, long)[]>? Pieces { get; }
    }

    [Fact]
    public void ResolvedShapesAreCopies()
    {
        var shape = new long[] { 16, 3, 3, 3 };
        var t = new TensorDesc("conv.weight", false, shape, null, -1, "conv.weight");
        shape[0] = 99;
        Assert.Equal(new long[] { 16, 3, 3, 3 }, t.Shape);
    }
}
