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
using F = TorchSharp.torch.nn.functional;

namespace GanDsl.Tests.Training;

/// <summary>The generated TrainStep of the models with more than the two-player game — a reconstruction phase, a
/// label-conditioned prior, encoder phases, an information term over a shared trunk, two discriminators, optimizer
/// settings away from their defaults — equals the same step written by hand in TorchSharp from the papers' formulas
/// (cross-entropy for a categorical likelihood, ½‖·‖² for a Gaussian one, the mixture prior drawn here): same initial
/// weights, seed and data; parameters equal to 1e-6 after several steps. Each comparison also has a guard: the
/// hand-written step with one thing changed (a weight, a prior, an optimizer setting) is not equal.</summary>
[Collection(TorchGlobalRngCollection.Name)]
public class PhaseReferenceTests
{
    internal const int Steps = 6;
    internal const int BatchSize = 32;

    /// <summary>A few batches drawn once from a generator of their own (so the data does not touch the global
    /// generator the steps draw noise from), served in turn.</summary>
    internal sealed class Pool : IBatchSource
    {
        private readonly List<Batch> _batches = new();
        private int _next;

        public Pool(int features, int classes = 0, long seed = 5, int count = 5)
        {
            using var generator = new torch.Generator((ulong)seed);
            for (int i = 0; i < count; i++)
            {
                var fields = new Dictionary<string, Tensor> { ["x"] = randn(new long[] { BatchSize, features }, generator: generator) };
                if (classes > 0) fields["y"] = randint(0, classes, new long[] { BatchSize }, generator: generator);
                _batches.Add(new Batch(fields));
            }
        }

        public int BatchSize => PhaseReferenceTests.BatchSize;
        public Device Device => CPU;
        public Batch Next() => _batches[_next++ % _batches.Count];
    }

    internal static List<Tensor> Snapshot(IEnumerable<Tensor> parameters) => parameters.Select(p => p.detach().clone()).ToList();

    internal static List<Tensor> RunGenerated(Func<IAdversarialModel> create, IBatchSource data)
    {
        torch.manual_seed(7);
        using var model = (IDisposable)create();
        var adversarial = (IAdversarialModel)model;
        torch.manual_seed(99);
        for (int i = 0; i < Steps; i++) adversarial.TrainStep(data);
        return Snapshot(adversarial.Players.SelectMany(adversarial.PlayerParameters));
    }

    /// <summary>Runs a hand-written step: <paramref name="build"/> creates the networks (in declaration order, after the
    /// model's seed) and returns the step and the networks whose parameters to compare.</summary>
    internal static List<Tensor> RunReference(Func<(Action<IBatchSource> Step, nn.Module[] Networks, optim.Optimizer[] Optimizers)> build, IBatchSource data)
    {
        torch.manual_seed(7);
        var (step, networks, optimizers) = build();
        torch.manual_seed(99);
        for (int i = 0; i < Steps; i++) step(data);
        var result = Snapshot(networks.SelectMany(n => n.parameters()));
        foreach (var o in optimizers) o.Dispose();
        foreach (var n in networks) n.Dispose();
        return result;
    }

    private static optim.Optimizer Adam(nn.Module network, double lr) => optim.Adam(network.parameters(), lr, 0.5, 0.999);

    internal static void Update(Tensor loss, params optim.Optimizer[] optimizers)
    {
        foreach (var o in optimizers) o.zero_grad();
        loss.backward();
        foreach (var o in optimizers) o.step();
    }

    /// <summary>−(E[log D(real)] + E[log(1 − D(fake))]) from logits.</summary>
    private static Tensor DiscriminatorLoss(Tensor realLogits, Tensor fakeLogits) =>
        -(F.logsigmoid(realLogits).mean() + F.logsigmoid(-fakeLogits).mean());

    /// <summary>The non-saturating generator loss −E[log D(fake)] from logits.</summary>
    private static Tensor GeneratorLoss(Tensor fakeLogits) => -F.logsigmoid(fakeLogits).mean();

    private static Tensor OneHot(Tensor classes, int count) => F.one_hot(classes, count).to(float32);

    internal static double MaxDifference(List<Tensor> a, List<Tensor> b)
    {
        a.Count.ShouldBe(b.Count);
        return a.Zip(b).Max(p =>
        {
            p.First.shape.ShouldBe(p.Second.shape);
            return (double)(p.First - p.Second).abs().max().item<float>();
        });
    }

    internal static void ShouldBeEqual(List<Tensor> generated, List<Tensor> hand) => MaxDifference(generated, hand).ShouldBeLessThanOrEqualTo(1e-6);
    internal static void ShouldDiffer(List<Tensor> generated, List<Tensor> other) => MaxDifference(generated, other).ShouldBeGreaterThan(1e-4);

    // ---- TinyAae and TinyLabelledMixtureAae: reconstruction, then the game on the code ----

    /// <summary>Makhzani et al. 2015, Fig. 4: 10 Gaussians on a circle of radius 4 at angles 2πk/10, std 1 along the
    /// radius and 0.25 across it; class k draws from component k.</summary>
    private static Tensor Mixture(Tensor classes)
    {
        long n = classes.shape[0];
        Tensor angle = classes.to(float32) * (float)(2 * Math.PI / 10);
        Tensor along = randn(n) + 4f;
        Tensor across = randn(n) * 0.25f;
        return stack(new[] { along * angle.cos() - across * angle.sin(), along * angle.sin() + across * angle.cos() }, 1);
    }

    private static (Action<IBatchSource>, nn.Module[], optim.Optimizer[]) AdversarialAutoencoder(bool labelled, bool conditionOnLabel = true)
    {
        var enc = Nets.Mlp(4, 16, 2);
        var dec = Nets.Mlp(2, 16, 4);
        nn.Module<Tensor, Tensor> d = labelled ? new RecordingDiscriminator(12) : Nets.Mlp(2, 16, 1);
        optim.Optimizer oEnc = Adam(enc, 3e-3), oDec = Adam(dec, 3e-3), oD = Adam(d, 1e-3);
        Tensor Judge(Tensor code, Batch batch) => d.forward(labelled ? cat(new[] { code, OneHot(batch["y"], 10) }, 1) : code);
        void Step(IBatchSource data)
        {
            using (NewDisposeScope())
            {
                Tensor x = data.Next()["x"];
                Update((x - dec.forward(enc.forward(x))).pow(2).sum(1).mean(), oEnc, oDec);
            }
            using (NewDisposeScope())
            {
                Batch batch = data.Next();
                Tensor x = batch["x"];
                Tensor z = !labelled ? randn(x.shape[0], 2)
                         : Mixture(conditionOnLabel ? batch["y"] : randint(0, 10, new long[] { x.shape[0] }));
                Tensor code;
                using (no_grad()) code = enc.forward(x);
                Update(DiscriminatorLoss(Judge(z, batch), Judge(code, batch)), oD);
            }
            using (NewDisposeScope())
            {
                Batch batch = data.Next();
                Update(GeneratorLoss(Judge(enc.forward(batch["x"]), batch)), oEnc);
            }
        }
        return (Step, new nn.Module[] { enc, dec, d }, new[] { oEnc, oDec, oD });
    }

    [Fact]
    public void Adversarial_autoencoder_matches_hand_written()
    {
        ShouldBeEqual(RunGenerated(() => new TinyAae(CPU), new Pool(4)),
                      RunReference(() => AdversarialAutoencoder(labelled: false), new Pool(4)));
    }

    [Fact]
    public void Label_conditioned_mixture_prior_matches_hand_written()
    {
        ShouldBeEqual(RunGenerated(() => new TinyLabelledMixtureAae(CPU), new Pool(4, classes: 10)),
                      RunReference(() => AdversarialAutoencoder(labelled: true), new Pool(4, classes: 10)));
    }

    [Fact]
    public void The_mixture_comparison_can_tell_a_prior_that_ignores_the_label()
    {
        ShouldDiffer(RunGenerated(() => new TinyLabelledMixtureAae(CPU), new Pool(4, classes: 10)),
                     RunReference(() => AdversarialAutoencoder(labelled: true, conditionOnLabel: false), new Pool(4, classes: 10)));
    }

    /// <summary>TinyAaePhaseRate by hand: the reconstruction steps Enc and Dec with Adams of its own at 3e-3; the game steps Enc
    /// with another Adam at 1e-3 (<paramref name="shared"/>: the guard, one Adam for Enc's two phases, at 1e-3 in both).</summary>
    private static (Action<IBatchSource>, nn.Module[], optim.Optimizer[]) AutoencoderWithPhaseRate(bool shared)
    {
        var enc = Nets.Mlp(4, 16, 2);
        var dec = Nets.Mlp(2, 16, 4);
        var d = Nets.Mlp(2, 16, 1);
        optim.Optimizer oEnc = Adam(enc, 1e-3), oD = Adam(d, 1e-3);
        optim.Optimizer oEncReconstruction = shared ? oEnc : Adam(enc, 3e-3), oDecReconstruction = Adam(dec, shared ? 1e-3 : 3e-3);
        void Step(IBatchSource data)
        {
            using (NewDisposeScope())
            {
                Tensor x = data.Next()["x"];
                Update((x - dec.forward(enc.forward(x))).pow(2).sum(1).mean(), oEncReconstruction, oDecReconstruction);
            }
            using (NewDisposeScope())
            {
                Tensor x = data.Next()["x"];
                Tensor z = randn(x.shape[0], 2);
                Tensor code;
                using (no_grad()) code = enc.forward(x);
                Update(DiscriminatorLoss(d.forward(z), d.forward(code)), oD);
            }
            using (NewDisposeScope())
                Update(GeneratorLoss(d.forward(enc.forward(data.Next()["x"]))), oEnc);
        }
        var optimizers = shared ? new[] { oEnc, oDecReconstruction, oD } : new[] { oEnc, oDecReconstruction, oD, oEncReconstruction };
        return (Step, new nn.Module[] { enc, dec, d }, optimizers);
    }

    [Fact]
    public void A_phase_with_its_own_learning_rate_steps_its_networks_with_optimizers_of_its_own()
    {
        List<Tensor> generated = RunGenerated(() => new TinyAaePhaseRate(CPU), new Pool(4));
        ShouldBeEqual(generated, RunReference(() => AutoencoderWithPhaseRate(shared: false), new Pool(4)));
        ShouldDiffer(generated, RunReference(() => AutoencoderWithPhaseRate(shared: true), new Pool(4)));
    }

    [Fact]
    public void A_phase_rate_adds_one_optimizer_per_network_it_updates_after_the_players_and_schedules_scale_it()
    {
        using var model = new TinyAaePhaseRate(CPU);
        IAdversarialModel m = model;
        m.Optimizers.Count.ShouldBe(5);   // Enc, Dec, D, then Enc and Dec in the reconstruction phase
        double Rate(int i) => m.Optimizers[i].ParamGroups.Single().LearningRate;
        new[] { Rate(0), Rate(1), Rate(2), Rate(3), Rate(4) }.ShouldBe(new[] { 1e-3, 2e-4, 1e-3, 3e-3, 3e-3 });
        model.ScaleLearningRates(0.5);
        new[] { Rate(0), Rate(1), Rate(2), Rate(3), Rate(4) }.ShouldBe(new[] { 5e-4, 1e-4, 5e-4, 1.5e-3, 1.5e-3 });
        ModelRegistry.Find("tiny-aae-phase-rate")!.HyperParameters["reconstruction.learning_rate"].ShouldBe(3e-3);
    }

    // ---- TinyIcgan: E_z on generated pairs, E_y on labelled data, then the conditional game ----

    private static (Action<IBatchSource>, nn.Module[], optim.Optimizer[]) InvertibleConditional(double encoderLearningRate = 1e-2)
    {
        var g = Nets.Mlp(8, 16, 8);
        var d = Nets.Mlp(11, 16, 1);
        var ez = Nets.Mlp(8, 16, 5);
        var ey = Nets.Mlp(8, 16, 3);
        optim.Optimizer oG = Adam(g, 2e-4), oD = Adam(d, 2e-4), oEz = Adam(ez, encoderLearningRate), oEy = Adam(ey, encoderLearningRate);
        (Tensor Z, Tensor Y) Noise(long m) => (randn(m, 5), OneHot(randint(0, 3, new long[] { m }), 3));
        void Step(IBatchSource data)
        {
            using (NewDisposeScope())
            {
                var (z, yPrime) = Noise(data.BatchSize);
                Tensor fake;
                using (no_grad()) fake = g.forward(cat(new[] { z, yPrime }, 1));
                Update((ez.forward(fake) - z).pow(2).sum(1).mean(), oEz);
            }
            using (NewDisposeScope())
            {
                Batch batch = data.Next();
                Update(F.cross_entropy(ey.forward(batch["x"]), batch["y"]), oEy);
            }
            using (NewDisposeScope())
            {
                Batch batch = data.Next();
                Tensor x = batch["x"];
                var (z, yPrime) = Noise(x.shape[0]);
                Tensor fake;
                using (no_grad()) fake = g.forward(cat(new[] { z, yPrime }, 1));
                Update(DiscriminatorLoss(d.forward(cat(new[] { x, OneHot(batch["y"], 3) }, 1)), d.forward(cat(new[] { fake, yPrime }, 1))), oD);
            }
            using (NewDisposeScope())
            {
                var (z, yPrime) = Noise(data.BatchSize);
                Update(GeneratorLoss(d.forward(cat(new[] { g.forward(cat(new[] { z, yPrime }, 1)), yPrime }, 1))), oG);
            }
        }
        return (Step, new nn.Module[] { g, d, ez, ey }, new[] { oG, oD, oEz, oEy });
    }

    [Fact]
    public void Invertible_conditional_gan_matches_hand_written()
    {
        ShouldBeEqual(RunGenerated(() => new TinyIcgan(CPU), new Pool(8, classes: 3)),
                      RunReference(() => InvertibleConditional(), new Pool(8, classes: 3)));
    }

    [Fact]
    public void The_icgan_comparison_can_tell_the_encoders_learning_rate()
    {
        ShouldDiffer(RunGenerated(() => new TinyIcgan(CPU), new Pool(8, classes: 3)),
                     RunReference(() => InvertibleConditional(encoderLearningRate: 2e-4), new Pool(8, classes: 3)));
    }

    // ---- TinyInfoGan: the information term over G, T, Q, Qs, then the game through the trunk T ----

    private static (Action<IBatchSource>, nn.Module[], optim.Optimizer[]) InformationMaximizing(double gaussianWeight = 0.1)
    {
        var g = Nets.Mlp(9, 16, 6);
        var t = Nets.Mlp(new[] { 6, 8 }, Activation.ReLU, Activation.ReLU);
        var d = Nets.Mlp(8, 1);
        var q = Nets.Mlp(8, 4);
        var qs = Nets.Mlp(8, 2);
        optim.Optimizer oG = Adam(g, 5e-3), oT = Adam(t, 5e-3), oD = Adam(d, 2e-4), oQ = Adam(q, 5e-3), oQs = Adam(qs, 5e-3);
        (Tensor Input, Tensor Classes, Tensor S) Noise(long m)
        {
            Tensor z = randn(m, 3);
            Tensor classes = randint(0, 4, new long[] { m });
            Tensor s = rand(m, 2) * 2 - 1;
            return (cat(new[] { z, OneHot(classes, 4), s }, 1), classes, s);
        }
        void Step(IBatchSource data)
        {
            using (NewDisposeScope())
            {
                var (input, classes, s) = Noise(data.BatchSize);
                Tensor h = t.forward(g.forward(input));
                // −E[log Q(c | h)] is the cross-entropy; −E[log N(s; Qs(h), I)] is ½‖s − Qs(h)‖² up to a constant
                Tensor loss = F.cross_entropy(q.forward(h), classes) + gaussianWeight * (0.5 * (qs.forward(h) - s).pow(2).sum(1).mean());
                Update(loss, oG, oT, oQ, oQs);
            }
            using (NewDisposeScope())
            {
                Tensor x = data.Next()["x"];
                var (input, _, _) = Noise(x.shape[0]);
                Tensor fake;
                using (no_grad()) fake = g.forward(input);
                Update(DiscriminatorLoss(d.forward(t.forward(x)), d.forward(t.forward(fake))), oT, oD);
            }
            using (NewDisposeScope())
            {
                var (input, _, _) = Noise(data.BatchSize);
                Update(GeneratorLoss(d.forward(t.forward(g.forward(input)))), oG);
            }
        }
        return (Step, new nn.Module[] { g, t, d, q, qs }, new[] { oG, oT, oD, oQ, oQs });
    }

    [Fact]
    public void Infogan_with_shared_trunk_matches_hand_written()
    {
        ShouldBeEqual(RunGenerated(() => new TinyInfoGan(CPU), new Pool(6)),
                      RunReference(() => InformationMaximizing(), new Pool(6)));
    }

    [Fact]
    public void The_infogan_comparison_can_tell_the_gaussian_weight()
    {
        ShouldDiffer(RunGenerated(() => new TinyInfoGan(CPU), new Pool(6)),
                     RunReference(() => InformationMaximizing(gaussianWeight: 1.0), new Pool(6)));
    }

    // ---- The game with every optimizer setting away from its default, and with two discriminators ----

    private static (Action<IBatchSource>, nn.Module[], optim.Optimizer[]) Game(nn.Module<Tensor, Tensor> g, nn.Module<Tensor, Tensor>[] ds, double[] weights,
                                                                             optim.Optimizer oG, optim.Optimizer[] oDs)
    {
        Tensor Weighted(Func<int, Tensor> term) => Enumerable.Range(0, ds.Length).Select(i => term(i) * weights[i]).Aggregate((a, b) => a + b);
        void Step(IBatchSource data)
        {
            using (NewDisposeScope())
            {
                Tensor x = data.Next()["x"];
                Tensor z = randn(x.shape[0], 3);
                Tensor fake;
                using (no_grad()) fake = g.forward(z);
                Update(Weighted(i => DiscriminatorLoss(ds[i].forward(x), ds[i].forward(fake))), oDs);
            }
            using (NewDisposeScope())
            {
                Tensor fake = g.forward(randn(data.BatchSize, 3));
                Update(Weighted(i => GeneratorLoss(ds[i].forward(fake))), oG);
            }
        }
        return (Step, new nn.Module[] { g }.Concat(ds).ToArray(), new[] { oG }.Concat(oDs).ToArray());
    }

    private static (Action<IBatchSource>, nn.Module[], optim.Optimizer[]) TunedOptimizers(bool declaredSettings)
    {
        var g = Nets.Mlp(3, 16, 2);
        var d = Nets.Mlp(2, 16, 1);
        var oG = declaredSettings ? optim.Adam(g.parameters(), 3e-3, 0.7, 0.95, weight_decay: 0.01) : Adam(g, 3e-3);
        var oD = declaredSettings ? optim.SGD(d.parameters(), 0.05, momentum: 0.8, weight_decay: 0.02) : optim.SGD(d.parameters(), 0.05);
        return Game(g, new[] { d }, new[] { 1.0 }, oG, new[] { oD });
    }

    private static (Action<IBatchSource>, nn.Module[], optim.Optimizer[]) TwoDiscriminators(double secondWeight)
    {
        var g = Nets.Mlp(3, 16, 2);
        var d1 = Nets.Mlp(2, 16, 1);
        var d2 = Nets.Mlp(2, 8, 1);
        return Game(g, new[] { d1, d2 }, new[] { 1.0, secondWeight }, Adam(g, 2e-3), new[] { Adam(d1, 1e-3), Adam(d2, 4e-3) });
    }

    private static (Action<IBatchSource>, nn.Module[], optim.Optimizer[]) AdamWAndRmsProp(bool declaredSettings)
    {
        var g = Nets.Mlp(3, 16, 2);
        var d = Nets.Mlp(2, 16, 1);
        // The guard: Adam with the same weight decay as an L2 term (not decoupled), and RMSprop with its defaults.
        optim.Optimizer oG = declaredSettings ? optim.AdamW(g.parameters(), 2e-3, 0.6, 0.98, weight_decay: 0.05) : optim.Adam(g.parameters(), 2e-3, 0.6, 0.98, weight_decay: 0.05);
        var oD = declaredSettings ? optim.RMSProp(d.parameters(), 1e-3, alpha: 0.9, weight_decay: 0.01, momentum: 0.3) : optim.RMSProp(d.parameters(), 1e-3);
        return Game(g, new[] { d }, new[] { 1.0 }, oG, new[] { oD });
    }

    [Fact]
    public void Adamw_and_rmsprop_match_hand_written()
    {
        ShouldBeEqual(RunGenerated(() => new AdamWRmsPropGan(CPU), new Pool(2)),
                      RunReference(() => AdamWAndRmsProp(declaredSettings: true), new Pool(2)));
    }

    [Fact]
    public void The_adamw_comparison_can_tell_coupled_weight_decay_and_rmsprops_defaults()
    {
        ShouldDiffer(RunGenerated(() => new AdamWRmsPropGan(CPU), new Pool(2)),
                     RunReference(() => AdamWAndRmsProp(declaredSettings: false), new Pool(2)));
    }

    [Fact]
    public void Declared_optimizer_settings_match_hand_written()
    {
        ShouldBeEqual(RunGenerated(() => new TunedOptimizersGan(CPU), new Pool(2)),
                      RunReference(() => TunedOptimizers(declaredSettings: true), new Pool(2)));
    }

    [Fact]
    public void The_optimizer_comparison_can_tell_the_default_settings()
    {
        ShouldDiffer(RunGenerated(() => new TunedOptimizersGan(CPU), new Pool(2)),
                     RunReference(() => TunedOptimizers(declaredSettings: false), new Pool(2)));
    }

    [Fact]
    public void Two_weighted_discriminators_match_hand_written()
    {
        ShouldBeEqual(RunGenerated(() => new TwoDiscriminatorGan(CPU), new Pool(2)),
                      RunReference(() => TwoDiscriminators(secondWeight: 0.5), new Pool(2)));
    }

    [Fact]
    public void The_two_discriminator_comparison_can_tell_the_weight()
    {
        ShouldDiffer(RunGenerated(() => new TwoDiscriminatorGan(CPU), new Pool(2)),
                     RunReference(() => TwoDiscriminators(secondWeight: 1.0), new Pool(2)));
    }
}
