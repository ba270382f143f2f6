using System;
using System.Collections.Generic;
using System.Linq;
using Gan.Runtime;
using static TorchSharp.torch;

namespace GanDsl.Samples.Catalog;

/// <summary>The declared models the `gan` command can train, by name.</summary>
public static class ModelCatalog
{
    /// <param name="Data">The data set it is trained on by default.</param>
    /// <param name="BatchSize">The paper's minibatch size (the default for `train`).</param>
    /// <param name="Steps">The default number of generator steps.</param>
    /// <param name="LearningRateSchedule">The default schedule (null: the command's default).</param>
    public sealed record Entry(string Name, string Paper, Func<Device, IAdversarialModel> Create, string Data = "ring", int BatchSize = 256, int Steps = 20000,
                               string? LearningRateSchedule = null);

    public static IReadOnlyList<Entry> Entries { get; } = new[]
    {
        new Entry("goodfellow2014", "Goodfellow et al. 2014, Generative Adversarial Nets (MLPs, k = 1, non-saturating G loss)", d => new Goodfellow2014(d)),
        new Entry("goodfellow2014-minimax", "The same game with the minimax generator loss, as written", d => new Goodfellow2014Minimax(d)),
        new Entry("lsgan-ring", "Mao et al. 2017, least squares GAN (a = 0, b = c = 1), on the ring with the goodfellow2014 networks", d => new LsGan(d)),
        new Entry("hinge-ring", "Lim & Ye 2017 / Miyato et al. 2018, the hinge loss, on the ring with the goodfellow2014 networks", d => new HingeGan(d)),
        new Entry("wgan-gp-ring", "Gulrajani et al. 2017, WGAN-GP (λ = 10, n_critic = 5, Adam β = (0, 0.9)), on the ring", d => new WganGp(d), Steps: 10000),
        new Entry("wgan-ring", "Arjovsky et al. 2017, WGAN: weight clipping 0.01, n_critic = 5, RMSprop, on the ring", d => new Wgan(d), Steps: 10000),
        new Entry("hinge-sn-ring", "Miyato et al. 2018, the hinge loss with spectral normalization in the critic, on the ring", d => new HingeSnGan(d)),
        new Entry("pacgan4", "Lin et al. 2018, PacGAN4 on the 25-Gaussian grid: the authors' networks, Adam 1e-4 / β1 0.8, simultaneous updates, D judging groups of 4", d => new PacGan4(d), Data: "grid", BatchSize: 400, Steps: 50000, LearningRateSchedule: "constant"),
        new Entry("pacgan-baseline", "The plain GAN with PacGAN's networks and optimizer on the 25-Gaussian grid (PacGAN's Table 1 baseline)", d => new PacGanBaseline(d), Data: "grid", BatchSize: 100, Steps: 50000, LearningRateSchedule: "constant"),
        new Entry("rsgan", "Jolicoeur-Martineau 2019, relativistic standard GAN, on the ring with the goodfellow2014 networks", d => new RsGan(d)),
        new Entry("ragan", "Jolicoeur-Martineau 2019, relativistic average GAN, on the ring with the goodfellow2014 networks", d => new RaGan(d)),
        new Entry("r1-ring", "Mescheder et al. 2018, the non-saturating GAN with the R1 penalty on data (γ = 1), on the ring", d => new R1Gan(d)),
        new Entry("goodfellow2014-mnist", "Goodfellow et al. 2014 on MNIST: MLP generator, maxout discriminator (Adam)", d => new Goodfellow2014Mnist(d), Data: "mnist", BatchSize: 100, Steps: 10000),
        new Entry("dcgan", "Radford et al. 2016, DCGAN for 28x28 images (MNIST, Fashion-MNIST)", d => new Dcgan(d), Data: "mnist", BatchSize: 64, Steps: 5000),
        new Entry("wgan-gp", "Gulrajani et al. 2017, WGAN-GP at DCGAN size (λ = 10, n_critic = 5, Adam 1e-4, β = (0, 0.9)), critic without batch norm", d => new WganGpImages(d), Data: "fashion-mnist", BatchSize: 64, Steps: 5000),
        new Entry("hinge-sn", "Miyato et al. 2018, the hinge loss with spectral normalization in the critic, DCGAN size", d => new HingeSnImages(d), Data: "fashion-mnist", BatchSize: 64, Steps: 5000),
        new Entry("r1", "Mescheder et al. 2018, the non-saturating GAN with R1 on data (γ = 10), DCGAN size, critic without batch norm", d => new R1Images(d), Data: "fashion-mnist", BatchSize: 64, Steps: 5000),
        new Entry("lsgan", "Mao et al. 2017, least squares GAN (a = 0, b = c = 1) with DCGAN's networks and optimizer", d => new LsGanImages(d), Data: "fashion-mnist", BatchSize: 64, Steps: 5000),
        new Entry("cgan", "Mirza & Osindero 2014, conditional GAN: D(x | y), G(z | y′) with y′ from the label prior (DCGAN networks)", d => new ConditionalGan(d), Data: "mnist", BatchSize: 64, Steps: 5000),
        new Entry("icgan", "Perarnau et al. 2016, invertible conditional GAN: the cGAN plus encoders E_z (on generated pairs) and E_y (on labelled images)", d => new InvertibleConditionalGan(d), Data: "mnist", BatchSize: 64, Steps: 5000),
        new Entry("infogan", "Chen et al. 2016, InfoGAN: a categorical and two continuous codes, Q sharing the discriminator's trunk", d => new InfoGan(d), Data: "mnist", BatchSize: 64, Steps: 5000),
        new Entry("aae", "Makhzani et al. 2015, adversarial autoencoder: reconstruction phase + game on an 8-D Gaussian code", d => new AdversarialAutoencoder(d), Data: "mnist", BatchSize: 100, Steps: 5000),
        new Entry("aae-2d", "The adversarial autoencoder with a 2-D Gaussian code (pictures of the code space)", d => new AdversarialAutoencoder2D(d), Data: "mnist", BatchSize: 100, Steps: 5000),
        new Entry("aae-mixture", "The 2-D adversarial autoencoder with a mixture of 10 Gaussians as prior", d => new AdversarialAutoencoderMixture(d), Data: "mnist", BatchSize: 100, Steps: 5000),
        new Entry("aae-labelled-mixture", "The 2-D adversarial autoencoder with the label-conditioned mixture prior: digit k's codes drawn to component k (Makhzani et al. 2015, §2.3)", d => new AdversarialAutoencoderLabelledMixture(d), Data: "mnist", BatchSize: 100, Steps: 5000),
        new Entry("aae-swissroll", "The 2-D adversarial autoencoder with a swiss-roll prior", d => new AdversarialAutoencoderSwissRoll(d), Data: "mnist", BatchSize: 100, Steps: 5000),
        new Entry("dann-moons", "Ganin & Lempitsky 2015, domain-adversarial training with gradient reversal, on the inter-twinning moons", d => new DomainAdversarialMoons(d), Data: "moons", BatchSize: 32, Steps: 20000, LearningRateSchedule: "ganin"),
        new Entry("dann-digits", "Ganin & Lempitsky 2015 on digits: MNIST → MNIST blended over random colour textures (MNIST-M's recipe)", d => new DomainAdversarialDigits(d), Data: "digits", BatchSize: 64, Steps: 3000, LearningRateSchedule: "ganin"),
        new Entry("source-only-digits", "The digits classifier trained on the labelled source alone (the baseline of dann-digits)", d => new SupervisedDigits(d), Data: "digits", BatchSize: 64, Steps: 3000, LearningRateSchedule: "ganin"),
        new Entry("target-only-digits", "The digits classifier trained on the labelled target (the ceiling of dann-digits)", d => new SupervisedDigits(d), Data: "digits-target", BatchSize: 64, Steps: 3000, LearningRateSchedule: "ganin"),
        new Entry("source-only-moons", "The moons' label classifier trained on the source alone (the baseline of dann-moons)", d => new SourceOnlyMoons(d), Data: "moons", BatchSize: 32, Steps: 20000, LearningRateSchedule: "ganin"),
    };

    public static Entry Find(string name) =>
        Entries.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"Unknown model '{name}'. Known models: {string.Join(", ", Entries.Select(e => e.Name))}.");
}
