using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Gan.Runtime;
using Gan.Runtime.Data;
using Gan.Runtime.Training;
using GanDsl.Samples.Catalog;
using GanDsl.Tests.Runtime;
using Shouldly;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace GanDsl.Tests.Training;

[Collection(TorchGlobalRngCollection.Name)]
public class PlayerIsolationTests
{
    [Fact]
    public void An_empty_or_short_snapshot_is_not_unchanged()
    {
        // Zip(...).All(...) alone held for an empty snapshot (and a shorter one): "unchanged" could not fail.
        torch.manual_seed(1);
        using var model = new Goodfellow2014(CPU);
        Should.Throw<ShouldAssertException>(() => PlayerSnapshots.Same(new List<Tensor>(), model, "G"));
        List<Tensor> g = PlayerSnapshots.Snap(model, "G");
        Should.Throw<ShouldAssertException>(() => PlayerSnapshots.Same(g.Take(1).ToList(), model, "G"));
        PlayerSnapshots.Same(g, model, "G").ShouldBeTrue();
    }

    [Fact]
    public void A_discriminator_update_changes_only_the_discriminator()
    {
        torch.manual_seed(1);
        using var model = new Goodfellow2014(CPU);
        var data = new MixtureBatchSource(GaussianMixture2D.Ring8(), 32, CPU);
        var g = PlayerSnapshots.Snap(model, "G");
        var d = PlayerSnapshots.Snap(model, "D");
        model.StepDiscriminators(data);
        PlayerSnapshots.Same(g, model, "G").ShouldBeTrue("G changed during D's update");
        PlayerSnapshots.Same(d, model, "D").ShouldBeFalse("D did not change during its own update");
    }

    [Fact]
    public void A_generator_update_changes_only_the_generator()
    {
        torch.manual_seed(1);
        using var model = new Goodfellow2014(CPU);
        var data = new MixtureBatchSource(GaussianMixture2D.Ring8(), 32, CPU);
        model.StepDiscriminators(data); // give D non-trivial state first
        var g = PlayerSnapshots.Snap(model, "G");
        var d = PlayerSnapshots.Snap(model, "D");
        model.StepGenerators(data);
        PlayerSnapshots.Same(d, model, "D").ShouldBeTrue("D changed during G's update");
        PlayerSnapshots.Same(g, model, "G").ShouldBeFalse("G did not change during its own update");
    }

    [Fact]
    public void TrainStep_runs_k_discriminator_updates_on_fresh_batches()
    {
        torch.manual_seed(1);
        using var model = new GanK3(CPU);
        var counting = new CountingSource(new MixtureBatchSource(GaussianMixture2D.Ring8(), 16, CPU));
        model.TrainStep(counting);
        counting.Calls.ShouldBe(3); // the generator's loss needs no data: only the 3 discriminator updates draw batches
    }

    [Fact]
    public void Sample_returns_n_points_without_gradients_and_keeps_training_mode()
    {
        torch.manual_seed(1);
        using var model = new Goodfellow2014(CPU);
        Tensor s = model.Sample(10);
        s.shape.ShouldBe(new long[] { 10, 2 });
        s.requires_grad.ShouldBeFalse();
        model.training.ShouldBeTrue();
    }

    [Fact]
    public void A_player_without_parameters_is_a_clear_error()
    {
        var e = Should.Throw<InvalidOperationException>(() => new GanWithoutGeneratorParameters(CPU));
        e.Message.ShouldContain("player 'G' has no parameters");
    }

    [Fact]
    public void A_nan_loss_stops_training_and_names_the_step_and_loss()
    {
        torch.manual_seed(1);
        using var model = new Goodfellow2014(CPU);
        var source = new NaNAfter(new MixtureBatchSource(GaussianMixture2D.Ring8(), 16, CPU), goodBatches: 3);
        var e = Should.Throw<NonFiniteLossException>(() => Trainer.Train(model, source, new TrainOptions { Steps = 10, LogEvery = 0, Log = TextWriter.Null }));
        e.Step.ShouldBe(4);
        e.LossName.ShouldBe("loss_D");
        e.Message.ShouldContain("step 4");
        // The bad loss was caught before the update: every weight is still finite.
        foreach (Tensor p in model.PlayerParameters("G").Concat(model.PlayerParameters("D")))
            p.isfinite().all().item<bool>().ShouldBeTrue();
    }

    [Fact]
    public void Unknown_player_is_a_clear_error()
    {
        torch.manual_seed(1);
        using var model = new Goodfellow2014(CPU);
        Should.Throw<ArgumentException>(() => model.PlayerParameters("Q").ToList()).Message.ShouldContain("players: G, D");
    }

    private sealed class CountingSource(IBatchSource inner) : IBatchSource
    {
        public int Calls { get; private set; }
        public int BatchSize => inner.BatchSize;
        public Device Device => inner.Device;
        public Batch Next() { Calls++; return inner.Next(); }
    }

}
