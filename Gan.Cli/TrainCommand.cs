using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Gan.Runtime;
using Gan.Runtime.Data;
using Gan.Runtime.Imaging;
using Gan.Runtime.Logging;
using Gan.Runtime.Metrics;
using Gan.Runtime.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Gan.Cli;

/// <summary>One `gan train` run, as its options give it.</summary>
/// <param name="Model">The model's registered name.</param>
/// <param name="Data">ring, grid, mnist or fashion-mnist; null: the model's default data set.</param>
/// <param name="Steps">Generator steps; null: the model's default.</param>
/// <param name="BatchSize">null: the model's default (its paper's).</param>
/// <param name="Seed">The random seed: runs with the same seed and device are identical.</param>
/// <param name="Device">auto, cpu, cuda or cuda:N.</param>
/// <param name="Out">The run's folder: pictures, metrics.json, the checkpoint, the saved model.</param>
/// <param name="EvalSamples">Samples drawn for the metrics; null: 2,500 for the 2-D protocol, 10,000 for images (Parzen).</param>
/// <param name="LogEvery">A progress line and the losses in TensorBoard every N steps (0: none).</param>
/// <param name="LearningRateSchedule">constant, linear or ganin; null: the model's.</param>
/// <param name="DataOptions">Where image data come from (a folder, the cache, a download, packages); null: the defaults.</param>
/// <param name="Evaluate">Images: compute Parzen and FID after training.</param>
/// <param name="CheckpointEvery">Write OUT/checkpoint.ckpt every N steps (always at the end); 0: only at the end.</param>
/// <param name="Resume">Continue from OUT/checkpoint.ckpt exactly.</param>
/// <param name="Progress">auto (a live bar when the output is a terminal, else plain lines), bar, plain or none.</param>
/// <param name="TensorBoard">The folder for TensorBoard event files; null: OUT/tensorboard; "none": no event files.</param>
/// <param name="Ema">The decay of an exponential moving average of the generator's weights (e.g. 0.999), used for sampling,
/// evaluation and the saved model; null: none.</param>
/// <param name="Precision">fp32, bf16, tf32 or auto.</param>
public sealed record TrainSettings(string Model, string? Data, int? Steps, int? BatchSize, long Seed, string Device, string Out, int? EvalSamples, int LogEvery,
                                   string? LearningRateSchedule = null, DataOptions? DataOptions = null, bool Evaluate = true,
                                   int CheckpointEvery = 0, bool Resume = false, string Progress = "auto", string? TensorBoard = null, double? Ema = null,
                                   string Precision = "fp32")
{
    /// <summary>Where the trainer's progress lines and messages go (the command line: standard error); null: with the results.</summary>
    public TextWriter? Log { get; init; }

    /// <summary>Score the model every this many steps during training and keep the best weights (0: off); see <see cref="ValidationOptions"/>.</summary>
    public int ValidateEvery { get; init; }
    /// <summary>Image data: how many of the last training images are held out of training (Parzen's σ is chosen on the first
    /// 1,000 of them, or all when fewer); null: <see cref="Gan.Runtime.Metrics.Parzen.HeldOutCount"/> (a tenth, at most 1,000).
    /// Goodfellow et al.'s MNIST run trains on rows 0–50,000 of 60,000: <c>--held-out 10000</c>.</summary>
    public int? HeldOut { get; init; }
    /// <summary><c>last</c>: the run's result is the last step's weights; <c>best</c>: those of the best validation score.</summary>
    public string Select { get; init; } = "last";

    /// <summary>Where the best validation weights go.</summary>
    public string BestWeightsPath => System.IO.Path.Combine(Out, "best.bin");

    /// <summary>The run's checkpoint file, in its output folder.</summary>
    public string CheckpointPath => System.IO.Path.Combine(Out, "checkpoint.ckpt");

    /// <summary>Where the TensorBoard event files go, or null for none.</summary>
    public string? TensorBoardDirectory =>
        TensorBoard is null ? System.IO.Path.Combine(Out, "tensorboard")
        : TensorBoard.Equals("none", StringComparison.OrdinalIgnoreCase) ? null
        : TensorBoard;

    /// <summary>Checks the options that do not depend on the model or the data, before anything is loaded.</summary>
    public void Validate()
    {
        if (BatchSize <= 0) throw new ArgumentException($"--batch-size must be positive (got {BatchSize}).");
        if (EvalSamples <= 0) throw new ArgumentException($"--eval-samples must be positive (got {EvalSamples}).");
        if (Steps < 0) throw new ArgumentException($"--steps must not be negative (got {Steps}).");
        if (Ema is double d && !(d > 0 && d < 1)) throw new ArgumentException($"--ema must be a decay in (0, 1), e.g. 0.999 (got {d.ToString(CultureInfo.InvariantCulture)}).");
        ProgressModes.Resolve(Progress, terminal: false);
        if (TensorBoard is "") throw new ArgumentException("--tensorboard needs a folder, or none.");
        if (ValidateEvery < 0) throw new ArgumentException($"--validate-every must not be negative (got {ValidateEvery}).");
        if (HeldOut <= 0) throw new ArgumentException($"--held-out must be positive (got {HeldOut}).");
        if (Select is not ("last" or "best")) throw new ArgumentException($"--select must be last or best (got '{Select}').");
        if (Select == "best" && ValidateEvery == 0) throw new ArgumentException("--select best needs --validate-every N: the best weights are those of the best validation score.");
        if (Select == "best" && Ema is not null)
            throw new ArgumentException("--select best with --ema is not supported: the best weights are saved with the average applied, and the run would then average them again; choose one.");
    }

    /// <summary>A new event file for this invocation (a resumed run adds one beside the earlier ones), or null.</summary>
    public TensorBoardWriter? OpenTensorBoard() => TensorBoardDirectory is string dir ? TensorBoardWriter.Create(dir) : null;

    /// <summary>The moving average of <paramref name="model"/>'s generator this run asks for, or null.</summary>
    public ExponentialMovingAverage? CreateEma(IAdversarialModel model) => Ema is double d ? new ExponentialMovingAverage(model, d) : null;

    /// <summary>The trainer's options for this run; the progress display follows <see cref="Progress"/> (a bar only on a terminal).</summary>
    public TrainOptions TrainOptions(int steps, TextWriter log, TensorBoardWriter? tensorBoard = null, ExponentialMovingAverage? ema = null,
                                     ValidationOptions? validation = null) => new()
    {
        Steps = steps, LogEvery = LogEvery, Log = log, LearningRateSchedule = LearningRateSchedule ?? "linear",
        CheckpointPath = CheckpointPath, CheckpointEvery = CheckpointEvery, ResumeFrom = Resume ? CheckpointPath : null,
        Progress = ProgressModes.Create(ProgressModes.Resolve(Progress, ProgressModes.IsTerminal(log)), log, LogEvery),
        TensorBoard = tensorBoard, Ema = ema, Precision = Precision, Validation = validation,
    };
}

/// <summary>`gan train`: trains a registered model on a data set that fits its declaration, one flow for every kind of data:
/// the device, seed, model, EMA, TensorBoard, training with checkpoints, the saved weights (model.bin, model.json) and
/// metrics.json are the same; the data's <see cref="TrainingFlow"/> feeds the batches and measures the result.</summary>
public static class TrainCommand
{
    public static int Run(TrainSettings s, TextWriter output)
    {
        ModelDescriptor entry = ModelRegistry.Find(s.Model);
        s.Validate();
        string dataName = s.Data ?? entry.DefaultDataSet;
        s = s with { Data = dataName, LearningRateSchedule = s.LearningRateSchedule ?? entry.LearningRateSchedule ?? "linear" };
        DataSets.Check(entry, dataName);   // what the model declares against what the data set provides, before anything is loaded
        int steps = s.Steps ?? entry.DefaultSteps, batchSize = s.BatchSize ?? entry.DefaultBatchSize;
        Device device = Devices.Resolve(s.Device);
        using TrainingFlow flow = TrainingFlow.For(dataName, s, output);
        Directory.CreateDirectory(s.Out);
        output.WriteLine($"gan train: {entry.Name} on {flow.Description}, {steps} steps, batch {batchSize}, seed {s.Seed}, device {device.type}, lr schedule {s.LearningRateSchedule}");

        Trainer.Seed(s.Seed);
        using IAdversarialModel model = entry.Create(device);
        flow.Check(model, entry);
        if (model is IDataInitialized starts)   // e.g. G's output bias from the data's mean (a resumed run then loads its weights over it)
        {
            using Tensor mean = flow.Mean(model, starts.DataVariable)
                ?? throw new ArgumentException($"{entry.Name} starts a network from the mean of '{starts.DataVariable}' (OutputBiasFromData), which the {dataName} data cannot give.");
            starts.InitializeFromData(mean);
        }
        output.WriteLine(model.ValueFunction.StartsWith("L_D = ", StringComparison.Ordinal) || model.ValueFunction.StartsWith("minimize ", StringComparison.Ordinal) ? $"  {model.ValueFunction}" : $"  V = {model.ValueFunction}");
        using ExponentialMovingAverage? ema = s.CreateEma(model);
        using TensorBoardWriter? tensorBoard = s.OpenTensorBoard();
        ValidationOptions? validation = null;
        if (s.ValidateEvery > 0)
            validation = flow.Validation(model, s.EvalSamples ?? flow.DefaultEvalSamples) is (string name, Func<IAdversarialModel, double> score)
                ? new ValidationOptions(name, s.ValidateEvery, score) { BestWeightsPath = s.BestWeightsPath }
                : throw new ArgumentException($"--validate-every: the {dataName} flow has no validation score (it scores image data: the Parzen log-likelihood of the held-out validation images).");
        TrainResult result;
        IBatchSource source = flow.Source(model, batchSize, device, s.Seed);
        try { result = Trainer.Train(model, source, s.TrainOptions(steps, s.Log ?? output, tensorBoard, ema, validation)); }
        finally { (source as IDisposable)?.Dispose(); }
        var selection = new List<(string, object?)>();
        if (result.Validation is { Best: ValidationPoint best } record)
        {
            selection.Add(("validation_score", record.Name));
            selection.Add(("validation_every", s.ValidateEvery));
            selection.Add(("validation_history", record.History.Select(p => new Dictionary<string, object> { ["step"] = p.Step, ["score"] = Math.Round(p.Score, 2) }).ToList()));
            selection.Add(("validation_best_step", best.Step));
            selection.Add(("validation_best_score", Math.Round(best.Score, 2)));
            selection.Add(("selected", s.Select == "best" ? $"the weights of step {best.Step}, the best {record.Name}" : $"the weights of the last step, {steps}"));
            if (s.Select == "best")
            {
                ModelWeights.Load((nn.Module)model, s.BestWeightsPath);
                output.WriteLine($"  selected the weights of step {best.Step} (best {record.Name} {best.Score:F2}) from {s.BestWeightsPath}");
            }
        }
        RunInfo info = RunInfo.Save(s.Out, entry, model, dataName, s.Seed, steps, batchSize, ema, s.HeldOut);
        string legs = result.StartStep > 0 && result.TotalSeconds is double total ? $"; {total / 60:F1} min over every leg of the run" : "";
        output.WriteLine($"  {result.Seconds:F1} s ({result.StepsPerSecond:F1} steps/s, {result.StepsPerSecond * batchSize:F0} examples/s{legs}); saved {Path.Combine(s.Out, RunInfo.WeightsFile)} ({info.Weights})");

        // From here on the pictures and metrics come from the averaged generator when there is one.
        using IDisposable? averaged = ema?.Apply();
        using var scope = NewDisposeScope();
        RunMetrics metrics = RunMetrics.From(s, entry, model, flow.Record, batchSize, device, result, ema, tensorBoard)
            .With(new (string, object?)[] { ("weights_sha256", info.WeightsSha256) }).With(selection);
        flow.Evaluate(new TrainedRun(s, steps, batchSize, entry, model, device, result, ema, tensorBoard), metrics, output);
        string json = Path.Combine(s.Out, "metrics.json");
        metrics.Write(json);
        output.WriteLine($"  wrote {json}{(tensorBoard is null ? "" : $"; TensorBoard: {tensorBoard.FilePath}")}");
        return 0;
    }

    /// <summary>What metrics.json and model.json say about the weights the samples and metrics come from.</summary>
    public static string SampledWith(ExponentialMovingAverage? ema) => ema is null
        ? "live weights (no EMA)"
        : $"the exponential moving average of {ema.Player}'s weights (decay {ema.Decay.ToString(CultureInfo.InvariantCulture)}, {ema.Updates} updates)";
}
