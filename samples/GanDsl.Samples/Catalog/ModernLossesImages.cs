using Gan.Dsl;
using Gan.Runtime.Nets;
using TorchSharp;
using static TorchSharp.torch;

namespace GanDsl.Samples.Catalog;

// The losses of the ring catalog (ModernLosses.cs) at DCGAN size for 28×28 images (Fashion-MNIST, MNIST): today's dcgan
// generator in each; a critic without batch norm (Nets.DcganCritic) where the loss reads it per example (gradient penalties)
// or normalizes its layers (spectral norm), DCGAN's discriminator otherwise.

/// <summary>WGAN-GP (Gulrajani et al. 2017): λ = 10, n_critic = 5, Adam lr 1e-4, β = (0, 0.9) (the paper's settings).</summary>
[Gan(Name = "wgan-gp", Description = "Gulrajani et al. 2017, WGAN-GP at DCGAN size (λ = 10, n_critic = 5, Adam 1e-4, β = (0, 0.9)), critic without batch norm", Data = "fashion-mnist", BatchSize = 64, Steps = 5000)]
[Data("x", Shape = "1x28x28", Range = DataRange.MinusOneToOne)]
[Noise("z", Distribution.Normal, 100)]
[Noise("ε", Distribution.UnitInterval, 1)]
[Define("x̂", "ε x + (1 - ε) G(z)")]
[Game("E[D(G(z))] - E[D(x)] + 10 E[(||∇_x̂ D(x̂)||_2 - 1)^2]", "-E[D(G(z))]", DiscriminatorSteps = 5)]
public partial class WganGpImages
{
    [Generator(LearningRate = 1e-4, Beta1 = 0.0, Beta2 = 0.9)] static nn.Module<Tensor, Tensor> G() => Nets.DcganGenerator(100, channels: 1, width: 64);
    [Discriminator(LearningRate = 1e-4, Beta1 = 0.0, Beta2 = 0.9, Output = DiscriminatorOutput.Values)] static nn.Module<Tensor, Tensor> D() => Nets.DcganCritic(channels: 1, width: 64);
}

/// <summary>The hinge loss with spectral normalization in the critic (Miyato et al. 2018): Adam lr 2e-4, β = (0.5, 0.999), k = 1.</summary>
[Gan(Name = "hinge-sn", Description = "Miyato et al. 2018, the hinge loss with spectral normalization in the critic, DCGAN size", Data = "fashion-mnist", BatchSize = 64, Steps = 5000)]
[Data("x", Shape = "1x28x28", Range = DataRange.MinusOneToOne)]
[Noise("z", Distribution.Normal, 100)]
[Game("E[relu(1 - D(x))] + E[relu(1 + D(G(z)))]", "-E[D(G(z))]")]
public partial class HingeSnImages
{
    [Generator(LearningRate = 2e-4)] static nn.Module<Tensor, Tensor> G() => Nets.DcganGenerator(100, channels: 1, width: 64);
    [Discriminator(LearningRate = 2e-4, SpectralNorm = true, Output = DiscriminatorOutput.Values)] static nn.Module<Tensor, Tensor> D() => Nets.DcganCritic(channels: 1, width: 64);
}

/// <summary>The non-saturating GAN with R1 on data (Mescheder et al. 2018, γ = 10 as for their CelebA/LSUN runs).</summary>
[Gan(Name = "r1", Description = "Mescheder et al. 2018, the non-saturating GAN with R1 on data (γ = 10), DCGAN size, critic without batch norm", Data = "fashion-mnist", BatchSize = 64, Steps = 5000)]
[Data("x", Shape = "1x28x28", Range = DataRange.MinusOneToOne)]
[Noise("z", Distribution.Normal, 100)]
[Game("-E[log sigmoid(D(x))] - E[log(1 - sigmoid(D(G(z))))] + 5 E[||∇_x D(x)||^2]", "-E[log sigmoid(D(G(z)))]")]
public partial class R1Images
{
    [Generator(LearningRate = 2e-4)] static nn.Module<Tensor, Tensor> G() => Nets.DcganGenerator(100, channels: 1, width: 64);
    [Discriminator(LearningRate = 2e-4, Output = DiscriminatorOutput.Values)] static nn.Module<Tensor, Tensor> D() => Nets.DcganCritic(channels: 1, width: 64);
}

/// <summary>Least squares (Mao et al. 2017, a = 0, b = c = 1) with DCGAN's networks and optimizer.</summary>
[Gan(Name = "lsgan", Description = "Mao et al. 2017, least squares GAN (a = 0, b = c = 1) with DCGAN's networks and optimizer", Data = "fashion-mnist", BatchSize = 64, Steps = 5000)]
[Data("x", Shape = "1x28x28", Range = DataRange.MinusOneToOne)]
[Noise("z", Distribution.Normal, 100)]
[Game("1/2 E[(D(x) - 1)^2] + 1/2 E[D(G(z))^2]", "1/2 E[(D(G(z)) - 1)^2]")]
public partial class LsGanImages
{
    [Generator(LearningRate = 2e-4)] static nn.Module<Tensor, Tensor> G() => Nets.DcganGenerator(100, channels: 1, width: 64);
    [Discriminator(LearningRate = 2e-4, Output = DiscriminatorOutput.Values)] static nn.Module<Tensor, Tensor> D() => Nets.DcganDiscriminator(channels: 1, width: 64);
}
