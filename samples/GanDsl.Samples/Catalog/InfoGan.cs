using Gan.Dsl;
using Gan.Runtime.Nets;
using TorchSharp;
using static TorchSharp.torch;

namespace GanDsl.Samples.Catalog;

/// <summary>InfoGAN (Chen et al. 2016) on MNIST: G reads noise z (62), a categorical code c (10 classes) and two continuous
/// codes s (uniform on [−1, 1]); the discriminator is a shared convolutional trunk T with a head D; the recognition
/// networks Q (class scores for c) and Qs (the mean of a unit Gaussian for s) are heads on the same trunk. The game is
/// the GAN's; the information phase descends −λ E[log Q(c | T(G(z, c, s)))] − λ′ E[log Qs(s | ...)] over G, T, Q and Qs,
/// λ = 1 and λ′ = 0.1 as the paper advises for continuous codes. The paper's networks (Appendix C.1: T with FC 1024, Q heads
/// FC 128 with batch norm) and learning rates (Adam, β1 0.5: D's side 2e-4, G 1e-3).</summary>
[Gan(Name = "infogan", Description = "Chen et al. 2016, InfoGAN: a categorical and two continuous codes, Q sharing the discriminator's trunk", Data = "mnist", BatchSize = 64, Steps = 5000)]
[Data("x", Shape = "1x28x28", Range = DataRange.MinusOneToOne)]
[Noise("z", Distribution.Normal, 62)]
[Noise("c", Distribution.Categorical, 10)]
[Noise("s", Distribution.Uniform, 2)]
[Minimize("-E[log Q(c | T(G(z | c | s)))] - 0.1 * E[log Qs(s | T(G(z | c | s)))]", Updates = "G, T, Q, Qs", Name = "information")]
[Minimax("E[log D(T(x))] + E[log(1 - D(T(G(z | c | s))))]", GeneratorLoss = GeneratorLoss.NonSaturating)]
[Infer("Q(c | T(x))")]
[Infer("Qs(s | T(x))")]
public partial class InfoGan
{
    [Generator(LearningRate = 1e-3, Beta1 = 0.5, Beta2 = 0.999)]
    static nn.Module<Tensor, Tensor> G() => Nets.InfoGanGenerator(62 + 10 + 2, channels: 1);

    [Discriminator(LearningRate = 2e-4, Beta1 = 0.5, Beta2 = 0.999, Output = DiscriminatorOutput.Values)]
    static nn.Module<Tensor, Tensor> T() => Nets.InfoGanTrunk(channels: 1);

    [Discriminator(LearningRate = 2e-4, Beta1 = 0.5, Beta2 = 0.999)]
    static nn.Module<Tensor, Tensor> D() => Nets.Mlp(1024, 1);

    [Network(LearningRate = 2e-4, Beta1 = 0.5, Beta2 = 0.999, Output = NetworkOutput.Categorical)]
    static nn.Module<Tensor, Tensor> Q() => Nets.InfoGanHead(10);

    [Network(LearningRate = 2e-4, Beta1 = 0.5, Beta2 = 0.999, Output = NetworkOutput.Gaussian)]
    static nn.Module<Tensor, Tensor> Qs() => Nets.InfoGanHead(2);
}
