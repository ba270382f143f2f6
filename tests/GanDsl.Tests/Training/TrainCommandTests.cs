using System;
using System.IO;
using System.Text.Json;
using Gan.Cli;
using GanDsl.Tests.Runtime;
using Shouldly;
using Xunit;

namespace GanDsl.Tests.Training;

/// <summary>The main job at CI size: a short run on the ring writes a valid PNG and metrics.json with every field,
/// and the GAN already finds most modes. (The full run is the README's first command; see docs/results.md.)</summary>
[Collection(TorchGlobalRngCollection.Name)]
public class TrainCommandTests
{
    [Fact]
    public void A_short_run_on_the_ring_writes_its_pictures_and_metrics()
    {
        string dir = Path.Combine(Path.GetTempPath(), "gandsl-train-" + Guid.NewGuid().ToString("N"));
        try
        {
            var settings = new TrainSettings("goodfellow2014", "ring", Steps: 2000, BatchSize: 256, Seed: 0, Device: "cpu", Out: dir, EvalSamples: 2500, LogEvery: 1000);
            var log = new StringWriter();
            TrainCommand.Run(settings, log).ShouldBe(0);
            log.ToString().ShouldContain("step    1000/2000");
            log.ToString().ShouldContain("steps/s");

            byte[] png = File.ReadAllBytes(Path.Combine(dir, "samples.png"));
            png[..8].ShouldBe(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A });

            using JsonDocument json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "metrics.json")));
            JsonElement m = json.RootElement;
            foreach (string field in new[] { "modes_captured", "modes_total", "high_quality_fraction", "reverse_kl", "steps", "seconds", "device" })
                m.TryGetProperty(field, out _).ShouldBeTrue($"metrics.json lacks {field}");
            m.GetProperty("modes_total").GetInt32().ShouldBe(8);
            m.GetProperty("steps").GetInt32().ShouldBe(2000);
            m.GetProperty("device").GetString().ShouldBe("cpu");
            // After 2,000 steps (a tenth of the default run) the generator already covers most of the ring.
            m.GetProperty("modes_captured").GetInt32().ShouldBeGreaterThanOrEqualTo(6);
            m.GetProperty("high_quality_fraction").GetDouble().ShouldBeGreaterThan(0.3);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Unknown_model_and_data_are_clear_errors()
    {
        var settings = new TrainSettings("nope", "ring", 1, 8, 0, "cpu", Path.GetTempPath(), 10, 0);
        Should.Throw<ArgumentException>(() => TrainCommand.Run(settings, TextWriter.Null)).Message.ShouldContain("Known models: aae, aae-2d, aae-dropout, aae-dropout-two-adams, aae-labelled-mixture");
        Should.Throw<ArgumentException>(() => TrainCommand.Run(settings with { Model = "goodfellow2014", Data = "spiral" }, TextWriter.Null)).Message.ShouldContain("ring");
    }

    [SkippableFact]
    public void Asking_for_cuda_without_it_is_a_clear_error()
    {
        Skip.If(TorchSharp.torch.cuda.is_available(), "CUDA is available here: the error for asking without it cannot be shown");
        var settings = new TrainSettings("goodfellow2014", "ring", 1, 8, 0, "cuda", Path.GetTempPath(), 10, 0);
        Should.Throw<InvalidOperationException>(() => TrainCommand.Run(settings, TextWriter.Null)).Message.ShouldContain("CUDA is not available");
    }
}
