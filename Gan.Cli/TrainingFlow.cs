using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using Gan.Runtime;
using Gan.Runtime.Data;
using Gan.Runtime.Imaging;
using Gan.Runtime.Logging;
using Gan.Runtime.Metrics;
using Gan.Runtime.Training;
using static TorchSharp.torch;

namespace Gan.Cli;

/// <summary>A trained run, as the flows' evaluation sees it.</summary>
/// <param name="Settings">The run's options, its defaults resolved.</param>
/// <param name="Steps">The run's length in generator steps.</param>
/// <param name="BatchSize">Its minibatch size.</param>
/// <param name="Entry">The model's registration.</param>
/// <param name="Model">The trained model (with the EMA's weights applied while the flow evaluates, when there is one).</param>
/// <param name="Device">Where it ran.</param>
/// <param name="Result">The trainer's result.</param>
/// <param name="Ema">The moving average of the generator, or null.</param>
/// <param name="TensorBoard">The run's event file, or null.</param>
public sealed record TrainedRun(TrainSettings Settings, int Steps, int BatchSize, ModelDescriptor Entry, IAdversarialModel Model, Device Device,
                                TrainResult Result, ExponentialMovingAverage? Ema, TensorBoardWriter? TensorBoard)
{
    /// <summary>The run's folder.</summary>
    public string Out => Settings.Out;
}

/// <summary>What `gan train` does that depends on the kind of data set: the data it loads and describes, the batches it
/// feeds, and what it measures and draws after training. The rest of a run (device, seed, the model, EMA, TensorBoard,
/// training, checkpoints, the saved weights, metrics.json) is <see cref="TrainCommand"/>'s, one flow for every kind.</summary>
public abstract class TrainingFlow : IDisposable
{
    /// <summary>The flow of a data set (checked against the model's declaration already), its data loaded.</summary>
    public static TrainingFlow For(string dataName, TrainSettings s, TextWriter output) => dataName switch
    {
        "moons" => new MoonsFlow(s.Seed),
        "digits" or "digits-target" => new DigitsFlow(s, output, trainOnTarget: dataName == "digits-target", paper: false),
        "mnist-m" or "mnist-m-target" => new DigitsFlow(s, output, trainOnTarget: dataName == "mnist-m-target", paper: true),
        _ when ImageDataSets.IsImageDataSet(dataName) => new ImageFlow(ImageDataSets.Load(dataName, s.DataOptions ?? new DataOptions { Log = output }), s.HeldOut),
        _ when s.HeldOut is not null => throw new ArgumentException($"--held-out applies to image data (mnist, fashion-mnist), not to {dataName}."),
        _ => new MixtureFlow(GaussianMixture2D.ByName(dataName)),
    };

    /// <summary>The data in words, for the first line of the run ("ring (8 modes, std 0.02)").</summary>
    public abstract string Description { get; }
    /// <summary>The data as metrics.json records it.</summary>
    public abstract string Record { get; }
    /// <summary>Samples drawn for the metrics when --eval-samples does not say.</summary>
    public virtual int DefaultEvalSamples => 2500;
    /// <summary>Refuses, before training, a model whose declaration lacks what the flow measures (saying what to declare).</summary>
    public virtual void Check(IAdversarialModel model, ModelDescriptor entry) { }
    /// <summary>The training batches, with the fields the model declares.</summary>
    public abstract IBatchSource Source(IAdversarialModel model, int batchSize, Device device, long seed);
    /// <summary>The mean training example of a data variable, in its declared range (for <see cref="IDataInitialized"/>), or
    /// null when this kind of data cannot give it.</summary>
    public virtual Tensor? Mean(IAdversarialModel model, string variable) => null;
    /// <summary>The score of training-time validation (<c>--validate-every</c>): its name and the function (higher is better),
    /// or null when this kind of data has none.</summary>
    public virtual (string Name, Func<IAdversarialModel, double> Score)? Validation(IAdversarialModel model, int samples) => null;
    /// <summary>After training: pictures into the run's folder, numbers into <paramref name="metrics"/>, a summary to <paramref name="output"/>.</summary>
    public abstract void Evaluate(TrainedRun run, RunMetrics metrics, TextWriter output);

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing) { }
}

/// <summary>2-D Gaussian mixtures (ring, grid): mode coverage and the scatter plot.</summary>
internal sealed class MixtureFlow : TrainingFlow
{
    private readonly GaussianMixture2D _mixture;
    public MixtureFlow(GaussianMixture2D mixture) { _mixture = mixture; }

    public override string Description => $"{_mixture.Name} ({_mixture.ModeCount} modes, std {_mixture.Std.ToString(CultureInfo.InvariantCulture)})";
    public override string Record => _mixture.Name;

    public override IBatchSource Source(IAdversarialModel model, int batchSize, Device device, long seed)
        => new MixtureBatchSource(_mixture, batchSize, device, field: DataSets.Examples(model.Data)[0].Field);

    public override void Evaluate(TrainedRun run, RunMetrics metrics, TextWriter output)
    {
        using var scope = NewDisposeScope();
        Tensor samples = run.Model.Sample(run.Settings.EvalSamples ?? DefaultEvalSamples).cpu();
        ModeCoverage coverage = ModeCoverage.Measure(samples, _mixture);
        string png = Path.Combine(run.Out, "samples.png");
        ScatterPlot.Write(png, samples, _mixture);
        metrics.With(new (string, object?)[]
        {
            ("modes_captured", coverage.ModesCaptured),
            ("modes_total", coverage.ModesTotal),
            ("high_quality_fraction", coverage.HighQualityFraction),
            ("reverse_kl", coverage.ReverseKl),
            ("eval_samples", coverage.SampleCount),
            ("protocol", coverage.Protocol),
        });
        run.TensorBoard?.Image("samples", File.ReadAllBytes(png), 512, 512, run.Steps);   // the scatter plot of samples.png
        run.TensorBoard?.Scalars(run.Steps, new[]
        {
            KeyValuePair.Create("eval/modes_captured", (float)coverage.ModesCaptured),
            KeyValuePair.Create("eval/high_quality_fraction", (float)coverage.HighQualityFraction),
            KeyValuePair.Create("eval/reverse_kl", (float)(coverage.ReverseKl ?? double.NaN)),
        });
        output.WriteLine($"  {coverage.ModesCaptured}/{coverage.ModesTotal} modes, {coverage.HighQualityFraction:P1} high-quality samples, " +
                         $"reverse KL {(coverage.ReverseKl is double kl ? kl.ToString("F4", CultureInfo.InvariantCulture) : "n/a")}, " +
                         $"{run.Result.Seconds:F1} s ({run.Result.StepsPerSecond:F0} steps/s){(run.Ema is null ? "" : $"; sampled with the EMA of {run.Ema.Player} (decay {run.Ema.Decay.ToString(CultureInfo.InvariantCulture)})")}");
        output.WriteLine($"  wrote {png}");
    }
}

/// <summary>Image data sets (MNIST, Fashion-MNIST): sample grids, interpolations, Parzen, FID and the protocols the model's
/// declaration calls for (code accuracy, editing, the code components).</summary>
internal sealed class ImageFlow : TrainingFlow
{
    private readonly ImageDataSet _data;

    public ImageFlow(ImageDataSet data, int? heldOut = null)
    {
        _data = data;
        HeldOut = Parzen.HeldOut(data.Train.Images.Count, heldOut, data.Name);
    }

    /// <summary>How many of the last training images are held out of training: --held-out, else <see cref="Parzen.HeldOutCount"/>.</summary>
    public int HeldOut { get; }
    /// <summary>The training images a model trains on: all but the last <see cref="HeldOut"/>, whose first ones are Parzen's validation set.</summary>
    public int TrainingImages => _data.Train.Images.Count - HeldOut;

    /// <summary>The set, its split and its source; a copy with a note (the 10,000-digit MNIST subset) says it on the run's
    /// first line, where a researcher reading the log sees which data the numbers are on.</summary>
    public override string Description => $"{_data.Name} ({TrainingImages:N0} training images, {_data.Train.Images.Count - TrainingImages:N0} more held out for Parzen's σ; {_data.Source})" +
                                          (_data.Note is { } note ? $"; note: {note}" : "");
    public override string Record => _data.Name;
    public override int DefaultEvalSamples => 10000;

    public override void Check(IAdversarialModel model, ModelDescriptor entry) => ImageCommands.ImageVariable(model);

    public override IBatchSource Source(IAdversarialModel model, int batchSize, Device device, long seed)
    {
        DataVariable x = ImageCommands.ImageVariable(model);
        using var scope = NewDisposeScope();
        var (images, labels) = ImageTensors.FromIdx(_data.Train.Images, _data.Train.Labels);
        // The last training images are Parzen's validation set (σ is chosen on them): they are held out of training.
        long training = TrainingImages;
        string labelField = DataSets.Label(model.Data)?.Field ?? "y";
        return new ImageBatchSource(images.narrow(0, 0, training), labels.narrow(0, 0, training), batchSize, device, x.Range, seed, imageField: x.Field, labelField: labelField);
    }

    public override Tensor? Mean(IAdversarialModel model, string variable)
    {
        DataVariable x = ImageCommands.ImageVariable(model);
        if (x.Name != variable) return null;
        using var scope = NewDisposeScope();
        var (images, _) = ImageTensors.FromIdx(_data.Train.Images, _data.Train.Labels);
        return DataRanges.FromUnit(images.narrow(0, 0, TrainingImages).to(float32), x.Range).mean(new long[] { 0 }).MoveToOuterDisposeScope();
    }

    /// <summary>Validation Parzen: the mean log-likelihood of the held-out validation images (Parzen's σ set, never trained on)
    /// under the window on <paramref name="samples"/> samples (as many as the final Parzen's; a conditional model's
    /// class-balanced), at the σ of the grid that scores them best.</summary>
    public override (string Name, Func<IAdversarialModel, double> Score)? Validation(IAdversarialModel model, int samples)
    {
        DataVariable x = ImageCommands.ImageVariable(model);
        var (train, _) = ImageTensors.FromIdx(_data.Train.Images, _data.Train.Labels);
        Tensor validation = Parzen.ValidationImages(train, HeldOut).flatten(1).clone().DetachFromDisposeScope();
        train.Dispose();
        _validation = validation;
        return ("val_parzen", m => ImageCommands.ValidationParzen(m, x, validation, samples));
    }

    private Tensor? _validation;

    protected override void Dispose(bool disposing)
    {
        if (disposing) _validation?.Dispose();
    }

    public override void Evaluate(TrainedRun run, RunMetrics metrics, TextWriter output)
    {
        IAdversarialModel model = run.Model;
        TrainSettings s = run.Settings;
        DataVariable x = ImageCommands.ImageVariable(model);
        ImageCommands.WritePictures(model, x, _data, run.Out, s.Seed, output);
        metrics.With(new (string, object?)[]
        {
            ("data_source", _data.Source),
            ("training_images", TrainingImages),
            ("held_out_images", _data.Train.Images.Count - TrainingImages),
            ("images_per_second", Math.Round(run.Result.StepsPerSecond * run.BatchSize, 1)),
        });
        if (s.Evaluate)
            foreach (var (key, value) in ImageCommands.Evaluate(model, x, _data, s.EvalSamples ?? DefaultEvalSamples, s.Seed, run.Device, output, HeldOut))
            {
                metrics.Results[key] = value;
                if (key is "parzen_log_likelihood" or "fid" && value is double number)
                    run.TensorBoard?.Scalar($"eval/{key}", (float)number, run.Steps);
            }
        metrics.With(ImageCommands.ModelProtocols(model, x, _data, run.Out, s.Seed, run.Device, output));
        output.WriteLine($"  wrote samples.png, interpolation-linear.png, interpolation-spherical.png and real.png to {run.Out}");
    }
}
