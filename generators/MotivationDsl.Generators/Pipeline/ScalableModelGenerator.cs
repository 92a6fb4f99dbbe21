using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace MotivationDsl.Generators;

/// <summary>
/// Generates, for every <c>[ScalableModel]</c> partial class, one TorchSharp module per variant, the block modules,
/// a <see cref="T:MotivationDsl.ScalableModelDefinition"/> with variant metadata and a proven weights map, and the
/// assembly-level manifest attribute. Stages (one folder each, see docs/architecture.md): Parsing (equatable specs)
/// -> Validation -> Resolution (block kinds in Blocks/) -> Mapping -> Verification (MapChecker) -> Emit. Sources and
/// diagnostics are two outputs of the pipeline.
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

        var diagnostics = results.Select(static (r, _) => r.Diagnostics).WithTrackingName(TrackingNames.Diagnostics);
        var sources = results.Select(static (r, _) => (r.HintName, r.Files)).WithTrackingName(TrackingNames.Sources);

        context.RegisterSourceOutput(diagnostics, static (spc, all) =>
        {
            foreach (var d in all) spc.ReportDiagnostic(d.ToDiagnostic());
        });
        context.RegisterSourceOutput(sources, static (spc, output) =>
        {
            foreach (var file in output.Files)
                spc.AddSource(output.HintName + "." + file.Part + ".g.cs", SourceText.From(file.Text, System.Text.Encoding.UTF8));
        });
    }

    internal static GenerationResult Generate(ModelSpec spec, EquatableArray<BlockSpec> blocks)
    {
        var hint = new string(spec.FullName.Select(c => char.IsLetterOrDigit(c) || c == '.' || c == '_' ? c : '_').ToArray());
        try
        {
            var (model, diagnostics) = ModelBuilder.Build(spec, blocks);
            var files = model is null ? EquatableArray<GeneratedFile>.Empty : Emitter.Emit(model).ToEquatableArray();
            return new GenerationResult(hint, files, diagnostics.Distinct().ToEquatableArray());
        }
        catch (Exception ex)
        {
            return new GenerationResult(hint, EquatableArray<GeneratedFile>.Empty, new[]
            {
                DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, spec.Location ?? spec.ClassLocation, spec.FullName, ex.GetType().Name + ": " + ex.Message),
            }.ToEquatableArray());
        }
    }
}
