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
    /// <summary>Where checkpoints are written (null: none). See <see cref="Checkpoint"/>.</summary>
    public string? CheckpointPath { get; init; }
    /// <summary>A checkpoint every this many steps, and one at the end (0: only at the end).</summary>
    public int CheckpointEvery { get; init; }
    /// <summary>Continue from this checkpoint: the model and data must be built as for the run that wrote it.</summary>
    public string? ResumeFrom { get; init; }
}

/// <param name="Steps">The run's length in generator steps.</param>
/// <param name="Seconds">Wall time of this invocation.</param>
/// <param name="StartStep">Steps already done when this invocation started (a resumed run), else 0.</param>
public sealed record TrainResult(int Steps, double Seconds, float[] LastLosses, string[] LossNames, int StartStep = 0)
{
    /// <summary>Steps per second in this invocation.</summary>
    public double StepsPerSecond => Seconds > 0 ? (Steps - StartStep) / Seconds : 0;
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
        int start = 0;
        if (options.ResumeFrom is string resume)
        {
            CheckpointInfo info = Checkpoint.Load(resume, model, data);
            if (info.TotalSteps != options.Steps || info.LearningRateSchedule != options.LearningRateSchedule)
                throw new ArgumentException($"{resume} was saved by a run of {info.TotalSteps} steps with the {info.LearningRateSchedule} schedule; " +
                                            $"resume with the same --steps and --lr-schedule (got {options.Steps}, {options.LearningRateSchedule}).");
            start = info.Step;
            log.WriteLine($"resumed from {resume} at step {start}/{options.Steps}");
        }
        var clock = Stopwatch.StartNew();
        double lastReport = 0;
        int lastReportStep = start;
        for (int step = start + 1; step <= options.Steps; step++)
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
                double eta = (options.Steps - step) / Math.Max(1e-9, (step - start) / now);
                string lossText = string.Join("  ", names.Select((n, i) => $"{n} {last[i].ToString("F4", CultureInfo.InvariantCulture)}"));
                log.WriteLine($"step {step,7}/{options.Steps}  {lossText}  {rate.ToString("F0", CultureInfo.InvariantCulture)} steps/s  eta {FormatSeconds(eta)}");
                lastReport = now;
                lastReportStep = step;
            }
            if (options.CheckpointPath is string checkpoint && (step == options.Steps || (options.CheckpointEvery > 0 && step % options.CheckpointEvery == 0)))
                Checkpoint.Save(checkpoint, model, data, step, options.Steps, options.LearningRateSchedule);
        }
        return new TrainResult(options.Steps, clock.Elapsed.TotalSeconds, last, names, start);
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
