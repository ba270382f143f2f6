using Gan.Dsl;
using Gan.Runtime.Nets;
using TorchSharp;
using static TorchSharp.torch;

namespace GanDsl.Samples.Catalog;

/// <summary>The original GAN (Goodfellow et al. 2014) on 2-D data: MLPs, k = 1, non-saturating generator loss.</summary>
[Gan(Name = "goodfellow2014", Description = "Goodfellow et al. 2014, Generative Adversarial Nets (MLPs, k = 1, non-saturating G loss)")]
[Data("x", Shape = "2")]
[Noise("z", Distribution.Normal, 2)]
[Minimax("E[log D(x)] + E[log(1 - D(G(z)))]", DiscriminatorSteps = 1, GeneratorLoss = GeneratorLoss.NonSaturating)]
public partial class Goodfellow2014
{
    [Generator(LearningRate = 1e-3, Beta1 = 0.5, Beta2 = 0.999)]
    static nn.Module<Tensor, Tensor> G() => Nets.Mlp(2, 128, 128, 2);

    [Discriminator(LearningRate = 1e-3, Beta1 = 0.5, Beta2 = 0.999)]
    static nn.Module<Tensor, Tensor> D() => Nets.Mlp(2, 128, 128, 1);
}
