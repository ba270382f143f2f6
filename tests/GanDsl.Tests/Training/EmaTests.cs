using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
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

/// <summary>The generator's exponential moving average: the update formula exactly, sampling with it and back, and exact
/// resume with it (parameters and averaged weights bit-equal); the checkpoint format's EMA section and version 1 files.</summary>
[Collection(TorchGlobalRngCollection.Name)]
public sealed class EmaTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gandsl-ema-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static float[][] Values(System.Collections.Generic.IEnumerable<Tensor> tensors) =>
        tensors.Select(p => p.detach().cpu().data<float>().ToArray()).ToArray();

    private static float[][] Parameters(IAdversarialModel model) => Values(model.Players.SelectMany(model.PlayerParameters));

    private static TrainOptions Options(int steps, ExponentialMovingAverage? ema, string? checkpoint = null, int every = 0, string? resume = null) => new()
    {
        Steps = steps, LogEvery = 0, LearningRateSchedule = "linear", Log = TextWriter.Null, Ema = ema,
        CheckpointPath = checkpoint, CheckpointEvery = every, ResumeFrom = resume,
    };

    [Fact]
    public void One_step_gives_decay_times_ema_plus_one_minus_decay_times_the_weights_exactly()
    {
        const double decay = 0.9;
        torch.manual_seed(1);
        using var model = new Goodfellow2014(CPU);
        using var ema = new ExponentialMovingAverage(model, decay);
        ema.Player.ShouldBe("G");
        float[][] start = Values(model.PlayerParameters("G"));
        Values(ema.Parameters).ShouldBe(start);   // it starts as a copy

        var data = new MixtureBatchSource(GaussianMixture2D.Ring8(), 16, CPU);
        Trainer.Train(model, data, Options(1, ema));
        float[][] live = Values(model.PlayerParameters("G")), averaged = Values(ema.Parameters);
        float keep = (float)decay, take = (float)(1 - decay);
        bool moved = false;
        for (int i = 0; i < live.Length; i++)
            for (int j = 0; j < live[i].Length; j++)
            {
                averaged[i][j].ShouldBe(keep * start[i][j] + take * live[i][j]);   // float arithmetic, bit for bit
                moved |= live[i][j] != start[i][j];
            }
        moved.ShouldBeTrue();
        ema.Updates.ShouldBe(1);
        ema.Parameters.Count.ShouldBe(model.PlayerParameters("G").Count());   // only the generator is averaged
        Should.Throw<ArgumentOutOfRangeException>(() => new ExponentialMovingAverage(model, 1.0));
        Should.Throw<ArgumentOutOfRangeException>(() => new ExponentialMovingAverage(model, 0));
    }

    [Fact]
    public void Sampling_uses_the_averaged_weights_and_puts_the_live_ones_back()
    {
        torch.manual_seed(2);
        using var model = new Goodfellow2014(CPU);
        using var ema = new ExponentialMovingAverage(model, 0.5);
        Trainer.Train(model, new MixtureBatchSource(GaussianMixture2D.Ring8(), 16, CPU), Options(5, ema));
        float[][] live = Parameters(model);

        torch.manual_seed(7);
        float[] withEma;
        using (ema.Apply())
        {
            Values(model.PlayerParameters("G")).ShouldBe(Values(ema.Parameters));
            withEma = model.Sample(50).data<float>().ToArray();
            Should.Throw<InvalidOperationException>(() => ema.Update());   // never train on the averaged weights
        }
        Parameters(model).ShouldBe(live);   // bit for bit

        // The same samples from a model that holds the averaged weights as its own.
        using var copy = new Goodfellow2014(CPU);
        using (torch.no_grad())
            foreach (var (target, source) in copy.PlayerParameters("G").Zip(ema.Parameters)) target.copy_(source);
        torch.manual_seed(7);
        copy.Sample(50).data<float>().ToArray().ShouldBe(withEma);
        torch.manual_seed(7);
        model.Sample(50).data<float>().ToArray().ShouldNotBe(withEma);   // and the live weights give others
    }


    [Fact]
    public void With_ema_2N_steps_equal_N_steps_a_kill_a_resume_and_N_more()
    {
        const int n = 15;
        const double decay = 0.95;
        torch.manual_seed(5);
        using var straight = new Goodfellow2014(CPU);
        using var straightEma = new ExponentialMovingAverage(straight, decay);
        Trainer.Train(straight, new MixtureBatchSource(GaussianMixture2D.Ring8(), 32, CPU), Options(2 * n, straightEma));

        string checkpoint = Path.Combine(_dir, "ring.ckpt");
        torch.manual_seed(5);
        using (var first = new Goodfellow2014(CPU))
        using (var firstEma = new ExponentialMovingAverage(first, decay))
        {
            var killed = new KilledAfter(new MixtureBatchSource(GaussianMixture2D.Ring8(), 32, CPU), batches: n + 1);
            Should.Throw<OperationCanceledException>(() => Trainer.Train(first, killed, Options(2 * n, firstEma, checkpoint, every: n)));
        }
        CheckpointInfo info = Checkpoint.ReadInfo(checkpoint);
        (info.Step, info.Format, info.EmaPlayer, info.EmaDecay).ShouldBe((n, Checkpoint.CurrentFormat, "G", (double?)decay));

        torch.manual_seed(99);   // a different initialization: everything, the average included, must come from the checkpoint
        using var resumed = new Goodfellow2014(CPU);
        using var resumedEma = new ExponentialMovingAverage(resumed, decay);
        var source = new KilledAfter(new MixtureBatchSource(GaussianMixture2D.Ring8(), 32, CPU), int.MaxValue);
        Trainer.Train(resumed, source, Options(2 * n, resumedEma, checkpoint, every: n, resume: checkpoint));

        Parameters(resumed).ShouldBe(Parameters(straight));
        Values(resumedEma.Parameters).ShouldBe(Values(straightEma.Parameters));
        resumedEma.Updates.ShouldBe(2 * n);
        Values(straightEma.Parameters).ShouldNotBe(Values(straight.PlayerParameters("G")));   // the average is not the live weights
    }

    [Fact]
    public void A_checkpoint_and_a_run_must_agree_on_the_ema()
    {
        torch.manual_seed(1);
        using var model = new Goodfellow2014(CPU);
        var data = new MixtureBatchSource(GaussianMixture2D.Ring8(), 16, CPU);
        string with = Path.Combine(_dir, "with.ckpt"), without = Path.Combine(_dir, "without.ckpt");
        using (var ema = new ExponentialMovingAverage(model, 0.99)) Trainer.Train(model, data, Options(3, ema, with));
        Trainer.Train(model, data, Options(3, null, without));

        Should.Throw<InvalidDataException>(() => Checkpoint.Load(with, model, data)).Message.ShouldBe($"{with} was saved by a run with --ema 0.99: resume with the same --ema.");
        using var other = new ExponentialMovingAverage(model, 0.9);
        Should.Throw<InvalidDataException>(() => Checkpoint.Load(without, model, data, other)).Message.ShouldContain("was saved by a run without --ema");
        Should.Throw<InvalidDataException>(() => Checkpoint.Load(with, model, data, other)).Message.ShouldContain("resume with the same --ema");
    }

    [Fact]
    public void A_version_1_checkpoint_still_loads()
    {
        torch.manual_seed(1);
        using var model = new Goodfellow2014(CPU);
        var data = new MixtureBatchSource(GaussianMixture2D.Ring8(), 16, CPU);
        string path = Path.Combine(_dir, "v2.ckpt");
        Trainer.Train(model, data, Options(3, null, path));
        float[][] saved = Parameters(model);

        // Rewrite the header exactly as the first format wrote it: no Format 2 fields at all.
        byte[] file = File.ReadAllBytes(path);
        int headerLength = BitConverter.ToInt32(file, 8);
        var header = JsonNode.Parse(file.AsSpan(12, headerLength))!.AsObject();
        foreach (string field in new[] { "EmaPlayer", "EmaDecay", "CudaSeed" }) header.Remove(field).ShouldBeTrue();
        header["Format"] = 1;
        byte[] v1Header = Encoding.UTF8.GetBytes(header.ToJsonString());
        string v1 = Path.Combine(_dir, "v1.ckpt");
        File.WriteAllBytes(v1, [.. file[..8], .. BitConverter.GetBytes(v1Header.Length), .. v1Header, .. file[(12 + headerLength)..]]);

        torch.manual_seed(42);
        using var fresh = new Goodfellow2014(CPU);
        CheckpointInfo info = Checkpoint.Load(v1, fresh, data);
        (info.Format, info.Step, info.EmaDecay, info.CudaSeed).ShouldBe((1, 3, (double?)null, (long?)null));
        Parameters(fresh).ShouldBe(saved);

        header["Format"] = 3;
        byte[] v3Header = Encoding.UTF8.GetBytes(header.ToJsonString());
        File.WriteAllBytes(v1, [.. file[..8], .. BitConverter.GetBytes(v3Header.Length), .. v3Header, .. file[(12 + headerLength)..]]);
        Should.Throw<InvalidDataException>(() => Checkpoint.Load(v1, fresh, data)).Message.ShouldContain("has checkpoint format 3");
    }
}
