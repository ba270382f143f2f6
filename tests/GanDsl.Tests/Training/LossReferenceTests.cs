using System;
using System.Collections.Generic;
using System.Linq;
using Gan.Runtime;
using Gan.Runtime.Nets;
using GanDsl.Tests.Runtime;
using Shouldly;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;
using static GanDsl.Tests.Training.PhaseReferenceTests;
using F = TorchSharp.torch.nn.functional;

namespace GanDsl.Tests.Training;

/// <summary>The games with a loss per side ([Game]) and the gradient penalties: the generated steps equal the same steps
/// written by hand in TorchSharp from the papers (WGAN-GP's Algorithm 1, the hinge loss, R1 and R2), 1e-6 after several
/// steps, each with a guard that one changed thing differs; and the penalty's gradient with respect to the critic's
/// weights equals its finite differences (it flows through the input gradient only because that gradient is kept in the
/// graph: create_graph).</summary>
[Collection(TorchGlobalRngCollection.Name)]
public class LossReferenceTests
{
    private static optim.Optimizer Adam(nn.Module network, double lr, double beta1 = 0.5, double beta2 = 0.999) => optim.Adam(network.parameters(), lr, beta1, beta2);

    /// <summary>‖g‖₂ per example, computed another way than the generated code (Tensor.norm).</summary>
    private static Tensor Norms(Tensor g) => g.flatten(1).norm(1, false, 2);

    /// <summary>∇ of a network's summed output with respect to its input, kept in the graph (or not, for the guards).</summary>
    private static Tensor InputGradient(Tensor output, Tensor input, bool createGraph = true) =>
        torch.autograd.grad(new[] { output.sum() }, new[] { input }, retain_graph: true, create_graph: createGraph)[0];

    // ---- WGAN-GP: k = 2 critic steps with the penalty at x̂ = ε x + (1 − ε) G(z), then the generator ----

    private static (Action<IBatchSource>, nn.Module[], optim.Optimizer[]) WganGp(double lambda = 10, bool createGraph = true)
    {
        var g = Nets.Mlp(3, 16, 2);
        var d = Nets.Mlp(2, 16, 16, 1);
        optim.Optimizer oG = Adam(g, 1e-3, 0.0, 0.9), oD = Adam(d, 2e-3, 0.0, 0.9);
        void Step(IBatchSource data)
        {
            for (int k = 0; k < 2; k++)
                using (NewDisposeScope())
                {
                    Tensor x = data.Next()["x"];
                    long m = x.shape[0];
                    Tensor z = randn(m, 3), eps = rand(m, 1);
                    Tensor fake;
                    using (no_grad()) fake = g.forward(z);
                    Tensor xHat = (eps * x + (1 - eps) * fake).requires_grad_(true);
                    Tensor penalty = (Norms(InputGradient(d.forward(xHat), xHat, createGraph)) - 1).pow(2).mean();
                    Update(d.forward(fake).mean() - d.forward(x).mean() + lambda * penalty, oD);
                }
            using (NewDisposeScope()) Update(-d.forward(g.forward(randn(data.BatchSize, 3))).mean(), oG);
        }
        return (Step, new nn.Module[] { g, d }, new[] { oG, oD });
    }

    [Fact]
    public void Wgan_gp_matches_hand_written() =>
        ShouldBeEqual(RunGenerated(() => new TinyWganGp(CPU), new Pool(2)), RunReference(() => WganGp(), new Pool(2)));

    [Fact]
    public void The_wgan_gp_comparison_can_tell_a_penalty_whose_input_gradient_is_not_in_the_graph() =>
        ShouldDiffer(RunGenerated(() => new TinyWganGp(CPU), new Pool(2)), RunReference(() => WganGp(createGraph: false), new Pool(2)));

    [Fact]
    public void The_wgan_gp_comparison_can_tell_another_penalty_weight() =>
        ShouldDiffer(RunGenerated(() => new TinyWganGp(CPU), new Pool(2)), RunReference(() => WganGp(lambda: 1), new Pool(2)));

    // ---- Hinge ----

    private static (Action<IBatchSource>, nn.Module[], optim.Optimizer[]) Hinge(double margin = 1)
    {
        var g = Nets.Mlp(3, 16, 2);
        var d = Nets.Mlp(2, 16, 1);
        optim.Optimizer oG = Adam(g, 2e-3), oD = Adam(d, 2e-3);
        void Step(IBatchSource data)
        {
            using (NewDisposeScope())
            {
                Tensor x = data.Next()["x"];
                Tensor fake;
                using (no_grad()) fake = g.forward(randn(x.shape[0], 3));
                Update(F.relu(margin - d.forward(x)).mean() + F.relu(margin + d.forward(fake)).mean(), oD);
            }
            using (NewDisposeScope()) Update(-d.forward(g.forward(randn(data.BatchSize, 3))).mean(), oG);
        }
        return (Step, new nn.Module[] { g, d }, new[] { oG, oD });
    }

    [Fact]
    public void Hinge_matches_hand_written() =>
        ShouldBeEqual(RunGenerated(() => new TinyHinge(CPU), new Pool(2)), RunReference(() => Hinge(), new Pool(2)));

    [Fact]
    public void The_hinge_comparison_can_tell_another_margin() =>
        ShouldDiffer(RunGenerated(() => new TinyHinge(CPU), new Pool(2)), RunReference(() => Hinge(margin: 0), new Pool(2)));

    // ---- R1 on data and R2 on samples ----

    private static (Action<IBatchSource>, nn.Module[], optim.Optimizer[]) R1R2(double r2Weight = 0.5)
    {
        var g = Nets.Mlp(3, 16, 2);
        var d = Nets.Mlp(new[] { 2, 16, 1 }, Activation.Tanh);
        optim.Optimizer oG = Adam(g, 2e-3), oD = Adam(d, 2e-3);
        void Step(IBatchSource data)
        {
            using (NewDisposeScope())
            {
                Tensor x = data.Next()["x"].detach().requires_grad_(true);
                Tensor fake;
                using (no_grad()) fake = g.forward(randn(x.shape[0], 3));
                fake.requires_grad_(true);
                Tensor real = d.forward(x), judged = d.forward(fake);
                Tensor r1 = InputGradient(real, x).pow(2).sum(1).mean(), r2 = InputGradient(judged, fake).pow(2).sum(1).mean();
                Update(-F.logsigmoid(real).mean() - F.logsigmoid(-judged).mean() + r1 + r2Weight * r2, oD);
            }
            using (NewDisposeScope()) Update(-F.logsigmoid(d.forward(g.forward(randn(data.BatchSize, 3)))).mean(), oG);
        }
        return (Step, new nn.Module[] { g, d }, new[] { oG, oD });
    }

    [Fact]
    public void R1_and_R2_match_hand_written() =>
        ShouldBeEqual(RunGenerated(() => new TinyR1R2(CPU), new Pool(2)), RunReference(() => R1R2(), new Pool(2)));

    [Fact]
    public void The_r1_r2_comparison_can_tell_a_missing_r2() =>
        ShouldDiffer(RunGenerated(() => new TinyR1R2(CPU), new Pool(2)), RunReference(() => R1R2(r2Weight: 0), new Pool(2)));

    // ---- The penalty alone: its value and gradient by hand, and its gradient by finite differences ----

    /// <summary>The critic's loss of TinyPenaltyOnly on the pool's batch with the draws of seed 123, through the generated
    /// step (its SGD rate is 0, so the weights stay; the gradient stays in .grad).</summary>
    private static float GeneratedPenalty(TinyPenaltyOnly model, IBatchSource data)
    {
        torch.manual_seed(123);
        return model.StepDiscriminators(data);
    }

    [Fact]
    public void The_penalty_and_its_gradient_equal_hand_written_and_finite_differences()
    {
        torch.manual_seed(7);
        using var model = new TinyPenaltyOnly(CPU);
        var data = new Pool(2, count: 1);
        var g = (nn.Module<Tensor, Tensor>)((IAdversarialModel)model).Network("G");
        var d = (nn.Module<Tensor, Tensor>)((IAdversarialModel)model).Network("D");
        Tensor[] weights = d.parameters().ToArray();

        float generated = GeneratedPenalty(model, data);
        // The output layer's bias has no gradient: the penalties depend on the input gradient, which does not read it.
        Tensor[] generatedGrad = weights.Select(w => w.grad?.clone() ?? zeros_like(w)).ToArray();

        // By hand: the same draws (z, then ε), the penalty at x̂ and R1 at x, differentiated by autograd.
        torch.manual_seed(123);
        Tensor x = data.Next()["x"].detach().requires_grad_(true);
        Tensor z = randn(x.shape[0], 3), eps = rand(x.shape[0], 1);
        Tensor fake;
        using (no_grad()) fake = g.forward(z);
        Tensor xHat = (eps * x + (1 - eps) * fake).requires_grad_(true);
        Tensor hand = 10 * (Norms(InputGradient(d.forward(xHat), xHat)) - 1).pow(2).mean() + InputGradient(d.forward(x), x).pow(2).sum(1).mean();
        Tensor[] handGrad = torch.autograd.grad(new[] { hand }, weights, allow_unused: true).Select((t, i) => t is null || t.IsInvalid ? zeros_like(weights[i]) : t).ToArray();
        ((double)Math.Abs(generated - hand.item<float>())).ShouldBeLessThanOrEqualTo(1e-6 * Math.Max(1, Math.Abs(generated)));
        for (int i = 0; i < weights.Length; i++) ((double)(generatedGrad[i] - handGrad[i]).abs().max().item<float>()).ShouldBeLessThanOrEqualTo(1e-6);

        // Finite differences of the generated loss in a few coordinates of every weight tensor. In float32 with h = 1e-2 the
        // central difference is good to about 1e-3 here; a penalty that did not reach the weights would give gradient 0.
        const float h = 1e-2f;
        int checkedCoordinates = 0;
        double largest = 0;
        for (int i = 0; i < weights.Length; i++)
        {
            Tensor flat = weights[i].detach().view(-1);
            foreach (long j in new long[] { 0, flat.shape[0] / 2, flat.shape[0] - 1 }.Distinct())
            {
                float original = flat[j].item<float>();
                using (no_grad()) flat[j] = original + h;
                float plus = GeneratedPenalty(model, data);
                using (no_grad()) flat[j] = original - h;
                float minus = GeneratedPenalty(model, data);
                using (no_grad()) flat[j] = original;
                double difference = (plus - minus) / (2.0 * h), analytic = generatedGrad[i].view(-1)[j].item<float>();
                Math.Abs(difference - analytic).ShouldBeLessThanOrEqualTo(2e-3 + 1e-2 * Math.Abs(analytic), $"weight {i}, coordinate {j}");
                largest = Math.Max(largest, Math.Abs(analytic));
                checkedCoordinates++;
            }
        }
        checkedCoordinates.ShouldBeGreaterThanOrEqualTo(10);
        largest.ShouldBeGreaterThan(0.05, "the penalty's gradient should be far from 0 somewhere, or the check could not fail");
    }

    // ---- WGAN with weight clipping and RMSprop ----

    private static (Action<IBatchSource>, nn.Module[], optim.Optimizer[]) WganClip(double clip = 0.05)
    {
        var g = Nets.Mlp(3, 16, 2);
        var d = Nets.Mlp(2, 16, 1);
        optim.Optimizer oG = optim.RMSProp(g.parameters(), 5e-3), oD = optim.RMSProp(d.parameters(), 5e-3);
        void Step(IBatchSource data)
        {
            for (int k = 0; k < 2; k++)
                using (NewDisposeScope())
                {
                    Tensor x = data.Next()["x"];
                    Tensor fake;
                    using (no_grad()) fake = g.forward(randn(x.shape[0], 3));
                    Update(d.forward(fake).mean() - d.forward(x).mean(), oD);
                    using (no_grad()) foreach (var p in d.parameters()) p.clamp_(-clip, clip);
                }
            using (NewDisposeScope()) Update(-d.forward(g.forward(randn(data.BatchSize, 3))).mean(), oG);
        }
        return (Step, new nn.Module[] { g, d }, new[] { oG, oD });
    }

    [Fact]
    public void Wgan_with_weight_clipping_matches_hand_written()
    {
        List<Tensor> generated = RunGenerated(() => new TinyWganClip(CPU), new Pool(2));
        ShouldBeEqual(generated, RunReference(() => WganClip(), new Pool(2)));
        // The critic's weights (after G's 4 tensors: the players in declaration order) are inside [−0.05, 0.05].
        generated.Skip(4).Max(t => t.abs().max().item<float>()).ShouldBeLessThanOrEqualTo(0.05f + 1e-7f);
    }

    [Fact]
    public void The_clipping_comparison_can_tell_another_bound() =>
        ShouldDiffer(RunGenerated(() => new TinyWganClip(CPU), new Pool(2)), RunReference(() => WganClip(clip: 0.1), new Pool(2)));

    // ---- Simultaneous updates ----

    private static (Action<IBatchSource>, nn.Module[], optim.Optimizer[]) Simultaneous(bool alternating = false)
    {
        var g = Nets.Mlp(3, 16, 2);
        var d = Nets.Mlp(2, 16, 1);
        optim.Optimizer oG = Adam(g, 5e-3), oD = Adam(d, 5e-3);
        void Step(IBatchSource data)
        {
            using var scope = NewDisposeScope();
            Tensor x = data.Next()["x"];
            Tensor fake = g.forward(randn(x.shape[0], 3));
            Tensor real = d.forward(x), judged = d.forward(fake);
            Tensor lossD = -(F.logsigmoid(real).mean() + F.logsigmoid(-judged).mean()), lossG = -F.logsigmoid(judged).mean();
            // Both gradients at the same weights, each from its own loss, then both steps.
            Tensor[] dGrad = torch.autograd.grad(new[] { lossD }, d.parameters().ToArray(), retain_graph: true).ToArray();
            if (alternating) { oD.zero_grad(); foreach (var (p, gr) in d.parameters().Zip(dGrad)) p.grad = gr; oD.step(); judged = d.forward(fake); lossG = -F.logsigmoid(judged).mean(); }
            Tensor[] gGrad = torch.autograd.grad(new[] { lossG }, g.parameters().ToArray()).ToArray();
            if (!alternating) { foreach (var (p, gr) in d.parameters().Zip(dGrad)) p.grad = gr; oD.step(); }
            foreach (var (p, gr) in g.parameters().Zip(gGrad)) p.grad = gr;
            oG.step();
        }
        return (Step, new nn.Module[] { g, d }, new[] { oG, oD });
    }

    [Fact]
    public void Simultaneous_updates_match_hand_written() =>
        ShouldBeEqual(RunGenerated(() => new TinySimultaneous(CPU), new Pool(2)), RunReference(() => Simultaneous(), new Pool(2)));

    [Fact]
    public void The_simultaneous_comparison_can_tell_the_generator_stepping_after_the_discriminator() =>
        ShouldDiffer(RunGenerated(() => new TinySimultaneous(CPU), new Pool(2)), RunReference(() => Simultaneous(alternating: true), new Pool(2)));

    // ---- Packing ----

    private static (Action<IBatchSource>, nn.Module[], optim.Optimizer[]) Packed(bool interleaved = false)
    {
        var g = Nets.Mlp(3, 16, 2);
        var d = Nets.Mlp(4, 16, 1);
        optim.Optimizer oG = Adam(g, 5e-3), oD = Adam(d, 5e-3);
        // Pairs of consecutive examples side by side: [x0 x1], [x2 x3], ... (the guard pairs x_i with x_{i + m/2}).
        Tensor Pack(Tensor t) => interleaved ? cat(new[] { t[..(int)(t.shape[0] / 2)], t[(int)(t.shape[0] / 2)..] }, 1) : cat(new[] { t[TensorIndex.Slice(0, null, 2)], t[TensorIndex.Slice(1, null, 2)] }, 1);
        void Step(IBatchSource data)
        {
            using (NewDisposeScope())
            {
                Tensor x = data.Next()["x"];
                Tensor fake;
                using (no_grad()) fake = g.forward(randn(x.shape[0], 3));
                Update(-(F.logsigmoid(d.forward(Pack(x))).mean() + F.logsigmoid(-d.forward(Pack(fake))).mean()), oD);
            }
            using (NewDisposeScope()) Update(-F.logsigmoid(d.forward(Pack(g.forward(randn(data.BatchSize, 3))))).mean(), oG);
        }
        return (Step, new nn.Module[] { g, d }, new[] { oG, oD });
    }

    [Fact]
    public void Packing_matches_hand_written() =>
        ShouldBeEqual(RunGenerated(() => new TinyPacked(CPU), new Pool(2)), RunReference(() => Packed(), new Pool(2)));

    [Fact]
    public void The_packing_comparison_can_tell_other_pairs() =>
        ShouldDiffer(RunGenerated(() => new TinyPacked(CPU), new Pool(2)), RunReference(() => Packed(interleaved: true), new Pool(2)));

    // ---- Spectral normalization: the power iteration and W / σ written out ----

    private static (Action<IBatchSource>, nn.Module[], optim.Optimizer[]) SpectrallyNormalizedHinge(int iterations = 1)
    {
        var g = Nets.Mlp(3, 16, 2);
        var d = Nets.Mlp(2, 16, 1);
        var layers = d.modules().OfType<TorchSharp.Modules.Linear>().ToArray();
        // u and v drawn as SpectralNorm draws them, layer by layer after the network is built.
        var vectors = layers.Select(l => (U: F.normalize(randn(l.weight.shape[0]), 2, 0, 1e-12), V: F.normalize(randn(l.weight.shape[1]), 2, 0, 1e-12))).ToArray();
        optim.Optimizer oG = Adam(g, 5e-3), oD = Adam(d, 5e-3);
        Tensor Critic(Tensor input)
        {
            Tensor h = input;
            for (int i = 0; i < layers.Length; i++)
            {
                Tensor w = layers[i].weight;
                using (no_grad())
                    for (int k = 0; k < iterations; k++)
                    {
                        // The vectors outlive the step's dispose scope, as the buffers do.
                        vectors[i].V = F.normalize(w.detach().t().mv(vectors[i].U), 2, 0, 1e-12).DetachFromDisposeScope();
                        vectors[i].U = F.normalize(w.detach().mv(vectors[i].V), 2, 0, 1e-12).DetachFromDisposeScope();
                    }
                h = F.linear(h, w / vectors[i].U.dot(w.mv(vectors[i].V)), layers[i].bias);
                if (i + 1 < layers.Length) h = F.relu(h);
            }
            return h;
        }
        void Step(IBatchSource data)
        {
            using (NewDisposeScope())
            {
                Tensor x = data.Next()["x"];
                Tensor fake;
                using (no_grad()) fake = g.forward(randn(x.shape[0], 3));
                // The generated step applies D to x, then to G(z): each forward one power iteration, in that order.
                Tensor real = Critic(x), judged = Critic(fake);
                Update(F.relu(1 - real).mean() + F.relu(1 + judged).mean(), oD);
            }
            using (NewDisposeScope()) Update(-Critic(g.forward(randn(data.BatchSize, 3))).mean(), oG);
        }
        return (Step, new nn.Module[] { g, d }, new[] { oG, oD });
    }

    [Fact]
    public void Spectral_normalization_matches_hand_written() =>
        ShouldBeEqual(RunGenerated(() => new TinySnHinge(CPU), new Pool(2)), RunReference(() => SpectrallyNormalizedHinge(), new Pool(2)));

    [Fact]
    public void The_spectral_norm_comparison_can_tell_two_power_iterations() =>
        ShouldDiffer(RunGenerated(() => new TinySnHinge(CPU), new Pool(2)), RunReference(() => SpectrallyNormalizedHinge(iterations: 2), new Pool(2)));

    /// <summary>The overhead benchmark's hand-written WGAN-GP (GanDsl.Reference, with no_grad or detach) equals the catalog's
    /// generated WganGp on the ring networks, so the benchmark compares equal work.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_benchmarks_hand_written_wgan_gp_equals_the_catalog_entry(bool noGrad)
    {
        var data = new Pool(2);
        List<Tensor> generated = RunGenerated(() => new GanDsl.Samples.Catalog.WganGp(CPU), data);
        torch.manual_seed(7);
        using var hand = new GanDsl.Reference.HandWrittenWganGp(Nets.Mlp(2, 128, 128, 2), Nets.Mlp(2, 128, 128, 1), 1e-3, 1e-3, 0.0, 0.9, 5, 2, noGrad: noGrad);
        torch.manual_seed(99);
        var again = new Pool(2);
        for (int i = 0; i < Steps; i++) hand.Step(again);
        ShouldBeEqual(generated, Snapshot(hand.Parameters));
    }
}
