using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace MotivationDsl.Generators;

/// <summary>
/// Generates, for every <c>[ScalableModel]</c> partial class, one TorchSharp module per variant, the block modules,
/// a <see cref="T:MotivationDsl.ScalableModelDefinition"/> with variant metadata and a proven weights map, and the
/// assembly-level manifest attribute. Pipeline: Parser (equatable specs) -> ModelBuilder (+ MapChecker) -> Emitter.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class ScalableModelGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var models = context.SyntaxProvider
            .ForAttributeWithMetadataName(Parser.ScalableModelAttribute,
                static (node, _) => node is TypeDeclarationSyntax,
                static (ctx, ct) => Parser.ParseModel(ctx, ct))
            .WithTrackingName(TrackingNames.Models);

        var blocks = context.SyntaxProvider
            .ForAttributeWithMetadataName(Parser.ScalableBlockAttribute,
                static (node, _) => node is TypeDeclarationSyntax,
                static (ctx, ct) => Parser.ParseBlock(ctx, ct))
            .WithTrackingName(TrackingNames.Blocks)
            .Collect()
            .WithTrackingName(TrackingNames.BlocksCollected)
            .Select(static (all, _) => all.OrderBy(b => b.MetadataName, StringComparer.Ordinal).ToEquatableArray())
            .WithTrackingName(TrackingNames.BlockSet);

        var results = models
            .Combine(blocks)
            .WithTrackingName(TrackingNames.ModelsWithBlocks)
            .Select(static (pair, _) => Generate(pair.Left, pair.Right))
            .WithTrackingName(TrackingNames.Built);

        context.RegisterSourceOutput(results, static (spc, result) =>
        {
            foreach (var d in result.Diagnostics) spc.ReportDiagnostic(d.ToDiagnostic());
            if (result.Source is not null) spc.AddSource(result.HintName, SourceText.From(result.Source, System.Text.Encoding.UTF8));
        });
    }

    internal static GenerationResult Generate(ModelSpec spec, EquatableArray<BlockSpec> blocks)
    {
        var hint = new string(spec.FullName.Select(c => char.IsLetterOrDigit(c) || c == '.' || c == '_' ? c : '_').ToArray()) + ".g.cs";
        try
        {
            var (model, diagnostics) = ModelBuilder.Build(spec, blocks);
            var source = model is null ? null : Emitter.Emit(model);
            return new GenerationResult(hint, source, diagnostics.Distinct().ToEquatableArray());
        }
        catch (Exception ex)
        {
            return new GenerationResult(hint, null, new[]
            {
                DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, spec.Location ?? spec.ClassLocation, spec.FullName, ex.GetType().Name + ": " + ex.Message),
            }.ToEquatableArray());
        }
    }
}
