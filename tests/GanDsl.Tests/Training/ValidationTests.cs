using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Gan.Cli;
using Gan.Runtime;
using Gan.Runtime.Data;
using Gan.Runtime.Training;
using GanDsl.Samples.Catalog;
using GanDsl.Tests.Runtime;
using Shouldly;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace GanDsl.Tests.Training;

/// <summary>Training-time validation (<see cref="ValidationOptions"/>, `gan train --validate-every N --select best`): the
/// scores come at the right steps and do not change the training, the best weights are those of the best step, a killed run
/// resumes with its scores, and the image flow's validation Parzen selects a checkpoint end to end.</summary>
[Collection(TorchGlobalRngCollection.Name)]
public sealed class ValidationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gandsl-validation-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static float[][] Parameters(IAdversarialModel model) =>
        model.Players.SelectMany(model.PlayerParameters).Select(p => p.detach().cpu().data<float>().ToArray()).ToArray();

    private static TrainOptions Options(int steps, ValidationOptions? validation = null, string? checkpoint = null, string? resume = null) => new()
    {
        Steps = steps, LogEvery = 0, LearningRateSchedule = "constant", Log = TextWriter.Null, Validation = validation,
        CheckpointPath = checkpoint, CheckpointEvery = checkpoint is null ? 0 : 10, ResumeFrom = resume,
    };

    private static MixtureBatchSource Ring() => new(GaussianMixture2D.Ring8(), 32, CPU);

    /// <summary>A score that depends on the weights and draws noise (so it would disturb training if the trainer did not
    /// put the generator back): minus the mean distance of samples from the origin's ring of radius 2.</summary>
    private static double RingScore(IAdversarialModel model) =>
        -(model.Sample(256).norm(1) - 2).abs().mean().item<float>();

    [Fact]
    public void Scores_come_every_N_steps_and_at_the_end_leave_training_unchanged_and_keep_the_best_step()
    {
        torch.manual_seed(3);
        using var plain = new Goodfellow2014(CPU);
        Trainer.Train(plain, Ring(), Options(25));

        string best = Path.Combine(_dir, "best.bin");
        var scripted = new Queue<double>(new[] { 1.0, 3.0, 2.0 });
        var seen = new List<int>();
        torch.manual_seed(3);
        using var validated = new Goodfellow2014(CPU);
        TrainResult result = Trainer.Train(validated, Ring(), Options(25, new ValidationOptions("scripted", 10, m =>
        {
            m.Sample(100).Dispose();   // draws from the generator: must not shift training's noise
            return scripted.Dequeue();
        }) { BestWeightsPath = best }));

        Parameters(validated).ShouldBe(Parameters(plain));   // bit for bit: validation does not touch training
        result.Validation!.History.Select(p => p.Step).ShouldBe(new[] { 10, 20, 25 });   // every 10 and the last step
        result.Validation.Best!.ShouldBe(new ValidationPoint(20, 3.0));
        using (JsonDocument json = JsonDocument.Parse(File.ReadAllText(best + ".json")))
        {
            json.RootElement.GetProperty("name").GetString().ShouldBe("scripted");
            json.RootElement.GetProperty("best_step").GetInt32().ShouldBe(20);
            json.RootElement.GetProperty("history").GetArrayLength().ShouldBe(3);
        }

        // best.bin holds the weights after step 20: those of a 20-step run with the same seed (the constant schedule does not
        // depend on the length).
        torch.manual_seed(3);
        using var twenty = new Goodfellow2014(CPU);
        Trainer.Train(twenty, Ring(), Options(20));
        torch.manual_seed(42);
        using var loaded = new Goodfellow2014(CPU);
        ModelWeights.Load(loaded, best);
        Parameters(loaded).ShouldBe(Parameters(twenty));
        Parameters(loaded).ShouldNotBe(Parameters(validated));
    }

    [Fact]
    public void A_killed_run_resumes_with_the_scores_before_its_checkpoint_and_ends_as_an_unbroken_one()
    {
        ValidationOptions Validation(string dir) => new("ring_score", 10, RingScore) { BestWeightsPath = Path.Combine(dir, "best.bin") };
        string straightDir = Directory.CreateDirectory(Path.Combine(_dir, "straight")).FullName;
        torch.manual_seed(4);
        using var straight = new Goodfellow2014(CPU);
        TrainResult unbroken = Trainer.Train(straight, Ring(), Options(40, Validation(straightDir)));

        string dir = Directory.CreateDirectory(Path.Combine(_dir, "killed")).FullName, checkpoint = Path.Combine(dir, "run.ckpt");
        torch.manual_seed(4);
        using (var first = new Goodfellow2014(CPU))
            Should.Throw<OperationCanceledException>(() => Trainer.Train(first, new KilledAfter(Ring(), batches: 35), Options(40, Validation(dir), checkpoint)));
        // Killed in step 36: the checkpoint is at 30, the record has the scores of 10, 20 and 30.
        ValidationRecord.Read(Path.Combine(dir, "best.bin.json")).History.Select(p => p.Step).ShouldBe(new[] { 10, 20, 30 });

        torch.manual_seed(99);
        using var resumed = new Goodfellow2014(CPU);
        TrainResult result = Trainer.Train(resumed, new KilledAfter(Ring(), int.MaxValue), Options(40, Validation(dir), checkpoint, resume: checkpoint));
        Parameters(resumed).ShouldBe(Parameters(straight));
        result.Validation!.History.ShouldBe(unbroken.Validation!.History);
        File.ReadAllBytes(Path.Combine(dir, "best.bin")).ShouldBe(File.ReadAllBytes(Path.Combine(straightDir, "best.bin")));

        // A new run (not resumed) in the same folder starts its record afresh.
        torch.manual_seed(4);
        using var again = new Goodfellow2014(CPU);
        Trainer.Train(again, Ring(), Options(10, Validation(dir)));
        ValidationRecord.Read(Path.Combine(dir, "best.bin.json")).History.Select(p => p.Step).ShouldBe(new[] { 10 });
    }

    [Fact]
    public void Gan_train_select_best_evaluates_and_saves_the_step_with_the_best_validation_parzen()
    {
        string run = Path.Combine(_dir, "run");
        var log = new StringWriter();
        var settings = new TrainSettings("dcgan", "mnist", Steps: 6, BatchSize: 16, Seed: 0, Device: "cpu", Out: run, EvalSamples: 50, LogEvery: 0,
                                         DataOptions: new DataOptions { Folder = CraftedSet.WriteBars(Path.Combine(_dir, "data"), 200, 40) },
                                         Evaluate: false, TensorBoard: "none", Progress: "none") { ValidateEvery = 2, Select = "best" };
        TrainCommand.Run(settings, log).ShouldBe(0);
        string text = log.ToString();
        text.ShouldContain("validation at step 2: val_parzen");
        text.ShouldContain("validation at step 6: val_parzen");
        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "metrics.json")));
        JsonElement m = json.RootElement;
        m.GetProperty("validation_score").GetString().ShouldBe("val_parzen");
        double[] scores = m.GetProperty("validation_history").EnumerateArray().Select(p => p.GetProperty("score").GetDouble()).ToArray();
        int[] steps = m.GetProperty("validation_history").EnumerateArray().Select(p => p.GetProperty("step").GetInt32()).ToArray();
        steps.ShouldBe(new[] { 2, 4, 6 });
        int bestStep = m.GetProperty("validation_best_step").GetInt32();
        bestStep.ShouldBe(steps[Array.IndexOf(scores, scores.Max())]);
        m.GetProperty("selected").GetString().ShouldBe($"the weights of step {bestStep}, the best val_parzen");
        text.ShouldContain($"selected the weights of step {bestStep}");
        // model.bin is the selected checkpoint: the same weights as best.bin.
        ModelWeights.Sha256(Path.Combine(run, RunInfo.WeightsFile)).ShouldBe(ModelWeights.Sha256(Path.Combine(run, "best.bin")));
    }

    [Fact]
    public void Select_best_needs_validation_and_validation_needs_a_score_for_the_data()
    {
        var noValidation = new TrainSettings("dcgan", "mnist", 1, 8, 0, "cpu", Path.Combine(_dir, "a"), 10, 0) { Select = "best" };
        Should.Throw<ArgumentException>(() => noValidation.Validate()).Message.ShouldBe("--select best needs --validate-every N: the best weights are those of the best validation score.");
        var withEma = new TrainSettings("dcgan", "mnist", 1, 8, 0, "cpu", Path.Combine(_dir, "a"), 10, 0, Ema: 0.999) { Select = "best", ValidateEvery = 1 };
        Should.Throw<ArgumentException>(() => withEma.Validate()).Message.ShouldStartWith("--select best with --ema is not supported");
        var ring = new TrainSettings("goodfellow2014", "ring", 2, 8, 0, "cpu", Path.Combine(_dir, "ring"), 10, 0) { ValidateEvery = 1 };
        Should.Throw<ArgumentException>(() => TrainCommand.Run(ring, TextWriter.Null)).Message
            .ShouldBe("--validate-every: the ring flow has no validation score (it scores image data: the Parzen log-likelihood of the held-out validation images).");
    }
}
