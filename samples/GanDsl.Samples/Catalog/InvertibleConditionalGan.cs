using Gan.Dsl;
using Gan.Runtime.Nets;
using TorchSharp;
using static TorchSharp.torch;

namespace GanDsl.Samples.Catalog;

/// <summary>Invertible conditional GAN (Perarnau et al. 2016): the conditional GAN of <see cref="ConditionalGan"/>, plus an
/// encoder E_z trained on generated pairs to recover the noise, ‖E_z(G(z | y′)) − z‖² with G held fixed, and an encoder
/// E_y trained on real labelled images to read the label. An image is edited by G(E_z(x) | y_new) (`gan train` writes
/// edits.png and measures the edits with the MNIST classifier). One difference from the paper: the encoders train
/// alongside the GAN, a phase each per step, instead of after it.</summary>
[Gan(Name = "icgan", Description = "Perarnau et al. 2016, invertible conditional GAN: the cGAN plus encoders E_z (on generated pairs) and E_y (on labelled images)", Data = "mnist", BatchSize = 64, Steps = 5000)]
[Data("x", Shape = "1x28x28", Range = DataRange.MinusOneToOne)]
[Label("y", 10)]
[Noise("z", Distribution.Normal, 100)]
[Noise("y′", Distribution.Categorical, 10)]
[Minimize("E[||E_z(G(z | y′)) - z||^2]", Updates = "E_z", Name = "encoder_z")]
[Minimize("-E[log E_y(y | x)]", Updates = "E_y", Name = "encoder_y")]
[Minimax("E[log D(x | y)] + E[log(1 - D(G(z | y′) | y′))]", GeneratorLoss = GeneratorLoss.NonSaturating)]
[Edit("G(E_z(x) | y′)")]
[Infer("E_y(y | x)")]
public partial class InvertibleConditionalGan
{
    [Generator(LearningRate = 2e-4, Beta1 = 0.5, Beta2 = 0.999)]
    static nn.Module<Tensor, Tensor> G() => Nets.DcganGenerator(100 + 10, channels: 1, width: 64);

    [Discriminator(LearningRate = 2e-4, Beta1 = 0.5, Beta2 = 0.999)]
    static nn.Module<Tensor, Tensor> D() => Nets.ConditionalDcganDiscriminator(classes: 10, channels: 1, width: 64);

    [Network(LearningRate = 2e-4, Beta1 = 0.5, Beta2 = 0.999)]
    static nn.Module<Tensor, Tensor> E_z() => Nets.DcganEncoder(100, channels: 1, width: 32);

    [Network(LearningRate = 2e-4, Beta1 = 0.5, Beta2 = 0.999, Output = NetworkOutput.Categorical)]
    static nn.Module<Tensor, Tensor> E_y() => Nets.DcganEncoder(10, channels: 1, width: 32);
}
