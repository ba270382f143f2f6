using Gan.Dsl;
using Gan.Runtime.Nets;
using TorchSharp;
using static TorchSharp.torch;

namespace GanDsl.Samples.Catalog;

/// <summary>The MNIST model of Goodfellow et al. 2014: a ReLU MLP generator (1200, 1200) with a sigmoid output and a
/// maxout discriminator (240 units × 5 pieces, twice, with dropout), z uniform in 100 dimensions, batch 100 (the
/// paper's <c>mnist.yaml</c>). One deviation: Adam (lr 2e-4, β1 0.5) instead of the paper's SGD with momentum (lr 0.1,
/// momentum 0.5 → 0.7, and max-norm constraints we do not have), which with our initialization let D win outright
/// (loss_G above 17 after 1,200 steps, measured; docs/results-images.md).</summary>
[Gan(Name = "goodfellow2014-mnist", Description = "Goodfellow et al. 2014 on MNIST: MLP generator, maxout discriminator (Adam)", Data = "mnist", BatchSize = 100, Steps = 10000)]
[Data("x", Shape = "1x28x28", Range = DataRange.ZeroToOne)]
[Noise("z", Distribution.Uniform, 100)]
[Minimax("E[log D(x)] + E[log(1 - D(G(z)))]", DiscriminatorSteps = 1, GeneratorLoss = GeneratorLoss.NonSaturating)]
public partial class Goodfellow2014Mnist
{
    [Generator(LearningRate = 2e-4, Beta1 = 0.5, Beta2 = 0.999)]
    static nn.Module<Tensor, Tensor> G() => Nets.MlpGenerator(100, new[] { 1200, 1200 }, new long[] { 1, 28, 28 }, Activation.Sigmoid);

    [Discriminator(LearningRate = 2e-4, Beta1 = 0.5, Beta2 = 0.999)]
    static nn.Module<Tensor, Tensor> D() => Nets.MaxoutDiscriminator(new long[] { 1, 28, 28 }, units: 240, pieces: 5);
}
