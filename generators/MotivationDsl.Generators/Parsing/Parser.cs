using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace MotivationDsl.Generators;

/// <summary>Turns symbols and syntax into equatable specs. Never keeps a symbol, node or Location.</summary>
internal static class Parser
{
    public const string ScalableModelAttribute = "MotivationDsl.ScalableModelAttribute";
    public const string ScalableBlockAttribute = "MotivationDsl.ScalableBlockAttribute";
    private const string VariantAttribute = "MotivationDsl.VariantAttribute";
    private const string LayerAttribute = "MotivationDsl.LayerAttribute";
    private const string PairAttribute = "MotivationDsl.PairAttribute";
    private const string LayerWidthAttribute = "MotivationDsl.LayerWidthAttribute";

    public static ModelSpec ParseModel(GeneratorAttributeSyntaxContext context, CancellationToken ct)
    {
        var symbol = context.TargetSymbol as INamedTypeSymbol;
        var fullName = symbol?.ToDisplayString() ?? "?";
        try
        {
            return ParseModelCore(context, symbol!, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return new ModelSpec
            {
                FullName = fullName, Fatal = true,
                Diagnostics = new[] { DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, LocationInfo.From(context.TargetNode), fullName, ex.GetType().Name + ": " + ex.Message) }.ToEquatableArray(),
            };
        }
    }

    /// <summary>
    /// Whether a declaration of the class names a base class (one other than object, or object itself): then the
    /// generated part cannot name the runtime base (CS0263), and the entry points are generated instead.
    /// </summary>
    private static bool DeclaresBaseClass(INamedTypeSymbol symbol, Compilation compilation, CancellationToken ct)
    {
        if (symbol.BaseType is not { SpecialType: SpecialType.System_Object }) return true;
        foreach (var reference in symbol.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(ct) is not ClassDeclarationSyntax { BaseList: { } bases } declaration) continue;
            var model = compilation.GetSemanticModel(declaration.SyntaxTree);
            if (bases.Types.Any(t => model.GetTypeInfo(t.Type, ct).Type is { TypeKind: not TypeKind.Interface })) return true;
        }
        return false;
    }

    private static ModelSpec ParseModelCore(GeneratorAttributeSyntaxContext context, INamedTypeSymbol symbol, CancellationToken ct)
    {
        var diagnostics = new List<DiagnosticInfo>();
        var node = (TypeDeclarationSyntax)context.TargetNode;
        var classLocation = LocationInfo.From(node.Identifier.GetLocation());
        var fullName = symbol.ToDisplayString();
        var fatal = false;

        var isPartialClass = node is ClassDeclarationSyntax && !symbol.IsRecord
            && symbol.DeclaringSyntaxReferences.All(r => r.GetSyntax(ct) is ClassDeclarationSyntax c && c.Modifiers.Any(SyntaxKind.PartialKeyword));
        if (!isPartialClass)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotPartial, classLocation, symbol.Name));
            fatal = true;
        }
        if (symbol.ContainingType is not null)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NestedOrGeneric, classLocation, symbol.Name, "nested in '" + symbol.ContainingType.Name + "'"));
            fatal = true;
        }
        else if (symbol.IsGenericType)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NestedOrGeneric, classLocation, symbol.Name, "generic"));
            fatal = true;
        }

        // The [ScalableModel] attribute itself.
        var modelAttr = context.Attributes.FirstOrDefault();
        var modelSyntax = modelAttr?.ApplicationSyntaxReference?.GetSyntax(ct) as AttributeSyntax;
        var args = ArgLocations(modelAttr, modelSyntax);
        var spec = new ModelSpec
        {
            Namespace = symbol.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() : "",
            ClassName = symbol.Name,
            FullName = fullName,
            Accessibility = symbol.DeclaredAccessibility == Accessibility.Public ? "public" : "internal",
            IsStatic = symbol.IsStatic,
            EntryPoints = symbol.IsStatic || DeclaresBaseClass(symbol, context.SemanticModel.Compilation, ct)
                ? EntryPoints.Generated : EntryPoints.RuntimeBase,
            Location = LocationInfo.From(modelSyntax),
            ClassLocation = classLocation,
            Args = args,
        };
        if (modelAttr is not null)
        {
            foreach (var named in modelAttr.NamedArguments)
            {
                var v = named.Value;
                switch (named.Key)
                {
                    case "InputShape":
                        if (IntArray(v) is { } shape) spec = spec with { HasInputShape = true, InputShape = shape };
                        else spec = spec with { HasInputShape = true, InputShape = EquatableArray<long>.Empty };
                        break;
                    case "Classes":
                        spec = spec with { HasClasses = true, Classes = Int(v) ?? 0 };
                        break;
                    case "Base":
                        spec = spec with { Base = v.Value as string };
                        break;
                    case "Motivated":
                        spec = spec with { Motivated = v.Value as string };
                        break;
                    case "DepthMap":
                        spec = spec with { DepthMap = (int)(Int(v) ?? 0) };
                        break;
                    case "Growth":
                        spec = spec with { Growth = (int)(Int(v) ?? 0) };
                        break;
                    case "Init":
                        var members = EnumMembers(v.Type);
                        var init = (int)(Int(v) ?? 0);
                        spec = spec with
                        {
                            Init = init,
                            InitName = members.FirstOrDefault(m => m.Value == init).Name,
                            InitMembers = members.Select(m => m.Name).ToEquatableArray(),
                        };
                        break;
                    case "Scaling":
                        spec = spec with { Scaling = (int)(Int(v) ?? 0) };
                        break;
                    case "StochasticDepth":
                        spec = spec with { StochasticDepth = Double(v) ?? double.NaN };
                        break;
                }
            }
        }

        // Variants (from every declaration) and layers (from exactly one declaration).
        var variants = new List<VariantSpec>();
        var pairs = new List<PairSpec>();
        var layerWidths = new List<LayerWidthSpec>();
        var layerAttrs = new List<(AttributeData Data, AttributeSyntax? Syntax)>();
        foreach (var attr in symbol.GetAttributes())
        {
            ct.ThrowIfCancellationRequested();
            var cls = attr.AttributeClass;
            if (cls is null || cls.TypeKind == TypeKind.Error) continue;
            var syntax = attr.ApplicationSyntaxReference?.GetSyntax(ct) as AttributeSyntax;
            if (cls.ToDisplayString() == VariantAttribute) variants.Add(ParseVariant(attr, syntax));
            else if (cls.ToDisplayString() == PairAttribute)
                pairs.Add(new PairSpec(
                    attr.ConstructorArguments.Length > 0 ? attr.ConstructorArguments[0].Value as string : null,
                    attr.ConstructorArguments.Length > 1 ? attr.ConstructorArguments[1].Value as string : null,
                    LocationInfo.From(syntax),
                    (int)(attr.NamedArguments.Where(a => a.Key == "Growth").Select(a => Int(a.Value)).FirstOrDefault() ?? 0)));
            else if (cls.ToDisplayString() == LayerWidthAttribute)
                layerWidths.Add(new LayerWidthSpec(
                    attr.ConstructorArguments.Length > 0 ? attr.ConstructorArguments[0].Value as string : null,
                    attr.ConstructorArguments.Length > 1 ? attr.ConstructorArguments[1].Value as string : null,
                    attr.ConstructorArguments.Length > 2 ? Int(attr.ConstructorArguments[2]) ?? 0 : 0,
                    LocationInfo.From(syntax)));
            else if (IsLayer(cls)) layerAttrs.Add((attr, syntax));
        }
        var layers = ParseLayers(layerAttrs, symbol.Name, diagnostics);

        // An argument the compiler could not evaluate (CS0182, a missing name) has its own compiler error: the model is
        // not generated and no MOT diagnostic repeats it with a wrong value.
        if (symbol.GetAttributes().Any(a => a.AttributeClass is { TypeKind: not TypeKind.Error } && HasErrorArgument(a)))
            return spec with { Fatal = true, Diagnostics = diagnostics.Where(d => d.Id != "MOT003").ToEquatableArray() };

        return spec with
        {
            Layers = layers.ToEquatableArray(),
            Variants = variants.ToEquatableArray(),
            Pairs = pairs.ToEquatableArray(),
            LayerWidths = layerWidths.ToEquatableArray(),
            Diagnostics = diagnostics.ToEquatableArray(),
            Fatal = fatal,
        };
    }

    public static BlockSpec ParseBlock(GeneratorAttributeSyntaxContext context, CancellationToken ct)
    {
        var symbol = context.TargetSymbol as INamedTypeSymbol;
        try
        {
            var diagnostics = new List<DiagnosticInfo>();
            var attr = context.Attributes.FirstOrDefault();
            var residual = true;
            var reluAfterAdd = true;
            if (attr is not null)
                foreach (var named in attr.NamedArguments)
                {
                    if (named.Key == "Residual" && named.Value.Value is bool r) residual = r;
                    if (named.Key == "ReLUAfterAdd" && named.Value.Value is bool a) reluAfterAdd = a;
                }
            var layerAttrs = new List<(AttributeData, AttributeSyntax?)>();
            foreach (var a in symbol!.GetAttributes())
            {
                var cls = a.AttributeClass;
                if (cls is null || cls.TypeKind == TypeKind.Error || !IsLayer(cls)) continue;
                layerAttrs.Add((a, a.ApplicationSyntaxReference?.GetSyntax(ct) as AttributeSyntax));
            }
            var layers = ParseLayers(layerAttrs, symbol.Name, diagnostics);
            var isPartial = symbol.DeclaringSyntaxReferences.All(r => r.GetSyntax(ct) is ClassDeclarationSyntax c && c.Modifiers.Any(SyntaxKind.PartialKeyword));
            return new BlockSpec
            {
                MetadataName = MetadataName(symbol),
                ClassName = symbol.Name,
                Residual = residual,
                ReLUAfterAdd = reluAfterAdd,
                IsPartial = isPartial && !symbol.IsGenericType,
                Layers = layers.ToEquatableArray(),
                Diagnostics = diagnostics.ToEquatableArray(),
            };
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var name = symbol?.Name ?? "?";
            return new BlockSpec
            {
                MetadataName = symbol is null ? "?" : MetadataName(symbol),
                ClassName = name,
                Diagnostics = new[] { DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, LocationInfo.From(context.TargetNode), name, ex.GetType().Name + ": " + ex.Message) }.ToEquatableArray(),
            };
        }
    }

    public static string MetadataName(ITypeSymbol symbol) =>
        symbol.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);

    private static bool IsLayer(INamedTypeSymbol cls)
    {
        for (var t = cls.BaseType; t is not null; t = t.BaseType)
            if (t.ToDisplayString() == LayerAttribute) return true;
        return false;
    }

    private static List<LayerSpec> ParseLayers(List<(AttributeData Data, AttributeSyntax? Syntax)> attrs, string owner, List<DiagnosticInfo> diagnostics)
    {
        // Source order within one declaration; a second declaration with layers is an error.
        var ordered = attrs
            .OrderBy(a => a.Syntax?.SyntaxTree.FilePath ?? "", StringComparer.Ordinal)
            .ThenBy(a => a.Syntax?.SpanStart ?? 0)
            .ToList();
        SyntaxNode? firstDecl = null;
        var result = new List<LayerSpec>();
        foreach (var (data, syntax) in ordered)
        {
            var decl = syntax?.FirstAncestorOrSelf<TypeDeclarationSyntax>();
            var layer = ParseLayer(data, syntax);
            if (firstDecl is null) firstDecl = decl;
            else if (decl is not null && decl != firstDecl)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LayersInSeveralDeclarations, layer.Location, layer.Display, owner));
                continue;
            }
            result.Add(layer);
        }
        return result;
    }

    private static LayerSpec ParseLayer(AttributeData data, AttributeSyntax? syntax)
    {
        var cls = data.AttributeClass!;
        var kind = cls.ToDisplayString() switch
        {
            "MotivationDsl.Conv2dAttribute" => LayerKind.Conv2d,
            "MotivationDsl.BatchNorm2dAttribute" => LayerKind.BatchNorm2d,
            "MotivationDsl.ReLUAttribute" => LayerKind.ReLU,
            "MotivationDsl.MaxPool2dAttribute" => LayerKind.MaxPool2d,
            "MotivationDsl.AvgPool2dAttribute" => LayerKind.AvgPool2d,
            "MotivationDsl.GlobalAvgPoolAttribute" => LayerKind.GlobalAvgPool,
            "MotivationDsl.FlattenAttribute" => LayerKind.Flatten,
            "MotivationDsl.DropoutAttribute" => LayerKind.Dropout,
            "MotivationDsl.LinearAttribute" => LayerKind.Linear,
            "MotivationDsl.StageAttribute" => LayerKind.Stage,
            "MotivationDsl.SiLUAttribute" => LayerKind.SiLU,
            "MotivationDsl.GELUAttribute" => LayerKind.GELU,
            "MotivationDsl.LayerNormAttribute" => LayerKind.LayerNorm,
            "MotivationDsl.PatchEmbeddingAttribute" => LayerKind.PatchEmbedding,
            "MotivationDsl.ClassTokenAttribute" => LayerKind.ClassToken,
            "MotivationDsl.PositionalEmbeddingAttribute" => LayerKind.PositionalEmbedding,
            "MotivationDsl.ClassTokenSelectAttribute" => LayerKind.ClassTokenSelect,
            "MotivationDsl.TokenEmbeddingAttribute" => LayerKind.TokenEmbedding,
            "MotivationDsl.TokenPositionsAttribute" => LayerKind.TokenPositions,
            "MotivationDsl.LanguageModelHeadAttribute" => LayerKind.LanguageModelHead,
            "MotivationDsl.AdaptiveAvgPool2dAttribute" => LayerKind.AdaptiveAvgPool2d,
            "MotivationDsl.AdaptiveMaxPool2dAttribute" => LayerKind.AdaptiveMaxPool2d,
            "MotivationDsl.SqueezeExcitationAttribute" => LayerKind.SqueezeExcitation,
            "MotivationDsl.BranchAttribute" => LayerKind.Branch,
            "MotivationDsl.JoinAttribute" => LayerKind.Join,
            _ => LayerKind.Unknown,
        };
        var attrName = cls.Name.EndsWith("Attribute", StringComparison.Ordinal) ? cls.Name.Substring(0, cls.Name.Length - "Attribute".Length) : cls.Name;
        var spec = new LayerSpec { Kind = kind, AttributeName = attrName, Location = LocationInfo.From(syntax), Args = ArgLocations(data, syntax) };
        if (kind == LayerKind.MaxPool2d || kind == LayerKind.AvgPool2d) spec = spec with { Stride = 0, Kernel = 0 };
        if (kind == LayerKind.LayerNorm) spec = spec with { Eps = 1e-5 };

        var ctor = data.AttributeConstructor;
        if (ctor is not null)
        {
            for (var i = 0; i < data.ConstructorArguments.Length && i < ctor.Parameters.Length; i++)
                spec = Apply(spec, ctor.Parameters[i].Name, data.ConstructorArguments[i], positional: true);
        }
        foreach (var named in data.NamedArguments)
            spec = Apply(spec, named.Key, named.Value, positional: false);
        return spec;
    }

    private static LayerSpec Apply(LayerSpec spec, string name, TypedConstant value, bool positional)
    {
        if (value.Kind == TypedConstantKind.Error) return spec;
        switch (name.ToLowerInvariant())
        {
            case "name": return spec with { Name = value.Value as string };
            case "outchannels":
            case "outfeatures": return spec with { HasOut = true, Out = Int(value) ?? 0 };
            case "kernel": return spec with { Kernel = Int(value) ?? 0 };
            case "stride": return spec with { Stride = Int(value) ?? 0 };
            case "padding": return spec with { Padding = Int(value) ?? 0 };
            case "groups": return spec with { Groups = Int(value) ?? 0 };
            case "bias": return spec with { Bias = value.Value is bool b && b };
            case "expansion": return spec with { Expansion = Int(value) ?? 0 };
            case "stagestride": return spec with { StageStride = value.Value is bool s && s };
            case "depthwise": return spec with { Depthwise = value.Value is bool dw && dw };
            case "mode": return spec with { Join = (JoinKind)(Int(value) ?? -1) };
            case "activation": return spec with { SEActivation = (ActivationKind)(Int(value) ?? -1) };
            case "outputsize": return spec with { OutputSize = Int(value) ?? 0 };
            case "patch": return spec with { Patch = Int(value) ?? 0 };
            case "heads": return spec with { Heads = Int(value) ?? 0 };
            case "mlpdim": return spec with { MlpDim = Int(value) ?? 0 };
            case "ratio":
            case "seratio": return spec with { SERatio = Double(value) ?? double.NaN };
            case "blockprefix": return spec with { BlockPrefix = value.Value as string ?? "" };
            case "dim": return spec with { HasOut = true, Out = Int(value) ?? 0 };
            case "eps": return spec with { Eps = Double(value) ?? 0 };
            case "momentum": return spec with { Momentum = Double(value) ?? 0 };
            case "p": return spec with { P = Double(value) ?? -1 };
            case "channels": return spec with { Channels = Int(value) ?? 0 };
            case "blocks": return spec with { Blocks = Int(value) ?? 0 };
            case "shortcut": return spec with { Shortcut = (int)(Int(value) ?? 1) };
            case "depthmap": return spec with { DepthMap = (int)(Int(value) ?? 0) };
            case "growth": return spec with { Growth = (int)(Int(value) ?? 0) };
            case "vocabulary": return spec with { Vocabulary = Int(value) ?? 0 };
            case "contextlength": return spec with { ContextLength = Int(value) ?? 0 };
            case "tiedto": return spec with { TiedTo = value.Value as string };
            case "block":
                if (value.Kind == TypedConstantKind.Type || value.Value is ITypeSymbol)
                {
                    var t = value.Value as ITypeSymbol;
                    var isBlock = t is INamedTypeSymbol nt && nt.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == ScalableBlockAttribute);
                    return spec with
                    {
                        HasBlockType = true,
                        BlockType = t is null ? null : (isBlock ? MetadataName(t) : "!" + MetadataName(t)),
                        BlockTypeDisplay = t?.ToDisplayString() ?? "null",
                    };
                }
                return spec with { Block = (int)(Int(value) ?? 0) };
            default: return spec;
        }
    }

    private static VariantSpec ParseVariant(AttributeData data, AttributeSyntax? syntax)
    {
        var spec = new VariantSpec { Location = LocationInfo.From(syntax), Args = ArgLocations(data, syntax) };
        if (data.ConstructorArguments.Length > 0 && data.ConstructorArguments[0].Kind != TypedConstantKind.Error)
            spec = spec with { Name = data.ConstructorArguments[0].Value as string };
        foreach (var named in data.NamedArguments)
        {
            var v = named.Value;
            if (v.Kind == TypedConstantKind.Error) continue;
            switch (named.Key)
            {
                case "Depth": spec = spec with { HasDepth = !v.IsNull, Depth = IntArray(v) ?? EquatableArray<long>.Empty }; break;
                case "Width": spec = spec with { HasWidth = !v.IsNull, Width = IntArray(v) ?? EquatableArray<long>.Empty }; break;
                case "DepthMultiplier": spec = spec with { DepthMultiplier = Double(v) ?? double.NaN }; break;
                case "WidthMultiplier": spec = spec with { WidthMultiplier = Double(v) ?? double.NaN }; break;
                case "Heads": spec = spec with { Heads = Int(v) ?? 0 }; break;
                case "Kernels": spec = spec with { HasKernels = !v.IsNull, Kernels = IntArray(v) ?? EquatableArray<long>.Empty }; break;
                case "Expansions": spec = spec with { HasExpansions = !v.IsNull, Expansions = IntArray(v) ?? EquatableArray<long>.Empty }; break;
                case "SERatio": spec = spec with { SERatio = Double(v) ?? double.NaN }; break;
                case "PatchSize": spec = spec with { PatchSize = Int(v) ?? 0 }; break;
                case "Dropout": spec = spec with { Dropout = Double(v) ?? double.NaN }; break;
                case "Vocabulary": spec = spec with { Vocabulary = Int(v) ?? -1 }; break;
                case "ContextLength": spec = spec with { ContextLength = Int(v) ?? -1 }; break;
            }
        }
        return spec;
    }

    private static EquatableArray<ArgLocation> ArgLocations(AttributeData? data, AttributeSyntax? syntax)
    {
        if (syntax?.ArgumentList is null) return EquatableArray<ArgLocation>.Empty;
        var result = new List<ArgLocation>();
        var position = 0;
        foreach (var arg in syntax.ArgumentList.Arguments)
        {
            string? name;
            if (arg.NameEquals is not null) name = arg.NameEquals.Name.Identifier.ValueText;
            else if (arg.NameColon is not null) name = arg.NameColon.Name.Identifier.ValueText;
            else
            {
                var ps = data?.AttributeConstructor?.Parameters;
                name = ps is { } p && position < p.Length ? p[position].Name : "#" + position;
                position++;
            }
            if (LocationInfo.From(arg) is { } loc) result.Add(new ArgLocation(name, loc));
        }
        return result.ToEquatableArray();
    }

    private static bool HasErrorArgument(AttributeData a) =>
        a.ConstructorArguments.Concat(a.NamedArguments.Select(n => n.Value)).Any(IsError);

    private static bool IsError(TypedConstant c) =>
        c.Kind == TypedConstantKind.Error || c.Kind == TypedConstantKind.Array && !c.IsNull && c.Values.Any(IsError);

    /// <summary>The members of an enum type with their values, in declaration order.</summary>
    private static List<(string Name, long Value)> EnumMembers(ITypeSymbol? type) =>
        type is INamedTypeSymbol { TypeKind: TypeKind.Enum } e
            ? e.GetMembers().OfType<IFieldSymbol>().Where(f => f.HasConstantValue)
                .Select(f => (f.Name, System.Convert.ToInt64(f.ConstantValue, System.Globalization.CultureInfo.InvariantCulture))).ToList()
            : new List<(string, long)>();

    private static long? Int(TypedConstant c) => c.Kind == TypedConstantKind.Error || c.IsNull ? null : c.Value switch
    {
        int i => i,
        long l => l,
        short s => s,
        byte b => b,
        _ => null,
    };

    private static double? Double(TypedConstant c) => c.Kind == TypedConstantKind.Error || c.IsNull ? null : c.Value switch
    {
        double d => d,
        float f => f,
        int i => i,
        long l => l,
        _ => null,
    };

    private static EquatableArray<long>? IntArray(TypedConstant c)
    {
        if (c.Kind != TypedConstantKind.Array || c.IsNull) return null;
        var values = new List<long>();
        foreach (var item in c.Values)
        {
            if (Int(item) is not { } v) return null;
            values.Add(v);
        }
        return values.ToEquatableArray();
    }
}
