using System;
using System.Reflection;
using Gan.Dsl.Generator.Analysis;
using Gan.Dsl.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Gan.Dsl.Generator
{
    /// <summary>The incremental generator: finds [Gan] classes, parses each into a model (ModelParser), reports its
    /// diagnostics, and emits its partial class (Emitter). Initialize only wires the pipeline.</summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class GanGenerator : IIncrementalGenerator
    {
        internal static readonly string Version = typeof(GanGenerator).Assembly.GetName().Version?.ToString() ?? "0.0.0.0";

        /// <summary>The version written into [GeneratedCode], for tests that scrub it from snapshots.</summary>
        public static string VersionForTests => Version;

        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            IncrementalValuesProvider<ParseResult> parsed = context.SyntaxProvider
                .ForAttributeWithMetadataName(ModelParser.GanAttribute,
                    predicate: static (node, _) => node is ClassDeclarationSyntax,
                    transform: static (ctx, ct) => ModelParser.Parse(ctx, ct))
                .WithTrackingName(TrackingNames.ParseModel);

            IncrementalValuesProvider<TreeDiagnostics> diagnostics = parsed
                .Select(static (result, _) => new TreeDiagnostics(result.Diagnostics, result.Tree))
                .WithTrackingName(TrackingNames.Diagnostics);

            IncrementalValuesProvider<ModelSpec> models = parsed
                .Where(static result => result.Model != null)
                .Select(static (result, _) => result.Model!)
                .WithTrackingName(TrackingNames.Model);

            // The analysis stage: every decision about the model, made once, as an equatable plan.
            IncrementalValuesProvider<ModelPlan> plans = models
                .Select(static (model, _) => ModelAnalyzer.Analyze(model))
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

        internal static string HintName(ModelSpec model) => (model.Namespace is null ? "" : model.Namespace + ".") + model.ClassName + ".g.cs";
    }

    /// <summary>Names of the tracked pipeline steps, for incrementality tests.</summary>
    public static class TrackingNames
    {
        public const string ParseModel = nameof(ParseModel);
        public const string Diagnostics = nameof(Diagnostics);
        public const string Model = nameof(Model);
        public const string Plan = nameof(Plan);
    }
}
