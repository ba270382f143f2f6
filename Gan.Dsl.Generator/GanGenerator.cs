using System;
using System.Reflection;
using System.Threading;
using Gan.Dsl.Generator.Analysis;
using Gan.Dsl.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Gan.Dsl.Generator
{
    /// <summary>The incremental generator: finds [Gan] classes, reads each into a model (ModelParser), analyses it into a
    /// plan (ModelAnalyzer), reports the diagnostics of both, and lays out its partial class (Emitter). Initialize only
    /// wires the pipeline.</summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class GanGenerator : IIncrementalGenerator
    {
        internal static readonly string Version = typeof(GanGenerator).Assembly.GetName().Version?.ToString() ?? "0.0.0.0";

        /// <summary>The version written into [GeneratedCode], for tests that scrub it from snapshots.</summary>
        public static string VersionForTests => Version;

        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            // Read (ModelParser) and analyse (ModelAnalyzer) in one step: the analysis reports at the declaration's locations
            // and uses the scope the parser built. Only equatable values leave it.
            IncrementalValuesProvider<ParseResult> parsed = context.SyntaxProvider
                .ForAttributeWithMetadataName(ModelParser.GanAttribute,
                    predicate: static (node, _) => node is ClassDeclarationSyntax,
                    transform: static (ctx, ct) => ReadAndAnalyse(ctx, ct))
                .WithTrackingName(TrackingNames.ParseModel);

            IncrementalValuesProvider<TreeDiagnostics> diagnostics = parsed
                .Select(static (result, _) => new TreeDiagnostics(result.Diagnostics, result.Tree))
                .WithTrackingName(TrackingNames.Diagnostics);

            // The plan alone, without the tree: equal after an edit that moves the declaration in its file, so the
            // emitter does not run again.
            IncrementalValuesProvider<ModelPlan> plans = parsed
                .Where(static result => result.Plan != null)
                .Select(static (result, _) => result.Plan!)
                .WithTrackingName(TrackingNames.Plan);

            context.RegisterSourceOutput(diagnostics, static (spc, found) =>
            {
                foreach (DiagnosticInfo info in found.Items) spc.ReportDiagnostic(info.ToDiagnostic(found.Tree));
            });

            context.RegisterSourceOutput(plans, static (spc, plan) =>
            {
                ModelSpec model = plan.Spec;
                string source;
                try
                {
                    source = Emitter.Emit(plan, Version);
                }
                catch (Exception e)
                {
                    spc.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InternalError, Location.None, model.ClassName, e.GetType().Name + ": " + e.Message));
                    return;
                }
                spc.AddSource(HintName(model), source);
            });
        }

        /// <summary>The first two stages for one declaration. The generator never throws into the compiler: a failure is
        /// reported (GAN999) and nothing is emitted for the class.</summary>
        private static ParseResult ReadAndAnalyse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            var classSyntax = (ClassDeclarationSyntax)context.TargetNode;
            try
            {
                Reading read = ModelParser.Parse(context, cancellationToken);
                ModelPlan? plan = read.Model != null && read.Sites != null ? ModelAnalyzer.Analyze(read.Model, read.Scope, read.Sites, read.Diagnostics) : null;
                return new ParseResult(plan, read.Diagnostics.ToEquatableArray(), classSyntax.SyntaxTree);
            }
            catch (OperationCanceledException)
            {
                throw;
            }
            catch (Exception e)
            {
                return new ParseResult(null, new EquatableArray<DiagnosticInfo>(new[]
                {
                    DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, LocationInfo.From(classSyntax.Identifier), context.TargetSymbol.Name, e.GetType().Name + ": " + e.Message),
                }), classSyntax.SyntaxTree);
            }
        }

        internal static string HintName(ModelSpec model) => (model.Namespace is null ? "" : model.Namespace + ".") + model.ClassName + ".g.cs";
    }

    /// <summary>Names of the tracked pipeline steps, for incrementality tests.</summary>
    public static class TrackingNames
    {
        public const string ParseModel = nameof(ParseModel);
        public const string Diagnostics = nameof(Diagnostics);
        public const string Plan = nameof(Plan);
    }
}
