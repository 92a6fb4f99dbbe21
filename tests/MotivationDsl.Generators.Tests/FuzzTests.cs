using Xunit;

namespace MotivationDsl.Generators.Tests;

/// <summary>Malformed declarations: the generator must never throw or fail (no CS8785, AD0001 or MOT999).</summary>
public class FuzzTests
{
    private static readonly string[] Garbage =
    {
        "null", "typeof(int)", "-1", "0", "999999999999", "2147483647", "\"", ",", "new[]{", "new int[0]", "1.5", "double.NaN",
        "\"\"", "(", ")", "]", "[", "Block.Bottleneck", "(Block)7", "(Shortcut)9", "(DepthMap)-4", "typeof(Net)", "Kernel = 0",
        "Stride = -2", "Groups = 0", "Depth = null", "Width = new[] { -5, 0 }", "WidthMultiplier = 1e300", "DepthMultiplier = -1",
        "InputShape = null", "Classes = -3", "\"a b\"", "default", "nameof(Net)", "1/0", "/*", "\n", "class", "partial",
    };

    private static void AssertNoCrash(params string[] sources)
    {
        GeneratorRun run;
        try
        {
            run = GeneratorHarness.Run(sources);
        }
        catch (Exception ex)
        {
            throw new Xunit.Sdk.XunitException("Generator driver threw on:\n" + string.Join("\n----\n", sources) + "\n" + ex);
        }
        var result = run.Result.Results.Single();
        Assert.True(result.Exception is null, "generator threw: " + result.Exception + "\n" + string.Join("\n----\n", sources));
        var bad = run.GeneratorDiagnostics.Where(d => d.Id is "CS8785" or "AD0001" or "MOT999").ToList();
        Assert.True(bad.Count == 0, string.Join("\n", bad) + "\n" + string.Join("\n----\n", sources));
    }

    public static IEnumerable<object[]> Seeds() => Enumerable.Range(0, 40).Select(i => new object[] { i });

    [Theory]
    [MemberData(nameof(Seeds))]
    public void RandomMutationsNeverCrash(int seed)
    {
        var random = new Random(seed);
        var bases = new[] { Sources.Model(), Sources.ResNetCifar, Sources.WideBottleneck, Sources.UserBlockModel, Sources.UserBlock };
        for (var iteration = 0; iteration < 10; iteration++)
        {
            var src = bases[random.Next(bases.Length)];
            var mutations = random.Next(1, 4);
            for (var m = 0; m < mutations; m++)
            {
                var attrStart = src.IndexOf('[');
                var attrEnd = src.LastIndexOf(']');
                if (attrStart < 0 || attrEnd <= attrStart) break;
                var pos = random.Next(attrStart, attrEnd);
                switch (random.Next(4))
                {
                    case 0:
                        src = src.Remove(pos, Math.Min(random.Next(1, 12), src.Length - pos));
                        break;
                    case 1:
                        src = src.Insert(pos, Garbage[random.Next(Garbage.Length)]);
                        break;
                    case 2:
                        var digits = System.Text.RegularExpressions.Regex.Matches(src, "\\d+").ToList();
                        if (digits.Count > 0)
                        {
                            var d = digits[random.Next(digits.Count)];
                            var replacement = new[] { "0", "-1", "1000000", "3000000000", "7", "1" }[random.Next(6)];
                            src = src.Remove(d.Index, d.Length).Insert(d.Index, replacement);
                        }
                        break;
                    default:
                        src = src.Substring(0, pos); // unterminated code
                        break;
                }
            }
            if (src.Contains("typeof(Demo.Blocks.PreActBlock)")) AssertNoCrash(src, Sources.UserBlock);
            else AssertNoCrash(src);
        }
    }

    [Theory]
    [InlineData("[ScalableModel]\npublic partial class Net { }")]
    [InlineData("[ScalableModel(InputShape = null, Classes = 10, Base = null, Motivated = null)]\npublic partial class Net { }")]
    [InlineData("[ScalableModel(InputShape = new[] { 3, 32, 32 }, Classes = 10, Base = \"A\", Motivated = \"B\")]\n[Variant(null)]\n[Variant(\"B\", Depth = null, Width = null)]\npublic partial class Net { }")]
    [InlineData("[ScalableModel(InputShape = new[] { 3, 32, 32 }, Classes = 10, Base = \"A\", Motivated = \"B\")]\n[Variant(\"A\")][Variant(\"B\")]\n[Stage(\"s\", (Block)5, 16)]\n[Linear(\"fc\")]\npublic partial class Net { }")]
    [InlineData("[ScalableModel(InputShape = new[] { 3, 32, 32 }, Classes = 10, Base = \"A\", Motivated = \"B\")]\n[Variant(\"A\")][Variant(\"B\", WidthMultiplier = 1e308)]\n[Conv2d(\"c\", 2147483647)]\n[Flatten][Linear(\"fc\")]\npublic partial class Net { }")]
    [InlineData("[ScalableModel(InputShape = new[] { 1, 2147483647, 2147483647 }, Classes = 2147483647, Base = \"A\", Motivated = \"B\")]\n[Variant(\"A\")][Variant(\"B\", DepthMultiplier = 1000)]\n[Conv2d(\"c\", 1000000, Kernel = 1)]\n[Stage(\"s\", Block.Bottleneck, 1000000, Blocks = 10)]\n[Flatten][Linear(\"fc\")]\npublic partial class Net { }")]
    [InlineData("[ScalableModel(InputShape = new[] { 3, 32, 32 }, Classes = 10, Base = \"A\", Motivated = \"B\")]\n[Variant(\"A\")][Variant(\"B\")]\n[Stage(\"s\", typeof(Net), 16)]\n[Flatten][Linear(\"fc\")]\npublic partial class Net { }")]
    [InlineData("[ScalableModel(InputShape = new[] { 3, 32, 32 }, Classes = 10, Base = \"A\", Motivated = \"B\")]\n[Variant(\"A\")][Variant(\"B\")]\n[Stage(\"s\", typeof(Blk), 16)]\n[Flatten][Linear(\"fc\")]\npublic partial class Net { }\n[ScalableBlock]\npublic partial class Blk { }")]
    [InlineData("[ScalableModel(InputShape = new[] { 3, 32, 32 }, Classes = 10, Base = \"A\", Motivated = \"B\")]\npublic partial record Net { }")]
    [InlineData("[ScalableModel(InputShape = new[] { 3, 32, 32 }, Classes = 10, Base = \"A\", Motivated = \"B\")]\npublic partial struct Net { }")]
    [InlineData("[ScalableModel(InputShape = new[] { 3, 32, 32 }, Classes = 10, Base = \"A\", Motivated = \"B\")]\n[Variant(\"A\")][Variant(\"B\")]\n[Conv2d(\"c\", 4, Kernel = 2000)]\n[Flatten][Linear(\"fc\")]\npublic partial class Net { }")]
    [InlineData("[ScalableModel(InputShape = new[] { 3, 32, 32 }, Classes = 10, Base = \"A\", Motivated = \"B\"")]
    public void HandWrittenMalformedDeclarationsNeverCrash(string declaration) =>
        AssertNoCrash("using MotivationDsl;\nnamespace Demo;\n" + declaration);
}
