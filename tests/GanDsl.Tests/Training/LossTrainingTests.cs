using System;
using System.IO;
using System.Text.Json;
using Gan.Cli;
using GanDsl.Tests.Runtime;
using Shouldly;
using Xunit;

namespace GanDsl.Tests.Training;

/// <summary>The CI-sized runs of the losses of issue 13: catalog games with a loss per side trained through the `gan train`
/// flow on the ring for 1,500 steps (the full runs are in docs/results-losses.md). Measured at seed 0 on 2026-12-04:
/// lsgan-ring 8/8 modes (54 % high quality), r1-ring 8/8 (44 %); the bound leaves one mode of slack.</summary>
[Collection(TorchGlobalRngCollection.Name)]
public sealed class LossTrainingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gandsl-losses-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("lsgan-ring")]
    [InlineData("r1-ring")]
    public void A_game_with_a_loss_per_side_finds_the_ring_in_the_ci_sized_run(string model)
    {
        string run = Path.Combine(_dir, model);
        var settings = new TrainSettings(model, "ring", Steps: 1500, BatchSize: 256, Seed: 0, Device: "cpu", Out: run, EvalSamples: 2500, LogEvery: 0, TensorBoard: "none");
        var log = new StringWriter();
        TrainCommand.Run(settings, log).ShouldBe(0);
        log.ToString().ShouldContain("L_D = ");
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "metrics.json")));
        metrics.RootElement.GetProperty("value_function").GetString()!.ShouldStartWith("L_D = ");
        metrics.RootElement.GetProperty("final_losses").GetProperty("loss_D").GetSingle().ShouldBeGreaterThanOrEqualTo(0f);   // both losses are ≥ 0 as written
        metrics.RootElement.GetProperty("modes_captured").GetInt32().ShouldBeGreaterThanOrEqualTo(7);
    }
}
