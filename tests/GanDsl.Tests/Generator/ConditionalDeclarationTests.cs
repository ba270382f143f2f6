using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Shouldly;
using Xunit;

namespace GanDsl.Tests.Generator;

/// <summary>Labels, categorical noise, primed names and the paper's D(x | y): what the generator accepts and what it refuses.</summary>
public class ConditionalDeclarationTests
{
    private const string Networks = """
        [Generator] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(12, 16, 2);
            [Discriminator] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(12, 16, 1);
        """;

    private static string Conditional(string formula, string variables = "[Data(\"x\", Shape = \"2\")]\n[Label(\"y\", 10)]\n[Noise(\"z\", Distribution.Normal, 2)]\n[Noise(\"y′\", Distribution.Categorical, 10)]")
        => GeneratorHarness.Declaration(formula: formula, variables: variables, networks: Networks);

    [Fact]
    public void A_bar_inside_a_network_call_separates_inputs_like_a_comma()
    {
        string withBars = GeneratorHarness.Generate(Conditional("E[log D(x | y)] + E[log(1 - D(G(z | y′) | y′))]")).GeneratedSource;
        string withCommas = GeneratorHarness.Generate(Conditional("E[log D(x, y)] + E[log(1 - D(G(z, y′), y′))]")).GeneratedSource;
        // The same code; the comments print the formula as each was declared.
        static string Code(string s) => string.Join("\n", s.Split('\n').Where(l => !l.Contains("ValueFunctionText =")).Select(l => l.Contains("//") ? l.Substring(0, l.IndexOf("//")).TrimEnd() : l));
        Code(withBars).ShouldBe(Code(withCommas));
        withBars.ShouldContain("// V = E[log D(x | y)] + E[log(1 - D(G(z | y′) | y′))]");
        withCommas.ShouldContain("// V = E[log D(x, y)] + E[log(1 - D(G(z, y′), y′))]");
        withBars.ShouldContain("_G.forward(global::Gan.Runtime.Inputs.Concat(z, y_prime))");
        withBars.ShouldContain("var y = global::Gan.Runtime.ModelChecks.OneHot(\"TestGan\", s_data[1], batch[\"y\"]);");
    }

    [Fact]
    public void The_same_inputs_with_a_bar_or_a_comma_are_one_application()
    {
        string code = GeneratorHarness.Generate(Conditional("E[log D(x | y)] + E[log D(x, y)] + E[log(1 - D(G(z | y′) | y′))]")).GeneratedSource;
        string step = code.Substring(code.IndexOf("public float StepDiscriminators(", System.StringComparison.Ordinal));
        step = step.Substring(0, step.IndexOf("public float StepGenerators(", System.StringComparison.Ordinal));
        System.Text.RegularExpressions.Regex.Matches(step, @"var D_x_y\b").Count.ShouldBe(1);
        step.ShouldNotContain("D_x_y2");
    }

    [Fact]
    public void An_ascii_prime_is_part_of_the_name()
    {
        var run = GeneratorHarness.Generate(Conditional("E[log D(x | y)] + E[log(1 - D(G(z | y') | y'))]",
            "[Data(\"x\", Shape = \"2\")]\n[Label(\"y\", 10)]\n[Noise(\"z\", Distribution.Normal, 2)]\n[Noise(\"y'\", Distribution.Categorical, 10)]"));
        run.GeneratorDiagnostics.ShouldBeEmpty();
        run.OutputErrors.ShouldBeEmpty();
        run.GeneratedSource.ShouldContain("noise[\"y'\"] = F.one_hot(torch.randint(0, 10, new long[] { n }, device: _device), 10).to(torch.float32);");
    }

    [Fact]
    public void A_generator_reading_one_categorical_noise_variable_makes_a_conditional_model()
    {
        var run = GeneratorHarness.Generate(Conditional("E[log D(x | y)] + E[log(1 - D(G(z | y′) | y′))]"));
        run.OutputErrors.ShouldBeEmpty();
        run.GeneratedSource.ShouldContain("global::Gan.Runtime.IAdversarialModel, global::Gan.Runtime.IConditionalModel");
        run.GeneratedSource.ShouldContain("public Tensor Sample(Tensor labels)");
        run.GeneratedSource.ShouldContain("public Tensor Sample(long n, long label)");
        // Without categorical noise there is no conditional sampling.
        GeneratorHarness.Generate(GeneratorHarness.Declaration()).GeneratedSource.ShouldNotContain("IConditionalModel");
    }

    [Fact]
    public void A_label_with_fewer_than_two_classes_is_refused_at_its_attribute()
    {
        string source = Conditional("E[log D(x | y)] + E[log(1 - D(G(z | y′) | y′))]").Replace("[Label(\"y\", 10)]", "[Label(\"y\", 1)]");
        var d = GeneratorHarness.Generate(source).Gan("GAN013").Single();
        d.GetMessage().ShouldBe("Label 'y': it must have at least 2 classes (got 1)");
        d.Location.SourceSpan.Start.ShouldBe(source.IndexOf("Label(\"y\", 1)", StringComparison.Ordinal));
    }

    [Fact]
    public void A_categorical_noise_variable_with_one_class_is_refused()
    {
        string source = Conditional("E[log D(x | y)] + E[log(1 - D(G(z | y′) | y′))]").Replace("[Noise(\"y′\", Distribution.Categorical, 10)]", "[Noise(\"y′\", Distribution.Categorical, 1)]");
        var d = GeneratorHarness.Generate(source).Gan("GAN013").Single();
        d.GetMessage().ShouldBe("Categorical noise variable 'y′': it must have at least 2 classes (got 1)");
        d.Location.SourceSpan.Start.ShouldBe(source.IndexOf("Noise(\"y′\", Distribution.Categorical, 1)", StringComparison.Ordinal));
    }

    [Fact]
    public void A_label_used_as_a_function_is_not_callable()
    {
        string source = Conditional("E[log D(x | y(x))] + E[log(1 - D(G(z | y′) | y′))]");
        var d = GeneratorHarness.Generate(source).Gan("GAN015").Single();
        d.GetMessage().ShouldBe("'y' is a data variable, not a network or function: it cannot be applied to arguments");
        d.Location.SourceSpan.ShouldBe(new Microsoft.CodeAnalysis.Text.TextSpan(source.IndexOf("y(x)", StringComparison.Ordinal), 1));
    }
}
