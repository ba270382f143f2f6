using Gan.Dsl;
using Gan.Runtime.Nets;
using TorchSharp;
using static TorchSharp.torch;

namespace GanDsl.Samples.Catalog;

// PacGAN on the 25-Gaussian grid (Lin et al. 2018, Table 1), with the authors' networks and optimizer (fjxmlzn/PacGAN,
// synthetic_data_experiments/2DGrid_GAN&PacGAN): G 4 × (400, batch norm, ReLU), D 3 maxout layers of 200 × 5 pieces,
// weights N(0, 0.02²), Adam lr 1e-4 with β1 = 0.8, non-saturating generator loss, simultaneous updates. The authors' D
// judges 100 packed examples a step, so PacGAN4 runs at batch 400 (100 groups of 4) and the plain GAN at batch 100.

/// <summary>PacGAN4: the original GAN whose discriminator judges groups of 4 samples.</summary>
[Gan(Name = "pacgan4", Description = "Lin et al. 2018, PacGAN4 on the 25-Gaussian grid: the authors' networks, Adam 1e-4 / β1 0.8, simultaneous updates, D judging groups of 4", Data = "grid", BatchSize = 400, Steps = 50000, LearningRateSchedule = "constant")]
[Data("x", Shape = "2")]
[Noise("z", Distribution.Normal, 2)]
[Minimax("E[log D(x)] + E[log(1 - D(G(z)))]", Scheme = UpdateScheme.Simultaneous, Pack = 4)]
public partial class PacGan4
{
    [Generator(LearningRate = 1e-4, Beta1 = 0.8)] static nn.Module<Tensor, Tensor> G() => Nets.PacGanGenerator();
    [Discriminator(LearningRate = 1e-4, Beta1 = 0.8)] static nn.Module<Tensor, Tensor> D() => Nets.PacGanDiscriminator(inputs: 2 * 4);
}

/// <summary>The plain GAN with PacGAN's networks and optimizer (PacGAN's Table 1 baseline).</summary>
[Gan(Name = "pacgan-baseline", Description = "The plain GAN with PacGAN's networks and optimizer on the 25-Gaussian grid (PacGAN's Table 1 baseline)", Data = "grid", BatchSize = 100, Steps = 50000, LearningRateSchedule = "constant")]
[Data("x", Shape = "2")]
[Noise("z", Distribution.Normal, 2)]
[Minimax("E[log D(x)] + E[log(1 - D(G(z)))]", Scheme = UpdateScheme.Simultaneous)]
public partial class PacGanBaseline
{
    [Generator(LearningRate = 1e-4, Beta1 = 0.8)] static nn.Module<Tensor, Tensor> G() => Nets.PacGanGenerator();
    [Discriminator(LearningRate = 1e-4, Beta1 = 0.8)] static nn.Module<Tensor, Tensor> D() => Nets.PacGanDiscriminator();
}
