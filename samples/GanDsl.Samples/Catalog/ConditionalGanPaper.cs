using Gan.Dsl;
using Gan.Runtime.Nets;
using TorchSharp;
using static TorchSharp.torch;

namespace GanDsl.Samples.Catalog;

/// <summary>The conditional GAN of Mirza &amp; Osindero 2014 with the paper's networks and training (§4.1): G joins a ReLU
/// tower of 200 on z and one of 1000 on the label, then ReLU 1200 and a sigmoid; D joins maxout 240 × 5 on the image and
/// 50 × 5 on the label, then maxout 240 × 4; dropout 0.5 in both; SGD, batch 100, rate 0.1 divided by 1.00004 after every
/// update, momentum 0.5 rising to 0.7. What the paper does not say is taken from the code base it was built on
/// (Goodfellow et al. 2014's, see goodfellow2014-mnist-paper): weights uniform in ±0.05 (G) and ±0.005 (D), G's output
/// bias from the data's mean, simultaneous updates with D's cost halved (D's rate 0.05). z is uniform on [−1, 1] (the paper:
/// "the unit hypercube"). The paper reports the checkpoint with the best validation Parzen: train it with
/// <c>--validate-every 1000 --select best</c>.</summary>
[Gan(Name = "cgan-paper", Description = "Mirza & Osindero 2014, conditional GAN with the paper's MLP/maxout networks and SGD (select by validation Parzen)",
     Data = "mnist", BatchSize = 100, Steps = 30000, LearningRateSchedule = "decay:1.00004")]
[Data("x", Shape = "1x28x28", Range = DataRange.ZeroToOne)]
[Label("y", 10)]
[Noise("z", Distribution.Uniform, 100)]
[Noise("y′", Distribution.Categorical, 10)]
[Minimax("E[log D(x | y)] + E[log(1 - D(G(z | y′) | y′))]", Scheme = UpdateScheme.Simultaneous, GeneratorLoss = GeneratorLoss.NonSaturating)]
public partial class ConditionalGanPaper
{
    [Generator(Optimizer = Optimizer.Sgd, LearningRate = 0.1, Momentum = 0.5, FinalMomentum = 0.7, OutputBiasFromData = true)]
    static nn.Module<Tensor, Tensor> G() =>
        Nets.InitUniform(Nets.ConditionalMlpGenerator(noise: 100, classes: 10, outputShape: new long[] { 1, 28, 28 }), 0.05);

    [Discriminator(Optimizer = Optimizer.Sgd, LearningRate = 0.05, Momentum = 0.5, FinalMomentum = 0.7)]
    static nn.Module<Tensor, Tensor> D() =>
        Nets.InitUniform(Nets.ConditionalMaxoutDiscriminator(new long[] { 1, 28, 28 }, classes: 10), 0.005);
}

/// <summary><see cref="ConditionalGanPaper"/> with dropout in D only: G's hidden layers without dropout (the paper applies 0.5
/// to both; the original GAN's mnist.yaml, the code base the paper was built on, sets it for D alone). The momentum ramp
/// spans the catalog's 30,000 updates as a fixed count (<c>FinalMomentumSteps</c>), so the first 30,000 updates equal a
/// ramp over the run and a finished run can be extended with <c>--resume --steps N</c> (momentum 0.7 after the ramp, the
/// rate still decaying).</summary>
[Gan(Name = "cgan-paper-d-dropout", Description = "cgan-paper without dropout in G (dropout in D only, as the original GAN's code; extensible)",
     Data = "mnist", BatchSize = 100, Steps = 30000, LearningRateSchedule = "decay:1.00004")]
[Data("x", Shape = "1x28x28", Range = DataRange.ZeroToOne)]
[Label("y", 10)]
[Noise("z", Distribution.Uniform, 100)]
[Noise("y′", Distribution.Categorical, 10)]
[Minimax("E[log D(x | y)] + E[log(1 - D(G(z | y′) | y′))]", Scheme = UpdateScheme.Simultaneous, GeneratorLoss = GeneratorLoss.NonSaturating)]
public partial class ConditionalGanPaperDDropout
{
    [Generator(Optimizer = Optimizer.Sgd, LearningRate = 0.1, Momentum = 0.5, FinalMomentum = 0.7, FinalMomentumSteps = 30000, OutputBiasFromData = true)]
    static nn.Module<Tensor, Tensor> G() =>
        Nets.InitUniform(Nets.ConditionalMlpGenerator(noise: 100, classes: 10, outputShape: new long[] { 1, 28, 28 }, dropout: 0), 0.05);

    [Discriminator(Optimizer = Optimizer.Sgd, LearningRate = 0.05, Momentum = 0.5, FinalMomentum = 0.7, FinalMomentumSteps = 30000)]
    static nn.Module<Tensor, Tensor> D() =>
        Nets.InitUniform(Nets.ConditionalMaxoutDiscriminator(new long[] { 1, 28, 28 }, classes: 10), 0.005);
}
