using System.Linq;
using Gan.Dsl;
using Gan.Runtime;
using Gan.Runtime.Nets;
using Shouldly;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace GanDsl.Tests.Training;

using GanDsl.Tests.Runtime;

/// <summary>A relativistic critic written with sigmoid (Jolicoeur-Martineau 2019): the stable rewrites hold for any u,
/// not only for a declared discriminator's logits.</summary>
[Gan]
[Data("x", Shape = "2")]
[Noise("z", Distribution.Normal, 2)]
[Minimize("-E[log sigmoid(C(x) - C(G(z)))]", Updates = "C", Name = "relativistic")]
[Minimize("-E[log(1 - sigmoid(C(G(z)) - C(x)))]", Updates = "C", Name = "complement")]
[Sample("G(z)")]
public partial class RelativisticSigmoidGan
{
    [Network] static nn.Module<Tensor, Tensor> C() => nn.Linear(2, 1);
    [Network] static nn.Module<Tensor, Tensor> G() => nn.Linear(2, 2);
}

/// <summary>BiGAN / ALI (Donahue et al. 2017; Dumoulin et al. 2017): the encoder E and the generator G both minimize V.</summary>
[Gan]
[Data("x", Shape = "2")]
[Noise("z", Distribution.Normal, 2)]
[Minimax("E[log D(x, E(x))] + E[log(1 - D(G(z), z))]", GeneratorLoss = GeneratorLoss.NonSaturating)]
public partial class BiGanRule
{
    [Generator] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(2, 8, 2);
    [Generator] static nn.Module<Tensor, Tensor> E() => Nets.Mlp(2, 8, 2);
    [Discriminator] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(4, 8, 1);
}

[Collection(TorchGlobalRngCollection.Name)]
public sealed class RewriteTests
{
    private static nn.Module<Tensor, Tensor> Net(IAdversarialModel m, string name) => (nn.Module<Tensor, Tensor>)m.Network(name);

    private sealed class FixedBatches(Tensor x) : IBatchSource
    {
        public int BatchSize => (int)x.shape[0];
        public Device Device => CPU;
        public Batch Next() => new(x.alias());
    }

    /// <summary>Sets C(v) = 100 v₀ and G(z) = (3, 0): C(x) − C(G(z)) = −200 for x = (1, 0). In float32 sigmoid(−200) is 0 and
    /// 1 − sigmoid(200) is 0, so log sigmoid(·) and log(1 − sigmoid(·)) computed as written are −∞ (a NaN gradient); the
    /// rewrites give logsigmoid(−200) = −200, finite, with finite gradients.</summary>
    [Fact]
    public void Log_sigmoid_of_any_margin_is_finite_at_a_margin_of_200()
    {
        using var model = new RelativisticSigmoidGan(CPU);
        IAdversarialModel m = model;
        using (no_grad())
        {
            var c = (TorchSharp.Modules.Linear)m.Network("C");
            c.weight!.copy_(tensor(new float[,] { { 100f, 0f } }));
            c.bias!.zero_();
            var g = (TorchSharp.Modules.Linear)m.Network("G");
            g.weight!.zero_();
            g.bias!.copy_(tensor(new[] { 3f, 0f }));
        }
        // As written, the loss is infinite: this is what the rewrite avoids.
        using (no_grad())
            (-log(sigmoid(tensor(-200f)))).item<float>().ShouldBe(float.PositiveInfinity);

        var data = new FixedBatches(tensor(new float[,] { { 1f, 0f }, { 1f, 0f }, { 1f, 0f }, { 1f, 0f } }));
        model.StepRelativistic(data).ShouldBe(200f, 1e-3);
        ((TorchSharp.Modules.Linear)m.Network("C")).weight!.isfinite().all().item<bool>().ShouldBeTrue();
        model.StepComplement(data).ShouldBeGreaterThan(150f);   // C moved a little after the first step; still a huge margin
        m.PlayerParameters("C").All(p => p.isfinite().all().item<bool>()).ShouldBeTrue();
    }

    /// <summary>The stable form equals the formula where the formula is finite.</summary>
    [Fact]
    public void Log_sigmoid_rewrite_equals_the_formula_at_moderate_margins()
    {
        manual_seed(3);
        using var model = new RelativisticSigmoidGan(CPU);
        IAdversarialModel m = model;
        Tensor x = randn(16, 2);
        manual_seed(11);
        Tensor z = randn(16, 2);
        float expected;
        using (no_grad())
        {
            Tensor cx = Net(m, "C").forward(x), cg = Net(m, "C").forward(Net(m, "G").forward(z));
            expected = (-log(sigmoid(cx - cg)).mean()).item<float>();
        }
        manual_seed(11);
        model.StepRelativistic(new FixedBatches(x)).ShouldBe(expected, 1e-5);
    }

    /// <summary>Both minimizing players get the non-saturating loss: G's log(1 − D(G(z), z)) becomes −log D(G(z), z), and
    /// E's log D(x, E(x)) becomes −log(1 − D(x, E(x))). The loss equals that, written by hand, on the same batch and noise.</summary>
    [Fact]
    public void The_non_saturating_rule_flips_the_encoders_term_too()
    {
        manual_seed(7);
        using var model = new BiGanRule(CPU);
        IAdversarialModel m = model;
        Tensor x = randn(32, 2);
        manual_seed(21);
        Tensor z = randn(32, 2);
        float expected, saturating;
        using (no_grad())
        {
            var d = Net(m, "D");
            Tensor real = d.forward(cat(new[] { x, Net(m, "E").forward(x) }, 1));
            Tensor fake = d.forward(cat(new[] { Net(m, "G").forward(z), z }, 1));
            expected = (-nn.functional.logsigmoid(-real).mean() - nn.functional.logsigmoid(fake).mean()).item<float>();
            saturating = (nn.functional.logsigmoid(real).mean() - nn.functional.logsigmoid(fake).mean()).item<float>();
        }
        manual_seed(21);
        float loss = model.StepGenerators(new FixedBatches(x));
        loss.ShouldBe(expected, 1e-5);
        System.Math.Abs(loss - saturating).ShouldBeGreaterThan(1e-3f);   // the encoder's term as written would give this
    }
}
