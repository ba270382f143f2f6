using System;
using System.Diagnostics;
using System.IO;
using System.Threading;
using Gan.Runtime.Training;
using Gan.Cli;
using GanDsl.Tests.Runtime;
using Shouldly;
using Xunit;

namespace GanDsl.Tests.Training;

/// <summary>The `gan train` process is killed with SIGKILL mid-training; `train --resume` continues from its last
/// checkpoint and ends in exactly the state of a run that was never killed (the final checkpoints' SHA-256 agree:
/// networks, optimizer states and the random generator).</summary>
[Collection(TorchGlobalRngCollection.Name)]
public sealed class KillResumeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gandsl-kill-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private TrainSettings Settings(string dir, bool resume = false) =>
        new("goodfellow2014", "ring", Steps: 4000, BatchSize: 64, Seed: 3, Device: "cpu", Out: dir, EvalSamples: 500, LogEvery: 0,
            CheckpointEvery: 250, Resume: resume);

    [Fact]
    public void A_run_killed_with_SIGKILL_resumes_exactly()
    {
        string killedDir = Path.Combine(_dir, "killed");
        string checkpoint = Settings(killedDir).CheckpointPath;
        using (var child = ChildProcess.Start("dotnet", new[] { ChildProcess.Gan, "train", "--model", "goodfellow2014", "--data", "ring", "--steps", "4000",
                   "--batch-size", "64", "--seed", "3", "--device", "cpu", "--out", killedDir, "--eval-samples", "500", "--log-every", "0", "--checkpoint-every", "250" }))
        {
            // Wait for a checkpoint past the first (however loaded the machine), then kill the process without warning.
            var clock = Stopwatch.StartNew();
            int step = 0;
            while (step < 500 && !child.HasExited && clock.Elapsed < TimeSpan.FromMinutes(15))
            {
                Thread.Sleep(20);
                try { step = File.Exists(checkpoint) ? Checkpoint.ReadInfo(checkpoint).Step : 0; }
                catch (IOException) { }   // being renamed into place
            }
            child.HasExited.ShouldBeFalse($"the run ended before it could be killed (exit code {(child.HasExited ? child.ExitCode : 0)}):\n{child.Output}\n{child.Error}");
            step.ShouldBeGreaterThanOrEqualTo(500, $"no checkpoint past step 500 after {clock.Elapsed}:\n{child.Output}\n{child.Error}");
            child.Kill();   // SIGKILL
        }
        int killedAt = Checkpoint.ReadInfo(checkpoint).Step;
        killedAt.ShouldBeGreaterThanOrEqualTo(500);
        killedAt.ShouldBeLessThan(4000);
        File.Exists(Path.Combine(killedDir, "metrics.json")).ShouldBeFalse("the killed run should not have finished");

        var log = new StringWriter();
        TrainCommand.Run(Settings(killedDir, resume: true), log).ShouldBe(0);
        log.ToString().ShouldContain($"resumed from {checkpoint} at step {killedAt}/4000 (");   // "(T min of training so far)", from the killed run's checkpoint
        log.ToString().ShouldContain(" min of training so far)");
        log.ToString().ShouldContain(" min over every leg of the run");

        string straightDir = Path.Combine(_dir, "straight");
        TrainCommand.Run(Settings(straightDir), TextWriter.Null).ShouldBe(0);
        CheckpointInfo resumed = Checkpoint.ReadInfo(checkpoint), straight = Checkpoint.ReadInfo(Settings(straightDir).CheckpointPath);
        resumed.Step.ShouldBe(4000);
        resumed.PayloadSha256.ShouldBe(straight.PayloadSha256);
    }
}
