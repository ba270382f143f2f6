using System;
using System.Globalization;
using System.IO;
using System.Text.Json;
using Gan.Runtime;
using Gan.Runtime.Data;
using Gan.Runtime.Imaging;
using Gan.Runtime.Metrics;
using Gan.Runtime.Training;
using GanDsl.Samples.Catalog;
using TorchSharp;
using static TorchSharp.torch;

namespace GanDsl.Samples;

/// <param name="Data">ring, grid, mnist or fashion-mnist; null: the model's default data set.</param>
/// <param name="Steps">Generator steps; null: the model's default.</param>
/// <param name="BatchSize">null: the model's default (its paper's).</param>
/// <param name="EvalSamples">Samples drawn for the metrics; null: 2,500 for the 2-D protocol, 10,000 for images (Parzen).</param>
/// <param name="DataOptions">Where image data come from (a folder, the cache, a download, packages); null: the defaults.</param>
/// <param name="Evaluate">Images: compute Parzen and FID after training.</param>
public sealed record TrainSettings(string Model, string? Data, int? Steps, int? BatchSize, long Seed, string Device, string Out, int? EvalSamples, int LogEvery,
                                   string LearningRateSchedule = "linear", DataOptions? DataOptions = null, bool Evaluate = true,
                                   int CheckpointEvery = 0, bool Resume = false)
{
    /// <summary>The run's checkpoint file, in its output folder.</summary>
    public string CheckpointPath => System.IO.Path.Combine(Out, "checkpoint.ckpt");

    /// <summary>The trainer's options for this run.</summary>
    public TrainOptions TrainOptions(int steps, TextWriter log) => new()
    {
        Steps = steps, LogEvery = LogEvery, Log = log, LearningRateSchedule = LearningRateSchedule,
        CheckpointPath = CheckpointPath, CheckpointEvery = CheckpointEvery, ResumeFrom = Resume ? CheckpointPath : null,
    };
}

/// <summary>`gan train`: trains a catalog model on a named data set and writes samples.png and metrics.json.</summary>
public static class TrainCommand
{
    public static int Run(TrainSettings s, TextWriter output)
    {
        ModelCatalog.Entry entry = ModelCatalog.Find(s.Model);
        if (s.BatchSize <= 0) throw new ArgumentException($"--batch-size must be positive (got {s.BatchSize}).");
        if (s.EvalSamples <= 0) throw new ArgumentException($"--eval-samples must be positive (got {s.EvalSamples}).");
        if (s.Steps < 0) throw new ArgumentException($"--steps must not be negative (got {s.Steps}).");
        string dataName = s.Data ?? entry.Data;
        if (ImageDataSets.IsImageDataSet(dataName))
            return ImageCommands.Train(s with { Data = dataName, EvalSamples = s.EvalSamples ?? 10000 }, entry, output);
        GaussianMixture2D mixture = GaussianMixture2D.ByName(dataName);
        int steps = s.Steps ?? entry.Steps, batchSize = s.BatchSize ?? entry.BatchSize, evalSamples = s.EvalSamples ?? 2500;
        Device device = Devices.Resolve(s.Device);
        Directory.CreateDirectory(s.Out);

        output.WriteLine($"gan train: {entry.Name} on {mixture.Name} ({mixture.ModeCount} modes, std {mixture.Std.ToString(CultureInfo.InvariantCulture)}), " +
                         $"{steps} steps, batch {batchSize}, seed {s.Seed}, device {device.type}");
        Trainer.Seed(s.Seed);
        using IAdversarialModel model = entry.Create(device);
        output.WriteLine($"  V = {model.ValueFunction}");
        var data = new MixtureBatchSource(mixture, batchSize, device);
        TrainResult result = Trainer.Train(model, data, s.TrainOptions(steps, output));

        using var scope = NewDisposeScope();
        Tensor samples = model.Sample(evalSamples).cpu();
        ModeCoverage coverage = ModeCoverage.Measure(samples, mixture);
        string png = Path.Combine(s.Out, "samples.png");
        ScatterPlot.Write(png, samples, mixture);

        string json = Path.Combine(s.Out, "metrics.json");
        WriteMetrics(json, s, entry, model, device, result, coverage);
        output.WriteLine($"  {coverage.ModesCaptured}/{coverage.ModesTotal} modes, {coverage.HighQualityFraction:P1} high-quality samples, " +
                         $"reverse KL {(coverage.ReverseKl is double kl ? kl.ToString("F4", CultureInfo.InvariantCulture) : "n/a")}, " +
                         $"{result.Seconds:F1} s ({result.StepsPerSecond:F0} steps/s)");
        output.WriteLine($"  wrote {png} and {json}");
        return 0;
    }

    private static void WriteMetrics(string path, TrainSettings s, ModelCatalog.Entry entry, IAdversarialModel model, Device device, TrainResult result, ModeCoverage coverage)
    {
        string temp = path + ".tmp";
        using (var stream = File.Create(temp))
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("model", entry.Name);
            w.WriteString("paper", entry.Paper);
            w.WriteString("value_function", model.ValueFunction);
            w.WriteString("data", coverage.Mixture);
            w.WriteNumber("modes_captured", coverage.ModesCaptured);
            w.WriteNumber("modes_total", coverage.ModesTotal);
            w.WriteNumber("high_quality_fraction", coverage.HighQualityFraction);
            if (coverage.ReverseKl is double kl) w.WriteNumber("reverse_kl", kl); else w.WriteNull("reverse_kl");
            w.WriteNumber("eval_samples", coverage.SampleCount);
            w.WriteString("protocol", coverage.Protocol);
            w.WriteNumber("steps", result.Steps);
            w.WriteNumber("seconds", Math.Round(result.Seconds, 3));
            w.WriteNumber("steps_per_second", Math.Round(result.StepsPerSecond, 1));
            w.WriteString("device", device.ToString());
            w.WriteNumber("batch_size", s.BatchSize ?? entry.BatchSize);
            w.WriteString("lr_schedule", s.LearningRateSchedule);
            w.WriteNumber("seed", s.Seed);
            w.WriteStartObject("final_losses");
            for (int i = 0; i < result.LossNames.Length; i++) w.WriteNumber(result.LossNames[i], result.LastLosses[i]);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        File.Move(temp, path, overwrite: true);
    }
}
