using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Gan.Runtime.Training;

public sealed record TrainOptions
{
    /// <summary>Generator steps (each one runs the model's k discriminator updates first).</summary>
    public int Steps { get; init; } = 5000;
    /// <summary>A progress line every this many steps (0: none).</summary>
    public int LogEvery { get; init; } = 500;
    /// <summary>Learning-rate schedule: <c>constant</c>, or <c>linear</c> (declared rates decayed linearly to 0 over the run).</summary>
    public string LearningRateSchedule { get; init; } = "constant";
    /// <summary>Where progress lines go (default: standard error, so standard output stays clean for data).</summary>
    public TextWriter? Log { get; init; }
}

public sealed record TrainResult(int Steps, double Seconds, float[] LastLosses, string[] LossNames)
{
    public double StepsPerSecond => Seconds > 0 ? Steps / Seconds : 0;
}

/// <summary>Drives any generated model: the step loop, progress with losses and throughput, and a clear stop on NaN.</summary>
public static class Trainer
{
    /// <summary>Seeds TorchSharp's generators (CPU and, where present, CUDA). Call before building the model.</summary>
    public static void Seed(long seed)
    {
        torch.manual_seed(seed);
        if (cuda.is_available()) torch.cuda.manual_seed_all(seed);
    }

    public static TrainResult Train(IAdversarialModel model, IBatchSource data, TrainOptions options)
    {
        if (options.Steps < 0) throw new ArgumentOutOfRangeException(nameof(options), "Steps must be >= 0.");
        bool linear = options.LearningRateSchedule switch
        {
            "constant" => false,
            "linear" => true,
            _ => throw new ArgumentException($"Unknown learning-rate schedule '{options.LearningRateSchedule}': use constant or linear."),
        };
        TextWriter log = options.Log ?? Console.Error;
        var names = model.LossNames.ToArray();
        var last = new float[names.Length];
        var clock = Stopwatch.StartNew();
        double lastReport = 0;
        int lastReportStep = 0;
        for (int step = 1; step <= options.Steps; step++)
        {
            if (linear) model.ScaleLearningRates(1.0 - (step - 1) / (double)options.Steps);
            StepLosses losses;
            try
            {
                losses = model.TrainStep(data);
            }
            catch (NonFiniteLossException e) when (e.Step == 0)
            {
                throw new NonFiniteLossException(step, e.LossName, e.Value);   // the model does not know the step number
            }
            for (int i = 0; i < last.Length; i++)
            {
                float v = losses[i];
                if (float.IsNaN(v) || float.IsInfinity(v))
                    throw new NonFiniteLossException(step, names[i], v);
                last[i] = v;
            }
            if (options.LogEvery > 0 && (step % options.LogEvery == 0 || step == options.Steps))
            {
                double now = clock.Elapsed.TotalSeconds;
                double rate = (step - lastReportStep) / Math.Max(1e-9, now - lastReport);
                double eta = (options.Steps - step) / Math.Max(1e-9, step / now);
                string lossText = string.Join("  ", names.Select((n, i) => $"{n} {last[i].ToString("F4", CultureInfo.InvariantCulture)}"));
                log.WriteLine($"step {step,7}/{options.Steps}  {lossText}  {rate.ToString("F0", CultureInfo.InvariantCulture)} steps/s  eta {FormatSeconds(eta)}");
                lastReport = now;
                lastReportStep = step;
            }
        }
        return new TrainResult(options.Steps, clock.Elapsed.TotalSeconds, last, names);
    }

    private static string FormatSeconds(double s) => s >= 3600 ? $"{s / 3600:F1}h" : s >= 60 ? $"{s / 60:F1}m" : $"{s:F0}s";
}

/// <summary>A loss became NaN or infinite: training stops instead of running on silently.</summary>
public sealed class NonFiniteLossException : Exception
{
    public NonFiniteLossException(int step, string lossName, float value)
        : base($"Training diverged {(step > 0 ? $"at step {step}" : "")}: {lossName} = {value.ToString(CultureInfo.InvariantCulture)}; the update was not applied. " +
               "Lower the learning rates, check the data's range, or use the non-saturating generator loss.")
    {
        Step = step;
        LossName = lossName;
        Value = value;
    }

    public int Step { get; }
    public string LossName { get; }
    public float Value { get; }
}
