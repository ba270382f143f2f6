using System;
using System.Reflection;
using System.Threading;
using Gan.Dsl.Generator.Analysis;
using Gan.Dsl.Generator.Formula;
using Gan.Dsl.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Gan.Dsl.Generator
{
    /// <summary>The incremental generator: finds [Gan] classes, reads each into a model (ModelParser), analyses it into a
    /// plan (ModelAnalyzer), reports the diagnostics of both, and lays out its partial class (Emitter), one pipeline step
    /// a stage. Initialize only wires the pipeline.</summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class GanGenerator : IIncrementalGenerator
    {
        internal static readonly string Version = typeof(GanGenerator).Assembly.GetName().Version?.ToString() ?? "0.0.0.0";

        /// <summary>The version written into [GeneratedCode], for tests that scrub it from snapshots.</summary>
        public static string VersionForTests => Version;

        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            // Read (ModelParser): Roslyn re-runs this transform on every compilation change (it takes a semantic model),
            // so it does only the reading; its result is equatable and, when equal, stops the steps after it.
            IncrementalValuesProvider<Reading> read = context.SyntaxProvider
                .ForAttributeWithMetadataName(ModelParser.GanAttribute,
                    predicate: static (node, _) => node is ClassDeclarationSyntax,
                    transform: static (ctx, ct) => Read(ctx, ct))
                .WithTrackingName(TrackingNames.ParseModel);

            // Analyse (ModelAnalyzer): the plan and the diagnostics of both stages, from the reading alone.
            IncrementalValuesProvider<ParseResult> parsed = read
                .Select(static (reading, _) => Analyse(reading))
                .WithTrackingName(TrackingNames.Analysis);

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

        /// <summary>The first stage for one declaration. The generator never throws into the compiler: a failure is
        /// reported (GAN999) and nothing is emitted for the class.</summary>
        private static Reading Read(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            var classSyntax = (ClassDeclarationSyntax)context.TargetNode;
            try
            {
                return ModelParser.Parse(context, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                throw;
            }
            catch (Exception e)
            {
                return new Reading(null, new Scope(), null, new EquatableArray<DiagnosticInfo>(new[]
                {
                    DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, LocationInfo.From(classSyntax.Identifier), context.TargetSymbol.Name, e.GetType().Name + ": " + e.Message),
                }), classSyntax.SyntaxTree);
            }
        }

        /// <summary>The second stage: the plan when the reading has a model, and the diagnostics of both stages. A failure
        /// here too is GAN999, at the class.</summary>
        private static ParseResult Analyse(Reading reading)
        {
            if (reading.Model == null || reading.Sites == null) return new ParseResult(null, reading.Diagnostics, reading.Tree);
            var diagnostics = new System.Collections.Generic.List<DiagnosticInfo>(reading.Diagnostics);
            try
            {
                ModelPlan? plan = ModelAnalyzer.Analyze(reading.Model, reading.Scope, reading.Sites, diagnostics);
                return new ParseResult(plan, diagnostics.ToEquatableArray(), reading.Tree);
            }
            catch (Exception e)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, reading.Sites.Formula, reading.Model.ClassName, e.GetType().Name + ": " + e.Message));
                return new ParseResult(null, diagnostics.ToEquatableArray(), reading.Tree);
            }
        }

        internal static string HintName(ModelSpec model) => (model.Namespace is null ? "" : model.Namespace + ".") + model.ClassName + ".g.cs";
    }

    /// <summary>Names of the tracked pipeline steps, for incrementality tests.</summary>
    public static class TrackingNames
    {
        public const string ParseModel = nameof(ParseModel);
        public const string Analysis = nameof(Analysis);
        public const string Diagnostics = nameof(Diagnostics);
        public const string Plan = nameof(Plan);
    }
}
