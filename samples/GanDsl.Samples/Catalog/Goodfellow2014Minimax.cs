using Gan.Dsl;
using Gan.Runtime.Nets;
using TorchSharp;
using static TorchSharp.torch;

namespace GanDsl.Samples.Catalog;

/// <summary>Goodfellow et al. 2014 with the generator descending the value function exactly as written.</summary>
[Gan(Name = "goodfellow2014-minimax", Description = "The same game with the minimax generator loss, as written")]
[Data("x", Shape = "2")]
[Noise("z", Distribution.Normal, 2)]
[Minimax("E[log D(x)] + E[log(1 - D(G(z)))]", GeneratorLoss = GeneratorLoss.Minimax)]
public partial class Goodfellow2014Minimax
{
    [Generator(LearningRate = 1e-3)] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(2, 128, 128, 2);
    [Discriminator(LearningRate = 1e-3)] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(2, 128, 128, 1);
}
