using Gan.Dsl;
using Gan.Runtime.Nets;
using TorchSharp;
using static TorchSharp.torch;

namespace GanDsl.Samples.Catalog;

// The losses researchers write since 2016, each as its paper writes it, on the 2-D ring with the networks and optimizer of
// Goodfellow2014 (so the loss is the only difference). The critic returns its raw output (Output = Values): these losses
// read D(x) as a number, not a probability.

/// <summary>Least squares (Mao et al. 2017, Eq. 2 with a = 0, b = c = 1): D regresses data to 1 and samples to 0, G pulls its
/// samples' scores to 1.</summary>
[Gan(Name = "lsgan-ring", Description = "Mao et al. 2017, least squares GAN (a = 0, b = c = 1), on the ring with the goodfellow2014 networks")]
[Data("x", Shape = "2")]
[Noise("z", Distribution.Normal, 2)]
[Game("1/2 E[(D(x) - 1)^2] + 1/2 E[D(G(z))^2]", "1/2 E[(D(G(z)) - 1)^2]")]
public partial class LsGan
{
    [Generator(LearningRate = 1e-3)] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(2, 128, 128, 2);
    [Discriminator(LearningRate = 1e-3, Output = DiscriminatorOutput.Values)] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(2, 128, 128, 1);
}

/// <summary>The hinge loss (Lim &amp; Ye 2017; Miyato et al. 2018, Eq. 17): D's margin of 1 on each side, G raises D's score of its samples.</summary>
[Gan(Name = "hinge-ring", Description = "Lim & Ye 2017 / Miyato et al. 2018, the hinge loss, on the ring with the goodfellow2014 networks")]
[Data("x", Shape = "2")]
[Noise("z", Distribution.Normal, 2)]
[Game("E[relu(1 - D(x))] + E[relu(1 + D(G(z)))]", "-E[D(G(z))]")]
public partial class HingeGan
{
    [Generator(LearningRate = 1e-3)] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(2, 128, 128, 2);
    [Discriminator(LearningRate = 1e-3, Output = DiscriminatorOutput.Values)] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(2, 128, 128, 1);
}

/// <summary>WGAN-GP (Gulrajani et al. 2017, Algorithm 1): the critic's Wasserstein estimate with the gradient penalty at points
/// x̂ between data and samples, λ = 10, n_critic = 5, Adam (lr 1e-4 in the paper; 1e-3 here as for the ring's other games) with β = (0, 0.9).</summary>
[Gan(Name = "wgan-gp-ring", Description = "Gulrajani et al. 2017, WGAN-GP (λ = 10, n_critic = 5, Adam β = (0, 0.9)), on the ring", Steps = 10000)]
[Data("x", Shape = "2")]
[Noise("z", Distribution.Normal, 2)]
[Noise("ε", Distribution.UnitInterval, 1)]
[Define("x̂", "ε x + (1 - ε) G(z)")]
[Game("E[D(G(z))] - E[D(x)] + 10 E[(||∇_x̂ D(x̂)||_2 - 1)^2]", "-E[D(G(z))]", DiscriminatorSteps = 5)]
public partial class WganGp
{
    [Generator(LearningRate = 1e-3, Beta1 = 0.0, Beta2 = 0.9)] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(2, 128, 128, 2);
    [Discriminator(LearningRate = 1e-3, Beta1 = 0.0, Beta2 = 0.9, Output = DiscriminatorOutput.Values)] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(2, 128, 128, 1);
}

/// <summary>WGAN-GP with its authors' toy settings (igul222/improved_wgan_training, <c>gan_toy.py</c>, 8 Gaussians): G and the
/// critic 2-512-512-512-(2 | 1) with ReLU, tflib's initialization (He-uniform hidden layers, Glorot-uniform output, zero
/// biases), λ = 0.1 (their toy value), n_critic = 5, Adam lr 1e-4 with β = (0.5, 0.9) at a constant rate, batch 256, z ~ N(0, I)
/// in 2-D, 100,000 generator iterations. Their 8 Gaussians are this ring scaled by √2 (radius √2, std 0.02/√2).</summary>
[Gan(Name = "wgan-gp-toy", Description = "Gulrajani et al. 2017, WGAN-GP with the authors' toy settings (gan_toy.py: 512-unit MLPs, λ = 0.1, Adam 1e-4, β = (0.5, 0.9)), on the ring",
     BatchSize = 256, Steps = 100000, LearningRateSchedule = "constant")]
[Data("x", Shape = "2")]
[Noise("z", Distribution.Normal, 2)]
[Noise("ε", Distribution.UnitInterval, 1)]
[Define("x̂", "ε x + (1 - ε) G(z)")]
[Game("E[D(G(z))] - E[D(x)] + 0.1 E[(||∇_x̂ D(x̂)||_2 - 1)^2]", "-E[D(G(z))]", DiscriminatorSteps = 5)]
public partial class WganGpToy
{
    [Generator(LearningRate = 1e-4, Beta1 = 0.5, Beta2 = 0.9)]
    static nn.Module<Tensor, Tensor> G() => Nets.InitVarianceScaling(Nets.Mlp(2, 512, 512, 512, 2), VarianceScale.He, VarianceScale.Glorot);

    [Discriminator(LearningRate = 1e-4, Beta1 = 0.5, Beta2 = 0.9, Output = DiscriminatorOutput.Values)]
    static nn.Module<Tensor, Tensor> D() => Nets.InitVarianceScaling(Nets.Mlp(2, 512, 512, 512, 1), VarianceScale.He, VarianceScale.Glorot);
}

/// <summary>The relativistic standard GAN (Jolicoeur-Martineau 2019, Eq. 8–9): D judges whether data look more real than samples.</summary>
[Gan(Name = "rsgan", Description = "Jolicoeur-Martineau 2019, relativistic standard GAN, on the ring with the goodfellow2014 networks")]
[Data("x", Shape = "2")]
[Noise("z", Distribution.Normal, 2)]
[Game("-E[log sigmoid(D(x) - D(G(z)))]", "-E[log sigmoid(D(G(z)) - D(x))]")]
public partial class RsGan
{
    [Generator(LearningRate = 1e-3)] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(2, 128, 128, 2);
    [Discriminator(LearningRate = 1e-3, Output = DiscriminatorOutput.Values)] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(2, 128, 128, 1);
}

/// <summary>The relativistic average GAN (Jolicoeur-Martineau 2019, Eq. 10–11): each side against the other's mean score.</summary>
[Gan(Name = "ragan", Description = "Jolicoeur-Martineau 2019, relativistic average GAN, on the ring with the goodfellow2014 networks")]
[Data("x", Shape = "2")]
[Noise("z", Distribution.Normal, 2)]
[Game("-E[log sigmoid(D(x) - E[D(G(z))])] - E[log(1 - sigmoid(D(G(z)) - E[D(x)]))]",
      "-E[log sigmoid(D(G(z)) - E[D(x)])] - E[log(1 - sigmoid(D(x) - E[D(G(z))]))]")]
public partial class RaGan
{
    [Generator(LearningRate = 1e-3)] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(2, 128, 128, 2);
    [Discriminator(LearningRate = 1e-3, Output = DiscriminatorOutput.Values)] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(2, 128, 128, 1);
}

/// <summary>The non-saturating GAN with the R1 penalty on data (Mescheder et al. 2018, Eq. 9, γ = 1): the critic's raw output is
/// the logit, so the losses are written with sigmoid and the gradient is of the logit.</summary>
[Gan(Name = "r1-ring", Description = "Mescheder et al. 2018, the non-saturating GAN with the R1 penalty on data (γ = 1), on the ring")]
[Data("x", Shape = "2")]
[Noise("z", Distribution.Normal, 2)]
[Game("-E[log sigmoid(D(x))] - E[log(1 - sigmoid(D(G(z))))] + 1/2 E[||∇_x D(x)||^2]", "-E[log sigmoid(D(G(z)))]")]
public partial class R1Gan
{
    [Generator(LearningRate = 1e-3)] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(2, 128, 128, 2);
    [Discriminator(LearningRate = 1e-3, Output = DiscriminatorOutput.Values)] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(2, 128, 128, 1);
}

/// <summary>The original WGAN (Arjovsky et al. 2017, Algorithm 1): the critic's weights clipped to [−0.01, 0.01], n_critic = 5,
/// RMSprop with lr 5e-5 (here 1e-3, as for the ring's other games, which the paper's rate does not reach in 20,000 steps).</summary>
[Gan(Name = "wgan-ring", Description = "Arjovsky et al. 2017, WGAN: weight clipping 0.01, n_critic = 5, RMSprop, on the ring", Steps = 10000)]
[Data("x", Shape = "2")]
[Noise("z", Distribution.Normal, 2)]
[Game("E[D(G(z))] - E[D(x)]", "-E[D(G(z))]", DiscriminatorSteps = 5)]
public partial class Wgan
{
    [Generator(Optimizer = Optimizer.RmsProp, LearningRate = 1e-3)] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(2, 128, 128, 2);
    [Discriminator(Optimizer = Optimizer.RmsProp, LearningRate = 1e-3, WeightClip = 0.01, Output = DiscriminatorOutput.Values)]
    static nn.Module<Tensor, Tensor> D() => Nets.Mlp(2, 128, 128, 1);
}

/// <summary>The clipped WGAN with the toy settings of the WGAN-GP authors' comparison (igul222/improved_wgan_training,
/// <c>gan_toy.py</c> with <c>MODE = 'wgan'</c>): <c>wgan-gp-toy</c>'s networks and initialization, no penalty, every critic
/// parameter (weights and biases) clipped to [−0.01, 0.01] after each critic update, n_critic = 5, RMSprop lr 5e-5 for both
/// players with TensorFlow's decay 0.9 (here <c>Alpha</c>), batch 256, 100,000 generator iterations. Differences from their
/// code: TensorFlow's RMSprop starts its average of squared gradients at 1 and puts ε = 1e-10 inside the square root, where
/// torch's starts at 0 with ε = 1e-8 outside.</summary>
[Gan(Name = "wgan-toy", Description = "Arjovsky et al. 2017, WGAN (clipping 0.01, RMSprop 5e-5) with the WGAN-GP authors' toy settings (gan_toy.py: 512-unit MLPs), on the ring",
     BatchSize = 256, Steps = 100000, LearningRateSchedule = "constant")]
[Data("x", Shape = "2")]
[Noise("z", Distribution.Normal, 2)]
[Game("E[D(G(z))] - E[D(x)]", "-E[D(G(z))]", DiscriminatorSteps = 5)]
public partial class WganToy
{
    [Generator(Optimizer = Optimizer.RmsProp, LearningRate = 5e-5, Alpha = 0.9)]
    static nn.Module<Tensor, Tensor> G() => Nets.InitVarianceScaling(Nets.Mlp(2, 512, 512, 512, 2), VarianceScale.He, VarianceScale.Glorot);

    [Discriminator(Optimizer = Optimizer.RmsProp, LearningRate = 5e-5, Alpha = 0.9, WeightClip = 0.01, Output = DiscriminatorOutput.Values)]
    static nn.Module<Tensor, Tensor> D() => Nets.InitVarianceScaling(Nets.Mlp(2, 512, 512, 512, 1), VarianceScale.He, VarianceScale.Glorot);
}

/// <summary>The hinge loss with spectral normalization in the critic (Miyato et al. 2018), on the ring.</summary>
[Gan(Name = "hinge-sn-ring", Description = "Miyato et al. 2018, the hinge loss with spectral normalization in the critic, on the ring")]
[Data("x", Shape = "2")]
[Noise("z", Distribution.Normal, 2)]
[Game("E[relu(1 - D(x))] + E[relu(1 + D(G(z)))]", "-E[D(G(z))]")]
public partial class HingeSnGan
{
    [Generator(LearningRate = 1e-3)] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(2, 128, 128, 2);
    [Discriminator(LearningRate = 1e-3, SpectralNorm = true, Output = DiscriminatorOutput.Values)] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(2, 128, 128, 1);
}
