using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Gan.Dsl.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Shouldly;
using Xunit;

namespace GanDsl.Tests.Generator;

public class IncrementalTests
{
    private static readonly string[] TrackedSteps = { TrackingNames.ParseModel, TrackingNames.Analysis, TrackingNames.Diagnostics, TrackingNames.Plan };

    [Fact]
    public void An_unrelated_edit_leaves_every_tracked_step_cached()
    {
        CSharpCompilation input = GeneratorHarness.Compile(GeneratorHarness.Declaration(), "namespace Other { public class Unrelated { public int A; } }");
        GeneratorHarness.Run first = GeneratorHarness.Generate(input);
        first.OutputErrors.ShouldBeEmpty();

        // Edit the unrelated file.
        SyntaxTree old = input.SyntaxTrees.Single(t => t.FilePath == "Other1.cs");
        CSharpCompilation edited = input.ReplaceSyntaxTree(old,
            CSharpSyntaxTree.ParseText("namespace Other { public class Unrelated { public int A; public int B; } }", GeneratorHarness.ParseOptions, path: "Other1.cs"));
        GeneratorHarness.Run second = GeneratorHarness.Generate(edited, first.Driver);

        foreach (string step in TrackedSteps)
        {
            second.Result.TrackedSteps.ShouldContainKey(step);
            var reasons = second.Result.TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
            reasons.ShouldNotBeEmpty();
            reasons.ShouldAllBe(r => r == IncrementalStepRunReason.Cached || r == IncrementalStepRunReason.Unchanged, $"step {step}: {string.Join(", ", reasons)}");
        }
        // The reading re-runs (Roslyn re-runs an attribute transform on every compilation) and compares equal, so the
        // analysis does not run again: its output is Cached, not Unchanged (which would mean it ran).
        second.Result.TrackedSteps[TrackingNames.Analysis].SelectMany(s => s.Outputs)
            .ShouldAllBe(o => o.Reason == IncrementalStepRunReason.Cached);
        second.Result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs)
            .ShouldAllBe(o => o.Reason == IncrementalStepRunReason.Cached);
    }

    [Fact]
    public void Editing_the_formula_reruns_the_plan()
    {
        CSharpCompilation input = GeneratorHarness.Compile(GeneratorHarness.Declaration());
        GeneratorHarness.Run first = GeneratorHarness.Generate(input);
        CSharpCompilation edited = input.ReplaceSyntaxTree(input.SyntaxTrees[0],
            CSharpSyntaxTree.ParseText(GeneratorHarness.Declaration(minimaxOptions: "DiscriminatorSteps = 2"), GeneratorHarness.ParseOptions, path: "Model.cs"));
        GeneratorHarness.Run second = GeneratorHarness.Generate(edited, first.Driver);
        second.Result.TrackedSteps[TrackingNames.Plan].SelectMany(s => s.Outputs).Select(o => o.Reason)
            .ShouldContain(IncrementalStepRunReason.Modified);
        second.GeneratedSource.ShouldContain("public int DiscriminatorSteps { get; set; } = 2;");
    }

    [Fact]
    public void Moving_the_declaration_in_its_file_rereads_it_but_emits_nothing_again()
    {
        // The locations the analysis reports at (AnalysisSites) are not part of the plan: lines added above the class
        // re-run the first step, whose plan is then equal, so the emitter does not run.
        CSharpCompilation input = GeneratorHarness.Compile(GeneratorHarness.Declaration());
        GeneratorHarness.Run first = GeneratorHarness.Generate(input);
        first.OutputErrors.ShouldBeEmpty();
        CSharpCompilation edited = input.ReplaceSyntaxTree(input.SyntaxTrees[0],
            CSharpSyntaxTree.ParseText("// a comment\n// and another\n" + GeneratorHarness.Declaration(), GeneratorHarness.ParseOptions, path: "Model.cs"));
        GeneratorHarness.Run second = GeneratorHarness.Generate(edited, first.Driver);

        second.Result.TrackedSteps[TrackingNames.ParseModel].SelectMany(s => s.Outputs).Select(o => o.Reason).ShouldContain(IncrementalStepRunReason.Modified);
        second.Result.TrackedSteps[TrackingNames.Plan].SelectMany(s => s.Outputs).Select(o => o.Reason).ShouldAllBe(r => r == IncrementalStepRunReason.Unchanged);
        second.Result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).Select(o => o.Reason)
            .ShouldContain(IncrementalStepRunReason.Cached);
        second.GeneratedSource.ShouldBe(first.GeneratedSource);
    }

    [Fact]
    public void The_model_holds_no_symbols_syntax_locations_or_compilations()
    {
        // A good declaration (a model) and a bad one (diagnostics only).
        foreach (string formula in new[] { "E[log D(x)] + E[log(1 - D(G(z)))]", "E[log D(x)] + E[log(1 - D(G(zz)))]" })
        {
            GeneratorHarness.Run run = GeneratorHarness.Generate(GeneratorHarness.Declaration(formula: formula));
            var parsed = run.Result.TrackedSteps[TrackingNames.ParseModel].SelectMany(s => s.Outputs).Select(o => o.Value).ToList();
            parsed.ShouldNotBeEmpty();
            // The parse result carries the declaration's syntax tree, and only there (to report diagnostics at source
            // locations, where #pragma applies); everything else in it is plain data.
            foreach (object value in parsed)
            {
                value.GetType().GetProperty("Tree")!.GetValue(value).ShouldBeAssignableTo<SyntaxTree>();
                foreach (PropertyInfo property in value.GetType().GetProperties().Where(p => p.Name != "Tree" && p.GetIndexParameters().Length == 0))
                    Walk(property.GetValue(value), new HashSet<object>(ReferenceEqualityComparer.Instance), "ParseResult." + property.Name);
            }
        }
        GeneratorHarness.Run good = GeneratorHarness.Generate(GeneratorHarness.Declaration());
        var plans = good.Result.TrackedSteps[TrackingNames.Plan].SelectMany(s => s.Outputs).Select(o => o.Value).ToList();
        plans.Count.ShouldBe(1);
        foreach (object value in plans) Walk(value, new HashSet<object>(ReferenceEqualityComparer.Instance), "ModelPlan");
    }

    private static readonly Type[] Forbidden = { typeof(ISymbol), typeof(SyntaxNode), typeof(Location), typeof(Compilation), typeof(SemanticModel), typeof(SyntaxTree) };

    private static void Walk(object? value, HashSet<object> seen, string path)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum) return;
        Type type = value.GetType();
        Forbidden.ShouldNotContain(f => f.IsAssignableFrom(type), $"{path} is a {type.FullName}");
        if (!type.IsValueType && !seen.Add(value)) return;
        if (type == typeof(DiagnosticDescriptor) || type.Namespace == "Microsoft.CodeAnalysis.Text") return; // immutable values
        if (value is IEnumerable items)
        {
            int i = 0;
            foreach (object? item in items) Walk(item, seen, $"{path}[{i++}]");
        }
        foreach (FieldInfo field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
            Walk(field.GetValue(value), seen, $"{path}.{field.Name}");
    }
}
