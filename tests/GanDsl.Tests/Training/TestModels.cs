using Gan.Dsl;
using Gan.Runtime.Nets;
using TorchSharp;
using static TorchSharp.torch;

namespace GanDsl.Tests.Training;

// Models declared inside the test project (the generator runs on it as an analyzer).

[Gan]
[Data("x", Shape = "2")]
[Noise("z", Distribution.Normal, 3)]
[Minimax("E[log D(x)] + E[log(1 - D(G(z)))]", DiscriminatorSteps = 3)]
public partial class GanK3
{
    [Generator(LearningRate = 1e-3, Beta1 = 0.5, Beta2 = 0.999)] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(3, 32, 32, 2);
    [Discriminator(LearningRate = 2e-3, Beta1 = 0.5, Beta2 = 0.999)] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(2, 32, 32, 1);
}

[Gan]
[Data("x", Shape = "2")]
[Noise("z", Distribution.Normal, 3)]
[Minimax("E[log D(x)] + E[log(1 - D(G(z)))]", GeneratorLoss = GeneratorLoss.Minimax)]
public partial class GanMinimaxK1
{
    [Generator(LearningRate = 1e-3, Beta1 = 0.5, Beta2 = 0.999)] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(3, 32, 32, 2);
    [Discriminator(LearningRate = 2e-3, Beta1 = 0.5, Beta2 = 0.999)] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(2, 32, 32, 1);
}

/// <summary>A generator whose factory returns a network without parameters.</summary>
[Gan]
[Data("x", Shape = "2")]
[Noise("z", Distribution.Normal, 2)]
[Minimax("E[log D(x)] + E[log(1 - D(G(z)))]")]
public partial class GanWithoutGeneratorParameters
{
    [Generator] static nn.Module<Tensor, Tensor> G() => nn.Identity();
    [Discriminator] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(2, 8, 1);
}

/// <summary>A small image model with a declared shape and range.</summary>
[Gan]
[Data("x", Shape = "1x4x4", Range = DataRange.MinusOneToOne)]
[Noise("z", Distribution.Normal, 5)]
[Minimax("E[log D(x)] + E[log(1 - D(G(z)))]")]
public partial class TinyImageGan
{
    [Generator] static nn.Module<Tensor, Tensor> G() => Nets.MlpGenerator(5, new[] { 16 }, new long[] { 1, 4, 4 }, Activation.Tanh);
    [Discriminator] static nn.Module<Tensor, Tensor> D() => Nets.MaxoutDiscriminator(new long[] { 1, 4, 4 }, units: 8, pieces: 3);
}

/// <summary>A conditional GAN on 8-D vectors with 3 classes: D(x | y), G(z | y′).</summary>
[Gan]
[Data("x", Shape = "8")]
[Label("y", 3)]
[Noise("z", Distribution.Normal, 5)]
[Noise("y′", Distribution.Categorical, 3)]
[Minimax("E[log D(x | y)] + E[log(1 - D(G(z | y′) | y′))]")]
public partial class TinyConditionalGan
{
    [Generator(LearningRate = 1e-3)] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(8, 16, 8);
    [Discriminator(LearningRate = 2e-3)] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(11, 16, 1);
}

/// <summary>A conditional GAN whose generator returns its input (plus a zero bias): what Sample(labels) feeds G shows in its output.</summary>
[Gan]
[Data("x", Shape = "8")]
[Label("y", 3)]
[Noise("z", Distribution.Normal, 5)]
[Noise("y′", Distribution.Categorical, 3)]
[Minimax("E[log D(x | y)] + E[log(1 - D(G(z | y′) | y′))]")]
public partial class EchoConditionalGan
{
    [Generator] static nn.Module<Tensor, Tensor> G() => new ZeroBias(8);
    [Discriminator] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(11, 16, 1);
}

/// <summary>x + b with b a parameter initialized to zero.</summary>
public sealed class ZeroBias : nn.Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.Parameter bias;
    public ZeroBias(long size) : base("ZeroBias")
    {
        bias = nn.Parameter(zeros(size));
        RegisterComponents();
    }
    public override Tensor forward(Tensor input) => input + bias;
}

/// <summary>A small adversarial autoencoder: a reconstruction phase, then the game on a 2-D code; samples Dec(z).</summary>
[Gan]
[Data("x", Shape = "4")]
[Noise("z", Distribution.Normal, 2)]
[Minimize("E[||x - Dec(Enc(x))||^2]", Name = "reconstruction")]
[Minimax("E[log D(z)] + E[log(1 - D(Enc(x)))]")]
[Sample("Dec(z)")]
public partial class TinyAae
{
    [Generator(LearningRate = 3e-3)] static nn.Module<Tensor, Tensor> Enc() => Nets.Mlp(4, 16, 2);
    [Generator(LearningRate = 3e-3)] static nn.Module<Tensor, Tensor> Dec() => Nets.Mlp(2, 16, 4);
    [Discriminator(LearningRate = 1e-3)] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(2, 16, 1);
}

/// <summary>TinyAae with a learning rate of the reconstruction phase's own (MinimizeAttribute.LearningRate): Enc and Dec are stepped
/// there by Adams of that phase at 3e-3, and Enc in the game by its own Adam at 1e-3, two states (the AAE reproduction's
/// two encoder optimizers, Makhzani et al. 2015).</summary>
[Gan]
[Data("x", Shape = "4")]
[Noise("z", Distribution.Normal, 2)]
[Minimize("E[||x - Dec(Enc(x))||^2]", Name = "reconstruction", LearningRate = 3e-3)]
[Minimax("E[log D(z)] + E[log(1 - D(Enc(x)))]")]
[Sample("Dec(z)")]
public partial class TinyAaePhaseRate
{
    [Generator(LearningRate = 1e-3)] static nn.Module<Tensor, Tensor> Enc() => Nets.Mlp(4, 16, 2);
    [Network] static nn.Module<Tensor, Tensor> Dec() => Nets.Mlp(2, 16, 4);
    [Discriminator(LearningRate = 1e-3)] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(2, 16, 1);
}

/// <summary>A small domain-adversarial model: one objective over F, C and Dd with a gradient reversal (Ganin &amp; Lempitsky 2015).</summary>
[Gan]
[Data("x", Shape = "2")]
[Label("y", 2)]
[Data("x_t", Shape = "2")]
[Minimize("-E[log C(y | F(x))] - 6 * E[log Dd(reverse(F(x)))] - 6 * E[log(1 - Dd(reverse(F(x_t))))]", Name = "dann")]
public partial class TinyDann
{
    [Network(Optimizer = Optimizer.Sgd, LearningRate = 0.05)] static nn.Module<Tensor, Tensor> F() => Nets.Mlp(new[] { 2, 6 }, Activation.ReLU, Activation.Sigmoid);
    [Network(Optimizer = Optimizer.Sgd, LearningRate = 0.05, Output = NetworkOutput.Categorical)] static nn.Module<Tensor, Tensor> C() => Nets.Mlp(6, 2);
    [Network(Optimizer = Optimizer.Sgd, LearningRate = 0.05, Output = NetworkOutput.Logits)] static nn.Module<Tensor, Tensor> Dd() => Nets.Mlp(6, 1);
}

/// <summary>A small invertible conditional GAN: the conditional game plus E_z on generated pairs and E_y on labelled data.</summary>
[Gan]
[Data("x", Shape = "8")]
[Label("y", 3)]
[Noise("z", Distribution.Normal, 5)]
[Noise("y′", Distribution.Categorical, 3)]
[Minimize("E[||E_z(G(z | y′)) - z||^2]", Updates = "E_z", Name = "encoder_z")]
[Minimize("-E[log E_y(y | x)]", Updates = "E_y", Name = "encoder_y")]
[Minimax("E[log D(x | y)] + E[log(1 - D(G(z | y′) | y′))]")]
[Edit("G(E_z(x) | y′)")]
public partial class TinyIcgan
{
    [Generator] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(8, 16, 8);
    [Discriminator] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(11, 16, 1);
    [Network(LearningRate = 1e-2)] static nn.Module<Tensor, Tensor> E_z() => Nets.Mlp(8, 16, 5);
    [Network(LearningRate = 1e-2, Output = NetworkOutput.Categorical)] static nn.Module<Tensor, Tensor> E_y() => Nets.Mlp(8, 16, 3);
}

/// <summary>A small InfoGAN: a trunk T shared by the judge D and the recognition heads Q (categorical) and Qs (Gaussian).</summary>
[Gan]
[Data("x", Shape = "6")]
[Noise("z", Distribution.Normal, 3)]
[Noise("c", Distribution.Categorical, 4)]
[Noise("s", Distribution.Uniform, 2)]
[Minimize("-E[log Q(c | T(G(z | c | s)))] - 0.1 * E[log Qs(s | T(G(z | c | s)))]", Updates = "G, T, Q, Qs", Name = "information")]
[Minimax("E[log D(T(x))] + E[log(1 - D(T(G(z | c | s))))]")]
public partial class TinyInfoGan
{
    [Generator(LearningRate = 5e-3)] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(9, 16, 6);
    [Discriminator(LearningRate = 5e-3, Output = DiscriminatorOutput.Values)] static nn.Module<Tensor, Tensor> T() => Nets.Mlp(new[] { 6, 8 }, Activation.ReLU, Activation.ReLU);
    [Discriminator] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(8, 1);
    [Network(LearningRate = 5e-3, Output = NetworkOutput.Categorical)] static nn.Module<Tensor, Tensor> Q() => Nets.Mlp(8, 4);
    [Network(LearningRate = 5e-3, Output = NetworkOutput.Gaussian)] static nn.Module<Tensor, Tensor> Qs() => Nets.Mlp(8, 2);
}

/// <summary>A discriminator that keeps a copy of every input it is applied to, then scores it with a linear layer: it shows
/// what a generated step feeds the discriminator.</summary>
public sealed class RecordingDiscriminator : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> score;
    public RecordingDiscriminator(int inputs) : base(nameof(RecordingDiscriminator))
    {
        score = nn.Linear(inputs, 1);
        RegisterComponents();
    }
    public System.Collections.Generic.List<Tensor> Inputs { get; } = new();
    public override Tensor forward(Tensor input)
    {
        Inputs.Add(input.detach().clone().DetachFromDisposeScope());
        return score.forward(input);
    }
}

/// <summary>A small adversarial autoencoder with the label-conditioned mixture prior (Makhzani et al. 2015, §2.3): z given
/// the label y, and the discriminator reads the label with the code.</summary>
[Gan]
[Data("x", Shape = "4")]
[Label("y", 10)]
[Noise("z", Distribution.GaussianMixture, 2, Given = "y")]
[Minimize("E[||x - Dec(Enc(x))||^2]", Name = "reconstruction")]
[Minimax("E[log D(z | y)] + E[log(1 - D(Enc(x) | y))]")]
[Sample("Dec(z)")]
public partial class TinyLabelledMixtureAae
{
    [Generator(LearningRate = 3e-3)] static nn.Module<Tensor, Tensor> Enc() => Nets.Mlp(4, 16, 2);
    [Generator(LearningRate = 3e-3)] static nn.Module<Tensor, Tensor> Dec() => Nets.Mlp(2, 16, 4);
    [Discriminator(LearningRate = 1e-3)] static nn.Module<Tensor, Tensor> D() => new RecordingDiscriminator(12);
}

/// <summary>A categorical code given the label: c is the batch's label y, one-hot, in a training step.</summary>
[Gan]
[Data("x", Shape = "2")]
[Label("y", 3)]
[Noise("z", Distribution.Normal, 2)]
[Noise("c", Distribution.Categorical, 3, Given = "y")]
[Minimax("E[log D(x | y)] + E[log(1 - D(G(z | c) | c))]")]
public partial class TinyGivenCodeGan
{
    [Generator] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(5, 8, 2);
    [Discriminator] static nn.Module<Tensor, Tensor> D() => new RecordingDiscriminator(5);
}

/// <summary>Every optimizer setting away from its default: Adam with β₁ = 0.7, β₂ = 0.95 and weight decay for G; SGD
/// with momentum 0.8 and weight decay for D. A generator that ignored any of them would not match the hand-written step.</summary>
[Gan]
[Data("x", Shape = "2")]
[Noise("z", Distribution.Normal, 3)]
[Minimax("E[log D(x)] + E[log(1 - D(G(z)))]")]
public partial class TunedOptimizersGan
{
    [Generator(LearningRate = 3e-3, Beta1 = 0.7, Beta2 = 0.95, WeightDecay = 0.01)] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(3, 16, 2);
    [Discriminator(Optimizer = Optimizer.Sgd, LearningRate = 0.05, Momentum = 0.8, WeightDecay = 0.02)] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(2, 16, 1);
}

/// <summary>Two discriminators judging one generator, the second weighted by 0.5: the non-saturating rewrite applies to
/// each weighted term the generator acts through.</summary>
[Gan]
[Data("x", Shape = "2")]
[Noise("z", Distribution.Normal, 3)]
[Minimax("E[log D1(x)] + E[log(1 - D1(G(z)))] + 0.5 * E[log D2(x)] + 0.5 * E[log(1 - D2(G(z)))]")]
public partial class TwoDiscriminatorGan
{
    [Generator(LearningRate = 2e-3)] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(3, 16, 2);
    [Discriminator(LearningRate = 1e-3)] static nn.Module<Tensor, Tensor> D1() => Nets.Mlp(2, 16, 1);
    [Discriminator(LearningRate = 4e-3)] static nn.Module<Tensor, Tensor> D2() => Nets.Mlp(2, 8, 1);
}

/// <summary>An image AAE with the label-conditioned mixture prior whose encoder reads the label off a <see cref="Runtime.CraftedSet.Bars"/>
/// image and returns the mean of component (label + <see cref="LabelShift"/>) mod 10: a code-component accuracy of exactly
/// 1 with shift 0 and 0 with any other, with no training.</summary>
[Gan]
[Data("x", Shape = "1x28x28", Range = DataRange.ZeroToOne)]
[Label("y", 10)]
[Noise("z", Distribution.GaussianMixture, 2, Given = "y")]
[Minimize("E[||x - Dec(Enc(x))||^2]", Name = "reconstruction")]
[Minimax("E[log D(z | y)] + E[log(1 - D(Enc(x) | y))]")]
[Sample("Dec(z)")]
public partial class BarReadingAae
{
    public static int LabelShift { get; set; }
    [Generator] static nn.Module<Tensor, Tensor> Enc() => new BarEncoder(LabelShift);
    [Generator] static nn.Module<Tensor, Tensor> Dec() => Nets.MlpGenerator(2, new[] { 8 }, new long[] { 1, 28, 28 }, Activation.Sigmoid);
    [Discriminator] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(12, 8, 1);
}

/// <summary>The row of an image's brightest bar, d = (row − 4) / 2, mapped to (4 cos 2πk/10, 4 sin 2πk/10) with k = (d + shift) mod 10, plus a zero bias.</summary>
public sealed class BarEncoder : nn.Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.Parameter bias;
    private readonly int shift;
    public BarEncoder(int shift) : base(nameof(BarEncoder))
    {
        this.shift = shift;
        bias = nn.Parameter(zeros(2));
        RegisterComponents();
    }
    public override Tensor forward(Tensor input)
    {
        Tensor row = input.sum(-1).flatten(1).argmax(1);                         // [m]
        Tensor k = (row - 4).div(2, rounding_mode: RoundingMode.floor).add(shift).remainder(10);
        Tensor angle = k.to(float32) * (float)(2 * System.Math.PI / 10);
        return stack(new[] { angle.cos() * 4f, angle.sin() * 4f }, 1) + bias;
    }
}

/// <summary>The other two optimizers, away from their defaults: AdamW (decoupled weight decay) for G, RMSprop with momentum
/// and its own smoothing constant for D.</summary>
[Gan]
[Data("x", Shape = "2")]
[Noise("z", Distribution.Normal, 3)]
[Minimax("E[log D(x)] + E[log(1 - D(G(z)))]")]
public partial class AdamWRmsPropGan
{
    [Generator(Optimizer = Optimizer.AdamW, LearningRate = 2e-3, Beta1 = 0.6, Beta2 = 0.98, WeightDecay = 0.05)] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(3, 16, 2);
    [Discriminator(Optimizer = Optimizer.RmsProp, LearningRate = 1e-3, Alpha = 0.9, Momentum = 0.3, WeightDecay = 0.01)] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(2, 16, 1);
}
