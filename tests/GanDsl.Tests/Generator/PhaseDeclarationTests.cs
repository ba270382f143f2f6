using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Shouldly;
using Xunit;

namespace GanDsl.Tests.Generator;

/// <summary>[Minimize] phases, [Sample], [Network] and the 2-D priors: what the generator emits and what it refuses, at the right place.</summary>
public class PhaseDeclarationTests
{
    private const string Variables = "[Data(\"x\", Shape = \"4\")]\n[Noise(\"z\", Distribution.Normal, 2)]";
    private const string Networks = """
        [Generator] static nn.Module<Tensor, Tensor> Enc() => Nets.Mlp(4, 8, 2);
            [Generator] static nn.Module<Tensor, Tensor> Dec() => Nets.Mlp(2, 8, 4);
            [Discriminator] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(2, 8, 1);
        """;

    private static string Aae(string minimize = "[Minimize(\"E[||x - Dec(Enc(x))||^2]\", Name = \"reconstruction\")]", string sample = "[Sample(\"Dec(z)\")]",
                              string networks = Networks, string variables = Variables)
        => GeneratorHarness.Declaration(formula: "E[log D(z)] + E[log(1 - D(Enc(x)))]", variables: variables + "\n" + minimize + "\n" + sample, networks: networks);

    [Fact]
    public void A_minimize_phase_runs_before_the_game_and_updates_the_networks_it_applies()
    {
        var run = GeneratorHarness.Generate(Aae());
        run.GeneratorDiagnostics.ShouldBeEmpty();
        run.OutputErrors.ShouldBeEmpty();
        string code = run.GeneratedSource;
        code.ShouldContain("private static readonly string[] s_lossNames = { \"loss_reconstruction\", \"loss_D\", \"loss_Enc\" };");
        code.ShouldContain("float lossReconstruction = StepReconstruction(data);");
        code.ShouldContain("return new global::Gan.Runtime.StepLosses(new[] { lossReconstruction, lossMax, lossMin });");
        string phase = Method(code, "public float StepReconstruction");
        phase.ShouldContain("var loss = (x - Dec_Enc_x).flatten(1).pow(2).sum(1).mean();");
        phase.ShouldContain("_optimizerEnc.step();");
        phase.ShouldContain("_optimizerDec.step();");
        phase.ShouldNotContain("_optimizerD.step();");
        // The game's generator phase updates only the generators V applies: Enc, not Dec (whose gradient there is zero).
        string game = Method(code, "public float StepGenerators");
        game.ShouldContain("_optimizerEnc.step();");
        game.ShouldNotContain("_optimizerDec");
        // Sample(n) decodes the prior, Encode(x) runs the encoder.
        Method(code, "private Tensor GenerateInCallerScope").ShouldContain("return _Dec.forward(z);");
        code.ShouldContain("global::Gan.Runtime.IEncoderModel");
        Method(code, "public Tensor Encode").ShouldContain("return _Enc.forward(x.to(_device)).MoveToOuterDisposeScope();");
    }

    [Fact]
    public void A_network_the_phase_does_not_update_runs_without_gradients_when_its_input_does_not_need_them()
    {
        string networks = """
            [Generator] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(2, 8, 4);
                [Discriminator] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(4, 8, 1);
                [Network] static nn.Module<Tensor, Tensor> E_z() => Nets.Mlp(4, 8, 2);
            """;
        string source = GeneratorHarness.Declaration(variables: Variables + "\n[Minimize(\"E[||E_z(G(z)) - z||^2]\", Updates = \"E_z\")]", networks: networks);
        var run = GeneratorHarness.Generate(source);
        run.GeneratorDiagnostics.ShouldBeEmpty();
        run.OutputErrors.ShouldBeEmpty();
        string phase = Method(run.GeneratedSource, "public float StepE_z");
        phase.ShouldContain("using (torch.no_grad())");
        phase.ShouldContain("G_z = global::Gan.Runtime.Outputs.Float32(_G.forward(z));");
        phase.ShouldContain("_optimizerE_z.step();");
        phase.ShouldNotContain("_optimizerG.step();");
        run.GeneratedSource.ShouldContain("\"loss_E_z\"");
    }

    [Fact]
    public void Updates_naming_a_network_the_objective_does_not_apply_is_refused_at_the_option()
    {
        string source = Aae(minimize: "[Minimize(\"E[||x - Dec(Enc(x))||^2]\", Updates = \"Dec, D\")]");
        var d = GeneratorHarness.Generate(source).Gan("GAN020").Single();
        d.GetMessage().ShouldContain("Updates names 'D', but this objective never applies it");
        d.Location.SourceSpan.Start.ShouldBe(source.IndexOf("Updates = \"Dec, D\"", StringComparison.Ordinal));
        var unknown = GeneratorHarness.Generate(Aae(minimize: "[Minimize(\"E[||x - Dec(Enc(x))||^2]\", Updates = \"Decoder\")]")).Gan("GAN020").Single();
        unknown.GetMessage().ShouldContain("'Decoder', which is not a declared network");
    }

    [Fact]
    public void A_syntax_error_in_an_objective_points_into_its_own_string()
    {
        string source = Aae(minimize: "[Minimize(\"E[||x - Dec(Enc(x))||^2] +\")]");
        var d = GeneratorHarness.Generate(source).Gan("GAN001").Single();
        // The formula ends at column 27, after the dangling '+': the squiggle is on that '+' (the last character), not past the string.
        int literal = source.IndexOf("\"E[||x - Dec(Enc(x))||^2] +\"", StringComparison.Ordinal);
        d.GetMessage().ShouldBe("Syntax error at column 27 of the formula: the formula ends where an expression was expected");
        d.Location.SourceSpan.ShouldBe(new Microsoft.CodeAnalysis.Text.TextSpan(literal + 1 + 25, 1));
    }

    [Fact]
    public void An_unknown_name_in_an_objective_is_reported_at_the_name()
    {
        string source = Aae(minimize: "[Minimize(\"E[||x - Dec(Encoder(x))||^2]\")]");
        var d = GeneratorHarness.Generate(source).Gan("GAN002").Single();
        d.Location.SourceSpan.Start.ShouldBe(source.IndexOf("Encoder(x)", StringComparison.Ordinal));
    }

    [Fact]
    public void A_sample_that_is_not_a_network_on_noise_is_refused()
    {
        string source = Aae(sample: "[Sample(\"Dec(x)\")]");
        var d = GeneratorHarness.Generate(source).Gan("GAN021").Single();
        d.Location.SourceSpan.Start.ShouldBe(source.IndexOf("Sample(\"Dec(x)\")", StringComparison.Ordinal));
        d.Location.SourceSpan.Length.ShouldBe("Sample(\"Dec(x)\")".Length);
        string discriminator = Aae(sample: "[Sample(\"D(z)\")]");
        var onD = GeneratorHarness.Generate(discriminator).Gan("GAN021").Single();
        onD.GetMessage().ShouldBe("[Sample(\"D(z)\")] must apply one network that is not a discriminator to noise variables alone, e.g. Dec(z)");
        onD.Location.SourceSpan.ShouldBe(new Microsoft.CodeAnalysis.Text.TextSpan(discriminator.IndexOf("Sample(\"D(z)\")", StringComparison.Ordinal), "Sample(\"D(z)\")".Length));
    }

    [Fact]
    public void Without_a_sample_declaration_an_autoencoder_cannot_sample_and_is_warned()
    {
        string source = Aae(sample: "");
        var run = GeneratorHarness.Generate(source);
        var d = run.Gan("GAN018").Single();
        d.GetMessage().ShouldBe("No [Generator] is applied to noise variables alone in the value function, so Sample(n) cannot be generated");
        d.Severity.ShouldBe(DiagnosticSeverity.Warning);
        // at the value function's text
        d.Location.SourceSpan.ShouldBe(new Microsoft.CodeAnalysis.Text.TextSpan(source.IndexOf("E[log D(z)] + E[log(1 - D(Enc(x)))]", StringComparison.Ordinal), "E[log D(z)] + E[log(1 - D(Enc(x)))]".Length));
        run.OutputErrors.ShouldBeEmpty();
    }

    [Fact]
    public void A_network_only_a_phase_applies_is_not_unused()
    {
        GeneratorHarness.Generate(Aae()).Gan("GAN005").ShouldBeEmpty();
        // Dec applied nowhere: reported at its method's name
        string source = Aae(minimize: "[Minimize(\"E[||x - Enc(x)||^2]\", Updates = \"Enc\")]", sample: "",
            networks: Networks.Replace("Nets.Mlp(4, 8, 2);\n", "Nets.Mlp(4, 8, 4);\n"));
        var d = GeneratorHarness.Generate(source).Gan("GAN005").Single();
        d.GetMessage().ShouldBe("Network 'Dec' is declared but no formula ([Minimax], [Minimize] or [Sample]) applies it; it would never be trained");
        d.Location.SourceSpan.ShouldBe(new Microsoft.CodeAnalysis.Text.TextSpan(source.IndexOf("Dec()", StringComparison.Ordinal), 3));
    }

    [Fact]
    public void The_2D_priors_need_size_2()
    {
        string source = Aae(variables: "[Data(\"x\", Shape = \"4\")]\n[Noise(\"z\", Distribution.SwissRoll, 3)]");
        var d = GeneratorHarness.Generate(source).Gan("GAN013").Single();
        d.GetMessage().ShouldContain("the SwissRoll prior is 2-D, so its size must be 2 (got 3)");
        var ok = GeneratorHarness.Generate(Aae(variables: "[Data(\"x\", Shape = \"4\")]\n[Noise(\"z\", Distribution.GaussianMixture, 2)]"));
        ok.OutputErrors.ShouldBeEmpty();
        ok.GeneratedSource.ShouldContain("var z = global::Gan.Runtime.Priors.GaussianMixture(m, _device);");
    }

    [Fact]
    public void A_method_with_two_roles_is_refused()
    {
        string source = Aae(networks: Networks.Replace("[Generator] static nn.Module<Tensor, Tensor> Dec()", "[Generator, Network] static nn.Module<Tensor, Tensor> Dec()"));
        var d = GeneratorHarness.Generate(source).Gan("GAN007").Single();
        d.GetMessage().ShouldBe("'Dec' has more than one of [Generator], [Discriminator] and [Network]: a network plays one role");
        d.Location.SourceSpan.ShouldBe(new Microsoft.CodeAnalysis.Text.TextSpan(source.IndexOf("Dec()", StringComparison.Ordinal), 3));
    }

    private const string DannNetworks = """
        [Network] static nn.Module<Tensor, Tensor> F() => Nets.Mlp(2, 4);
            [Network(Output = NetworkOutput.Categorical)] static nn.Module<Tensor, Tensor> C() => Nets.Mlp(4, 2);
            [Network(Output = NetworkOutput.Logits)] static nn.Module<Tensor, Tensor> Dd() => Nets.Mlp(4, 1);
        """;

    private static string Dann(string objective) => GeneratorHarness.Declaration(withMinimax: false,
        variables: "[Data(\"x\", Shape = \"2\")]\n[Label(\"y\", 2)]\n[Data(\"x_t\", Shape = \"2\")]\n[Minimize(\"" + objective + "\", Name = \"dann\")]",
        networks: DannNetworks);

    [Fact]
    public void A_model_of_minimize_phases_alone_has_no_game_and_tracks_progress_for_reverse()
    {
        var run = GeneratorHarness.Generate(Dann("-E[log C(y | F(x))] - E[log Dd(reverse(F(x)))] - E[log(1 - Dd(reverse(F(x_t))))]"));
        run.GeneratorDiagnostics.ShouldBeEmpty();
        run.OutputErrors.ShouldBeEmpty();
        string code = run.GeneratedSource;
        code.ShouldContain("private static readonly string[] s_lossNames = { \"loss_dann\" };");
        code.ShouldNotContain("StepDiscriminators");
        code.ShouldNotContain("DiscriminatorSteps");
        code.ShouldContain("global::Gan.Runtime.IProgressAware");
        code.ShouldContain("public double ReversalWeight => 2.0 / (1.0 + global::System.Math.Exp(-10.0 * Progress)) - 1.0;");
        string phase = Method(code, "public float StepDann");
        phase.ShouldContain("var C_y_F_x = global::Gan.Runtime.Outputs.Float32(_C.forward(F_x));");
        phase.ShouldContain("var Dd_reverse_F_x = global::Gan.Runtime.Outputs.Float32(_Dd.forward(global::Gan.Runtime.GradientReversal.Apply(F_x, ReversalWeight)));");
        phase.ShouldContain("global::Gan.Runtime.Likelihood.LogCategorical(C_y_F_x, y)");
        phase.ShouldContain("functional.logsigmoid(-Dd_reverse_F_x_t)");   // a network named F moves the alias of torch.nn.functional
        code.ShouldContain("using functional = global::TorchSharp.torch.nn.functional;");
    }

    [Fact]
    public void A_class_score_network_must_be_asked_about_a_class()
    {
        string source = Dann("-E[log C(F(x))]");
        var d = GeneratorHarness.Generate(source).Gan("GAN003").Single();
        d.GetMessage().ShouldContain("returns class scores, so it is applied as C(y | input)");
        d.Location.SourceSpan.Start.ShouldBe(source.IndexOf("C(F(x))", StringComparison.Ordinal));
    }

    [Fact]
    public void A_gaussian_network_must_be_asked_about_a_continuous_variable()
    {
        string source = GeneratorHarness.Declaration(withMinimax: false,
            variables: "[Data(\"x\", Shape = \"2\")]\n[Label(\"y\", 2)]\n[Minimize(\"-E[log Q(y | x)]\")]",
            networks: "[Network(Output = NetworkOutput.Gaussian)] static nn.Module<Tensor, Tensor> Q() => Nets.Mlp(2, 2);");
        var d = GeneratorHarness.Generate(source).Gan("GAN003").Single();
        d.GetMessage().ShouldContain("returns a Gaussian mean, so it is applied as Q(s | input)");
        d.Location.SourceSpan.Start.ShouldBe(source.IndexOf("Q(y | x)", StringComparison.Ordinal));
    }

    /// <summary>The text of one emitted method, from its signature to the next blank line at its indentation.</summary>
    private static string Method(string code, string signature)
    {
        int start = code.IndexOf(signature, StringComparison.Ordinal);
        start.ShouldBeGreaterThanOrEqualTo(0, $"'{signature}' not emitted");
        int end = code.IndexOf("\n\n", start, StringComparison.Ordinal);
        return code.Substring(start, (end < 0 ? code.Length : end) - start);
    }
}
