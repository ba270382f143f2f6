using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using Gan.Runtime;
using Gan.Runtime.Data;
using Gan.Runtime.Training;
using GanDsl.Tests.Runtime;
using Shouldly;
using Xunit;
using static TorchSharp.torch;

namespace GanDsl.Tests.Training;

/// <summary>Checkpoints written by the code of each format — format 1 by the commit before format 2 existed (1a0e5b3),
/// format 2 by today's — committed in tests/GanDsl.Tests/Golden, load into today's model exactly: the step and schedule,
/// every parameter, the EMA, and the random generator's state. How they were made: <see cref="GoldenCheckpoint"/>.</summary>
[Collection(TorchGlobalRngCollection.Name)]
public sealed class GoldenCheckpointTests
{
    /// <summary>Set to a folder to rewrite the current format's golden files there (then copy them into tests/GanDsl.Tests/Golden).</summary>
    private const string WriteVariable = "GANDSL_WRITE_GOLDEN";

    private static string Golden(string file) => Path.Combine(AppContext.BaseDirectory, "Golden", file);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_committed_checkpoint_of_each_format_loads_back_exactly(int format)
    {
        string path = Golden($"gank3-format{format}.ckpt");
        File.Exists(path).ShouldBeTrue($"{path} is missing: the Golden files are copied next to the tests by the project file");
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(path, ".json")));
        JsonElement expected = manifest.RootElement;

        CheckpointInfo info = Checkpoint.ReadInfo(path);
        (info.Format, info.Model, info.Step, info.TotalSteps, info.LearningRateSchedule).ShouldBe((format, "GanK3", GoldenCheckpoint.Steps, GoldenCheckpoint.TotalSteps, "linear"));
        (info.EmaPlayer, info.EmaDecay, info.CudaSeed).ShouldBe(format == 1 ? (null, null, null) : ("G", (double?)0.5, (long?)null));

        manual_seed(12345);   // other weights and another generator state than the file's: Load must replace both
        using var model = new GanK3(CPU);
        var data = new MixtureBatchSource(GaussianMixture2D.Ring8(), GoldenCheckpoint.Batch, CPU);
        using var ema = format >= 2 ? new ExponentialMovingAverage(model, 0.5) : null;
        foreach (string player in new[] { "G", "D" })
            GoldenCheckpoint.Sha256Of(model.PlayerParameters(player)).ShouldNotBe(expected.GetProperty($"{player}_sha256").GetString());

        Checkpoint.Load(path, model, data, ema).Step.ShouldBe(GoldenCheckpoint.Steps);

        foreach (string player in new[] { "G", "D" })
            GoldenCheckpoint.Sha256Of(model.PlayerParameters(player)).ShouldBe(expected.GetProperty($"{player}_sha256").GetString(), player);
        if (ema is not null) GoldenCheckpoint.Sha256Of(ema.Parameters).ShouldBe(expected.GetProperty("ema_sha256").GetString());
        rand(4).data<float>().ToArray().ShouldBe(expected.GetProperty("rand_after").EnumerateArray().Select(e => e.GetSingle()).ToArray());
        // and training goes on from it
        model.TrainStep(data).Values.ShouldAllBe(v => float.IsFinite(v));
    }

    [Fact]
    public void A_format_1_checkpoint_asked_for_an_ema_it_does_not_have_is_refused()
    {
        manual_seed(1);
        using var model = new GanK3(CPU);
        using var ema = new ExponentialMovingAverage(model, 0.5);
        var e = Should.Throw<InvalidDataException>(() => Checkpoint.Load(Golden("gank3-format1.ckpt"), model, new MixtureBatchSource(GaussianMixture2D.Ring8(), 16, CPU), ema));
        e.Message.ShouldContain(Golden("gank3-format1.ckpt"));
    }

    [SkippableFact]
    public void Rewrite_the_current_formats_golden_files()
    {
        string? folder = Environment.GetEnvironmentVariable(WriteVariable);
        Skip.If(string.IsNullOrEmpty(folder), $"writes golden checkpoints only when {WriteVariable} names a folder");
        GoldenCheckpoint.Write(folder!, Checkpoint.CurrentFormat);
        File.Exists(Path.Combine(folder!, $"gank3-format{Checkpoint.CurrentFormat}.ckpt")).ShouldBeTrue();
    }
}
