using Gan.Dsl;
using Gan.Runtime.Nets;
using TorchSharp;
using static TorchSharp.torch;

namespace GanDsl.Samples.Catalog;

/// <summary>Domain-adversarial training (Ganin &amp; Lempitsky 2015) on the inter-twinning moons, as the shallow DANN of
/// Ganin et al. 2016 (Algorithm 1): a feature extractor F (one sigmoid hidden layer of 15 units), a label classifier C on
/// the source's labels, and a logistic domain classifier Dd that tells source features from target features through a
/// gradient reversal layer, so that F learns features Dd cannot tell apart. All three descend one objective;
/// reverse(·) multiplies F's gradient from Dd by −λ_p, λ_p = 2/(1+e^(−10p)) − 1. SGD on minibatches of 32 + 32 with the
/// paper's schedule μ_p = μ_0/(1+10p)^0.75 (`--lr-schedule ganin`, the default). The paper's per-example algorithm uses
/// μ = 0.05 and weights the domain terms by 6; on minibatch means that underfits the source (90 %) and the weight 6
/// swamps the label term, so here μ_0 = 0.5 and the weight is 0.5 (chosen on five seeds: docs/results-catalog.md).</summary>
[Gan(Name = "dann-moons", Description = "Ganin & Lempitsky 2015, domain-adversarial training with gradient reversal, on the inter-twinning moons", Data = "moons", BatchSize = 32, Steps = 20000, LearningRateSchedule = "ganin")]
[Data("x", Shape = "2")]
[Label("y", 2)]
[Data("x_t", Shape = "2")]
[Minimize("-E[log C(y | F(x))] - 0.5 * E[log Dd(reverse(F(x)))] - 0.5 * E[log(1 - Dd(reverse(F(x_t))))]", Name = "dann")]
[Infer("C(y | F(x))")]
[Domain("Dd(F(x))")]
public partial class DomainAdversarialMoons
{
    [Network(Optimizer = Optimizer.Sgd, LearningRate = 0.5)]
    static nn.Module<Tensor, Tensor> F() => Nets.Mlp(new[] { 2, 15 }, Activation.ReLU, Activation.Sigmoid);

    [Network(Optimizer = Optimizer.Sgd, LearningRate = 0.5, Output = NetworkOutput.Categorical)]
    static nn.Module<Tensor, Tensor> C() => Nets.Mlp(15, 2);

    [Network(Optimizer = Optimizer.Sgd, LearningRate = 0.5, Output = NetworkOutput.Logits)]
    static nn.Module<Tensor, Tensor> Dd() => Nets.Mlp(15, 1);
}

/// <summary>The same feature extractor and label classifier trained on the source alone: the baseline domain-adversarial
/// training is measured against.</summary>
[Gan(Name = "source-only-moons", Description = "The moons' label classifier trained on the source alone (the baseline of dann-moons)", Data = "moons", BatchSize = 32, Steps = 20000, LearningRateSchedule = "ganin")]
[Data("x", Shape = "2")]
[Label("y", 2)]
[Minimize("-E[log C(y | F(x))]", Name = "source")]
[Infer("C(y | F(x))")]
public partial class SourceOnlyMoons
{
    [Network(Optimizer = Optimizer.Sgd, LearningRate = 0.5)]
    static nn.Module<Tensor, Tensor> F() => Nets.Mlp(new[] { 2, 15 }, Activation.ReLU, Activation.Sigmoid);

    [Network(Optimizer = Optimizer.Sgd, LearningRate = 0.5, Output = NetworkOutput.Categorical)]
    static nn.Module<Tensor, Tensor> C() => Nets.Mlp(15, 2);
}

/// <summary>Domain-adversarial training on digits (Ganin &amp; Lempitsky 2015, Table 2): MNIST as the labelled source, the
/// same digits blended over random colour textures (as MNIST-M is) as the unlabelled target. The paper's networks for
/// this pair: F the LeNet-like trunk (conv 32, pool, conv 48, pool), C an MLP (100, 100), Dd an MLP (100). SGD with
/// momentum 0.9, μ_0 = 0.01 and the paper's schedule; λ_p as in the paper. The domain terms are weighted 0.3: at weight 1
/// the reversed gradient swamps the label term and DANN ends below source-only (measured: docs/results-catalog.md).</summary>
[Gan(Name = "dann-digits", Description = "Ganin & Lempitsky 2015 on digits: MNIST → MNIST blended over random colour textures (MNIST-M's recipe)", Data = "digits", BatchSize = 64, Steps = 3000, LearningRateSchedule = "ganin")]
[Data("x", Shape = "3x28x28", Range = DataRange.ZeroToOne)]
[Label("y", 10)]
[Data("x_t", Shape = "3x28x28", Range = DataRange.ZeroToOne)]
[Minimize("-E[log C(y | F(x))] - 0.3 * E[log Dd(reverse(F(x)))] - 0.3 * E[log(1 - Dd(reverse(F(x_t))))]", Name = "dann")]
[Infer("C(y | F(x))")]
[Domain("Dd(F(x))")]
public partial class DomainAdversarialDigits
{
    [Network(Optimizer = Optimizer.Sgd, LearningRate = 0.01, Momentum = 0.9)]
    static nn.Module<Tensor, Tensor> F() => Nets.LeNetTrunk(channels: 3);

    [Network(Optimizer = Optimizer.Sgd, LearningRate = 0.01, Momentum = 0.9, Output = NetworkOutput.Categorical)]
    static nn.Module<Tensor, Tensor> C() => Nets.Mlp(48 * 4 * 4, 100, 100, 10);

    [Network(Optimizer = Optimizer.Sgd, LearningRate = 0.01, Momentum = 0.9, Output = NetworkOutput.Logits)]
    static nn.Module<Tensor, Tensor> Dd() => Nets.Mlp(48 * 4 * 4, 100, 1);
}

/// <summary>The digits' feature extractor and classifier trained on labelled examples alone: on the source (the
/// source-only baseline) or on the target (the train-on-target ceiling).</summary>
[Gan(Name = "source-only-digits", Description = "The digits classifier trained on the labelled source alone (the baseline of dann-digits)", Data = "digits", BatchSize = 64, Steps = 3000, LearningRateSchedule = "ganin")]
[Data("x", Shape = "3x28x28", Range = DataRange.ZeroToOne)]
[Label("y", 10)]
[Minimize("-E[log C(y | F(x))]", Name = "supervised")]
[Infer("C(y | F(x))")]
public partial class SupervisedDigits
{
    [Network(Optimizer = Optimizer.Sgd, LearningRate = 0.01, Momentum = 0.9)]
    static nn.Module<Tensor, Tensor> F() => Nets.LeNetTrunk(channels: 3);

    [Network(Optimizer = Optimizer.Sgd, LearningRate = 0.01, Momentum = 0.9, Output = NetworkOutput.Categorical)]
    static nn.Module<Tensor, Tensor> C() => Nets.Mlp(48 * 4 * 4, 100, 100, 10);
}

/// <summary>Domain-adversarial training on digits with the authors' protocol (Ganin &amp; Lempitsky 2015, Table 2, as their
/// code runs it: `../shared/PROTOCOLS.md`): `--data mnist-m` gives binarized MNIST as the source and MNIST-M — the
/// binarized digits blended with crops of photographs (`--photos DIR`) — as the target, both minus the per-channel pixel
/// mean of the two training sets. F is the LeNet trunk with SAME padding (7×7×48 features), C an MLP (100, 100), Dd an
/// MLP (100) to one logit (the authors' two-way softmax over the domains is the same model); minibatches of 32 + 32; the
/// label loss on the source plus the domain loss averaged over all 64 examples (0.5 per domain's mean); SGD with momentum
/// 0.9, μ_p = 0.01/(1+10p)^0.75, λ_p = 2/(1+e^(−10p)) − 1; 8,600 steps.</summary>
[Gan(Name = "dann-digits-paper", Description = "Ganin & Lempitsky 2015 on digits with the authors' protocol: binarized MNIST → MNIST-M from photographs, mean-subtracted, SAME padding, 32 + 32", Data = "mnist-m", BatchSize = 32, Steps = 8600, LearningRateSchedule = "ganin")]
[Data("x", Shape = "3x28x28")]
[Label("y", 10)]
[Data("x_t", Shape = "3x28x28")]
[Minimize("-E[log C(y | F(x))] - 0.5 * E[log Dd(reverse(F(x)))] - 0.5 * E[log(1 - Dd(reverse(F(x_t))))]", Name = "dann")]
[Infer("C(y | F(x))")]
[Domain("Dd(F(x))")]
public partial class DomainAdversarialDigitsPaper
{
    [Network(Optimizer = Optimizer.Sgd, LearningRate = 0.01, Momentum = 0.9)]
    static nn.Module<Tensor, Tensor> F() => Nets.LeNetTrunk(channels: 3, samePadding: true);

    [Network(Optimizer = Optimizer.Sgd, LearningRate = 0.01, Momentum = 0.9, Output = NetworkOutput.Categorical)]
    static nn.Module<Tensor, Tensor> C() => Nets.Mlp(48 * 7 * 7, 100, 100, 10);

    [Network(Optimizer = Optimizer.Sgd, LearningRate = 0.01, Momentum = 0.9, Output = NetworkOutput.Logits)]
    static nn.Module<Tensor, Tensor> Dd() => Nets.Mlp(48 * 7 * 7, 100, 1);
}

/// <summary>dann-digits-paper's feature extractor and classifier trained on labelled examples alone: on the source (the
/// source-only baseline, `--data mnist-m`) or on the target (the train-on-target ceiling, `--data mnist-m-target`).</summary>
[Gan(Name = "source-only-digits-paper", Description = "The classifier of dann-digits-paper trained on the labelled source alone (its baseline)", Data = "mnist-m", BatchSize = 32, Steps = 8600, LearningRateSchedule = "ganin")]
[Data("x", Shape = "3x28x28")]
[Label("y", 10)]
[Minimize("-E[log C(y | F(x))]", Name = "supervised")]
[Infer("C(y | F(x))")]
public partial class SupervisedDigitsPaper
{
    [Network(Optimizer = Optimizer.Sgd, LearningRate = 0.01, Momentum = 0.9)]
    static nn.Module<Tensor, Tensor> F() => Nets.LeNetTrunk(channels: 3, samePadding: true);

    [Network(Optimizer = Optimizer.Sgd, LearningRate = 0.01, Momentum = 0.9, Output = NetworkOutput.Categorical)]
    static nn.Module<Tensor, Tensor> C() => Nets.Mlp(48 * 7 * 7, 100, 100, 10);
}
