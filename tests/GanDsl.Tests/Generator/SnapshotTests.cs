using System.Linq;
using Shouldly;
using Xunit;

namespace GanDsl.Tests.Generator;

/// <summary>The emitted code, approved by a person: any change to emission shows up in review as a diff of
/// Snapshots/*.approved.txt. To approve a change, copy the .received.txt over the .approved.txt.</summary>
public class SnapshotTests
{
    private static void Verify(string declaration, string name)
    {
        GeneratorHarness.Run run = GeneratorHarness.Generate(declaration);
        run.GeneratorDiagnostics.Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error).ShouldBeEmpty();
        run.OutputErrors.ShouldBeEmpty();
        GeneratorHarness.ScrubVersion(run.GeneratedSource)
            .ShouldMatchApproved(b => b.SubFolder("Snapshots").WithDiscriminator(name).LocateTestMethodUsingAttribute<FactAttribute>().NoDiff());
    }

    [Fact]
    public void Goodfellow2014_non_saturating() => Verify(GeneratorHarness.Declaration(
        minimaxOptions: "DiscriminatorSteps = 1, GeneratorLoss = GeneratorLoss.NonSaturating",
        networks: """
            [Generator(LearningRate = 1e-3)] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(2, 128, 128, 2);
                [Discriminator(LearningRate = 1e-3)] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(2, 128, 128, 1);
            """), "NonSaturating");

    [Fact]
    public void Goodfellow2014_minimax_as_written() => Verify(GeneratorHarness.Declaration(
        minimaxOptions: "GeneratorLoss = GeneratorLoss.Minimax"), "Minimax");

    [Fact]
    public void Goodfellow2014_mnist_shape_k3_uniform_noise_sgd() => Verify(GeneratorHarness.Declaration(
        formula: "E_{x~p_data}[log D(x)] + E_{z~p_z}[log(1 − D(G(z)))]",
        minimaxOptions: "DiscriminatorSteps = 3",
        variables: "[Data(\"x\", Shape = \"1x28x28\", Range = DataRange.ZeroToOne)]\n[Noise(\"z\", Distribution.Uniform, 100)]",
        networks: """
            [Generator(Optimizer = Optimizer.Sgd, LearningRate = 0.1, Momentum = 0.5)] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(100, 1200, 784);
                [Discriminator(Optimizer = Optimizer.Sgd, LearningRate = 0.1, Momentum = 0.5)] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(784, 240, 1);
            """), "K3Uniform");

    /// <summary>A categorical code given the label (c = one-hot y in a step): the generator's phase reads the batch for
    /// the labels although its terms do not name y; Sample(labels) chooses c.</summary>
    [Fact]
    public void Categorical_code_given_a_label() => Verify(GeneratorHarness.Declaration(
        formula: "E[log D(x | y)] + E[log(1 - D(G(z | c) | c))]",
        variables: "[Data(\"x\", Shape = \"2\")]\n[Label(\"y\", 3)]\n[Noise(\"z\", Distribution.Normal, 2)]\n[Noise(\"c\", Distribution.Categorical, 3, Given = \"y\")]",
        networks: """
            [Generator] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(5, 16, 2);
                [Discriminator] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(5, 16, 1);
            """), "GivenCode");

    /// <summary>[Edit]: x encoded by E_z, the categorical code c set to the requested classes, the uniform code s drawn from
    /// its prior; G and E_z in evaluation mode, their training flags restored.</summary>
    [Fact]
    public void Edit_declaration() => Verify(GeneratorHarness.Declaration(
        formula: "E[log D(x)] + E[log(1 - D(G(z | c | s)))]",
        variables: "[Data(\"x\", Shape = \"2\")]\n[Noise(\"z\", Distribution.Normal, 2)]\n[Noise(\"c\", Distribution.Categorical, 3)]\n[Noise(\"s\", Distribution.Uniform, 1)]\n" +
                   "[Minimize(\"E[||E_z(G(z | c | s)) - z||^2]\", Updates = \"E_z\", Name = \"encoder\")]\n[Edit(\"G(E_z(x) | c | s)\")]",
        networks: """
            [Generator] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(6, 16, 2);
                [Discriminator] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(2, 16, 1);
                [Network] static nn.Module<Tensor, Tensor> E_z() => Nets.Mlp(2, 16, 2);
            """), "Edit");

    /// <summary>[Infer] and [Domain] under names of the user's own: Infer_digit(src) applies Encoder then Labeller and returns
    /// class probabilities; DomainProbability(src) is sigmoid(Critic(Encoder(src))); both in evaluation mode, flags restored,
    /// and the members of IInferenceModel and IDomainModel.</summary>
    [Fact]
    public void Inference_and_domain_declarations() => Verify(GeneratorHarness.Declaration(
        variables: "[Data(\"src\", Shape = \"2\")]\n[Label(\"digit\", 2)]\n[Data(\"tgt\", Shape = \"2\")]\n" +
                   "[Minimize(\"-E[log Labeller(digit | Encoder(src))] - E[log Critic(reverse(Encoder(src)))] - E[log(1 - Critic(reverse(Encoder(tgt))))]\", Name = \"adapt\")]\n" +
                   "[Infer(\"Labeller(digit | Encoder(src))\")]\n[Domain(\"Critic(Encoder(src))\")]",
        withMinimax: false,
        networks: """
            [Network] static nn.Module<Tensor, Tensor> Encoder() => Nets.Mlp(2, 8);
                [Network(Output = NetworkOutput.Categorical)] static nn.Module<Tensor, Tensor> Labeller() => Nets.Mlp(8, 2);
                [Network(Output = NetworkOutput.Logits)] static nn.Module<Tensor, Tensor> Critic() => Nets.Mlp(8, 1);
            """), "InferDomain");

    /// <summary>BiGAN/ALI: G and E both minimize V, and the non-saturating rule treats them alike: E's log D(x, E(x)) becomes
    /// -log(1 - D(x, E(x))) (logsigmoid(-logits)) as G's log(1 - D(G(z), z)) becomes -log D(G(z), z).</summary>
    [Fact]
    public void BiGan_non_saturating_for_every_minimizing_player() => Verify(GeneratorHarness.Declaration(
        formula: "E[log D(x, E(x))] + E[log(1 - D(G(z), z))]",
        minimaxOptions: "GeneratorLoss = GeneratorLoss.NonSaturating",
        networks: """
            [Generator] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(2, 16, 2);
                [Generator] static nn.Module<Tensor, Tensor> E() => Nets.Mlp(2, 16, 2);
                [Discriminator] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(4, 16, 1);
            """), "BiGan");

    /// <summary>A relativistic critic written with sigmoid: log sigmoid(u) is emitted as logsigmoid(u) and
    /// log(1 - sigmoid(u)) as logsigmoid(-u) for any u, here a difference of two critic outputs.</summary>
    [Fact]
    public void Relativistic_log_sigmoid_of_a_difference() => Verify(GeneratorHarness.Declaration(
        withMinimax: false,
        variables: "[Data(\"x\", Shape = \"2\")]\n[Noise(\"z\", Distribution.Normal, 2)]\n" +
                   "[Minimize(\"-E[log sigmoid(C(x) - C(G(z)))]\", Updates = \"C\", Name = \"critic\")]\n" +
                   "[Minimize(\"-E[log(1 - sigmoid(C(x) - C(G(z))))]\", Updates = \"G\", Name = \"generator\")]\n[Sample(\"G(z)\")]",
        networks: """
            [Network] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(2, 16, 2);
                [Network] static nn.Module<Tensor, Tensor> C() => Nets.Mlp(2, 16, 1);
            """), "Relativistic");

    private const string CriticNetworks = """
        [Generator] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(2, 16, 2);
            [Discriminator(Output = DiscriminatorOutput.Values)] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(2, 16, 1);
        """;

    /// <summary>[Game] with the hinge loss: each side descends its own loss as written (relu through F.relu), no rewrite.</summary>
    [Fact]
    public void Game_with_a_loss_per_side_hinge() => Verify(GeneratorHarness.Declaration(withMinimax: false,
        variables: "[Data(\"x\", Shape = \"2\")]\n[Noise(\"z\", Distribution.Normal, 2)]\n[Game(\"E[relu(1 - D(x))] + E[relu(1 + D(G(z)))]\", \"-E[D(G(z))]\")]",
        networks: CriticNetworks), "Hinge");

    /// <summary>A [Network] trained in a side's step (InfoGAN as Chen et al.'s code updates it): Q, a recognition head declared
    /// neither side's, descends L_D with D (DiscriminatorUpdates = "Q"): StepDiscriminators zeroes and steps Q's optimizer and
    /// computes Q(c | G(z | c)) with gradients; StepGenerators applies Q fixed, its gradient reaching G only.</summary>
    [Fact]
    public void Game_with_a_network_in_the_discriminators_step() => Verify(GeneratorHarness.Declaration(withMinimax: false,
        variables: "[Data(\"x\", Shape = \"2\")]\n[Noise(\"z\", Distribution.Normal, 2)]\n[Noise(\"c\", Distribution.Categorical, 3)]\n" +
                   "[Game(\"-E[log D(x)] - E[log(1 - D(G(z | c)))] - E[log Q(c | G(z | c))]\", \"-E[log D(G(z | c))] - E[log Q(c | G(z | c))]\", DiscriminatorUpdates = \"Q\")]",
        networks: """
            [Generator] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(5, 16, 2);
                [Discriminator] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(2, 16, 1);
                [Network(Output = NetworkOutput.Categorical)] static nn.Module<Tensor, Tensor> Q() => Nets.Mlp(2, 16, 3);
            """), "SideUpdates");

    /// <summary>WGAN-GP: ε drawn per example and scaling each example (Inputs.Scale), x̂ a [Define] computed after G(z) (under
    /// no_grad in the critic's step) and made to require gradients, ∇_x̂ D(x̂) by autograd.grad with create_graph, k = 5.</summary>
    [Fact]
    public void Wasserstein_gradient_penalty() => Verify(GeneratorHarness.Declaration(withMinimax: false,
        variables: "[Data(\"x\", Shape = \"2\")]\n[Noise(\"z\", Distribution.Normal, 2)]\n[Noise(\"ε\", Distribution.UnitInterval, 1)]\n" +
                   "[Define(\"x̂\", \"ε x + (1 - ε) G(z)\")]\n" +
                   "[Game(\"E[D(G(z))] - E[D(x)] + 10 E[(||∇_x̂ D(x̂)||_2 - 1)^2]\", \"-E[D(G(z))]\", DiscriminatorSteps = 5)]",
        networks: CriticNetworks), "WganGp");

    /// <summary>R1 on data (x read detached and requiring gradients) and R2 on samples (G(z), computed under no_grad, then
    /// requiring gradients), written in ASCII (grad_x) and with ∇.</summary>
    [Fact]
    public void R1_and_R2_gradients_of_data_and_samples() => Verify(GeneratorHarness.Declaration(withMinimax: false,
        variables: "[Data(\"x\", Shape = \"2\")]\n[Noise(\"z\", Distribution.Normal, 2)]\n" +
                   "[Game(\"-E[log sigmoid(D(x))] - E[log(1 - sigmoid(D(G(z))))] + 5 E[||grad_x D(x)||^2] + 5 E[||∇_{G(z)} D(G(z))||^2]\", \"-E[log sigmoid(D(G(z)))]\")]",
        networks: CriticNetworks), "R1R2");

    /// <summary>Simultaneous updates: StepSimultaneous computes G(z) once with gradients, both losses from the same
    /// applications, and each side's gradient from its own loss (backward with inputs); TrainStep calls it.</summary>
    [Fact]
    public void Simultaneous_updates() => Verify(GeneratorHarness.Declaration(minimaxOptions: "Scheme = UpdateScheme.Simultaneous"), "Simultaneous");

    /// <summary>PacGAN4: every application of D reads its input packed (Packing.Pack), data and samples alike.</summary>
    [Fact]
    public void Packed_discriminator() => Verify(GeneratorHarness.Declaration(minimaxOptions: "Pack = 4",
        networks: "[Generator] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(2, 16, 2);\n    [Discriminator] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(8, 16, 1);"), "Packed");
}
