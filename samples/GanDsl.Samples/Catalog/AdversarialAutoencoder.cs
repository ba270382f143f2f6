using Gan.Dsl;
using Gan.Runtime.Nets;
using TorchSharp;
using static TorchSharp.torch;

namespace GanDsl.Samples.Catalog;

/// <summary>Adversarial autoencoder (Makhzani et al. 2015), MNIST, an 8-D Gaussian code: a reconstruction phase in which
/// the encoder and decoder descend ‖x − Dec(Enc(x))‖², then a regularization phase in which D separates samples of the
/// prior from codes Enc(x) and the encoder learns to fool it. Samples are Dec(z), z from the prior. The paper's MLPs
/// (1000, 1000, ReLU) and its prior, a Gaussian of std 5 (as a public reproduction that reached the paper's Parzen 340 reads
/// the paper's code; ../shared/PROTOCOLS.md); Adam instead of the paper's SGD with momentum.</summary>
[Gan(Name = "aae", Description = "Makhzani et al. 2015, adversarial autoencoder: reconstruction phase + game on an 8-D Gaussian code", Data = "mnist", BatchSize = 100, Steps = 5000)]
[Data("x", Shape = "1x28x28", Range = DataRange.ZeroToOne)]
[Noise("z", Distribution.Normal, 8, Scale = 5)]
[Minimize("E[||x - Dec(Enc(x))||^2]", Name = "reconstruction")]
[Minimax("E[log D(z)] + E[log(1 - D(Enc(x)))]")]
[Sample("Dec(z)")]
public partial class AdversarialAutoencoder
{
    [Generator(LearningRate = 2e-4)] static nn.Module<Tensor, Tensor> Enc() => Nets.MlpEncoder(new long[] { 1, 28, 28 }, new[] { 1000, 1000 }, 8);
    [Generator(LearningRate = 2e-4)] static nn.Module<Tensor, Tensor> Dec() => Nets.MlpGenerator(8, new[] { 1000, 1000 }, new long[] { 1, 28, 28 }, Activation.Sigmoid);
    [Discriminator(LearningRate = 2e-4)] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(8, 1000, 1000, 1);
}

/// <summary>The adversarial autoencoder as the public reproduction that reached the paper's Parzen figure on MNIST (345 ± 1.9
/// against the paper's 340 ± 2; a PaddlePaddle reproduction of Makhzani et al. 2015, ../shared/PROTOCOLS.md) trained it:
/// encoder, decoder and D are MLPs of two 1200-unit ReLU layers with dropout 0.2 after each (the reproduction: 232 without
/// the dropout), initialized Glorot-uniform with zero biases (Paddle's default); the encoder is Gaussian, z = μ(x) +
/// σ(x) · ε with ε ~ N(0, 5²) as the reproduction draws it; the decoder returns logits (Dec(·) in the formulas is their
/// sigmoid, and its logs are computed stably) and the reconstruction is the binary cross-entropy averaged over pixels; the
/// prior is N(0, 5²) in 8 dimensions; Adam with β = (0.9, 0.999) at a constant rate, 2e-4 for the reconstruction and 1e-4
/// for D; batch 100, 200 epochs of 590 batches (118,000 updates). Differences from the reproduction: one Adam per network,
/// so the encoder's reconstruction and regularization steps share one at 2e-4 (theirs: two, at 2e-4 and 1e-4, as
/// <c>aae-dropout-two-adams</c> declares); the encoder keeps its dropout when D's phase encodes the batch (theirs: evaluation
/// mode there); each phase draws its own minibatch (theirs: one batch for all three).</summary>
[Gan(Name = "aae-dropout", Description = "Makhzani et al. 2015, adversarial autoencoder as a reproduction that reached the paper's Parzen: 1200-unit MLPs with dropout 0.2, a Gaussian encoder, BCE",
     Data = "mnist", BatchSize = 100, Steps = 118000, LearningRateSchedule = "constant")]
[Data("x", Shape = "1x28x28", Range = DataRange.ZeroToOne)]
[Noise("z", Distribution.Normal, 8, Scale = 5)]
[Noise("ε", Distribution.Normal, 8, Scale = 5)]
[Minimize("-E[x log Dec(Enc(x, ε)) + (1 - x) log(1 - Dec(Enc(x, ε)))]", Name = "reconstruction")]
[Minimax("E[log D(z)] + E[log(1 - D(Enc(x, ε)))]")]
[Sample("Dec(z)")]
public partial class AdversarialAutoencoderDropout
{
    [Generator(LearningRate = 2e-4, Beta1 = 0.9)]
    static nn.Module<Tensor, Tensor> Enc() => Nets.InitVarianceScaling(Nets.GaussianMlpEncoder(new long[] { 1, 28, 28 }, new[] { 1200, 1200 }, 8, dropout: 0.2), VarianceScale.Glorot);

    [Network(LearningRate = 2e-4, Beta1 = 0.9, Output = NetworkOutput.Logits)]
    static nn.Module<Tensor, Tensor> Dec() => Nets.InitVarianceScaling(Nets.MlpGenerator(8, new[] { 1200, 1200 }, new long[] { 1, 28, 28 }, Activation.Identity, dropout: 0.2), VarianceScale.Glorot);

    [Discriminator(LearningRate = 1e-4, Beta1 = 0.9)]
    static nn.Module<Tensor, Tensor> D() => Nets.InitVarianceScaling(Nets.Mlp(new[] { 8, 1200, 1200, 1 }, Activation.ReLU, Activation.Identity, dropout: 0.2), VarianceScale.Glorot);
}

/// <summary><c>aae-dropout</c> with the reproduction's optimizers exactly: the reconstruction has a rate of its own, 2e-4, so its
/// Adams for Enc and Dec are its own; the regularization steps D and the encoder at 1e-4, the encoder with a second Adam whose
/// state is apart from its first (the reproduction has two). Differences from the reproduction: the encoder keeps its dropout
/// when D's phase encodes the batch (theirs: evaluation mode there); each phase draws its own minibatch (theirs: one batch for
/// all three).</summary>
[Gan(Name = "aae-dropout-two-adams", Description = "aae-dropout with the reproduction's two encoder Adams: 2e-4 in the reconstruction, 1e-4 in the regularization",
     Data = "mnist", BatchSize = 100, Steps = 118000, LearningRateSchedule = "constant")]
[Data("x", Shape = "1x28x28", Range = DataRange.ZeroToOne)]
[Noise("z", Distribution.Normal, 8, Scale = 5)]
[Noise("ε", Distribution.Normal, 8, Scale = 5)]
[Minimize("-E[x log Dec(Enc(x, ε)) + (1 - x) log(1 - Dec(Enc(x, ε)))]", Name = "reconstruction", LearningRate = 2e-4)]
[Minimax("E[log D(z)] + E[log(1 - D(Enc(x, ε)))]")]
[Sample("Dec(z)")]
public partial class AdversarialAutoencoderDropoutTwoAdams
{
    [Generator(LearningRate = 1e-4, Beta1 = 0.9)]   // in the regularization; the reconstruction steps it at its own rate
    static nn.Module<Tensor, Tensor> Enc() => Nets.InitVarianceScaling(Nets.GaussianMlpEncoder(new long[] { 1, 28, 28 }, new[] { 1200, 1200 }, 8, dropout: 0.2), VarianceScale.Glorot);

    [Network(Beta1 = 0.9, Output = NetworkOutput.Logits)]   // trained by the reconstruction alone, at its rate
    static nn.Module<Tensor, Tensor> Dec() => Nets.InitVarianceScaling(Nets.MlpGenerator(8, new[] { 1200, 1200 }, new long[] { 1, 28, 28 }, Activation.Identity, dropout: 0.2), VarianceScale.Glorot);

    [Discriminator(LearningRate = 1e-4, Beta1 = 0.9)]
    static nn.Module<Tensor, Tensor> D() => Nets.InitVarianceScaling(Nets.Mlp(new[] { 8, 1200, 1200, 1 }, Activation.ReLU, Activation.Identity, dropout: 0.2), VarianceScale.Glorot);
}

/// <summary>The adversarial autoencoder with a 2-D code and a standard Gaussian prior (Makhzani et al. 2015, Fig. 2):
/// pictures of the codes of test digits, and digits decoded from a sweep of the code. The 2-D entries weight the
/// reconstruction (a sum over 784 pixels, ~30 per image) by 0.05: unweighted, its gradients set the encoder's Adam step
/// and the regularization phase barely moves the codes (docs/results-catalog.md measures both).</summary>
[Gan(Name = "aae-2d", Description = "The adversarial autoencoder with a 2-D Gaussian code (pictures of the code space)", Data = "mnist", BatchSize = 100, Steps = 5000)]
[Data("x", Shape = "1x28x28", Range = DataRange.ZeroToOne)]
[Noise("z", Distribution.Normal, 2)]
[Minimize("0.05 * E[||x - Dec(Enc(x))||^2]", Name = "reconstruction")]
[Minimax("E[log D(z)] + E[log(1 - D(Enc(x)))]")]
[Sample("Dec(z)")]
public partial class AdversarialAutoencoder2D
{
    [Generator(LearningRate = 2e-4)] static nn.Module<Tensor, Tensor> Enc() => Nets.MlpEncoder(new long[] { 1, 28, 28 }, new[] { 1000, 1000 }, 2);
    [Generator(LearningRate = 2e-4)] static nn.Module<Tensor, Tensor> Dec() => Nets.MlpGenerator(2, new[] { 1000, 1000 }, new long[] { 1, 28, 28 }, Activation.Sigmoid);
    [Discriminator(LearningRate = 2e-4)] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(2, 1000, 1000, 1);
}

/// <summary>The 2-D adversarial autoencoder with a mixture of 10 Gaussians as its prior (Makhzani et al. 2015, Fig. 4).</summary>
[Gan(Name = "aae-mixture", Description = "The 2-D adversarial autoencoder with a mixture of 10 Gaussians as prior", Data = "mnist", BatchSize = 100, Steps = 5000)]
[Data("x", Shape = "1x28x28", Range = DataRange.ZeroToOne)]
[Noise("z", Distribution.GaussianMixture, 2)]
[Minimize("0.05 * E[||x - Dec(Enc(x))||^2]", Name = "reconstruction")]
[Minimax("E[log D(z)] + E[log(1 - D(Enc(x)))]")]
[Sample("Dec(z)")]
public partial class AdversarialAutoencoderMixture
{
    [Generator(LearningRate = 2e-4)] static nn.Module<Tensor, Tensor> Enc() => Nets.MlpEncoder(new long[] { 1, 28, 28 }, new[] { 1000, 1000 }, 2);
    [Generator(LearningRate = 2e-4)] static nn.Module<Tensor, Tensor> Dec() => Nets.MlpGenerator(2, new[] { 1000, 1000 }, new long[] { 1, 28, 28 }, Activation.Sigmoid);
    [Discriminator(LearningRate = 2e-4)] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(2, 1000, 1000, 1);
}

/// <summary>The 2-D adversarial autoencoder with a swiss-roll prior (Makhzani et al. 2015, Fig. 4).</summary>
[Gan(Name = "aae-swissroll", Description = "The 2-D adversarial autoencoder with a swiss-roll prior", Data = "mnist", BatchSize = 100, Steps = 5000)]
[Data("x", Shape = "1x28x28", Range = DataRange.ZeroToOne)]
[Noise("z", Distribution.SwissRoll, 2)]
[Minimize("0.05 * E[||x - Dec(Enc(x))||^2]", Name = "reconstruction")]
[Minimax("E[log D(z)] + E[log(1 - D(Enc(x)))]")]
[Sample("Dec(z)")]
public partial class AdversarialAutoencoderSwissRoll
{
    [Generator(LearningRate = 2e-4)] static nn.Module<Tensor, Tensor> Enc() => Nets.MlpEncoder(new long[] { 1, 28, 28 }, new[] { 1000, 1000 }, 2);
    [Generator(LearningRate = 2e-4)] static nn.Module<Tensor, Tensor> Dec() => Nets.MlpGenerator(2, new[] { 1000, 1000 }, new long[] { 1, 28, 28 }, Activation.Sigmoid);
    [Discriminator(LearningRate = 2e-4)] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(2, 1000, 1000, 1);
}

/// <summary>The 2-D adversarial autoencoder whose mixture prior is conditioned on the label (Makhzani et al. 2015, §2.3, Fig. 4):
/// the discriminator on the code also reads the label, one-hot; its positive samples come from the mixture component the
/// label chooses (component k for digit k), its negative samples are the codes Enc(x) of labelled images with their own
/// labels. Each digit's codes then land on its own component.</summary>
[Gan(Name = "aae-labelled-mixture", Description = "The 2-D adversarial autoencoder with the label-conditioned mixture prior: digit k's codes drawn to component k (Makhzani et al. 2015, §2.3)", Data = "mnist", BatchSize = 100, Steps = 5000)]
[Data("x", Shape = "1x28x28", Range = DataRange.ZeroToOne)]
[Label("y", 10)]
[Noise("z", Distribution.GaussianMixture, 2, Given = "y")]
[Minimize("0.05 * E[||x - Dec(Enc(x))||^2]", Name = "reconstruction")]
[Minimax("E[log D(z | y)] + E[log(1 - D(Enc(x) | y))]")]
[Sample("Dec(z)")]
public partial class AdversarialAutoencoderLabelledMixture
{
    [Generator(LearningRate = 2e-4)] static nn.Module<Tensor, Tensor> Enc() => Nets.MlpEncoder(new long[] { 1, 28, 28 }, new[] { 1000, 1000 }, 2);
    [Generator(LearningRate = 2e-4)] static nn.Module<Tensor, Tensor> Dec() => Nets.MlpGenerator(2, new[] { 1000, 1000 }, new long[] { 1, 28, 28 }, Activation.Sigmoid);
    [Discriminator(LearningRate = 2e-4)] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(12, 1000, 1000, 1);
}
