using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Threading;
using Gan.Runtime.Training;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Gan.Cli;

/// <summary>`train --progress auto|bar|plain|none`: which display a run gets.</summary>
public enum ProgressMode { Bar, Plain, None }

public static class ProgressModes
{
    /// <summary>Parses the option; <c>auto</c> is the bar when <paramref name="terminal"/> (the output is an interactive
    /// terminal), else plain lines (CI, logs, pipes).</summary>
    public static ProgressMode Resolve(string mode, bool terminal) => mode.ToLowerInvariant() switch
    {
        "auto" => terminal ? ProgressMode.Bar : ProgressMode.Plain,
        "bar" => ProgressMode.Bar,
        "plain" => ProgressMode.Plain,
        "none" => ProgressMode.None,
        _ => throw new ArgumentException($"--progress must be auto, bar, plain or none (got '{mode}')."),
    };

    /// <summary>Whether <paramref name="output"/> is this process's standard output and that is an interactive terminal
    /// (not redirected to a file or pipe, and TERM is not "dumb").</summary>
    public static bool IsTerminal(TextWriter output) =>
        ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("TERM") != "dumb";

    /// <summary>The display for a mode: the live bar on the console, plain lines on <paramref name="output"/> every
    /// <paramref name="logEvery"/> steps, or nothing.</summary>
    public static ITrainingProgress Create(ProgressMode mode, TextWriter output, int logEvery) => mode switch
    {
        ProgressMode.Bar => new SpectreTrainingProgress(AnsiConsole.Console),
        ProgressMode.Plain => new PlainTrainingProgress(output, logEvery),
        _ => NoTrainingProgress.Instance,
    };
}

/// <summary>
/// A live progress bar (Spectre.Console) for a terminal: bar, percentage, step/total, each player's loss, steps/s over
/// the last seconds and the ETA, redrawn about ten times a second on Spectre's own thread. The trainer only hands it
/// numbers (<see cref="ITrainingProgress"/>); this class is the only place the app depends on Spectre.
/// </summary>
public sealed class SpectreTrainingProgress(IAnsiConsole console) : ITrainingProgress
{
    private readonly ManualResetEventSlim _ready = new(), _done = new();
    private Thread? _thread;
    private ProgressTask? _task;
    private IReadOnlyList<string> _names = Array.Empty<string>();
    private volatile string _status = "";
    private double _lastDraw = double.NegativeInfinity, _rateSeconds;
    private int _rateStep;
    private double _rate;
    private Exception? _failure;

    public void Start(TrainingStart start)
    {
        _names = start.LossNames;
        _rateStep = start.StartStep;
        _status = $"step {start.StartStep}/{start.TotalSteps}";
        _thread = new Thread(() =>
        {
            try
            {
                console.Progress()
                    .AutoClear(false)
                    .HideCompleted(false)
                    .Columns(new ProgressBarColumn { Width = 24 }, new PercentageColumn(), new StatusColumn(this))
                    .Start(context =>
                    {
                        _task = context.AddTask("train", autoStart: true, maxValue: Math.Max(1, start.TotalSteps));
                        _task.Value = start.StartStep;
                        _ready.Set();
                        _done.Wait();
                        context.Refresh();
                    });
            }
            catch (Exception e)
            {
                _failure = e;   // a display that cannot draw must not stop training
            }
            finally
            {
                _ready.Set();
            }
        })
        { IsBackground = true, Name = "gan-progress" };
        _thread.Start();
        _ready.Wait();
    }

    public void Report(in TrainingStatus s)
    {
        // Redraw the text at most 20 times a second; the bar's value is cheap to set (Spectre locks it).
        if (_task is not null) _task.Value = s.Step;
        if (s.ElapsedSeconds - _lastDraw < 0.05 && s.Step != s.TotalSteps) return;
        _lastDraw = s.ElapsedSeconds;
        double window = s.ElapsedSeconds - _rateSeconds;
        if (window >= 1 || _rate == 0)
        {
            // steps/s over roughly the last second (the first one: since the start)
            if (window > 0) _rate = (s.Step - _rateStep) / window;
            _rateSeconds = s.ElapsedSeconds;
            _rateStep = s.Step;
        }
        double eta = (s.TotalSteps - s.Step) / Math.Max(1e-9, _rate > 0 ? _rate : s.StepsPerSecond);
        _status = $"step {s.Step}/{s.TotalSteps}  {PlainTrainingProgress.Losses(_names, s.Losses)}  " +
                  $"{_rate.ToString("F0", CultureInfo.InvariantCulture)} steps/s  eta {PlainTrainingProgress.FormatSeconds(eta)}";
    }

    public void Finish(TrainResult? result)
    {
        if (result is not null && _task is not null) _task.Value = result.Steps;
        _done.Set();
        _thread?.Join();
        if (_failure is not null) Console.Error.WriteLine($"(the progress bar failed: {_failure.Message})");
    }

    /// <summary>The text after the bar: step/total, losses, steps/s, ETA.</summary>
    private sealed class StatusColumn(SpectreTrainingProgress owner) : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text(owner._status) { Overflow = Overflow.Ellipsis };   // one line, cut at the terminal's edge
    }
}
