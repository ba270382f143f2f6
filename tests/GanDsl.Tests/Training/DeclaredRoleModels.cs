using Gan.Dsl;
using Gan.Runtime.Nets;
using TorchSharp;
using static TorchSharp.torch;

namespace GanDsl.Tests.Training;

// Models whose roles are declared under names of their own, not the catalog's (F, C, Dd, T, Q, Qs, E_y), so that the
// evaluation protocols are shown to find networks by what the declaration says they are for.

/// <summary>Domain adaptation as a user might name it: an encoder, a labeller and a critic; source src, label digit, target tgt.</summary>
[Gan(Name = "renamed-dann", Data = "moons", BatchSize = 32, LearningRateSchedule = "ganin")]
[Data("src", Shape = "2")]
[Label("digit", 2)]
[Data("tgt", Shape = "2")]
[Minimize("-E[log Labeller(digit | Encoder(src))] - 0.5 * E[log Critic(reverse(Encoder(src)))] - 0.5 * E[log(1 - Critic(reverse(Encoder(tgt))))]", Name = "adapt")]
[Infer("Labeller(digit | Encoder(src))")]
[Domain("Critic(Encoder(src))")]
public partial class RenamedDann
{
    [Network(Optimizer = Optimizer.Sgd, LearningRate = 0.5)] static nn.Module<Tensor, Tensor> Encoder() => Nets.Mlp(new[] { 2, 15 }, Activation.ReLU, Activation.Sigmoid);
    [Network(Optimizer = Optimizer.Sgd, LearningRate = 0.5, Output = NetworkOutput.Categorical)] static nn.Module<Tensor, Tensor> Labeller() => Nets.Mlp(15, 2);
    [Network(Optimizer = Optimizer.Sgd, LearningRate = 0.5, Output = NetworkOutput.Logits)] static nn.Module<Tensor, Tensor> Critic() => Nets.Mlp(15, 1);
}

/// <summary>An InfoGAN whose trunk, judge and recognition heads are Body, Judge, ReadCode and ReadStyle, and whose codes are
/// digit_code and pen.</summary>
[Gan]
[Data("img", Shape = "6")]
[Noise("n", Distribution.Normal, 3)]
[Noise("digit_code", Distribution.Categorical, 4)]
[Noise("pen", Distribution.Uniform, 2)]
[Minimize("-E[log ReadCode(digit_code | Body(Gen(n | digit_code | pen)))] - 0.1 * E[log ReadStyle(pen | Body(Gen(n | digit_code | pen)))]", Updates = "Gen, Body, ReadCode, ReadStyle", Name = "information")]
[Minimax("E[log Judge(Body(img))] + E[log(1 - Judge(Body(Gen(n | digit_code | pen))))]")]
[Infer("ReadCode(digit_code | Body(img))")]
[Infer("ReadStyle(pen | Body(img))")]
public partial class RenamedInfoGan
{
    [Generator(LearningRate = 5e-3)] static nn.Module<Tensor, Tensor> Gen() => Nets.Mlp(9, 16, 6);
    [Discriminator(LearningRate = 5e-3, Output = DiscriminatorOutput.Values)] static nn.Module<Tensor, Tensor> Body() => Nets.Mlp(new[] { 6, 8 }, Activation.ReLU, Activation.ReLU);
    [Discriminator] static nn.Module<Tensor, Tensor> Judge() => Nets.Mlp(8, 1);
    [Network(LearningRate = 5e-3, Output = NetworkOutput.Categorical)] static nn.Module<Tensor, Tensor> ReadCode() => Nets.Mlp(8, 4);
    [Network(LearningRate = 5e-3, Output = NetworkOutput.Gaussian)] static nn.Module<Tensor, Tensor> ReadStyle() => Nets.Mlp(8, 2);
}

/// <summary>An invertible conditional GAN whose encoders are Invert and Reader, with the label digit and the requested class want.</summary>
[Gan]
[Data("pic", Shape = "8", Range = DataRange.MinusOneToOne)]
[Label("digit", 3)]
[Noise("n", Distribution.Normal, 5)]
[Noise("want", Distribution.Categorical, 3)]
[Minimize("E[||Invert(Make(n | want)) - n||^2]", Updates = "Invert", Name = "invert")]
[Minimize("-E[log Reader(digit | pic)]", Updates = "Reader", Name = "read")]
[Minimax("E[log Judge(pic | digit)] + E[log(1 - Judge(Make(n | want) | want))]")]
[Edit("Make(Invert(pic) | want)")]
[Infer("Reader(digit | pic)")]
public partial class RenamedIcgan
{
    [Generator] static nn.Module<Tensor, Tensor> Make() => Nets.Mlp(new[] { 8, 16, 8 }, Activation.ReLU, Activation.Tanh);
    [Discriminator] static nn.Module<Tensor, Tensor> Judge() => Nets.Mlp(11, 16, 1);
    [Network(LearningRate = 1e-2)] static nn.Module<Tensor, Tensor> Invert() => Nets.Mlp(8, 16, 5);
    [Network(LearningRate = 1e-2, Output = NetworkOutput.Categorical)] static nn.Module<Tensor, Tensor> Reader() => Nets.Mlp(8, 16, 3);
}
