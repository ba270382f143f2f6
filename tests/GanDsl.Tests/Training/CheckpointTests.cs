using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Gan.Dsl;
using Gan.Runtime;
using Gan.Runtime.Data;
using Gan.Runtime.Nets;
using Gan.Runtime.Training;
using GanDsl.Samples.Catalog;
using GanDsl.Tests.Runtime;
using Shouldly;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace GanDsl.Tests.Training;

/// <summary>Checkpoints: 2N steps in one run equal N steps, a kill, a resume and N more, bit for bit; damaged
/// checkpoints are refused; a diverging run keeps its last good checkpoint.</summary>
[Collection(TorchGlobalRngCollection.Name)]
public sealed class CheckpointTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gandsl-ckpt-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);


    private static float[][] Parameters(IAdversarialModel model) => PlayerSnapshots.Values(model);

    private TrainOptions Options(int steps, string? checkpoint = null, int every = 0, string? resume = null) => new()
    {
        Steps = steps, LogEvery = 0, LearningRateSchedule = "linear", Log = TextWriter.Null,
        CheckpointPath = checkpoint, CheckpointEvery = every, ResumeFrom = resume,
    };

    [Fact]
    public void Ring_2N_steps_equal_N_steps_a_kill_a_resume_and_N_more()
    {
        const int n = 15;
        torch.manual_seed(5);
        using var straight = new Goodfellow2014(CPU);
        Trainer.Train(straight, new MixtureBatchSource(GaussianMixture2D.Ring8(), 32, CPU), Options(2 * n));

        string checkpoint = Path.Combine(_dir, "ring.ckpt");
        torch.manual_seed(5);
        using (var first = new Goodfellow2014(CPU))
        {
            var killed = new KilledAfter(new MixtureBatchSource(GaussianMixture2D.Ring8(), 32, CPU), batches: n + 1);   // one data batch a step (G reads no data): dies in step n + 2
            Should.Throw<OperationCanceledException>(() => Trainer.Train(first, killed, Options(2 * n, checkpoint, every: n)));
        }
        CheckpointInfo saved = Checkpoint.ReadInfo(checkpoint);
        saved.Step.ShouldBe(n);
        double firstLeg = saved.TrainingSeconds.ShouldNotBeNull();
        firstLeg.ShouldBeGreaterThan(0);

        torch.manual_seed(99);   // a different initialization: everything must come from the checkpoint
        using var resumed = new Goodfellow2014(CPU);
        var source = new KilledAfter(new MixtureBatchSource(GaussianMixture2D.Ring8(), 32, CPU), int.MaxValue);   // the same kind of source as the saving run
        TrainResult result = Trainer.Train(resumed, source, Options(2 * n, checkpoint, every: n, resume: checkpoint));
        result.StartStep.ShouldBe(n);
        result.TotalSeconds.ShouldBe(firstLeg + result.Seconds);   // the training time of both legs, not only the last one's

        float[][] a = Parameters(straight), b = Parameters(resumed);
        a.Length.ShouldBe(b.Length);
        for (int i = 0; i < a.Length; i++) b[i].ShouldBe(a[i]);   // exactly equal
        CheckpointInfo last = Checkpoint.ReadInfo(checkpoint);
        last.Step.ShouldBe(2 * n);
        last.TrainingSeconds.ShouldNotBeNull().ShouldBeInRange(firstLeg, result.TotalSeconds!.Value + 0.001);
    }

    /// <summary>A finished run with a constant schedule extended by resuming with more steps (what the long PacGAN and
    /// Wasserstein runs need): N steps, then resumed to 2N, equals 2N steps in one run; a linear schedule, whose rates depend
    /// on the run's length, refuses another length.</summary>
    [Fact]
    public void A_constant_schedule_run_is_extended_exactly_and_a_linear_one_refuses_another_length()
    {
        const int n = 12;
        TrainOptions Constant(int steps, string? checkpoint = null, string? resume = null) =>
            Options(steps, checkpoint, every: checkpoint != null ? n : 0, resume: resume) with { LearningRateSchedule = "constant" };
        torch.manual_seed(6);
        using var straight = new Goodfellow2014(CPU);
        Trainer.Train(straight, new MixtureBatchSource(GaussianMixture2D.Ring8(), 32, CPU), Constant(2 * n));

        string checkpoint = Path.Combine(_dir, "extend.ckpt");
        torch.manual_seed(6);
        using (var first = new Goodfellow2014(CPU))
            Trainer.Train(first, new KilledAfter(new MixtureBatchSource(GaussianMixture2D.Ring8(), 32, CPU), int.MaxValue), Constant(n, checkpoint));   // a finished run of n steps
        Checkpoint.ReadInfo(checkpoint).Step.ShouldBe(n);

        torch.manual_seed(99);
        using var extended = new Goodfellow2014(CPU);
        TrainResult result = Trainer.Train(extended, new KilledAfter(new MixtureBatchSource(GaussianMixture2D.Ring8(), 32, CPU), int.MaxValue), Constant(2 * n, checkpoint, resume: checkpoint));
        result.StartStep.ShouldBe(n);
        float[][] a = Parameters(straight), b = Parameters(extended);
        for (int i = 0; i < a.Length; i++) b[i].ShouldBe(a[i]);   // exactly equal
        Checkpoint.ReadInfo(checkpoint).TotalSteps.ShouldBe(2 * n);

        string linear = Path.Combine(_dir, "linear.ckpt");
        torch.manual_seed(6);
        using (var first = new Goodfellow2014(CPU)) Trainer.Train(first, new MixtureBatchSource(GaussianMixture2D.Ring8(), 32, CPU), Options(n, linear, every: n));
        using var refused = new Goodfellow2014(CPU);
        Should.Throw<ArgumentException>(() => Trainer.Train(refused, new MixtureBatchSource(GaussianMixture2D.Ring8(), 32, CPU), Options(2 * n, linear, every: n, resume: linear)))
            .Message.ShouldContain("resume with the same --steps and --lr-schedule (got 24, linear).");
    }

    /// <summary>A model whose momentum rises with the run's progress p = step / steps cannot be extended even with a constant
    /// rate: more steps would set p back and lower the momentum it had reached. The same length resumes.</summary>
    [Fact]
    public void A_run_scheduled_by_progress_refuses_more_steps_even_with_a_constant_rate()
    {
        const int n = 6;
        string checkpoint = Path.Combine(_dir, "ramp.ckpt");
        TrainOptions Constant(int steps, string? resume = null) => Options(steps, checkpoint, every: n, resume: resume) with { LearningRateSchedule = "constant" };
        torch.manual_seed(3);
        using (var first = new MomentumRampGan(CPU)) Trainer.Train(first, new MixtureBatchSource(GaussianMixture2D.Ring8(), 32, CPU), Constant(n));
        using var refused = new MomentumRampGan(CPU);
        Should.Throw<ArgumentException>(() => Trainer.Train(refused, new MixtureBatchSource(GaussianMixture2D.Ring8(), 32, CPU), Constant(2 * n, resume: checkpoint)))
            .Message.ShouldBe($"{checkpoint} was saved by a run of 6 steps with the constant schedule; resume with the same --steps and --lr-schedule (got 12, constant); " +
                              "MomentumRampGan cannot be extended: it schedules by the run's progress p = step / steps (a momentum ramp or a gradient-reversal weight), so its length is part of the run.");
        using var same = new MomentumRampGan(CPU);
        Trainer.Train(same, new MixtureBatchSource(GaussianMixture2D.Ring8(), 32, CPU), Constant(n, resume: checkpoint)).StartStep.ShouldBe(n);
    }

    /// <summary>A momentum that rises over a fixed number of steps (<c>FinalMomentumSteps</c>, pylearn2's saturating ramp):
    /// a run of exactly that length equals the whole-run ramp's, bit for bit; the run can be extended (N steps, resumed to
    /// 3N, equals 3N in one go), and past the ramp the momentum stays at its final value.</summary>
    [Fact]
    public void A_momentum_ramp_over_fixed_steps_equals_the_whole_run_ramp_of_that_length_and_extends_exactly()
    {
        const int n = 6;   // FixedRampGan's ramp is 2n = 12 steps
        TrainOptions Constant(int steps, string? checkpoint = null, string? resume = null) =>
            Options(steps, checkpoint, every: checkpoint != null ? n : 0, resume: resume) with { LearningRateSchedule = "constant" };
        MixtureBatchSource Ring() => new(GaussianMixture2D.Ring8(), 32, CPU);

        torch.manual_seed(8);
        using var whole = new MomentumRampGan(CPU);
        Trainer.Train(whole, Ring(), Constant(2 * n));
        torch.manual_seed(8);
        using var fixedRamp = new FixedRampGan(CPU);
        fixedRamp.ShouldNotBeAssignableTo<IProgressAware>();
        Trainer.Train(fixedRamp, Ring(), Constant(2 * n));
        float[][] a = Parameters(whole), b = Parameters(fixedRamp);
        for (int i = 0; i < a.Length; i++) b[i].ShouldBe(a[i]);   // the same momenta at every step

        torch.manual_seed(8);
        using var straight = new FixedRampGan(CPU);
        Trainer.Train(straight, Ring(), Constant(3 * n));
        string checkpoint = Path.Combine(_dir, "fixed-ramp.ckpt");
        torch.manual_seed(8);
        using (var first = new FixedRampGan(CPU)) Trainer.Train(first, new KilledAfter(Ring(), int.MaxValue), Constant(n, checkpoint));
        torch.manual_seed(99);
        using var extended = new FixedRampGan(CPU);
        Trainer.Train(extended, new KilledAfter(Ring(), int.MaxValue), Constant(3 * n, checkpoint, resume: checkpoint)).StartStep.ShouldBe(n);
        float[][] c = Parameters(straight), d = Parameters(extended);
        for (int i = 0; i < c.Length; i++) d[i].ShouldBe(c[i]);   // exactly equal
        IAdversarialModel model = extended;
        ((torch.optim.IMomentum)model.Optimizers[model.Players.ToList().IndexOf("G")].ParamGroups.First()).Momentum.ShouldBe(0.7, 1e-12);   // saturated after 12 steps
    }

    [Fact]
    public void Adamw_and_rmsprop_states_resume_exactly()
    {
        const int n = 5;
        string checkpoint = Path.Combine(_dir, "optimizers.ckpt");
        torch.manual_seed(4);
        using var straight = new AdamWRmsPropGan(CPU);
        Trainer.Train(straight, new MixtureBatchSource(GaussianMixture2D.Ring8(), 32, CPU), Options(2 * n));
        torch.manual_seed(4);
        using (var first = new AdamWRmsPropGan(CPU))
            Should.Throw<OperationCanceledException>(() => Trainer.Train(first, new KilledAfter(new MixtureBatchSource(GaussianMixture2D.Ring8(), 32, CPU), batches: n + 1),
                                                                         Options(2 * n, checkpoint, every: n)));
        torch.manual_seed(99);
        using var resumed = new AdamWRmsPropGan(CPU);
        Trainer.Train(resumed, new KilledAfter(new MixtureBatchSource(GaussianMixture2D.Ring8(), 32, CPU), int.MaxValue), Options(2 * n, checkpoint, every: n, resume: checkpoint));
        float[][] a = Parameters(straight), b = Parameters(resumed);
        for (int i = 0; i < a.Length; i++) b[i].ShouldBe(a[i]);   // the moments (AdamW) and square averages and momentum (RMSprop) came back
    }

    /// <summary>A phase's own optimizers (MinimizeAttribute.LearningRate) are in the checkpoint: their Adam moments come back, so the
    /// resumed run equals the unbroken one (one batch served again and again, so the data needs no state of its own).</summary>
    [Fact]
    public void A_phase_s_own_optimizer_states_resume_exactly()
    {
        const int n = 4;
        string checkpoint = Path.Combine(_dir, "phase-rate.ckpt");
        PhaseReferenceTests.Pool Data() => new(4, count: 1);
        torch.manual_seed(4);
        using var straight = new TinyAaePhaseRate(CPU);
        Trainer.Train(straight, Data(), Options(2 * n));
        torch.manual_seed(4);
        using (var first = new TinyAaePhaseRate(CPU))
            Should.Throw<OperationCanceledException>(() => Trainer.Train(first, new KilledAfter(Data(), batches: 3 * n + 1), Options(2 * n, checkpoint, every: n)));
        torch.manual_seed(99);
        using var resumed = new TinyAaePhaseRate(CPU);
        Trainer.Train(resumed, new KilledAfter(Data(), int.MaxValue), Options(2 * n, checkpoint, every: n, resume: checkpoint));
        float[][] a = Parameters(straight), b = Parameters(resumed);
        for (int i = 0; i < a.Length; i++) b[i].ShouldBe(a[i]);   // exactly equal
    }

    [Fact]
    public void Image_batches_resume_mid_epoch_in_the_same_order()
    {
        const int n = 7;
        Tensor images = torch.rand(new long[] { 30, 1, 4, 4 }, generator: new torch.Generator(3));
        Tensor labels = torch.arange(30, dtype: int64);
        ImageBatchSource Source() => new(images, labels, 8, CPU, DataRange.MinusOneToOne, seed: 11);

        torch.manual_seed(2);
        using var straight = new TinyImageGan(CPU);
        using (var source = Source()) Trainer.Train(straight, source, Options(2 * n));

        string checkpoint = Path.Combine(_dir, "tiny.ckpt");
        torch.manual_seed(2);
        using (var first = new TinyImageGan(CPU))
        using (var source = Source())
            Should.Throw<OperationCanceledException>(() => Trainer.Train(first, new KilledAfter(source, n + 1), Options(2 * n, checkpoint, every: n)));

        torch.manual_seed(1234);
        using var resumed = new TinyImageGan(CPU);
        using (var source = Source())
        {
            source.Next();   // a source in a different state: the checkpoint must restore it
            Trainer.Train(resumed, new KilledAfter(source, int.MaxValue), Options(2 * n, resume: checkpoint));
        }
        float[][] a = Parameters(straight), b = Parameters(resumed);
        for (int i = 0; i < a.Length; i++) b[i].ShouldBe(a[i]);

        // The same checkpoint over another copy of the data (e.g. the full MNIST where the run began on the 10,000-digit
        // subset) is refused with the reason, not resumed on different images.
        using var other = new TinyImageGan(CPU);
        using var smaller = new ImageBatchSource(images.narrow(0, 0, 24), labels.narrow(0, 0, 24), 8, CPU, DataRange.MinusOneToOne, seed: 11);
        Should.Throw<InvalidDataException>(() => Trainer.Train(other, smaller, Options(2 * n, resume: checkpoint)))
            .Message.ShouldContain("The checkpoint's batch source had 30 examples; this one has 24: resume with the same data (and --held-out).");
    }

    [Fact]
    public void Damaged_or_foreign_checkpoints_are_refused_with_the_reason()
    {
        torch.manual_seed(1);
        using var model = new Goodfellow2014(CPU);
        var data = new MixtureBatchSource(GaussianMixture2D.Ring8(), 16, CPU);
        string path = Path.Combine(_dir, "c.ckpt");
        Trainer.Train(model, data, Options(3, path));
        File.Exists(path + ".tmp").ShouldBeFalse();
        byte[] good = File.ReadAllBytes(path);

        File.WriteAllBytes(path, good[..(good.Length - 10)]);
        Should.Throw<InvalidDataException>(() => Checkpoint.Load(path, model, data)).Message.ShouldContain("is truncated or padded");
        File.WriteAllBytes(path, good[..20]);
        Should.Throw<InvalidDataException>(() => Checkpoint.Load(path, model, data)).Message.ShouldContain("is truncated: its header is cut off");
        byte[] flipped = (byte[])good.Clone();
        flipped[^5] ^= 0xFF;
        File.WriteAllBytes(path, flipped);
        Should.Throw<InvalidDataException>(() => Checkpoint.Load(path, model, data)).Message.ShouldContain("is corrupted: its state has SHA-256");
        File.WriteAllText(path, "not a checkpoint at all");
        Should.Throw<InvalidDataException>(() => Checkpoint.Load(path, model, data)).Message.ShouldBe($"{path} is not a GanDsl checkpoint (it does not start with GDSLCKP1).");

        File.WriteAllBytes(path, good);
        using var other = new Goodfellow2014Minimax(CPU);
        Should.Throw<InvalidDataException>(() => Checkpoint.Load(path, other, data)).Message.ShouldBe($"{path} is a checkpoint of Goodfellow2014, not of Goodfellow2014Minimax.");
        Should.Throw<ArgumentException>(() => Trainer.Train(model, data, Options(5, resume: path))).Message.ShouldContain("resume with the same --steps");
    }


    [Fact]
    public void A_diverging_run_keeps_its_last_good_checkpoint()
    {
        torch.manual_seed(1);
        using var model = new Goodfellow2014(CPU);
        string path = Path.Combine(_dir, "nan.ckpt");
        var data = new NaNAfter(new MixtureBatchSource(GaussianMixture2D.Ring8(), 16, CPU), goodBatches: 7);   // one data batch a step: NaN data from step 8
        var e = Should.Throw<NonFiniteLossException>(() => Trainer.Train(model, data, Options(20, path, every: 5)));
        e.Step.ShouldBe(8);
        Checkpoint.ReadInfo(path).Step.ShouldBe(5);
        using var fresh = new Goodfellow2014(CPU);
        Checkpoint.Load(path, fresh, data);
        Parameters(fresh).SelectMany(p => p).ShouldAllBe(v => float.IsFinite(v));
    }
}

/// <summary>A ring GAN whose generator's momentum rises from 0.5 to 0.7 over the run (Goodfellow et al. 2014's ramp).</summary>
[Gan(Name = "momentum-ramp-test", Data = "ring")]
[Data("x", Shape = "2")]
[Noise("z", Distribution.Normal, 2)]
[Minimax("E[log D(x)] + E[log(1 - D(G(z)))]")]
public partial class MomentumRampGan
{
    [Generator(Optimizer = Optimizer.Sgd, LearningRate = 0.01, Momentum = 0.5, FinalMomentum = 0.7)] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(2, 8, 2);
    [Discriminator(Optimizer = Optimizer.Sgd, LearningRate = 0.01, Momentum = 0.5)] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(2, 8, 1);
}

/// <summary><see cref="MomentumRampGan"/> with the same rise over a fixed 12 steps, after which it stays at 0.7.</summary>
[Gan(Name = "fixed-ramp-test", Data = "ring")]
[Data("x", Shape = "2")]
[Noise("z", Distribution.Normal, 2)]
[Minimax("E[log D(x)] + E[log(1 - D(G(z)))]")]
public partial class FixedRampGan
{
    [Generator(Optimizer = Optimizer.Sgd, LearningRate = 0.01, Momentum = 0.5, FinalMomentum = 0.7, FinalMomentumSteps = 12)] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(2, 8, 2);
    [Discriminator(Optimizer = Optimizer.Sgd, LearningRate = 0.01, Momentum = 0.5)] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(2, 8, 1);
}
