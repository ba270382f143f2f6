using Gan.Dsl;
using Gan.Runtime.Nets;
using TorchSharp;
using static TorchSharp.torch;

namespace GanDsl.Tests.Training;

// Small games with a loss per side ([Game]), for the hand-written references and the finite-difference checks of
// LossReferenceTests. The critics return their raw output (Output = Values), as these losses read it.

/// <summary>WGAN-GP (Gulrajani et al. 2017, Algorithm 1) with k = 2: x̂ = ε x + (1 − ε) G(z) per example, λ = 10.</summary>
[Gan]
[Data("x", Shape = "2")]
[Noise("z", Distribution.Normal, 3)]
[Noise("ε", Distribution.UnitInterval, 1)]
[Define("x̂", "ε x + (1 - ε) G(z)")]
[Game("E[D(G(z))] - E[D(x)] + 10 E[(||∇_x̂ D(x̂)||_2 - 1)^2]", "-E[D(G(z))]", DiscriminatorSteps = 2)]
public partial class TinyWganGp
{
    [Generator(LearningRate = 1e-3, Beta1 = 0.0, Beta2 = 0.9)] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(3, 16, 2);
    [Discriminator(LearningRate = 2e-3, Beta1 = 0.0, Beta2 = 0.9, Output = DiscriminatorOutput.Values)] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(2, 16, 16, 1);
}

/// <summary>The hinge loss (Miyato et al. 2018, Eq. 17).</summary>
[Gan]
[Data("x", Shape = "2")]
[Noise("z", Distribution.Normal, 3)]
[Game("E[relu(1 - D(x))] + E[relu(1 + D(G(z)))]", "-E[D(G(z))]")]
public partial class TinyHinge
{
    [Generator(LearningRate = 2e-3)] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(3, 16, 2);
    [Discriminator(LearningRate = 2e-3, Output = DiscriminatorOutput.Values)] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(2, 16, 1);
}

/// <summary>The non-saturating game on raw logits with R1 on data (γ = 2) and R2 on samples (γ = 1) (Mescheder et al. 2018, Eq. 9).</summary>
[Gan]
[Data("x", Shape = "2")]
[Noise("z", Distribution.Normal, 3)]
[Game("-E[log sigmoid(D(x))] - E[log(1 - sigmoid(D(G(z))))] + E[||∇_x D(x)||^2] + 1/2 E[||∇_{G(z)} D(G(z))||^2]", "-E[log sigmoid(D(G(z)))]")]
public partial class TinyR1R2
{
    [Generator(LearningRate = 2e-3)] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(3, 16, 2);
    [Discriminator(LearningRate = 2e-3, Output = DiscriminatorOutput.Values)] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(new[] { 2, 16, 1 }, Activation.Tanh);
}

/// <summary>The penalty alone, with a plain SGD critic: what the finite-difference check differentiates.</summary>
[Gan]
[Data("x", Shape = "2")]
[Noise("z", Distribution.Normal, 3)]
[Noise("ε", Distribution.UnitInterval, 1)]
[Define("x̂", "ε x + (1 - ε) G(z)")]
[Game("10 E[(||∇_x̂ D(x̂)||_2 - 1)^2] + E[||∇_x D(x)||^2]", "-E[D(G(z))]")]
public partial class TinyPenaltyOnly
{
    [Generator] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(3, 8, 2);
    [Discriminator(Optimizer = Optimizer.Sgd, LearningRate = 0.0, Output = DiscriminatorOutput.Values)] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(new[] { 2, 8, 1 }, Activation.Tanh);
}

/// <summary>The original WGAN (Arjovsky et al. 2017): RMSprop, the critic's weights clipped to [−0.05, 0.05], k = 2.</summary>
[Gan]
[Data("x", Shape = "2")]
[Noise("z", Distribution.Normal, 3)]
[Game("E[D(G(z))] - E[D(x)]", "-E[D(G(z))]", DiscriminatorSteps = 2)]
public partial class TinyWganClip
{
    [Generator(Optimizer = Optimizer.RmsProp, LearningRate = 5e-3)] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(3, 16, 2);
    [Discriminator(Optimizer = Optimizer.RmsProp, LearningRate = 5e-3, WeightClip = 0.05, Output = DiscriminatorOutput.Values)] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(2, 16, 1);
}

/// <summary>The original GAN with simultaneous updates: both sides' gradients on one minibatch at the same weights.</summary>
[Gan]
[Data("x", Shape = "2")]
[Noise("z", Distribution.Normal, 3)]
[Minimax("E[log D(x)] + E[log(1 - D(G(z)))]", Scheme = UpdateScheme.Simultaneous)]
public partial class TinySimultaneous
{
    [Generator(LearningRate = 5e-3)] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(3, 16, 2);
    [Discriminator(LearningRate = 5e-3)] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(2, 16, 1);
}

/// <summary>PacGAN2 (Lin et al. 2018): D judges pairs of examples, concatenated.</summary>
[Gan]
[Data("x", Shape = "2")]
[Noise("z", Distribution.Normal, 3)]
[Minimax("E[log D(x)] + E[log(1 - D(G(z)))]", Pack = 2)]
public partial class TinyPacked
{
    [Generator(LearningRate = 5e-3)] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(3, 16, 2);
    [Discriminator(LearningRate = 5e-3)] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(4, 16, 1);
}

/// <summary>The hinge loss with spectral normalization in the critic (Miyato et al. 2018).</summary>
[Gan]
[Data("x", Shape = "2")]
[Noise("z", Distribution.Normal, 3)]
[Game("E[relu(1 - D(x))] + E[relu(1 + D(G(z)))]", "-E[D(G(z))]")]
public partial class TinySnHinge
{
    [Generator(LearningRate = 5e-3)] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(3, 16, 2);
    [Discriminator(LearningRate = 5e-3, SpectralNorm = true, Output = DiscriminatorOutput.Values)] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(2, 16, 1);
}
