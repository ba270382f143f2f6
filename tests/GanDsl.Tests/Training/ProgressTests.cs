using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Gan.Runtime;
using Gan.Runtime.Data;
using Gan.Runtime.Training;
using Gan.Cli;
using GanDsl.Samples.Catalog;
using GanDsl.Tests.Runtime;
using Shouldly;
using Spectre.Console;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace GanDsl.Tests.Training;

/// <summary>Progress: the plain reporter's lines, the trainer's calls to a reporter, the choice of display, and the
/// Spectre bar on a test console.</summary>
[Collection(TorchGlobalRngCollection.Name)]
public sealed class ProgressTests
{
    private static readonly Regex PlainLine = new(@"^step +(\d+)/(\d+)  loss_D (-?\d+\.\d{4})  loss_G (-?\d+\.\d{4})  (\d+) steps/s  eta (\d+s|\d+\.\dm|\d+\.\dh)$");

    [Fact]
    public void The_plain_reporter_writes_step_each_loss_steps_per_second_and_eta_every_interval_and_at_the_end()
    {
        torch.manual_seed(1);
        using var model = new Goodfellow2014(CPU);
        var log = new StringWriter();
        Trainer.Train(model, new MixtureBatchSource(GaussianMixture2D.Ring8(), 16, CPU), new TrainOptions
        {
            Steps = 12, LogEvery = 5, Progress = new PlainTrainingProgress(log, 5), Log = TextWriter.Null,
        });
        string[] lines = log.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBe(3);
        var matches = lines.Select(l => PlainLine.Match(l)).ToArray();
        matches.ShouldAllBe(m => m.Success);
        matches.Select(m => m.Groups[1].Value).ShouldBe(new[] { "5", "10", "12" });
        matches.ShouldAllBe(m => m.Groups[2].Value == "12");
        lines[0].ShouldStartWith("step       5/12  loss_D ");
        lines[2].ShouldEndWith("eta 0s");
    }

    [Fact]
    public void The_plain_line_shows_the_rate_of_the_last_interval_and_the_eta_at_the_average_rate()
    {
        var log = new StringWriter();
        var progress = new PlainTrainingProgress(log, 4);
        progress.Start(new TrainingStart(104, 0, new[] { "loss_D", "loss_G" }));
        float[] losses = { 1.25f, -0.5f };
        for (int step = 1; step <= 8; step++)
            progress.Report(new TrainingStatus(step, 104, 0, losses, step <= 4 ? step * 0.5 : 2 + (step - 4) * 0.25));
        progress.Finish(null);
        log.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries).ShouldBe(new[]
        {
            "step       4/104  loss_D 1.2500  loss_G -0.5000  2 steps/s  eta 50s",     // 4 steps in 2 s; 100 left at 2/s
            "step       8/104  loss_D 1.2500  loss_G -0.5000  4 steps/s  eta 36s",     // 4 steps in 1 s; 96 left at 8 steps in 3 s
        });
        PlainTrainingProgress.FormatSeconds(90).ShouldBe("1.5m");
        PlainTrainingProgress.FormatSeconds(5400).ShouldBe("1.5h");
    }

    private sealed class Recorder : ITrainingProgress
    {
        public TrainingStart? Started;
        public readonly List<int> Steps = new();
        public bool Finished;
        public TrainResult? Result;
        public void Start(TrainingStart start) => Started = start;
        public void Report(in TrainingStatus status) => Steps.Add(status.Step);
        public void Finish(TrainResult? result) { Finished = true; Result = result; }
    }

    [Fact]
    public void The_trainer_reports_every_step_and_always_finishes()
    {
        torch.manual_seed(1);
        using var model = new Goodfellow2014(CPU);
        var recorder = new Recorder();
        TrainResult result = Trainer.Train(model, new MixtureBatchSource(GaussianMixture2D.Ring8(), 16, CPU), new TrainOptions { Steps = 6, Progress = recorder });
        (recorder.Started!.TotalSteps, recorder.Started.StartStep).ShouldBe((6, 0));
        recorder.Started.LossNames.ShouldBe(new[] { "loss_D", "loss_G" });
        recorder.Steps.ShouldBe(Enumerable.Range(1, 6));
        recorder.Result.ShouldBeSameAs(result);

        var failing = new Recorder();
        var nan = new NaNAfter(new MixtureBatchSource(GaussianMixture2D.Ring8(), 16, CPU), goodBatches: 2);
        Should.Throw<NonFiniteLossException>(() => Trainer.Train(model, nan, new TrainOptions { Steps = 6, Progress = failing }));
        failing.Finished.ShouldBeTrue();   // a live display is stopped before the error is printed
        failing.Result.ShouldBeNull();
        failing.Steps.ShouldBe(new[] { 1, 2 });
    }


    [Fact]
    public void Auto_is_plain_when_the_output_is_redirected_and_the_bar_on_a_terminal()
    {
        ProgressModes.Resolve("auto", terminal: false).ShouldBe(ProgressMode.Plain);
        ProgressModes.Resolve("auto", terminal: true).ShouldBe(ProgressMode.Bar);
        ProgressModes.Resolve("bar", terminal: false).ShouldBe(ProgressMode.Bar);
        ProgressModes.Resolve("PLAIN", terminal: true).ShouldBe(ProgressMode.Plain);
        ProgressModes.Resolve("none", terminal: true).ShouldBe(ProgressMode.None);
        Should.Throw<ArgumentException>(() => ProgressModes.Resolve("fancy", true)).Message.ShouldContain("auto, bar, plain or none");

        // Under the test runner standard output is redirected, and a StringWriter is never a terminal.
        Console.IsOutputRedirected.ShouldBeTrue();
        ProgressModes.IsTerminal(Console.Out).ShouldBeFalse();
        ProgressModes.IsTerminal(new StringWriter()).ShouldBeFalse();
        var settings = new TrainSettings("goodfellow2014", "ring", 10, 8, 0, "cpu", "out", 10, LogEvery: 5);
        settings.TrainOptions(10, Console.Out).Progress.ShouldBeOfType<PlainTrainingProgress>();
        settings.TrainOptions(10, new StringWriter()).Progress.ShouldBeOfType<PlainTrainingProgress>();
        (settings with { Progress = "none" }).TrainOptions(10, Console.Out).Progress.ShouldBeOfType<NoTrainingProgress>();
        (settings with { Progress = "bar" }).TrainOptions(10, Console.Out).Progress.ShouldBeOfType<SpectreTrainingProgress>();
    }

    [Fact]
    public void The_bar_draws_the_step_losses_and_rate_and_stops_cleanly()
    {
        var output = new StringWriter();
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Yes, Interactive = InteractionSupport.Yes, ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = 160;
        var bar = new SpectreTrainingProgress(console);
        bar.Start(new TrainingStart(50, 10, new[] { "loss_D", "loss_G" }));
        float[] losses = { 1.5f, 0.25f };
        for (int step = 11; step <= 50; step++) bar.Report(new TrainingStatus(step, 50, 10, losses, (step - 10) * 0.1));
        bar.Finish(new TrainResult(50, 4, losses, new[] { "loss_D", "loss_G" }, 10));
        string text = output.ToString();
        text.ShouldContain("step 50/50  loss_D 1.5000  loss_G 0.2500  10 steps/s  eta 0s");
        text.ShouldContain("100%");
    }
}
