using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Shouldly;
using Xunit;

namespace GanDsl.Tests.Generator;

/// <summary>A user silences a GanDsl warning the way they silence any compiler warning: #pragma in the file, or a severity
/// in .editorconfig. Both need the diagnostic at a location in the file's syntax tree (an external-file location, as
/// Location.Create(path, span, lines) makes, is never checked against the file's pragmas: dotnet/roslyn#68291).</summary>
public class SuppressionTests
{
    private const string Networks = """
        [Generator] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(2, 16, 2);
            [Discriminator] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(2, 16, 1);
            [Discriminator] static nn.Module<Tensor, Tensor> D2() => Nets.Mlp(2, 16, 1);
        """;

    [Fact]
    public void The_warning_is_reported_at_a_source_location_in_the_declarations_tree()
    {
        GeneratorHarness.Run run = GeneratorHarness.Generate(GeneratorHarness.Declaration(networks: Networks));
        Diagnostic unused = run.Gan("GAN005").Single();
        unused.Location.Kind.ShouldBe(LocationKind.SourceFile);
        unused.Location.SourceTree.ShouldBeSameAs(run.Input.SyntaxTrees[0]);
        unused.IsSuppressed.ShouldBeFalse();
    }

    [Fact]
    public void Pragma_warning_disable_in_the_users_file_suppresses_it()
    {
        string source = GeneratorHarness.Declaration(networks: Networks.Replace("[Discriminator] static nn.Module<Tensor, Tensor> D2()",
            "#pragma warning disable GAN005 // kept for a later experiment\n    [Discriminator] static nn.Module<Tensor, Tensor> D2()"));
        GeneratorHarness.Run run = GeneratorHarness.Generate(source);
        Reported(run, "GAN005").ShouldBeEmpty();
        run.OutputErrors.ShouldBeEmpty();

        // Restored before the declaration: reported again.
        string restored = source.Replace("#pragma warning disable GAN005 // kept for a later experiment\n",
            "#pragma warning disable GAN005\n#pragma warning restore GAN005\n");
        Reported(GeneratorHarness.Generate(restored), "GAN005").Count.ShouldBe(1);
    }

    [Fact]
    public void An_editorconfig_severity_suppresses_it_or_makes_it_an_error()
    {
        string source = GeneratorHarness.Declaration(networks: Networks);
        Reported(GenerateWithTreeOption(source, ReportDiagnostic.Suppress), "GAN005").ShouldBeEmpty();
        Reported(GenerateWithTreeOption(source, ReportDiagnostic.Error), "GAN005").Single().Severity.ShouldBe(DiagnosticSeverity.Error);
    }

    /// <summary>What the compiler shows: the driver returns the generator's diagnostics after the compilation's filters
    /// (the file's pragmas, the tree's and the project's severities: GeneratorDriver.FilterDiagnostics), as csc reports them.</summary>
    private static List<Diagnostic> Reported(GeneratorHarness.Run run, string id)
        => run.GeneratorDiagnostics.Where(d => d.Id == id && !d.IsSuppressed).ToList();

    private static GeneratorHarness.Run GenerateWithTreeOption(string source, ReportDiagnostic severity)
    {
        CSharpCompilation input = GeneratorHarness.Compile(source);
        input = input.WithOptions(input.Options.WithSyntaxTreeOptionsProvider(new OneSeverity(input.SyntaxTrees[0], "GAN005", severity)));
        return GeneratorHarness.Generate(input);
    }

    /// <summary>What an .editorconfig section `[Model.cs] dotnet_diagnostic.GAN005.severity = ...` gives the compiler.</summary>
    private sealed class OneSeverity(SyntaxTree tree, string id, ReportDiagnostic severity) : SyntaxTreeOptionsProvider
    {
        public override GeneratedKind IsGenerated(SyntaxTree syntaxTree, CancellationToken cancellationToken) => GeneratedKind.Unknown;

        public override bool TryGetDiagnosticValue(SyntaxTree syntaxTree, string diagnosticId, CancellationToken cancellationToken, out ReportDiagnostic value)
        {
            value = severity;
            return syntaxTree == tree && diagnosticId == id;
        }

        public override bool TryGetGlobalDiagnosticValue(string diagnosticId, CancellationToken cancellationToken, out ReportDiagnostic value)
        {
            value = ReportDiagnostic.Default;
            return false;
        }
    }
}

public class DescriptorTests
{
    private static readonly DiagnosticDescriptor[] All = typeof(Gan.Dsl.Generator.GanGenerator).Assembly
        .GetType("Gan.Dsl.Generator.DiagnosticDescriptors")!
        .GetFields(System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic)
        .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
        .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
        .ToArray();

    [Fact]
    public void Ids_are_unique_and_each_has_a_help_link_and_a_category()
    {
        All.Length.ShouldBeGreaterThan(25);
        All.Select(d => d.Id).Distinct().Count().ShouldBe(All.Length);
        All.ShouldAllBe(d => d.Category == "GanDsl" && d.HelpLinkUri.EndsWith("#" + d.Id.ToLowerInvariant()));
    }

    /// <summary>A descriptor's format says what the diagnostic is about; "{0}" alone would make every message free text.</summary>
    [Fact]
    public void Every_descriptor_carries_its_own_message_format()
    {
        All.Where(d => d.MessageFormat.ToString(System.Globalization.CultureInfo.InvariantCulture).Trim() is "{0}" or "{0}: {1}")
            .Select(d => d.Id).ShouldBeEmpty();
        // GAN003 and GAN013 name what and which before the problem: "{0} '{1}' {2}", "{0} '{1}': {2}".
        All.Single(d => d.Id == "GAN003").MessageFormat.ToString(System.Globalization.CultureInfo.InvariantCulture).ShouldBe("{0} '{1}' {2}");
        All.Single(d => d.Id == "GAN013").MessageFormat.ToString(System.Globalization.CultureInfo.InvariantCulture).ShouldBe("{0} '{1}': {2}");
    }

    [Fact]
    public void Wrong_arity_and_invalid_declarations_name_what_and_which_then_the_problem()
    {
        GeneratorHarness.Generate(GeneratorHarness.Declaration(formula: "E[log(D(x), 2)] + E[log(1 - D(G(z)))]")).Gan("GAN003").Single()
            .GetMessage().ShouldBe("Function 'log' takes 1 argument but is given 2");
        GeneratorHarness.Generate(GeneratorHarness.Declaration(formula: "E[log D] + E[log(1 - D(G(z)))]")).Gan("GAN003").Single()
            .GetMessage().ShouldBe("Network 'D' must be applied to its input, e.g. D(x)");
    }

    [Fact]
    public void No_title_calls_every_formula_the_value_function()
        => All.Where(d => d.Id is "GAN001" or "GAN002" or "GAN005")
              .ShouldAllBe(d => !d.Title.ToString(System.Globalization.CultureInfo.InvariantCulture).Contains("value function"));
}
