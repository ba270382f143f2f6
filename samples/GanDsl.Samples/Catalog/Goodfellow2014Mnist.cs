using Gan.Dsl;
using Gan.Runtime.Nets;
using TorchSharp;
using static TorchSharp.torch;

namespace GanDsl.Samples.Catalog;

/// <summary>The MNIST model of Goodfellow et al. 2014: a ReLU MLP generator (1200, 1200) with a sigmoid output and a
/// maxout discriminator (240 units × 5 pieces, twice, with dropout), z uniform in 100 dimensions, SGD with momentum,
/// batch 100 (the paper's <c>mnist.yaml</c>).</summary>
[Gan]
[Data("x", Shape = "1x28x28", Range = DataRange.ZeroToOne)]
[Noise("z", Distribution.Uniform, 100)]
[Minimax("E[log D(x)] + E[log(1 - D(G(z)))]", DiscriminatorSteps = 1, GeneratorLoss = GeneratorLoss.NonSaturating)]
public partial class Goodfellow2014Mnist
{
    [Generator(Optimizer = Optimizer.Sgd, LearningRate = 0.1, Momentum = 0.5)]
    static nn.Module<Tensor, Tensor> G() => Nets.MlpGenerator(100, new[] { 1200, 1200 }, new long[] { 1, 28, 28 }, Activation.Sigmoid);

    [Discriminator(Optimizer = Optimizer.Sgd, LearningRate = 0.1, Momentum = 0.5)]
    static nn.Module<Tensor, Tensor> D() => Nets.MaxoutDiscriminator(new long[] { 1, 28, 28 }, units: 240, pieces: 5);
}
