using System.Linq;
using Gan.Dsl.Generator;
using Gan.Dsl.Generator.Analysis;
using Shouldly;
using Xunit;

namespace GanDsl.Tests.Generator;

/// <summary>The analysis stage on its own: a declaration's plan (every decision the emitter lays out), compared without
/// emitting any code.</summary>
public class PlanTests
{
    private static string Plan(string source)
    {
        GeneratorHarness.Run run = GeneratorHarness.Generate(source);
        object plan = run.Result.TrackedSteps[TrackingNames.Plan].SelectMany(s => s.Outputs).Select(o => o.Value).Single();
        return PlanText.Describe(plan);
    }

    [Fact]
    public void The_original_gan_has_two_phases_with_the_generators_output_fixed_in_the_discriminators()
    {
        Plan(GeneratorHarness.Declaration(minimaxOptions: "GeneratorLoss = GeneratorLoss.NonSaturating")).ShouldBe("""
            game: max D; min G
            StepDiscriminators (Maximize, loss_D): updates D; fixed G
              reads x; draws z
              calls D(x), G(z) [no_grad], D(G(z))
              loss -(E[log D(x)] + E[log(1 - D(G(z)))]) [stable logs of logits]
            StepGenerators (Minimize, loss_G): updates G; fixed D
              reads -; draws z
              calls G(z), D(G(z))
              loss - E[log D(G(z))] [stable logs of logits]
            sample: G(z)
            encode: -
            condition: -
            functional: F

            """.Replace("\r\n", "\n"));
    }

    [Fact]
    public void A_bigan_plan_rewrites_both_minimizing_players_terms()
    {
        string plan = Plan(GeneratorHarness.Declaration(
            formula: "E[log D(x, E(x))] + E[log(1 - D(G(z), z))]",
            networks: """
                [Generator] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(2, 16, 2);
                    [Generator] static nn.Module<Tensor, Tensor> E() => Nets.Mlp(2, 16, 2);
                    [Discriminator] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(4, 16, 1);
                """));
        plan.ShouldContain("game: max D; min G, E\n");
        plan.ShouldContain("  calls E(x) [no_grad], D(x, E(x)), G(z) [no_grad], D(G(z), z)\n");
        plan.ShouldContain("  loss - E[log(1 - D(x, E(x)))] - E[log D(G(z), z)] [stable logs of logits]\n");
        plan.ShouldContain("encode: E(x)\n");
    }

    [Fact]
    public void A_conditional_plan_records_the_condition_and_reads_a_label_only_for_a_given_draw()
    {
        string plan = Plan(GeneratorHarness.Declaration(
            formula: "E[log D(x | y)] + E[log(1 - D(G(z | c) | c))]",
            variables: "[Data(\"x\", Shape = \"2\")]\n[Label(\"y\", 3)]\n[Noise(\"z\", Distribution.Normal, 2)]\n[Noise(\"c\", Distribution.Categorical, 3, Given = \"y\")]",
            networks: """
                [Generator] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(5, 16, 2);
                    [Discriminator] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(5, 16, 1);
                """));
        plan.ShouldContain("StepGenerators (Minimize, loss_G): updates G; fixed D\n  reads - (for given draws: y); draws z, c\n");
        plan.ShouldContain("condition: label y (3 classes) chooses c\n");
    }

    [Fact]
    public void An_edit_plan_names_what_x_and_the_labels_stand_for()
    {
        string plan = Plan(GeneratorHarness.Declaration(
            formula: "E[log D(x)] + E[log(1 - D(G(z | c | s)))]",
            variables: "[Data(\"x\", Shape = \"2\")]\n[Noise(\"z\", Distribution.Normal, 2)]\n[Noise(\"c\", Distribution.Categorical, 3)]\n[Noise(\"s\", Distribution.Uniform, 1)]\n" +
                       "[Minimize(\"E[||E_z(G(z | c | s)) - z||^2]\", Updates = \"E_z\", Name = \"encoder\")]\n[Edit(\"G(E_z(x) | c | s)\")]",
            networks: """
                [Generator] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(6, 16, 2);
                    [Discriminator] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(2, 16, 1);
                    [Network] static nn.Module<Tensor, Tensor> E_z() => Nets.Mlp(2, 16, 2);
                """));
        plan.ShouldContain("edit: G(E_z(x) | c | s): x is x, labels set c, draws s; calls E_z(x), G(E_z(x) | c | s)\n");
        plan.ShouldContain("condition: c (3 classes)\n");
        plan.ShouldContain("StepEncoder (Objective, loss_encoder): updates E_z; fixed G\n");
    }

    [Fact]
    public void An_unrelated_edit_leaves_the_plan_cached()
    {
        var input = GeneratorHarness.Compile(GeneratorHarness.Declaration(), "namespace Other { public class A { } }");
        GeneratorHarness.Run first = GeneratorHarness.Generate(input);
        var old = input.SyntaxTrees.Single(t => t.FilePath == "Other1.cs");
        var edited = input.ReplaceSyntaxTree(old, Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(
            "namespace Other { public class A { int b; } }", GeneratorHarness.ParseOptions, path: "Other1.cs"));
        GeneratorHarness.Run second = GeneratorHarness.Generate(edited, first.Driver);
        var reasons = second.Result.TrackedSteps[TrackingNames.Plan].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        reasons.ShouldNotBeEmpty();
        reasons.ShouldAllBe(r => r == Microsoft.CodeAnalysis.IncrementalStepRunReason.Cached);
    }

    /// <summary>A [Game] with WGAN-GP's penalty: each side descends its own loss (no rewrite), x̂ is read through its
    /// definition (x, z, ε), G(z) is fixed in the critic's phase, D(x̂) is an application of the critic's phase.</summary>
    [Fact]
    public void A_game_with_a_penalty_plans_each_sides_loss_as_written()
    {
        string plan = Plan(GeneratorHarness.Declaration(withMinimax: false,
            variables: "[Data(\"x\", Shape = \"2\")]\n[Noise(\"z\", Distribution.Normal, 2)]\n[Noise(\"ε\", Distribution.UnitInterval, 1)]\n" +
                       "[Define(\"x̂\", \"ε x + (1 - ε) G(z)\")]\n[Game(\"E[D(G(z))] - E[D(x)] + 10 E[(||∇_x̂ D(x̂)||_2 - 1)^2]\", \"-E[D(G(z))]\", Pack = 2, Scheme = UpdateScheme.Simultaneous)]",
            networks: "[Generator] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(2, 16, 2);\n    [Discriminator(Output = DiscriminatorOutput.Values)] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(4, 16, 1);"));
        plan.ShouldContain("StepDiscriminators (DiscriminatorsLoss, loss_D): updates D; fixed G\n  reads x; draws z, ε\n  calls G(z) [no_grad], D(G(z)), D(x), D(x̂)\n");
        plan.ShouldContain("  loss E[D(G(z))] - E[D(x)] + 10 * E[(||∇_x̂ D(x̂)|| - 1)^2]\n");
        plan.ShouldContain("StepGenerators (GeneratorsLoss, loss_G): updates G; fixed D\n");
        plan.ShouldContain("simultaneous: StepSimultaneous computes both sides' losses on one minibatch; calls G(z), D(G(z)), D(x), D(x̂)\n");
        plan.ShouldContain("pack: the discriminators judge groups of 2\n");
    }
}
