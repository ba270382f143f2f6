using Gan.Dsl;
using Gan.Runtime.Nets;
using TorchSharp;
using static TorchSharp.torch;

namespace GanDsl.Samples.Catalog;

/// <summary>DCGAN (Radford et al. 2016) for 28×28 images: transposed convolutions with batch norm and ReLU in G, tanh
/// output; strided convolutions with leaky ReLU in D; Adam with lr 2e-4 and β1 = 0.5, as the paper recommends.</summary>
[Gan(Name = "dcgan", Description = "Radford et al. 2016, DCGAN for 28x28 images (MNIST, Fashion-MNIST)", Data = "mnist", BatchSize = 64, Steps = 5000)]
[Data("x", Shape = "1x28x28", Range = DataRange.MinusOneToOne)]
[Noise("z", Distribution.Normal, 100)]
[Minimax("E[log D(x)] + E[log(1 - D(G(z)))]", GeneratorLoss = GeneratorLoss.NonSaturating)]
public partial class Dcgan
{
    [Generator(LearningRate = 2e-4, Beta1 = 0.5, Beta2 = 0.999)]
    static nn.Module<Tensor, Tensor> G() => Nets.DcganGenerator(100, channels: 1, width: 64);

    [Discriminator(LearningRate = 2e-4, Beta1 = 0.5, Beta2 = 0.999)]
    static nn.Module<Tensor, Tensor> D() => Nets.DcganDiscriminator(channels: 1, width: 64);
}
