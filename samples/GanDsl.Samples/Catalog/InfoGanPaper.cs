using Gan.Dsl;
using Gan.Runtime.Nets;
using TorchSharp;
using static TorchSharp.torch;

namespace GanDsl.Samples.Catalog;

/// <summary>InfoGAN on MNIST as Chen et al. 2016's code trains it (<c>openai/InfoGAN</c>, run_mnist_exp.py; ../shared/PROTOCOLS.md):
/// batch 128, 5,000 updates (50 epochs of 100), constant rates (Adam β1 0.5: D's side 2e-4, G 1e-3), z 62 uniform on
/// [−1, 1], a categorical code (10) and two continuous codes uniform on [−1, 1], information weight 1 for every code, G
/// ending in a sigmoid for data in [0, 1], weights N(0, 0.02). The update scheme is theirs: one step of the trunk T, the
/// head D and the recognition heads Q, Qs on D's loss minus the mutual information (DiscriminatorUpdates), then one step
/// of G on its loss minus the mutual information. Differences that remain: batch-norm scales start at 1 rather than
/// N(1, 0.02), and the trunk's leaky ReLU has slope 0.1 (the paper's; their code uses 0.01).</summary>
[Gan(Name = "infogan-paper", Description = "InfoGAN with the authors' batch, length, constant rates, information weight 1 and update scheme",
     Data = "mnist", BatchSize = 128, Steps = 5000, LearningRateSchedule = "constant")]
[Data("x", Shape = "1x28x28", Range = DataRange.ZeroToOne)]
[Noise("z", Distribution.Uniform, 62)]
[Noise("c", Distribution.Categorical, 10)]
[Noise("s", Distribution.Uniform, 2)]
[Game("-E[log D(T(x))] - E[log(1 - D(T(G(z | c | s))))] - E[log Q(c | T(G(z | c | s)))] - E[log Qs(s | T(G(z | c | s)))]",
      "-E[log D(T(G(z | c | s)))] - E[log Q(c | T(G(z | c | s)))] - E[log Qs(s | T(G(z | c | s)))]",
      DiscriminatorUpdates = "Q, Qs")]
[Infer("Q(c | T(x))")]
[Infer("Qs(s | T(x))")]
public partial class InfoGanPaper
{
    [Generator(LearningRate = 1e-3, Beta1 = 0.5, Beta2 = 0.999)]
    static nn.Module<Tensor, Tensor> G() => Nets.InitNormal(Nets.InfoGanGenerator(62 + 10 + 2, channels: 1, output: Activation.Sigmoid), 0.02);

    [Discriminator(LearningRate = 2e-4, Beta1 = 0.5, Beta2 = 0.999, Output = DiscriminatorOutput.Values)]
    static nn.Module<Tensor, Tensor> T() => Nets.InitNormal(Nets.InfoGanTrunk(channels: 1), 0.02);

    [Discriminator(LearningRate = 2e-4, Beta1 = 0.5, Beta2 = 0.999)]
    static nn.Module<Tensor, Tensor> D() => Nets.InitNormal(Nets.Mlp(1024, 1), 0.02);

    [Network(LearningRate = 2e-4, Beta1 = 0.5, Beta2 = 0.999, Output = NetworkOutput.Categorical)]
    static nn.Module<Tensor, Tensor> Q() => Nets.InitNormal(Nets.InfoGanHead(10), 0.02);

    [Network(LearningRate = 2e-4, Beta1 = 0.5, Beta2 = 0.999, Output = NetworkOutput.Gaussian)]
    static nn.Module<Tensor, Tensor> Qs() => Nets.InitNormal(Nets.InfoGanHead(2), 0.02);
}

/// <summary>infogan-paper with the three details in which the authors' code (<c>openai/InfoGAN</c>) differs from its paper
/// and from that entry: leaky ReLU slope 0.01, batch-norm scales drawn from N(1, 0.02), and one recognition head H (FC 128,
/// batch norm, leaky ReLU) shared by the categorical code's output layer Q and the continuous codes' Qs, as their single
/// head with one output layer for every code is. Otherwise the same: batch 128, 5,000 updates, constant rates, information
/// weight 1, their update scheme (D's step also updates H, Q and Qs on D's loss minus the mutual information).</summary>
[Gan(Name = "infogan-code", Description = "InfoGAN as the authors' code builds it: leaky ReLU 0.01, batch-norm scales N(1, 0.02), one recognition head shared by the codes",
     Data = "mnist", BatchSize = 128, Steps = 5000, LearningRateSchedule = "constant")]
[Data("x", Shape = "1x28x28", Range = DataRange.ZeroToOne)]
[Noise("z", Distribution.Uniform, 62)]
[Noise("c", Distribution.Categorical, 10)]
[Noise("s", Distribution.Uniform, 2)]
[Game("-E[log D(T(x))] - E[log(1 - D(T(G(z | c | s))))] - E[log Q(c | H(T(G(z | c | s))))] - E[log Qs(s | H(T(G(z | c | s))))]",
      "-E[log D(T(G(z | c | s)))] - E[log Q(c | H(T(G(z | c | s))))] - E[log Qs(s | H(T(G(z | c | s))))]",
      DiscriminatorUpdates = "H, Q, Qs")]
[Infer("Q(c | H(T(x)))")]
[Infer("Qs(s | H(T(x)))")]
public partial class InfoGanCode
{
    [Generator(LearningRate = 1e-3, Beta1 = 0.5, Beta2 = 0.999)]
    static nn.Module<Tensor, Tensor> G() => Nets.InitNormal(Nets.InfoGanGenerator(62 + 10 + 2, channels: 1, output: Activation.Sigmoid), 0.02, batchNormScales: true);

    [Discriminator(LearningRate = 2e-4, Beta1 = 0.5, Beta2 = 0.999, Output = DiscriminatorOutput.Values)]
    static nn.Module<Tensor, Tensor> T() => Nets.InitNormal(Nets.InfoGanTrunk(channels: 1, leak: 0.01), 0.02, batchNormScales: true);

    [Discriminator(LearningRate = 2e-4, Beta1 = 0.5, Beta2 = 0.999)]
    static nn.Module<Tensor, Tensor> D() => Nets.InitNormal(Nets.Mlp(1024, 1), 0.02);

    [Network(LearningRate = 2e-4, Beta1 = 0.5, Beta2 = 0.999)]
    static nn.Module<Tensor, Tensor> H() => Nets.InitNormal(Nets.InfoGanSharedHead(leak: 0.01), 0.02, batchNormScales: true);

    [Network(LearningRate = 2e-4, Beta1 = 0.5, Beta2 = 0.999, Output = NetworkOutput.Categorical)]
    static nn.Module<Tensor, Tensor> Q() => Nets.InitNormal(Nets.Mlp(128, 10), 0.02);

    [Network(LearningRate = 2e-4, Beta1 = 0.5, Beta2 = 0.999, Output = NetworkOutput.Gaussian)]
    static nn.Module<Tensor, Tensor> Qs() => Nets.InitNormal(Nets.Mlp(128, 2), 0.02);
}
