using Gan.Dsl;
using Gan.Runtime.Nets;
using TorchSharp;
using static TorchSharp.torch;

namespace GanDslApp;

/// <summary>The original GAN (Goodfellow et al. 2014) on the 8-Gaussian ring: `dotnet run -- train` trains it for 20,000
/// steps (about a minute on a laptop's CPU) and writes runs/my-gan/samples.png and metrics.json (modes captured, the
/// fraction of high-quality samples). Change the value function, the networks or the data, and build: a mistake in the
/// declaration is a compile error at its place in the formula.</summary>
[Gan(Name = "my-gan", Description = "The original GAN on the 8-Gaussian ring", Data = "ring")]
[Data("x", Shape = "2")]
[Noise("z", Distribution.Normal, 2)]
[Minimax("E[log D(x)] + E[log(1 - D(G(z)))]", GeneratorLoss = GeneratorLoss.NonSaturating)]
public partial class MyGan
{
    [Generator(LearningRate = 1e-3, Beta1 = 0.5)]
    static nn.Module<Tensor, Tensor> G() => Nets.Mlp(2, 128, 128, 2);

    [Discriminator(LearningRate = 1e-3, Beta1 = 0.5)]
    static nn.Module<Tensor, Tensor> D() => Nets.Mlp(2, 128, 128, 1);
}
