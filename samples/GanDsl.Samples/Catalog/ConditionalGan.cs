using Gan.Dsl;
using Gan.Runtime.Nets;
using TorchSharp;
using static TorchSharp.torch;

namespace GanDsl.Samples.Catalog;

/// <summary>Conditional GAN (Mirza &amp; Osindero 2014): D sees an image with its label, D(x | y); G makes an image for a
/// label y′ drawn from the label prior (uniform over the 10 digits), G(z | y′), and D judges it with that label. The
/// game is the paper's; the networks are DCGAN's (Radford et al. 2016) rather than the paper's MLP/maxout pair, which
/// collapsed in our unconditional MNIST run (docs/results-images.md): G reads [z, one-hot y′] (110 values), D stacks
/// the label as 10 constant planes on the image.</summary>
[Gan(Name = "cgan", Description = "Mirza & Osindero 2014, conditional GAN: D(x | y), G(z | y′) with y′ from the label prior (DCGAN networks)", Data = "mnist", BatchSize = 64, Steps = 5000)]
[Data("x", Shape = "1x28x28", Range = DataRange.MinusOneToOne)]
[Label("y", 10)]
[Noise("z", Distribution.Normal, 100)]
[Noise("y′", Distribution.Categorical, 10)]
[Minimax("E[log D(x | y)] + E[log(1 - D(G(z | y′) | y′))]", GeneratorLoss = GeneratorLoss.NonSaturating)]
public partial class ConditionalGan
{
    [Generator(LearningRate = 2e-4, Beta1 = 0.5, Beta2 = 0.999)]
    static nn.Module<Tensor, Tensor> G() => Nets.DcganGenerator(100 + 10, channels: 1, width: 64);

    [Discriminator(LearningRate = 2e-4, Beta1 = 0.5, Beta2 = 0.999)]
    static nn.Module<Tensor, Tensor> D() => Nets.ConditionalDcganDiscriminator(classes: 10, channels: 1, width: 64);
}
