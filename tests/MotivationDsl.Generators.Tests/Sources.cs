namespace MotivationDsl.Generators.Tests;

/// <summary>Declarations used by the tests.</summary>
public static class Sources
{
    public const string Header = "using MotivationDsl;\n\nnamespace Demo;\n\n";

    public const string ModelAttr = "[ScalableModel(InputShape = new[] { 3, 32, 32 }, Classes = 10, Base = \"Small\", Motivated = \"Large\")]";
    public const string Variants = "[Variant(\"Small\", Depth = new[] { 2, 2 })]\n[Variant(\"Large\", Depth = new[] { 3, 3 })]";
    public const string Stem = "[Conv2d(\"conv1\", 16, Padding = 1, Bias = false)]\n[BatchNorm2d(\"bn1\")]\n[ReLU]";
    public const string Stages = "[Stage(\"layer1\", Block.Basic, 16)]\n[Stage(\"layer2\", Block.Basic, 32, Stride = 2)]";
    public const string Head = "[GlobalAvgPool]\n[Flatten]\n[Linear(\"fc\")]";
    public const string Class = "public partial class Net\n{\n}\n";

    /// <summary>A valid small ResNet; replace parts to make it invalid.</summary>
    public static string Model(string? modelAttr = null, string? variants = null, string? stem = null, string? stages = null,
        string? head = null, string? cls = null, string header = Header) =>
        header + (modelAttr ?? ModelAttr) + "\n" + (variants ?? Variants) + "\n" + (stem ?? Stem) + "\n" + (stages ?? Stages) + "\n"
        + (head ?? Head) + "\n" + (cls ?? Class);

    /// <summary>He et al.'s CIFAR ResNet-20/32/44/56 with option A shortcuts (file-scoped namespace).</summary>
    public const string ResNetCifar = """
        using MotivationDsl;

        namespace Demo.Cifar;

        [ScalableModel(InputShape = new[] { 3, 32, 32 }, Classes = 10, Base = "ResNet20", Motivated = "ResNet32", Init = WeightInit.KaimingNormal)]
        [Variant("ResNet20", Depth = new[] { 3, 3, 3 })]
        [Variant("ResNet32", Depth = new[] { 5, 5, 5 })]
        [Variant("ResNet44", Depth = new[] { 7, 7, 7 })]
        [Variant("ResNet56", Depth = new[] { 9, 9, 9 })]
        [Conv2d("conv1", 16, Kernel = 3, Padding = 1, Bias = false)]
        [BatchNorm2d("bn1")]
        [ReLU]
        [Stage("layer1", Block.Basic, 16, Stride = 1, Shortcut = Shortcut.A)]
        [Stage("layer2", Block.Basic, 32, Stride = 2, Shortcut = Shortcut.A)]
        [Stage("layer3", Block.Basic, 64, Stride = 2, Shortcut = Shortcut.A)]
        [GlobalAvgPool]
        [Flatten]
        [Linear("linear")]
        public partial class ResNetCifar
        {
        }
        """;

    /// <summary>Bottleneck ResNet with option B, width and depth multipliers, FirstL, in the global namespace.</summary>
    public const string WideBottleneck = """
        using MotivationDsl;

        [ScalableModel(InputShape = new[] { 3, 64, 64 }, Classes = 100, Base = "B0", Motivated = "B1", DepthMap = DepthMap.FirstL)]
        [Variant("B0")]
        [Variant("B1", WidthMultiplier = 1.5, DepthMultiplier = 2)]
        [Conv2d("conv1", 32, Kernel = 7, Stride = 2, Padding = 3, Bias = false)]
        [BatchNorm2d("bn1")]
        [ReLU]
        [MaxPool2d(3, Stride = 2, Padding = 1)]
        [Stage("layer1", Block.Bottleneck, 16, Blocks = 1)]
        [Stage("layer2", Block.Bottleneck, 32, Blocks = 2, Stride = 2, DepthMap = DepthMap.LastToLast)]
        [GlobalAvgPool]
        [Flatten]
        [Dropout(0.2)]
        [Linear("hidden", 64)]
        [ReLU]
        [Linear("fc")]
        internal partial class WideNet
        {
        }
        """;

    /// <summary>A user block declared in another file, used by a model with a block namespace.</summary>
    public const string UserBlockModel = """
        using MotivationDsl;

        namespace Demo.Custom
        {
            [ScalableModel(InputShape = new[] { 3, 32, 32 }, Classes = 10, Base = "Tiny", Motivated = "Wide")]
            [Variant("Tiny", Depth = new[] { 1, 2 })]
            [Variant("Wide", Depth = new[] { 2, 3 }, Width = new[] { 24, 48 })]
            [Conv2d("stem", 16, Padding = 1)]
            [ReLU]
            [Stage("stage1", typeof(Demo.Blocks.PreActBlock), 16, DepthMap = DepthMap.FirstL)]
            [Stage("stage2", typeof(Demo.Blocks.PreActBlock), 32, Stride = 2)]
            [AvgPool2d(2)]
            [Flatten]
            [Linear("classifier")]
            public partial class CustomNet
            {
            }
        }
        """;

    public const string UserBlock = """
        using MotivationDsl;

        namespace Demo.Blocks;

        [ScalableBlock(ReLUAfterAdd = false)]
        [BatchNorm2d("bn0")]
        [Conv2d("conv1", Kernel = 3, Padding = 1, StageStride = true, Bias = false)]
        [BatchNorm2d("bn1")]
        [ReLU]
        [Dropout(0.1)]
        [Conv2d("conv2", Kernel = 1, Expansion = 2)]
        public partial class PreActBlock
        {
        }
        """;

    /// <summary>A small EfficientNet (MBConv stages, compound scaling, dotted torchvision paths).</summary>
    public const string MiniEfficientNet = """
        using MotivationDsl;

        namespace Demo.Eff;

        [ScalableModel(InputShape = new[] { 3, 32, 32 }, Classes = 10, Base = "S", Motivated = "M", DepthMap = DepthMap.FirstL, Scaling = ScalingRule.EfficientNet, StochasticDepth = 0.2)]
        [Variant("S")]
        [Variant("M", WidthMultiplier = 1.1, DepthMultiplier = 1.2)]
        [Conv2d("features.0.0", 16, Stride = 2, Padding = 1, Bias = false)]
        [BatchNorm2d("features.0.1")]
        [SiLU]
        [Stage("features.1", Block.MBConv, 16, Blocks = 1, Expansion = 1)]
        [Stage("features.2", Block.MBConv, 24, Blocks = 2, Stride = 2, Expansion = 6, Kernel = 5)]
        [Conv2d("features.3.0", 64, Kernel = 1, Bias = false)]
        [BatchNorm2d("features.3.1")]
        [SiLU]
        [GlobalAvgPool]
        [Flatten]
        [Dropout(0.2)]
        [Linear("classifier.1")]
        public partial class MiniEfficientNet
        {
        }
        """;

    /// <summary>A small vision transformer (patch embedding, class token, encoder blocks, head-aware map).</summary>
    public const string MiniViT = """
        using MotivationDsl;

        namespace Demo.Vit;

        [ScalableModel(InputShape = new[] { 3, 32, 32 }, Classes = 10, Base = "Ti", Motivated = "S")]
        [Variant("Ti", Heads = 2)]
        [Variant("S", WidthMultiplier = 2, Heads = 4)]
        [PatchEmbedding("conv_proj", 32, Patch = 8)]
        [ClassToken("class_token")]
        [PositionalEmbedding("encoder.pos_embedding")]
        [Stage("encoder.layers", Block.Encoder, 32, Blocks = 2, Heads = 2, MlpDim = 64, BlockPrefix = "encoder_layer_")]
        [LayerNorm("encoder.ln", Eps = 1e-6)]
        [ClassTokenSelect]
        [Linear("heads.head")]
        public partial class MiniViT
        {
        }
        """;

    /// <summary>A ViT growing in width and depth under function-preserving growth, with the paper's rule as a [Pair].</summary>
    public const string GrowingViT = """
        using MotivationDsl;

        namespace Demo.Grow;

        [ScalableModel(InputShape = new[] { 3, 16, 16 }, Classes = 10, Base = "Ti", Motivated = "S", Growth = Growth.FunctionPreserving)]
        [Pair("Ti", "S", Growth = Growth.Paper)]
        [Variant("Ti", Heads = 2)]
        [Variant("S", WidthMultiplier = 2, Heads = 4, Depth = new[] { 3 })]
        [PatchEmbedding("conv_proj", 16, Patch = 8)]
        [ClassToken("class_token")]
        [PositionalEmbedding("encoder.pos_embedding")]
        [Stage("encoder.layers", Block.Encoder, 16, Blocks = 2, Heads = 2, MlpDim = 32, BlockPrefix = "encoder_layer_")]
        [LayerNorm("encoder.ln", Eps = 1e-6)]
        [ClassTokenSelect]
        [Linear("heads.head")]
        public partial class GrowingViT
        {
        }
        """;

    /// <summary>A GPT (nanoGPT layout, tied head) growing in depth (function-preserving [Pair]) and in width (head-aware).</summary>
    public const string MiniGpt = """
        using MotivationDsl;

        namespace Demo.Gpt;

        [ScalableModel(Base = "S", Motivated = "L", Init = WeightInit.Gpt2)]
        [Pair("S", "L", Growth = Growth.FunctionPreserving)]
        [Pair("S", "W")]
        [Variant("S", Depth = new[] { 1 }, Heads = 2)]
        [Variant("L", Depth = new[] { 3 }, Heads = 2)]
        [Variant("W", Depth = new[] { 2 }, WidthMultiplier = 2, Heads = 4)]
        [TokenEmbedding("transformer.wte", 16, Vocabulary = 32, ContextLength = 8)]
        [TokenPositions("transformer.wpe")]
        [Stage("transformer.h", Block.CausalDecoder, 16, Blocks = 1, Heads = 2)]
        [LayerNorm("transformer.ln_f")]
        [LanguageModelHead("lm_head", TiedTo = "transformer.wte")]
        public partial class MiniGpt
        {
        }
        """;
}
