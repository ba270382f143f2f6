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
