using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;

namespace Gan.Runtime.Training;

/// <summary>How a run looks when it starts (a resumed run starts at <see cref="StartStep"/>).</summary>
public sealed record TrainingStart(int TotalSteps, int StartStep, IReadOnlyList<string> LossNames);

/// <summary>Where the run is after one step: the losses of that step (aligned with <see cref="TrainingStart.LossNames"/>;
/// the array is reused, copy it to keep it) and the wall time of this invocation.</summary>
public readonly record struct TrainingStatus(int Step, int TotalSteps, int StartStep, IReadOnlyList<float> Losses, double ElapsedSeconds)
{
    /// <summary>Average steps per second of this invocation so far.</summary>
    public double StepsPerSecond => ElapsedSeconds > 0 ? (Step - StartStep) / ElapsedSeconds : 0;

    /// <summary>Seconds left at the average rate so far.</summary>
    public double EtaSeconds => (TotalSteps - Step) / Math.Max(1e-9, StepsPerSecond);
}

/// <summary>
/// What the trainer tells a progress display: <see cref="Start"/> once, <see cref="Report"/> after every step,
/// <see cref="Finish"/> once (also when training stops on an exception). The trainer itself draws nothing: the plain-text
/// reporter is <see cref="PlainTrainingProgress"/>; the `gan` command adds a live terminal bar.
/// </summary>
public interface ITrainingProgress
{
    void Start(TrainingStart start);
    /// <summary>Called after every step: keep it cheap (throttle the drawing).</summary>
    void Report(in TrainingStatus status);
    /// <summary>The run's result, or null when it stopped on an exception (which the caller will report).</summary>
    void Finish(TrainResult? result);
}

/// <summary>Draws nothing.</summary>
public sealed class NoTrainingProgress : ITrainingProgress
{
    public static readonly NoTrainingProgress Instance = new();
    public void Start(TrainingStart start) { }
    public void Report(in TrainingStatus status) { }
    public void Finish(TrainResult? result) { }
}

/// <summary>
/// One line every <c>every</c> steps and at the last step, for logs and CI:
/// <c>step    1000/20000  loss_D 1.3021  loss_G 0.7456  412 steps/s  eta 46s</c> (steps/s over the last interval,
/// the ETA at this invocation's average rate).
/// </summary>
public sealed class PlainTrainingProgress(TextWriter log, int every) : ITrainingProgress
{
    private IReadOnlyList<string> _names = Array.Empty<string>();
    private double _lastSeconds;
    private int _lastStep;

    public void Start(TrainingStart start)
    {
        _names = start.LossNames;
        _lastSeconds = 0;
        _lastStep = start.StartStep;
    }

    public void Report(in TrainingStatus s)
    {
        if (every <= 0 || (s.Step % every != 0 && s.Step != s.TotalSteps)) return;
        double rate = (s.Step - _lastStep) / Math.Max(1e-9, s.ElapsedSeconds - _lastSeconds);
        log.WriteLine(Line(s.Step, s.TotalSteps, _names, s.Losses, rate, s.EtaSeconds));
        _lastSeconds = s.ElapsedSeconds;
        _lastStep = s.Step;
    }

    public void Finish(TrainResult? result) => log.Flush();

    /// <summary>The progress line (also the bar's text).</summary>
    public static string Line(int step, int total, IReadOnlyList<string> names, IReadOnlyList<float> losses, double stepsPerSecond, double etaSeconds) =>
        $"step {step,7}/{total}  {Losses(names, losses)}  {stepsPerSecond.ToString("F0", CultureInfo.InvariantCulture)} steps/s  eta {FormatSeconds(etaSeconds)}";

    /// <summary><c>loss_D 1.3021  loss_G 0.7456</c>.</summary>
    public static string Losses(IReadOnlyList<string> names, IReadOnlyList<float> losses) =>
        string.Join("  ", names.Select((n, i) => $"{n} {losses[i].ToString("F4", CultureInfo.InvariantCulture)}"));

    /// <summary>45s, 3.2m, 1.5h.</summary>
    public static string FormatSeconds(double s) =>
        s >= 3600 ? $"{(s / 3600).ToString("F1", CultureInfo.InvariantCulture)}h"
        : s >= 60 ? $"{(s / 60).ToString("F1", CultureInfo.InvariantCulture)}m"
        : $"{s.ToString("F0", CultureInfo.InvariantCulture)}s";
}
