using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Gan.Dsl;
using Gan.Runtime.Logging;
using TorchSharp;
using static TorchSharp.torch;

namespace Gan.Runtime.Training;

public sealed record TrainOptions
{
    /// <summary>Generator steps (each one runs the model's k discriminator updates first).</summary>
    public int Steps { get; init; } = 5000;
    /// <summary>A progress line (with the default <see cref="Progress"/>) and the losses in TensorBoard every this many steps,
    /// and at the last step (0: no lines; TensorBoard gets the last step's losses only).</summary>
    public int LogEvery { get; init; } = 500;
    /// <summary>Learning-rate schedule: <c>constant</c>, <c>linear</c> (declared rates decayed linearly to 0 over the run) or <c>ganin</c> (μ_p = μ_0 / (1 + 10 p)^0.75).</summary>
    public string LearningRateSchedule { get; init; } = "constant";
    /// <summary>Where progress lines and notes go (default: standard error, so standard output stays clean for data).</summary>
    public TextWriter? Log { get; init; }
    /// <summary>The progress display (null: <see cref="PlainTrainingProgress"/> on <see cref="Log"/> every <see cref="LogEvery"/> steps).</summary>
    public ITrainingProgress? Progress { get; init; }
    /// <summary>Where the losses (every <see cref="LogEvery"/> steps) and, for image models, a sample grid (at every checkpoint
    /// and at the end) are logged for TensorBoard (null: nowhere). The caller owns it.</summary>
    public TensorBoardWriter? TensorBoard { get; init; }
    /// <summary>A moving average of the sampling generator's weights, updated after every step and kept in checkpoints
    /// (null: none). The caller owns it and uses it (<see cref="ExponentialMovingAverage.Apply"/>) for sampling.</summary>
    public ExponentialMovingAverage? Ema { get; init; }
    /// <summary>Where checkpoints are written (null: none). See <see cref="Checkpoint"/>.</summary>
    public string? CheckpointPath { get; init; }
    /// <summary>A checkpoint every this many steps, and one at the end (0: only at the end).</summary>
    public int CheckpointEvery { get; init; }
    /// <summary>Continue from this checkpoint: the model and data must be built as for the run that wrote it.</summary>
    public string? ResumeFrom { get; init; }
    /// <summary><c>fp32</c>, <c>bf16</c> (mixed precision: libtorch's autocast, float32 master weights; see
    /// <see cref="MixedPrecision"/>) or <c>auto</c> (bf16 where the device computes it fast, else fp32).</summary>
    public string Precision { get; init; } = "fp32";
    /// <summary>Training-time evaluation with the best weights kept (null: none). See <see cref="ValidationOptions"/>.</summary>
    public ValidationOptions? Validation { get; init; }
}

/// <param name="Steps">The run's length in generator steps.</param>
/// <param name="Seconds">Wall time of this invocation.</param>
/// <param name="LastLosses">Each loss of the last step, in the order of <paramref name="LossNames"/>.</param>
/// <param name="LossNames">The model's loss names.</param>
/// <param name="StartStep">Steps already done when this invocation started (a resumed run), else 0.</param>
/// <param name="TotalSeconds">Wall time of the training loop over every leg of the run: this invocation's plus what the
/// checkpoint it resumed from had recorded; null when that checkpoint recorded none.</param>
public sealed record TrainResult(int Steps, double Seconds, float[] LastLosses, string[] LossNames, int StartStep = 0, double? TotalSeconds = null)
{
    /// <summary>The precision the steps ran in (<see cref="TrainOptions.Precision"/> resolved for the device).</summary>
    public Precision Precision { get; init; }
    /// <summary>The validation scores and the best step, when <see cref="TrainOptions.Validation"/> was given.</summary>
    public ValidationRecord? Validation { get; init; }
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
        Func<double, double>? schedule = LearningRateFactor(options.LearningRateSchedule, options.Steps);
        TextWriter log = options.Log ?? Console.Error;
        ITrainingProgress progress = options.Progress ?? new PlainTrainingProgress(log, options.LogEvery);
        TensorBoardWriter? tensorBoard = options.TensorBoard;
        ExponentialMovingAverage? ema = options.Ema;
        var names = model.LossNames.ToArray();
        var last = new float[names.Length];
        int start = 0;
        double? earlierSeconds = 0;   // the training time of the legs before this one (unknown: null)
        Precision precision = MixedPrecision.Resolve(options.Precision, model.Device);
        if (options.ResumeFrom is string resume)
        {
            CheckpointInfo info = Checkpoint.Load(resume, model, data, ema);
            // A constant or decay:F schedule does not depend on the run's length, so such a run may be extended: resumed with more
            // steps it continues exactly as one run of that length would. Other schedules need the length they were saved with,
            // and so does a model that schedules by the run's progress p = step / steps (a momentum ramp, DANN's λ_p): more
            // steps would move p back and change the momenta or weights it has reached.
            bool byProgress = model is IProgressAware;
            bool lengthFree = Extensible(info.LearningRateSchedule) && !byProgress;
            bool extends = lengthFree && info.LearningRateSchedule == options.LearningRateSchedule && options.Steps >= info.Step;
            if ((info.TotalSteps != options.Steps && !extends) || info.LearningRateSchedule != options.LearningRateSchedule)
                throw new ArgumentException($"{resume} was saved by a run of {info.TotalSteps} steps with the {info.LearningRateSchedule} schedule; " +
                                            $"resume with the same --steps and --lr-schedule (got {options.Steps}, {options.LearningRateSchedule})" +
                                            (lengthFree ? $", or with more steps than the {info.Step} done."
                                             : byProgress && Extensible(info.LearningRateSchedule) && info.TotalSteps != options.Steps
                                                 ? $"; {model.GetType().Name} cannot be extended: it schedules by the run's progress p = step / steps (a momentum ramp or a gradient-reversal weight), so its length is part of the run."
                                                 : "."));
            if (info.Precision != MixedPrecision.Name(precision))
                throw new ArgumentException($"{resume} was saved by a run in {info.Precision}; resume with --precision {info.Precision} (got {MixedPrecision.Name(precision)}).");
            start = info.Step;
            earlierSeconds = info.TrainingSeconds;
            log.WriteLine($"resumed from {resume} at step {start}/{options.Steps}" +
                          (info.TrainingSeconds is double before ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $" ({before / 60:F1} min of training so far)") : ""));
            if (info.CudaSeed is null && cuda.is_available() && model.Device.type == DeviceType.CUDA)
                log.WriteLine("  note: this checkpoint was written without CUDA, so it holds no CUDA generator seed: the resumed run's CUDA random numbers differ from an unbroken run's.");
        }
        if (model.Device.type == DeviceType.CPU && CpuConvolutions.Check(model.Players.Select(model.Network), precision) is string kernels)
            log.WriteLine(kernels);
        if (precision == Precision.Bf16)
            log.WriteLine($"precision: bf16 mixed precision on {model.Device.type} (libtorch's autocast: matrix products and convolutions in bfloat16, float32 weights, optimizer state and losses)");
        else if (precision == Precision.Tf32)
            log.WriteLine("precision: tf32 on CUDA (float32 weights and math; matrix products and convolutions on TF32 tensor cores)");
        else if (string.Equals(options.Precision, "tf32", StringComparison.OrdinalIgnoreCase))
            log.WriteLine($"precision: fp32 (tf32 applies to CUDA; this run is on the {model.Device.type})");
        else if (!string.Equals(options.Precision, "fp32", StringComparison.OrdinalIgnoreCase))
            log.WriteLine($"precision: fp32 ({options.Precision}: bfloat16 is not fast on this {model.Device.type}{(MixedPrecision.Available ? "" : $"; {MixedPrecision.Unavailable}")})");
        ValidationTracker? validation = options.Validation is null ? null : new ValidationTracker(options.Validation, start);
        // A new event file per invocation; the START marker makes TensorBoard drop what a killed run logged after its checkpoint.
        tensorBoard?.SessionStart(start + 1);
        var clock = Stopwatch.StartNew();
        progress.Start(new TrainingStart(options.Steps, start, names));
        TrainResult? result = null;
        try
        {
            for (int step = start + 1; step <= options.Steps; step++)
            {
                double progressFraction = (step - 1) / (double)options.Steps;
                if (schedule != null) model.ScaleLearningRates(schedule(progressFraction));
                if (model is IProgressAware aware) aware.Progress = progressFraction;
                if (model is IUpdateAware counted) counted.UpdatesDone = step - 1;
                StepLosses losses;
                try
                {
                    using (MixedPrecision.Autocast(model.Device, precision)) losses = model.TrainStep(data);
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
                ema?.Update();
                var status = new TrainingStatus(step, options.Steps, start, last, clock.Elapsed.TotalSeconds);
                progress.Report(status);
                if (tensorBoard is not null && ((options.LogEvery > 0 && step % options.LogEvery == 0) || step == options.Steps))
                {
                    var scalars = names.Select((n, i) => KeyValuePair.Create($"train/{n}", last[i])).ToList();
                    scalars.Add(KeyValuePair.Create("train/steps_per_second", (float)status.StepsPerSecond));
                    if (schedule != null) scalars.Add(KeyValuePair.Create("train/lr_factor", (float)schedule((step - 1) / (double)options.Steps)));
                    tensorBoard.Scalars(step, scalars);
                }
                if (validation is not null && validation.Due(step, options.Steps)) validation.Validate(model, ema, step, log, tensorBoard);
                bool checkpointNow = options.CheckpointPath is not null && (step == options.Steps || (options.CheckpointEvery > 0 && step % options.CheckpointEvery == 0));
                // The grid comes before the checkpoint: it draws from fixed noise and puts the CPU generator back, and saving a
                // checkpoint then resets the CUDA generators (see Checkpoint), so a resumed run draws exactly what an unbroken one does.
                if (tensorBoard is not null && (checkpointNow || step == options.Steps)) LogSampleGrid(tensorBoard, model, ema, step);
                if (checkpointNow)
                    Checkpoint.Save(options.CheckpointPath!, model, data, step, options.Steps, options.LearningRateSchedule, ema, precision,
                                    earlierSeconds + clock.Elapsed.TotalSeconds);
            }
            double seconds = clock.Elapsed.TotalSeconds;
            result = new TrainResult(options.Steps, seconds, last, names, start, earlierSeconds + seconds) { Precision = precision, Validation = validation?.Record };
            return result;
        }
        finally
        {
            progress.Finish(result);   // null when a step threw: the display stops before the error is printed
        }
    }

    /// <summary>The learning-rate factor at progress p = (step − 1) / steps of each schedule: <c>constant</c> (none),
    /// <c>linear</c> (1 − p), <c>ganin</c> (1 / (1 + 10 p)^0.75, Ganin &amp; Lempitsky 2015) or <c>decay:F</c> (the rate
    /// divided by F after every update, F^−(step − 1): Goodfellow et al. 2014's 1.000004, Mirza &amp; Osindero's 1.00004).
    /// <paramref name="steps"/> is the run's length (<c>decay:F</c> counts updates).</summary>
    public static Func<double, double>? LearningRateFactor(string schedule, int steps = 0)
    {
        switch (schedule)
        {
            case "constant": return null;
            case "linear": return p => 1.0 - p;
            case "ganin": return p => 1.0 / Math.Pow(1.0 + 10.0 * p, 0.75);
        }
        if (DecayFactor(schedule) is double f) return p => Math.Pow(f, -Math.Round(p * steps));
        throw new ArgumentException($"Unknown learning-rate schedule '{schedule}': use constant, linear, ganin or decay:F (F ≥ 1, e.g. decay:1.000004).");
    }

    /// <summary>F of a <c>decay:F</c> schedule (F ≥ 1), or null for any other text.</summary>
    public static double? DecayFactor(string schedule) =>
        schedule.StartsWith("decay:", StringComparison.Ordinal)
        && double.TryParse(schedule.AsSpan(6), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double f)
        && f >= 1 && !double.IsInfinity(f) ? f : null;

    /// <summary>Whether a run with this schedule may be resumed with more steps: its rates do not depend on the run's length.</summary>
    public static bool Extensible(string schedule) => schedule == "constant" || DecayFactor(schedule) is not null;

    /// <summary>The noise of the TensorBoard sample grids: the same codes at every checkpoint, so the grid shows the generator change.</summary>
    public const long SampleGridSeed = 20140610;

    /// <summary>For image models: 64 samples (with the moving average's weights when there is one) from fixed noise, as an
    /// 8×8 grid image <c>samples</c>. The CPU generator is left as it was.</summary>
    public static void LogSampleGrid(TensorBoardWriter tensorBoard, IAdversarialModel model, ExponentialMovingAverage? ema, int step)
    {
        DataVariable? image = model.Data.FirstOrDefault(d => d.Shape.Length == 3 && (d.Shape[0] == 1 || d.Shape[0] == 3) && d.Range != DataRange.Unspecified);
        if (image is null || model.Sampler is null) return;
        using var scope = NewDisposeScope();
        Tensor state = torch.get_rng_state();
        try
        {
            torch.manual_seed(SampleGridSeed);
            using (ema?.Apply())
                tensorBoard.ImageGrid("samples", Data.DataRanges.ToUnit(model.Sample(64), image.Range), columns: 8, step, scale: 2);
        }
        finally
        {
            torch.set_rng_state(state);
        }
    }
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
