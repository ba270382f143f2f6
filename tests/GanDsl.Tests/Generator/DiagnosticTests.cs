using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Shouldly;
using Xunit;

namespace GanDsl.Tests.Generator;

/// <summary>Each bad declaration gets its diagnostic id, at the right place: for formula errors, the exact
/// characters inside the string literal.</summary>
public class DiagnosticTests
{
    /// <summary>Runs the generator and returns the single diagnostic with that id, checking it points at
    /// <paramref name="marker"/> (the n-th occurrence in the source, searched after <paramref name="after"/>).</summary>
    internal static Diagnostic Expect(string source, string id, string marker, string after = "", int? length = null)
    {
        GeneratorHarness.Run run = GeneratorHarness.Generate(source);
        var matching = run.Gan(id).ToList();
        matching.Count.ShouldBe(1, $"expected one {id}; got: {string.Join(" | ", run.GeneratorDiagnostics.Select(d => d.ToString()))}");
        Diagnostic d = matching[0];
        int from = after.Length == 0 ? 0 : source.IndexOf(after, StringComparison.Ordinal);
        from.ShouldBeGreaterThanOrEqualTo(0, $"'{after}' not in source");
        from += after.Length;
        int start = source.IndexOf(marker, from, StringComparison.Ordinal);
        start.ShouldBeGreaterThanOrEqualTo(0, $"marker '{marker}' not in source");
        d.Location.SourceSpan.Start.ShouldBe(start, $"{id} should start at '{marker}': {d}");
        d.Location.SourceSpan.Length.ShouldBe(length ?? marker.Length, $"{id} span: {d}");
        return d;
    }

    [Fact]
    public void Syntax_error_points_at_the_unexpected_character_with_its_column()
    {
        string source = GeneratorHarness.Declaration(formula: "E[log D(x)] + E[log(1 - D(G(z))]");
        Diagnostic d = Expect(source, "GAN001", "]", after: "(1 - D(G(z))", length: 1);
        d.GetMessage().ShouldContain("column 32");
        d.GetMessage().ShouldContain("')'");
        d.Severity.ShouldBe(DiagnosticSeverity.Error);
    }

    [Fact]
    public void Syntax_error_for_a_dangling_operator()
    {
        string source = GeneratorHarness.Declaration(formula: "E[log D(x)] + * E[log(1 - D(G(z)))]");
        Expect(source, "GAN001", "*", length: 1).GetMessage().ShouldContain("column 15");
    }

    [Fact]
    public void Syntax_error_for_an_unknown_character()
    {
        string source = GeneratorHarness.Declaration(formula: "E[log D(x)] + E[log(1 - D(G(z)))] $");
        Expect(source, "GAN001", "$", length: 1);
    }

    [Fact]
    public void Unknown_name_points_at_the_name_and_suggests_the_closest()
    {
        string source = GeneratorHarness.Declaration(formula: "E[log D(x)] + E[log(1 - D(Gz(z)))]");
        Diagnostic d = Expect(source, "GAN002", "Gz");
        d.GetMessage().ShouldContain("did you mean 'G'?");
    }

    [Fact]
    public void Unknown_variable()
    {
        string source = GeneratorHarness.Declaration(formula: "E[log D(y)] + E[log(1 - D(G(z)))]");
        Expect(source, "GAN002", "y", after: "log D(");
    }

    [Fact]
    public void Network_applied_to_a_different_number_of_inputs()
    {
        string source = GeneratorHarness.Declaration(formula: "E[log D(x, z)] + E[log(1 - D(G(z)))]");
        Expect(source, "GAN003", "D(G(z))");
    }

    [Fact]
    public void Function_with_two_arguments()
    {
        string source = GeneratorHarness.Declaration(formula: "E[log(D(x), 2)] + E[log(1 - D(G(z)))]");
        Expect(source, "GAN003", "log(D(x), 2)").GetMessage().ShouldContain("takes 1 argument but is given 2");
    }

    [Fact]
    public void Network_used_without_input()
    {
        string source = GeneratorHarness.Declaration(formula: "E[log D] + E[log(1 - D(G(z)))]");
        Expect(source, "GAN003", "D", after: "E[log ");
    }

    [Fact]
    public void No_maximizing_player_points_at_the_formula()
    {
        string source = GeneratorHarness.Declaration(formula: "E[G(z)]",
            networks: "[Generator] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(2, 16, 1);");
        Expect(source, "GAN004", "E[G(z)]");
    }

    [Fact]
    public void Unused_network_is_a_warning_at_its_method()
    {
        string source = GeneratorHarness.Declaration(networks: """
            [Generator] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(2, 16, 2);
                [Discriminator] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(2, 16, 1);
                [Discriminator] static nn.Module<Tensor, Tensor> D2() => Nets.Mlp(2, 16, 1);
            """);
        Diagnostic d = Expect(source, "GAN005", "D2");
        d.Severity.ShouldBe(DiagnosticSeverity.Warning);
        GeneratorHarness.Generate(source).OutputErrors.ShouldBeEmpty();
    }

    [Fact]
    public void Image_data_without_a_range_is_a_warning_at_its_attribute()
    {
        string source = GeneratorHarness.Declaration(variables: "[Data(\"x\", Shape = \"1x28x28\")]\n[Noise(\"z\", Distribution.Normal, 2)]");
        Diagnostic d = Expect(source, "GAN019", "Data(\"x\", Shape = \"1x28x28\")");
        d.Severity.ShouldBe(DiagnosticSeverity.Warning);
        d.GetMessage().ShouldStartWith("Data variable 'x' has the image shape 1x28x28 but no Range");
        GeneratorHarness.Generate(source.Replace("Shape = \"1x28x28\"", "Shape = \"1x28x28\", Range = DataRange.MinusOneToOne")).Gan("GAN019").ShouldBeEmpty();
        GeneratorHarness.Generate(source.Replace("1x28x28", "784")).Gan("GAN019").ShouldBeEmpty();
    }

    [Fact]
    public void Image_data_without_a_range_is_fine_in_a_model_without_a_generator()
    {
        // A domain-adversarial classifier reads mean-subtracted images (Ganin & Lempitsky's preprocessing): no output to match.
        string source = GeneratorHarness.Declaration(
            withMinimax: false,
            variables: "[Data(\"x\", Shape = \"3x28x28\")]\n[Label(\"y\", 10)]\n[Data(\"x_t\", Shape = \"3x28x28\")]\n" +
                       "[Minimize(\"-E[log C(y | F(x))] - 0.5 * E[log Dd(reverse(F(x)))] - 0.5 * E[log(1 - Dd(reverse(F(x_t))))]\")]",
            networks: """
                [Network] static nn.Module<Tensor, Tensor> F() => Nets.LeNetTrunk(3, samePadding: true);
                    [Network(Output = NetworkOutput.Categorical)] static nn.Module<Tensor, Tensor> C() => Nets.Mlp(2352, 100, 10);
                    [Network(Output = NetworkOutput.Logits)] static nn.Module<Tensor, Tensor> Dd() => Nets.Mlp(2352, 100, 1);
                """);
        var result = GeneratorHarness.Generate(source);
        result.Gan("GAN019").ShouldBeEmpty();
        result.OutputErrors.ShouldBeEmpty();
    }

    [Fact]
    public void Class_not_partial()
    {
        string source = GeneratorHarness.Declaration(classModifiers: "public");
        Expect(source, "GAN006", "TestGan");
    }

    [Fact]
    public void Network_with_two_roles()
    {
        string source = GeneratorHarness.Declaration(networks: """
            [Generator] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(2, 16, 2);
                [Generator, Discriminator] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(2, 16, 1);
            """);
        Expect(source, "GAN007", "D", after: "[Generator, Discriminator] static nn.Module<Tensor, Tensor> ");
    }

    [Fact]
    public void Name_declared_twice()
    {
        string source = GeneratorHarness.Declaration(variables: "[Data(\"x\", Shape = \"2\")]\n[Noise(\"x\", Distribution.Normal, 2)]\n[Noise(\"z\", Distribution.Normal, 2)]");
        Expect(source, "GAN008", "Noise(\"x\", Distribution.Normal, 2)").GetMessage().ShouldContain("as a data variable and as a noise variable");
    }

    [Fact]
    public void Non_saturating_loss_without_a_saturating_term()
    {
        string source = GeneratorHarness.Declaration(formula: "E[log D(x)] - E[log D(G(z))]", minimaxOptions: "GeneratorLoss = GeneratorLoss.NonSaturating");
        Expect(source, "GAN009", "GeneratorLoss = GeneratorLoss.NonSaturating");
    }

    [Fact]
    public void Zero_discriminator_steps()
    {
        string source = GeneratorHarness.Declaration(minimaxOptions: "DiscriminatorSteps = 0");
        Expect(source, "GAN010", "DiscriminatorSteps = 0");
    }

    [Fact]
    public void Factory_that_is_not_static()
    {
        string source = GeneratorHarness.Declaration(networks: """
            [Generator] nn.Module<Tensor, Tensor> G() => Nets.Mlp(2, 16, 2);
                [Discriminator] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(2, 16, 1);
            """);
        Expect(source, "GAN011", "G", after: "[Generator] nn.Module<Tensor, Tensor> ").GetMessage().ShouldContain("not static");
    }

    [Fact]
    public void Factory_with_the_wrong_return_type()
    {
        string source = GeneratorHarness.Declaration(networks: """
            [Generator] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(2, 16, 2);
                [Discriminator] static int D() => 1;
            """);
        Expect(source, "GAN011", "D", after: "static int ");
    }

    [Fact]
    public void Missing_value_function()
    {
        string source = GeneratorHarness.Declaration(withMinimax: false);
        Expect(source, "GAN012", "TestGan");
    }

    [Fact]
    public void Invalid_shape()
    {
        string source = GeneratorHarness.Declaration(variables: "[Data(\"x\", Shape = \"2x-1\")]\n[Noise(\"z\", Distribution.Normal, 2)]");
        Expect(source, "GAN013", "Data(\"x\", Shape = \"2x-1\")");
    }

    [Fact]
    public void Nested_class_is_unsupported()
    {
        string source = """
            using Gan.Dsl;
            using Gan.Runtime.Nets;
            using TorchSharp;
            using static TorchSharp.torch;
            public partial class Outer
            {
                [Gan]
                [Data("x", Shape = "2")]
                [Noise("z", Distribution.Normal, 2)]
                [Minimax("E[log D(x)] + E[log(1 - D(G(z)))]")]
                public partial class Inner
                {
                    [Generator] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(2, 16, 2);
                    [Discriminator] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(2, 16, 1);
                }
            }
            """;
        Expect(source, "GAN014", "Inner");
    }

    [Fact]
    public void Variable_applied_like_a_network()
    {
        string source = GeneratorHarness.Declaration(formula: "E[log D(x)] + E[log(1 - D(G(z(x))))]");
        Expect(source, "GAN015", "z", after: "G(");
    }

    [Fact]
    public void Term_outside_an_expectation()
    {
        string source = GeneratorHarness.Declaration(formula: "log D(x) + E[log(1 - D(G(z)))]");
        Expect(source, "GAN016", "log D(x)");
    }

    [Fact]
    public void A_good_declaration_has_no_diagnostics_and_compiles()
    {
        GeneratorHarness.Run run = GeneratorHarness.Generate(GeneratorHarness.Declaration());
        run.GeneratorDiagnostics.ShouldBeEmpty();
        run.OutputErrors.ShouldBeEmpty();
        run.Result.GeneratedSources.Single().HintName.ShouldBe("Tests.Models.TestGan.g.cs");
    }

    [Fact]
    public void Paper_notation_is_accepted()
    {
        // Subscripted expectations, the typographic minus, 𝔼, and a weighted sum.
        GeneratorHarness.Run run = GeneratorHarness.Generate(GeneratorHarness.Declaration(
            formula: "𝔼_{x~p_data}[log D(x)] + 0.5 * E_z[log(1 − D(G(z)))] + 0.5 * E[log(1 - D(G(z)))]"));
        run.GeneratorDiagnostics.ShouldBeEmpty();
        run.OutputErrors.ShouldBeEmpty();
    }

    [Fact]
    public void Internal_class_in_the_global_namespace_compiles()
    {
        string source = """
            using Gan.Dsl;
            using Gan.Runtime.Nets;
            using TorchSharp;
            using static TorchSharp.torch;

            [Gan]
            [Data("x", Shape = "2")]
            [Noise("data", Distribution.Uniform, 4)]
            [Minimax("E[log D(x)] + E[log(1 - D(G(data)))]")]
            internal partial class GlobalGan
            {
                [Generator] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(4, 8, 2);
                [Discriminator] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(2, 8, 1);
            }
            """;
        GeneratorHarness.Run run = GeneratorHarness.Generate(source);
        run.GeneratorDiagnostics.ShouldBeEmpty();
        run.OutputErrors.ShouldBeEmpty();
        run.Result.GeneratedSources.Single().HintName.ShouldBe("GlobalGan.g.cs");
        run.GeneratedSource.ShouldContain("internal partial class GlobalGan");
        run.GeneratedSource.ShouldContain("var data_ = torch.rand("); // a variable named like a generated local is renamed
    }

    /// <summary>The labelled adversarial autoencoder's declaration (Makhzani et al. 2015, §2.3) with the noise, label and
    /// discriminator replaced.</summary>
    private static string Given(string noise, string label = "[Label(\"y\", 10)]", int discriminatorInputs = 12) => GeneratorHarness.Declaration(
        formula: "E[log D(z | y)] + E[log(1 - D(Enc(x) | y))]",
        variables: $"[Data(\"x\", Shape = \"4\")]\n{label}\n{noise}\n[Data(\"w\", Shape = \"2\")]\n[Noise(\"u\", Distribution.Normal, 2)]\n[Sample(\"Dec(z)\")]\n" +
                   "[Minimize(\"E[||x - Dec(Enc(x))||^2]\", Name = \"reconstruction\")]",
        networks: $"""
            [Generator] static nn.Module<Tensor, Tensor> Enc() => Nets.Mlp(4, 8, 2);
                [Generator] static nn.Module<Tensor, Tensor> Dec() => Nets.Mlp(2, 8, 4);
                [Discriminator] static nn.Module<Tensor, Tensor> D() => Nets.Mlp({discriminatorInputs}, 8, 1);
            """);

    [Fact]
    public void A_mixture_given_a_label_with_ten_classes_is_accepted()
    {
        GeneratorHarness.Run run = GeneratorHarness.Generate(Given("[Noise(\"z\", Distribution.GaussianMixture, 2, Given = \"y\")]"));
        run.GeneratorDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error || d.Id == "GAN005").ShouldBeEmpty();
        run.OutputErrors.ShouldBeEmpty();
        Gan.Runtime.Priors.MixtureComponents.ShouldBe(10);   // what GAN024 checks a mixture's label against
    }

    [Theory]
    [InlineData("yy", "'yy' is not declared (labels: y)")]
    [InlineData("w", "'w' is a data variable (labels: y)")]
    [InlineData("u", "'u' is a noise variable (labels: y)")]
    [InlineData("", "'' is not declared (labels: y)")]
    public void Given_must_name_a_label(string given, string message)
    {
        string source = Given($"[Noise(\"z\", Distribution.GaussianMixture, 2, Given = \"{given}\")]");
        Diagnostic d = Expect(source, "GAN022", $"Given = \"{given}\"");
        d.GetMessage().ShouldBe($"Given = \"{given}\" of noise variable 'z' must name a [Label], but {message}");
        d.Severity.ShouldBe(DiagnosticSeverity.Error);
    }

    [Fact]
    public void Given_without_any_label_says_how_to_declare_one()
    {
        string source = Given("[Noise(\"z\", Distribution.GaussianMixture, 2, Given = \"y\")]", label: "");
        Expect(source, "GAN022", "Given = \"y\"").GetMessage().ShouldEndWith("'y' is not declared; declare one with [Label(\"y\", classes)]");
    }

    [Theory]
    [InlineData("Normal")]
    [InlineData("Uniform")]
    [InlineData("SwissRoll")]
    public void A_distribution_without_components_cannot_be_given_a_label(string distribution)
    {
        string source = Given($"[Noise(\"z\", Distribution.{distribution}, 2, Given = \"y\")]");
        Diagnostic d = Expect(source, "GAN023", "Given = \"y\"");
        d.GetMessage().ShouldStartWith($"Noise variable 'z' has Distribution.{distribution}, which has no components or classes for a label to choose");
        GeneratorHarness.Generate(source).Gan("GAN022").ShouldBeEmpty();
    }

    [Fact]
    public void A_mixture_needs_a_label_with_one_class_per_component()
    {
        string source = Given("[Noise(\"z\", Distribution.GaussianMixture, 2, Given = \"y\")]", label: "[Label(\"y\", 3)]", discriminatorInputs: 5);
        Diagnostic d = Expect(source, "GAN024", "Given = \"y\"");
        d.GetMessage().ShouldBe("Label 'y' has 3 classes, but the GaussianMixture prior of 'z' has 10 components: Given needs one component or class per class of the label");
    }

    [Fact]
    public void A_categorical_code_needs_as_many_classes_as_its_label()
    {
        string source = GeneratorHarness.Declaration(
            formula: "E[log D(x | y)] + E[log(1 - D(G(z | c) | c))]",
            variables: "[Data(\"x\", Shape = \"2\")]\n[Label(\"y\", 3)]\n[Noise(\"z\", Distribution.Normal, 2)]\n[Noise(\"c\", Distribution.Categorical, 4, Given = \"y\")]",
            networks: "[Generator] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(6, 8, 2);\n    [Discriminator] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(5, 8, 1);");
        Diagnostic d = Expect(source, "GAN024", "Given = \"y\"");
        d.GetMessage().ShouldBe("Label 'y' has 3 classes, but the categorical noise variable 'c' has 4 classes: Given needs one component or class per class of the label");
        GeneratorHarness.Generate(source.Replace("Categorical, 4", "Categorical, 3")).GeneratorDiagnostics.ShouldBeEmpty();
    }

    /// <summary>An invertible conditional GAN with the edit <paramref name="edit"/>, and a second categorical code c.</summary>
    private static string Editing(string edit) => GeneratorHarness.Declaration(
        formula: "E[log D(x | y)] + E[log(1 - D(G(z | y′) | y′))]",
        variables: "[Data(\"x\", Shape = \"2\")]\n[Label(\"y\", 3)]\n[Noise(\"z\", Distribution.Normal, 2)]\n[Noise(\"y′\", Distribution.Categorical, 3)]\n" +
                   "[Noise(\"c\", Distribution.Categorical, 3)]\n[Minimize(\"E[||E_z(G(z | y′)) - z||^2]\", Updates = \"E_z\", Name = \"encoder_z\")]\n" +
                   "[Minimize(\"-E[log E_y(y | x)]\", Updates = \"E_y\", Name = \"encoder_y\")]\n" + $"[Edit(\"{edit}\")]",
        networks: """
            [Generator] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(5, 16, 2);
                [Discriminator] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(5, 16, 1);
                [Network] static nn.Module<Tensor, Tensor> E_z() => Nets.Mlp(2, 16, 2);
                [Network(Output = NetworkOutput.Categorical)] static nn.Module<Tensor, Tensor> E_y() => Nets.Mlp(2, 16, 3);
            """);

    [Fact]
    public void An_edit_of_the_data_to_one_categorical_code_is_accepted()
    {
        GeneratorHarness.Run run = GeneratorHarness.Generate(Editing("G(E_z(x) | y′)"));
        run.GeneratorDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ShouldBeEmpty();
        run.OutputErrors.ShouldBeEmpty();
        run.GeneratedSource.ShouldContain("public Tensor Edit(Tensor x, Tensor labels)");
        run.GeneratedSource.ShouldContain("global::Gan.Runtime.IEditableModel");
    }

    [Fact]
    public void Edit_syntax_error_is_GAN001_at_the_character_in_the_edit()
    {
        string source = Editing("G(E_z(x) || y′)");
        Diagnostic d = Expect(source, "GAN001", "||", after: "Edit(\"G(E_z(x) ");
        d.GetMessage().ShouldContain("column 10");
        d.GetMessage().ShouldContain("found '||'");
    }

    [Fact]
    public void Edit_unknown_name_is_GAN002_at_the_name() =>
        Expect(Editing("G(Ez(x) | y′)"), "GAN002", "Ez", after: "[Edit(").GetMessage().ShouldContain("did you mean 'E_z'?");

    [Fact]
    public void Edit_applying_a_discriminator_is_GAN025_at_the_string() =>
        Expect(Editing("D(x | y′)"), "GAN025", "\"D(x | y′)\"").GetMessage().ShouldContain("not a discriminator");

    [Fact]
    public void Edit_reading_the_label_is_GAN025_at_the_label() =>
        Expect(Editing("G(E_z(x) | y)"), "GAN025", "y", after: "[Edit(\"G(E_z(x) | ").GetMessage().ShouldContain("reads the label 'y'");

    [Fact]
    public void Edit_with_an_expectation_is_GAN025_at_the_expectation() =>
        Expect(Editing("G(E[E_z(x)] | y′)"), "GAN025", "E[E_z(x)]").GetMessage().ShouldContain("expectation");

    [Fact]
    public void Edit_of_no_data_is_GAN025_at_the_string() =>
        Expect(Editing("G(z | y′)"), "GAN025", "\"G(z | y′)\"").GetMessage().ShouldContain("reads no data variable");

    [Fact]
    public void Edit_without_a_categorical_code_is_GAN026_at_the_string()
    {
        Diagnostic d = Expect(Editing("G(E_z(x) | z)"), "GAN026", "\"G(E_z(x) | z)\"");
        d.GetMessage().ShouldContain("declared: y′, c");
        d.Severity.ShouldBe(DiagnosticSeverity.Error);
    }

    [Fact]
    public void Edit_with_two_categorical_codes_is_GAN027_at_the_second() =>
        Expect(Editing("G(E_z(x) | y′ | c)"), "GAN027", "c", after: "[Edit(\"G(E_z(x) | y′ | ").GetMessage().ShouldContain("'y′' and 'c'");

    /// <summary>An InfoGAN-like model with a label y, codes c (categorical) and s (uniform), the trunk T, heads Q, Qs, a
    /// plain network P, a second data variable x_t, and the [Infer]s <paramref name="infers"/> (one attribute line each).</summary>
    private static string Inferring(params string[] infers) => GeneratorHarness.Declaration(
        formula: "E[log D(T(x))] + E[log(1 - D(T(G(z | c | s))))]",
        variables: "[Data(\"x\", Shape = \"2\")]\n[Label(\"y\", 3)]\n[Data(\"x_t\", Shape = \"2\")]\n[Noise(\"z\", Distribution.Normal, 2)]\n[Noise(\"c\", Distribution.Categorical, 3)]\n" +
                   "[Noise(\"s\", Distribution.Uniform, 1)]\n" +
                   "[Minimize(\"-E[log Q(c | T(G(z | c | s)))] - E[log Qs(s | T(G(z | c | s)))] - E[log Q(y | T(x))] + E[||P(x_t) - x_t||^2] - E[log Dd(T(x))]\", Updates = \"G, T, Q, Qs, P, Dd\", Name = \"information\")]\n" +
                   string.Join("\n", infers),
        networks: """
            [Generator] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(6, 16, 2);
                [Discriminator(Output = DiscriminatorOutput.Values)] static nn.Module<Tensor, Tensor> T() => Nets.Mlp(2, 8);
                [Discriminator] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(8, 1);
                [Network(Output = NetworkOutput.Categorical)] static nn.Module<Tensor, Tensor> Q() => Nets.Mlp(8, 3);
                [Network(Output = NetworkOutput.Gaussian)] static nn.Module<Tensor, Tensor> Qs() => Nets.Mlp(8, 1);
                [Network] static nn.Module<Tensor, Tensor> P() => Nets.Mlp(2, 2);
                [Network(Output = NetworkOutput.Logits)] static nn.Module<Tensor, Tensor> Dd() => Nets.Mlp(8, 1);
            """);

    [Fact]
    public void Inferences_of_a_code_a_style_and_a_label_are_accepted()
    {
        GeneratorHarness.Run run = GeneratorHarness.Generate(Inferring("[Infer(\"Q(c | T(x))\")]", "[Infer(\"Qs(s | T(x))\")]", "[Infer(\"Q(y | T(x_t))\")]", "[Domain(\"Dd(T(x))\")]"));
        run.GeneratorDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ShouldBeEmpty();
        run.OutputErrors.ShouldBeEmpty();
        run.GeneratedSource.ShouldContain("public Tensor Infer_c(Tensor x)");
        run.GeneratedSource.ShouldContain("public Tensor Infer_s(Tensor x)");
        run.GeneratedSource.ShouldContain("public Tensor Infer_y(Tensor x)");
        run.GeneratedSource.ShouldContain("public Tensor DomainProbability(Tensor x)");
    }

    [Fact]
    public void Infer_syntax_error_is_GAN001_at_the_character() =>
        Expect(Inferring("[Infer(\"Q(c || T(x))\")]"), "GAN001", "||", after: "[Infer(\"Q(c ").GetMessage().ShouldContain("column 5");

    [Fact]
    public void Infer_unknown_network_is_GAN002_at_the_name() =>
        Expect(Inferring("[Infer(\"Q(c | Trunk(x))\")]"), "GAN002", "Trunk", after: "[Infer(");

    [Fact]
    public void Infer_of_a_network_that_is_not_a_distribution_is_GAN035_at_the_string() =>
        Expect(Inferring("[Infer(\"P(x)\")]"), "GAN035", "\"P(x)\"").GetMessage().ShouldContain("Output = NetworkOutput.Categorical or Gaussian as N(v | input)");

    [Fact]
    public void Infer_reading_noise_is_GAN035_at_the_noise() =>
        Expect(Inferring("[Infer(\"Q(c | T(G(z | c | s)))\")]"), "GAN035", "z", after: "[Infer(\"Q(c | T(G(").GetMessage().ShouldContain("reads the noise variable 'z', but it is given data alone");

    [Fact]
    public void Infer_reading_the_label_is_GAN035_at_the_label() =>
        Expect(Inferring("[Infer(\"Q(c | T(x + y))\")]"), "GAN035", "y", after: "[Infer(\"Q(c | T(x + ").GetMessage().ShouldContain("reads the label 'y'");

    [Fact]
    public void Infer_of_no_data_is_GAN035_at_the_string() =>
        Expect(Inferring("[Infer(\"Qs(s | 2)\")]"), "GAN035", "\"Qs(s | 2)\"").GetMessage().ShouldContain("reads no data variable");

    [Fact]
    public void Infer_reading_two_data_variables_is_GAN035_at_the_second() =>
        Expect(Inferring("[Infer(\"Q(c | T(x + x_t))\")]"), "GAN035", "x_t", after: "[Infer(\"Q(c | T(x + ").GetMessage().ShouldContain("'x' and 'x_t'");

    [Fact]
    public void Infer_with_reverse_is_GAN035_at_reverse() =>
        Expect(Inferring("[Infer(\"Q(c | reverse(T(x)))\")]"), "GAN035", "reverse", after: "[Infer(").GetMessage().ShouldContain("only changes gradients");

    [Fact]
    public void Inferring_one_variable_twice_is_GAN035_at_the_second()
    {
        Diagnostic d = Expect(Inferring("[Infer(\"Q(c | T(x))\")]", "[Infer(\"Q(c | T(x_t))\")]"), "GAN035", "c", after: "[Infer(\"Q(c | T(x))\")]\n[Infer(\"Q(");
        d.GetMessage().ShouldContain("infers 'c' a second time (the first: Q(c | T(x)))");
    }

    [Fact]
    public void Domain_of_a_network_that_is_not_a_probability_is_GAN036_at_the_string() =>
        Expect(Inferring("[Domain(\"P(x)\")]"), "GAN036", "\"P(x)\"").GetMessage().ShouldContain("whose output is a probability");

    [Fact]
    public void Domain_in_a_model_with_one_data_variable_is_GAN036_at_the_string()
    {
        string source = GeneratorHarness.Declaration(variables: "[Data(\"x\", Shape = \"2\")]\n[Noise(\"z\", Distribution.Normal, 2)]\n[Domain(\"D(x)\")]");
        Expect(source, "GAN036", "\"D(x)\"").GetMessage().ShouldContain("declares no other data variable");
    }
}
