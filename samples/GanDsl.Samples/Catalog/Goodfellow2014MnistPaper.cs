using Gan.Dsl;
using Gan.Runtime.Nets;
using TorchSharp;
using static TorchSharp.torch;

namespace GanDsl.Samples.Catalog;

/// <summary>Goodfellow et al. 2014 on MNIST with the authors' own protocol (<c>goodfeli/adversarial</c>'s
/// <c>mnist.yaml</c>; ../shared/PROTOCOLS.md): G's weights uniform in ±0.05 and its output bias at the logit of the
/// training pixels' mean, so it starts at the mean digit; D maxout 240 × 5 twice with dropout (keep 0.8 on the input,
/// 0.5 on the hidden layers) and weights uniform in ±0.005; z uniform on [−√3, √3]; SGD at rate 0.1 divided by
/// 1.000004 after every update, momentum 0.5 rising linearly to 0.7; simultaneous updates from one minibatch. D's cost
/// is halved in the paper's code, which under SGD is D's rate halved (0.05). Length: the momentum ramp's 250 epochs,
/// here 18,000 updates of 100 on the 7,200 digits the MNIST subset trains on (the authors ran ≥ 125,000 on 50,000).</summary>
[Gan(Name = "goodfellow2014-mnist-paper", Description = "Goodfellow et al. 2014 on MNIST with the authors' SGD, initialization and simultaneous updates",
     Data = "mnist", BatchSize = 100, Steps = 18000, LearningRateSchedule = "decay:1.000004")]
[Data("x", Shape = "1x28x28", Range = DataRange.ZeroToOne)]
[Noise("z", Distribution.Uniform, 100, Scale = 1.7320508075688772)]
[Minimax("E[log D(x)] + E[log(1 - D(G(z)))]", Scheme = UpdateScheme.Simultaneous, GeneratorLoss = GeneratorLoss.NonSaturating)]
public partial class Goodfellow2014MnistPaper
{
    [Generator(Optimizer = Optimizer.Sgd, LearningRate = 0.1, Momentum = 0.5, FinalMomentum = 0.7, OutputBiasFromData = true)]
    static nn.Module<Tensor, Tensor> G() =>
        Nets.InitUniform(Nets.MlpGenerator(100, new[] { 1200, 1200 }, new long[] { 1, 28, 28 }, Activation.Sigmoid), 0.05);

    [Discriminator(Optimizer = Optimizer.Sgd, LearningRate = 0.05, Momentum = 0.5, FinalMomentum = 0.7)]
    static nn.Module<Tensor, Tensor> D() =>
        Nets.InitUniform(Nets.MaxoutDiscriminator(new long[] { 1, 28, 28 }, units: 240, pieces: 5), 0.005);
}

/// <summary><see cref="Goodfellow2014MnistPaper"/> run past its momentum ramp, as the authors' <c>mnist.yaml</c> allows (no
/// stopping rule, a save every epoch): the momentum rises from 0.5 to 0.7 over 125,000 updates — their 250 epochs of 500
/// updates on 50,000 digits (pylearn2's <c>MomentumAdjustor</c>, saturate 250) — and then stays, and the rate keeps its decay
/// (÷ 1.000004 per update). Nothing depends on the run's length, so a finished run can be extended with
/// <c>--resume --steps N</c>; its first 125,000 updates are those of <c>goodfellow2014-mnist-paper</c> trained for 125,000.</summary>
[Gan(Name = "goodfellow2014-mnist-paper-long", Description = "Goodfellow et al. 2014 on MNIST, the authors' protocol past their 250-epoch momentum ramp (extensible)",
     Data = "mnist", BatchSize = 100, Steps = 250000, LearningRateSchedule = "decay:1.000004")]
[Data("x", Shape = "1x28x28", Range = DataRange.ZeroToOne)]
[Noise("z", Distribution.Uniform, 100, Scale = 1.7320508075688772)]
[Minimax("E[log D(x)] + E[log(1 - D(G(z)))]", Scheme = UpdateScheme.Simultaneous, GeneratorLoss = GeneratorLoss.NonSaturating)]
public partial class Goodfellow2014MnistPaperLong
{
    [Generator(Optimizer = Optimizer.Sgd, LearningRate = 0.1, Momentum = 0.5, FinalMomentum = 0.7, FinalMomentumSteps = 125000, OutputBiasFromData = true)]
    static nn.Module<Tensor, Tensor> G() =>
        Nets.InitUniform(Nets.MlpGenerator(100, new[] { 1200, 1200 }, new long[] { 1, 28, 28 }, Activation.Sigmoid), 0.05);

    [Discriminator(Optimizer = Optimizer.Sgd, LearningRate = 0.05, Momentum = 0.5, FinalMomentum = 0.7, FinalMomentumSteps = 125000)]
    static nn.Module<Tensor, Tensor> D() =>
        Nets.InitUniform(Nets.MaxoutDiscriminator(new long[] { 1, 28, 28 }, units: 240, pieces: 5), 0.005);
}
