using System.Linq;
using Microsoft.CodeAnalysis;
using Shouldly;
using Xunit;
using static GanDsl.Tests.Generator.DiagnosticTests;

namespace GanDsl.Tests.Generator;

/// <summary>The diagnostics of [Game], [Define] and gradients: ids, messages and exact spans (inside the string literal
/// of the loss or definition they concern).</summary>
public class LossDiagnosticTests
{
    private const string Critic = """
        [Generator] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(2, 16, 2);
            [Discriminator(Output = DiscriminatorOutput.Values)] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(2, 16, 1);
        """;

    private static string Game(string discriminatorLoss, string generatorLoss, string extra = "", string networks = Critic) =>
        GeneratorHarness.Declaration(withMinimax: false, networks: networks,
            variables: "[Data(\"x\", Shape = \"2\")]\n[Label(\"y\", 3)]\n[Noise(\"z\", Distribution.Normal, 2)]\n[Noise(\"ε\", Distribution.UnitInterval, 1)]\n" + extra +
                       $"[Game(\"{discriminatorLoss}\", \"{generatorLoss}\")]");

    [Fact]
    public void A_valid_game_has_no_diagnostics()
    {
        var run = GeneratorHarness.Generate(Game("E[relu(1 - D(x))] + E[relu(1 + D(G(z)))] + E[||∇_x D(x)||^2]", "-E[D(G(z))]"));
        run.GeneratorDiagnostics.Where(d => d.Id != "GAN005").ShouldBeEmpty();
        run.OutputErrors.ShouldBeEmpty();
    }

    [Fact]
    public void Syntax_error_in_the_generators_loss_points_into_its_literal()
    {
        string source = Game("E[relu(1 - D(x))] + E[relu(1 + D(G(z)))]", "-E[D(G(z)]");
        Expect(source, "GAN001", "]", after: "\"-E[D(G(z)", length: 1);
    }

    [Fact]
    public void Unknown_name_in_the_generators_loss_points_at_it() =>
        Expect(Game("E[relu(1 - D(x))]", "-E[D(H(z))]"), "GAN002", "H", after: "\"-E[D(");

    [Fact]
    public void Function_arity_is_checked() =>
        Expect(Game("E[max(1 - D(x))] + E[relu(1 + D(G(z)))]", "-E[D(G(z))]"), "GAN003", "max(1 - D(x))").GetMessage().ShouldContain("takes 2 arguments but is given 1");

    [Fact]
    public void Minimax_and_game_together_is_GAN029_at_the_game()
    {
        string source = GeneratorHarness.Declaration(networks: Critic,
            variables: "[Data(\"x\", Shape = \"2\")]\n[Noise(\"z\", Distribution.Normal, 2)]\n[Game(\"E[relu(1 - D(x))]\", \"-E[D(G(z))]\")]");
        Expect(source, "GAN029", "Game(\"E[relu(1 - D(x))]\", \"-E[D(G(z))]\")");
    }

    [Fact]
    public void A_discriminators_loss_without_a_discriminator_is_GAN030_at_that_loss()
    {
        Diagnostic d = Expect(Game("E[G(z)^2]", "-E[D(G(z))]"), "GAN030", "E[G(z)^2]");
        d.GetMessage().ShouldContain("The discriminators' loss");
        d.GetMessage().ShouldContain("applies no [Discriminator]");
    }

    [Fact]
    public void A_generators_loss_without_a_generator_is_GAN030_at_that_loss() =>
        Expect(Game("E[relu(1 - D(x))] + E[relu(1 + D(G(z)))]", "-E[D(x)]"), "GAN030", "-E[D(x)]").GetMessage().ShouldContain("applies no [Generator]");

    [Fact]
    public void A_discriminator_only_the_generators_loss_applies_is_GAN031_at_its_method()
    {
        string networks = Critic + "\n    [Discriminator(Output = DiscriminatorOutput.Values)] static nn.Module<Tensor, Tensor> D2() => Nets.Mlp(2, 16, 1);";
        Diagnostic d = Expect(Game("E[relu(1 - D(x))] + E[relu(1 + D(G(z)))]", "-E[D(G(z))] - E[D2(G(z))]", networks: networks), "GAN031", "D2", after: "static nn.Module<Tensor, Tensor> D() => Nets.Mlp(2, 16, 1);");
        d.GetMessage().ShouldBe("'D2' is a discriminator applied in the generators' loss, but the discriminators' loss does not apply it, so nothing would train it");
    }

    [Fact]
    public void A_logits_discriminator_outside_a_log_is_a_GAN032_warning_at_the_application()
    {
        string networks = "[Generator] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(2, 16, 2);\n    [Discriminator] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(2, 16, 1);";
        string source = Game("-E[log D(x)] + E[relu(1 + D(G(z)))]", "-E[log D(G(z))]", networks: networks);
        Diagnostic d = Expect(source, "GAN032", "D(G(z))", after: "relu(1 + ");
        d.Severity.ShouldBe(DiagnosticSeverity.Warning);
        GeneratorHarness.Generate(source).OutputErrors.ShouldBeEmpty();
    }

    [Fact]
    public void A_gradient_of_something_the_expression_does_not_read_is_GAN028_at_the_gradient()
    {
        string source = Game("E[relu(1 - D(x))] + E[||∇_z D(x)||^2]", "-E[D(G(z))]");
        Expect(source, "GAN028", "∇_z D(x)").GetMessage().ShouldContain("does not read 'z'");
    }

    [Fact]
    public void A_gradient_with_respect_to_a_label_is_GAN028() =>
        Expect(Game("E[relu(1 - D(x))] + E[||∇_y D(y)||^2]", "-E[D(G(z))]",
                networks: Critic.Replace("Nets.Mlp(2, 16, 1)", "Nets.Mlp(3, 16, 1)")), "GAN028", "∇_y D(y)")
            .GetMessage().ShouldContain("one-hot");

    [Fact]
    public void A_gradient_with_respect_to_an_application_the_expression_lacks_is_GAN028() =>
        Expect(Game("E[relu(1 - D(x))] + E[||∇_{G(z)} D(x)||^2]", "-E[D(G(z))]"), "GAN028", "∇_{G(z)} D(x)")
            .GetMessage().ShouldContain("does not apply G(z)");

    [Fact]
    public void A_gradient_without_its_subscript_is_GAN001() =>
        Expect(Game("E[relu(1 - D(x))] + E[||∇ D(x)||^2]", "-E[D(G(z))]"), "GAN001", "D", after: "∇ ", length: 1);

    [Fact]
    public void Another_norm_than_the_euclidean_is_GAN001() =>
        Expect(Game("E[relu(1 - D(x))] + E[||∇_x D(x)||_1]", "-E[D(G(z))]"), "GAN001", "_1").GetMessage().ShouldContain("only the Euclidean norm");

    [Fact]
    public void A_definition_with_an_expectation_is_GAN033_at_the_definition() =>
        Expect(Game("E[relu(1 - D(x̂))]", "-E[D(G(z))]", extra: "[Define(\"x̂\", \"x - E[x]\")]\n"), "GAN033", "Define(\"x̂\", \"x - E[x]\")")
            .GetMessage().ShouldContain("no expectation");

    [Fact]
    public void A_definition_reading_an_unknown_name_is_GAN002_inside_it() =>
        Expect(Game("E[relu(1 - D(x̂))]", "-E[D(G(z))]", extra: "[Define(\"x̂\", \"ε x + (1 - ε) G(w)\")]\n"), "GAN002", "w", after: "G(");

    [Fact]
    public void A_definition_named_like_a_variable_is_GAN008() =>
        Expect(Game("E[relu(1 - D(x))]", "-E[D(G(z))]", extra: "[Define(\"z\", \"2 x\")]\n"), "GAN008", "Define(\"z\", \"2 x\")");

    [Fact]
    public void A_definition_with_an_invalid_name_is_GAN013() =>
        Expect(Game("E[relu(1 - D(x))]", "-E[D(G(z))]", extra: "[Define(\"2x\", \"2 x\")]\n"), "GAN013", "Define(\"2x\", \"2 x\")");

    /// <summary>The lines that compute the critic's step (its locals and loss), without comments.</summary>
    private static string[] CriticStep(string discriminatorLoss, string extra = "")
    {
        var run = GeneratorHarness.Generate(Game(discriminatorLoss, "-E[D(G(z))]", extra));
        run.GeneratorDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ShouldBeEmpty();
        run.OutputErrors.ShouldBeEmpty();
        string step = run.GeneratedSource.Split("public float StepDiscriminators")[1].Split("float lossValue")[0];
        return step.Split('\n').Select(l => l.Split("//")[0].Trim()).Where(l => l.Length > 0).ToArray();
    }

    [Theory]
    [InlineData("10 E[(||∇_x D(x)||_2 - 1)^2]", "10 * E[(||∇_x D(x)|| - 1)^2]")]
    [InlineData("1/2 E[relu(1 - D(x))]", "(1 / 2) * E[relu(1 - D(x))]")]
    [InlineData("E[||grad_x D(x)||^2]", "E[||∇_x D(x)||^2]")]
    [InlineData("E[||grad_{x} D(x)||^2]", "E[||∇_x D(x)||^2]")]
    [InlineData("E[relu(1 - D(ε x))]", "E[relu(1 - D(ε * x))]")]
    [InlineData("E[max(0, 1 - D(x))]", "E[relu(1 - D(x))]")]
    public void Notations_that_mean_the_same_emit_the_same_step(string written, string same)
    {
        string[] a = CriticStep(written), b = CriticStep(same);
        if (written.Contains("max(0")) { a = a.Select(l => l.Replace("(1.0 - D_x).clamp_min(0.0)", "F.relu(1.0 - D_x)")).ToArray(); }
        a.ShouldBe(b);
    }

    [Fact]
    public void Max_min_and_clamp_of_tensors_and_numbers()
    {
        string loss = CriticStep("E[min(D(x), 1)] + E[max(D(x), D(G(z)))] + E[clamp(D(x), -1, 1)] + max(2, 3)").Last();
        loss.ShouldBe("var loss = D_x.clamp_max(1.0).mean() + torch.maximum(D_x, D_G_z).mean() + D_x.clamp(-1.0, 1.0).mean() + global::System.Math.Max(2.0, 3.0);");
    }

    [Fact]
    public void Pack_below_one_is_GAN034_at_the_option() =>
        Expect(GeneratorHarness.Declaration(minimaxOptions: "Pack = 0"), "GAN034", "Pack = 0").GetMessage().ShouldContain("at least 1");

    [Fact]
    public void A_negative_weight_clip_is_GAN034_at_the_option() =>
        Expect(GeneratorHarness.Declaration(networks: "[Generator] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(2, 16, 2);\n    [Discriminator(WeightClip = -0.01)] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(2, 16, 1);"),
            "GAN034", "WeightClip = -0.01").GetMessage().ShouldContain("must be positive");

    [Fact]
    public void Final_momentum_with_adam_is_GAN034_at_the_option() =>
        Expect(GeneratorHarness.Declaration(networks: "[Generator(FinalMomentum = 0.7)] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(2, 16, 2);\n    [Discriminator] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(2, 16, 1);"),
            "GAN034", "FinalMomentum = 0.7").GetMessage().ShouldContain("only SGD and RMSprop have a momentum, and G's optimizer is Adam");

    [Fact]
    public void A_final_momentum_of_one_is_GAN034_at_the_option() =>
        Expect(GeneratorHarness.Declaration(networks: "[Generator] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(2, 16, 2);\n    [Discriminator(Optimizer = Optimizer.Sgd, Momentum = 0.5, FinalMomentum = 1.0)] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(2, 16, 1);"),
            "GAN034", "FinalMomentum = 1.0").GetMessage().ShouldContain("[0, 1)");

    [Fact]
    public void Negative_final_momentum_steps_are_GAN034_at_the_option() =>
        Expect(GeneratorHarness.Declaration(networks: "[Generator] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(2, 16, 2);\n    [Discriminator(Optimizer = Optimizer.Sgd, Momentum = 0.5, FinalMomentum = 0.7, FinalMomentumSteps = -10)] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(2, 16, 1);"),
            "GAN034", "FinalMomentumSteps = -10").GetMessage().ShouldContain("must be positive (0: over the whole run)");

    [Fact]
    public void Final_momentum_steps_without_a_final_momentum_are_GAN034_at_the_option() =>
        Expect(GeneratorHarness.Declaration(networks: "[Generator] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(2, 16, 2);\n    [Discriminator(Optimizer = Optimizer.Sgd, Momentum = 0.5, FinalMomentumSteps = 1000)] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(2, 16, 1);"),
            "GAN034", "FinalMomentumSteps = 1000").GetMessage().ShouldContain("the length of the rise to FinalMomentum, which is not set");

    private const string WithEncoder = "[Generator] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(2, 16, 2);\n    [Discriminator] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(2, 16, 1);\n    ";

    private static string EncoderPhases(string phases, string encoder) => GeneratorHarness.Declaration(
        variables: "[Data(\"x\", Shape = \"2\")]\n[Noise(\"z\", Distribution.Normal, 2)]\n" + phases,
        networks: WithEncoder + encoder + " static nn.Module<Tensor, Tensor> Enc() => Nets.Mlp(2, 16, 2);");

    [Fact]
    public void A_phase_learning_rate_that_is_not_positive_is_GAN034_at_the_option() =>
        Expect(EncoderPhases("[Minimize(\"E[||x - Enc(x)||^2]\", LearningRate = 0)]", "[Network]"), "GAN034", "LearningRate = 0")
            .GetMessage().ShouldContain("a phase's learning rate must be a positive number");

    [Fact]
    public void A_network_rate_that_only_phases_with_their_own_rates_would_use_is_GAN037_at_the_rate()
    {
        Diagnostic d = Expect(EncoderPhases("[Minimize(\"E[||x - Enc(x)||^2]\", Name = \"fit\", LearningRate = 1e-3)]", "[Network(LearningRate = 5e-4)]"),
            "GAN037", "LearningRate = 5e-4", after: "[Network(");
        d.Severity.ShouldBe(DiagnosticSeverity.Warning);
        d.GetMessage().ShouldBe("The LearningRate declared for 'Enc' is never used: every phase that updates it (fit) declares a LearningRate of its own");
    }

    [Theory]
    [InlineData("[Minimize(\"E[||x - Enc(x)||^2]\", LearningRate = 1e-3)]", "[Network]")]   // no rate of its own declared
    [InlineData("[Minimize(\"E[||x - Enc(x)||^2]\", Name = \"a\", LearningRate = 1e-3)]\n[Minimize(\"E[||Enc(x)||^2]\", Name = \"b\")]", "[Network(LearningRate = 5e-4)]")]   // b uses it
    public void A_network_rate_that_some_phase_uses_is_not_GAN037(string phases, string encoder)
    {
        var run = GeneratorHarness.Generate(EncoderPhases(phases, encoder));
        run.Gan("GAN037").ShouldBeEmpty();
        run.GeneratorDiagnostics.Where(x => x.Severity == DiagnosticSeverity.Error).ShouldBeEmpty();
        run.OutputErrors.ShouldBeEmpty();
    }

    [Fact]
    public void A_phase_rate_gives_the_phase_its_own_optimizer_for_each_network_it_updates()
    {
        var run = GeneratorHarness.Generate(EncoderPhases("[Minimize(\"E[||x - Enc(x)||^2]\", Name = \"fit\", LearningRate = 1e-3)]\n[Minimize(\"E[||Enc(x)||^2]\", Name = \"shrink\")]", "[Network]"));
        run.OutputErrors.ShouldBeEmpty();
        string code = run.GeneratedSource;
        code.ShouldContain("_optimizerEncInFit = global::Gan.Runtime.Training.Optimizers.Adam(_Enc.parameters(), lr: 0.001, beta1: 0.5, beta2: 0.999, weight_decay: 0.0);");
        code.ShouldContain("_optimizers = new[] { _optimizerG, _optimizerD, _optimizerEnc, _optimizerEncInFit };");
        string fit = code.Substring(code.IndexOf("public float StepFit(", System.StringComparison.Ordinal));
        fit = fit.Substring(0, fit.IndexOf("public float StepShrink(", System.StringComparison.Ordinal));
        fit.ShouldContain("_optimizerEncInFit.step();");
        fit.ShouldNotContain("_optimizerEnc.step();");
        code.Substring(code.IndexOf("public float StepShrink(", System.StringComparison.Ordinal)).ShouldContain("_optimizerEnc.step();");
    }

    [Fact]
    public void A_scale_on_categorical_noise_is_GAN034_at_the_scale() =>
        Expect(GeneratorHarness.Declaration(variables: "[Data(\"x\", Shape = \"2\")]\n[Noise(\"z\", Distribution.Categorical, 2, Scale = 3)]"),
            "GAN034", "Scale = 3").GetMessage().ShouldContain("only Normal and Uniform draws have a scale");

    [Fact]
    public void A_negative_noise_scale_is_GAN034_at_the_scale() =>
        Expect(GeneratorHarness.Declaration(variables: "[Data(\"x\", Shape = \"2\")]\n[Noise(\"z\", Distribution.Uniform, 2, Scale = -1)]"),
            "GAN034", "Scale = -1").GetMessage().ShouldContain("positive");

    [Fact]
    public void Output_bias_from_data_without_a_ranged_data_variable_is_GAN034_at_the_option() =>
        Expect(GeneratorHarness.Declaration(networks: "[Generator(OutputBiasFromData = true)] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(2, 16, 2);\n    [Discriminator] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(2, 16, 1);"),
            "GAN034", "OutputBiasFromData = true").GetMessage().ShouldContain("Range = ZeroToOne or MinusOneToOne");

    private static string SideUpdatesGame(string option) => GeneratorHarness.Declaration(withMinimax: false,
        variables: "[Data(\"x\", Shape = \"2\")]\n[Noise(\"z\", Distribution.Normal, 2)]\n[Noise(\"c\", Distribution.Categorical, 3)]\n" +
                   $"[Game(\"-E[log D(x)] - E[log(1 - D(G(z | c)))] - E[log Q(c | G(z | c))]\", \"-E[log D(G(z | c))]\", {option})]",
        networks: """
            [Generator] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(5, 16, 2);
                [Discriminator] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(2, 16, 1);
                [Network(Output = NetworkOutput.Categorical)] static nn.Module<Tensor, Tensor> Q() => Nets.Mlp(2, 16, 3);
                [Network] static nn.Module<Tensor, Tensor> E() => Nets.Mlp(2, 16, 2);
            """);

    [Fact]
    public void Side_updates_naming_an_undeclared_network_is_GAN034_at_the_option() =>
        Expect(SideUpdatesGame("DiscriminatorUpdates = \"Q, P\""), "GAN034", "DiscriminatorUpdates = \"Q, P\"").GetMessage().ShouldContain("'P' is not a declared network");

    [Fact]
    public void Side_updates_naming_a_player_is_GAN034_at_the_option() =>
        Expect(SideUpdatesGame("DiscriminatorUpdates = \"G\""), "GAN034", "DiscriminatorUpdates = \"G\"").GetMessage().ShouldContain("'G' is a [Generator], a player of the game");

    [Fact]
    public void Side_updates_naming_a_network_that_sides_loss_never_applies_is_GAN034_at_the_option()
    {
        Expect(SideUpdatesGame("DiscriminatorUpdates = \"E\""), "GAN034", "DiscriminatorUpdates = \"E\"").GetMessage().ShouldContain("the discriminators' loss never applies 'E'");
        Expect(SideUpdatesGame("GeneratorUpdates = \"Q\""), "GAN034", "GeneratorUpdates = \"Q\"").GetMessage().ShouldContain("the generators' loss never applies 'Q'");
    }

    [Fact]
    public void Simultaneous_updates_with_k_above_one_is_GAN034_at_the_scheme() =>
        Expect(GeneratorHarness.Declaration(minimaxOptions: "DiscriminatorSteps = 2, Scheme = UpdateScheme.Simultaneous"), "GAN034", "Scheme = UpdateScheme.Simultaneous")
            .GetMessage().ShouldContain("DiscriminatorSteps must be 1 (got 2)");

    [Fact]
    public void Packing_with_a_network_reading_a_discriminator_is_GAN034()
    {
        string source = GeneratorHarness.Declaration(formula: "E[log D(T(x))] + E[log(1 - D(T(G(z))))] + E[Q(T(x))]", minimaxOptions: "Pack = 2",
            networks: """
                [Generator] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(2, 16, 2);
                    [Discriminator(Output = DiscriminatorOutput.Values)] static nn.Module<Tensor, Tensor> T() => Nets.Mlp(4, 16);
                    [Discriminator] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(16, 1);
                    [Network] static nn.Module<Tensor, Tensor> Q() => Nets.Mlp(16, 1);
                """);
        Expect(source, "GAN034", "Pack = 2").GetMessage().ShouldContain("Q(T(x)) reads a discriminator's output");
    }

    [Fact]
    public void A_network_applied_to_a_gradient_is_GAN028_at_the_gradient() =>
        Expect(Game("E[relu(1 - D(x))] + E[D(||∇_x D(x)||^2)]", "-E[D(G(z))]"), "GAN028", "∇_x D(x)", after: "E[D(||")
            .GetMessage().ShouldContain("it is an input of D");

    [Fact]
    public void A_definition_taking_a_gradient_is_GAN033() =>
        Expect(Game("E[relu(1 - D(x̂))]", "-E[D(G(z))]", extra: "[Define(\"x̂\", \"∇_x D(x)\")]\n"), "GAN033", "Define(\"x̂\", \"∇_x D(x)\")")
            .GetMessage().ShouldContain("takes a gradient");

    /// <summary>∇_z D(G(z)) in the critic's step: G is not updated there, but G(z) must keep its graph for the gradient to
    /// reach z, so it is not computed under no_grad.</summary>
    [Fact]
    public void An_application_on_a_gradients_path_keeps_its_graph()
    {
        string[] step = CriticStep("E[relu(1 - D(x))] + E[||∇_z D(G(z))||^2]");
        step.ShouldNotContain("using (torch.no_grad())");
        step.ShouldContain(l => l.StartsWith("var z = torch.randn(") && l.EndsWith(".requires_grad_(true);"));
        step.ShouldContain(l => l.StartsWith("var G_z = "));
        // Without the gradient, G(z) runs under no_grad in the critic's step.
        CriticStep("E[relu(1 - D(x))] + E[relu(1 + D(G(z)))]").ShouldContain("using (torch.no_grad())");
    }

    [Fact]
    public void A_side_with_no_loss_is_GAN001_at_its_empty_literal() =>
        Expect(Game("E[relu(1 - D(x))] + E[relu(1 + D(G(z)))]", ""), "GAN001", "\"\"").GetMessage().ShouldContain("the formula is empty");
}
