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
using static TorchSharp.torch;

namespace Gan.Cli;

/// <summary>Domain adaptation (Ganin &amp; Lempitsky 2015): what the moons and digits flows share. The model must declare its
/// label classifier, <c>[Infer("C(y | F(x))")]</c> (and, for domain-adversarial training, may declare its domain classifier,
/// <c>[Domain("Dd(F(x))")]</c>), whatever its networks are called; the flows report <see cref="DomainAccuracy"/>.</summary>
public static class DomainCommand
{
    /// <summary>Points per class in the source and in the target.</summary>
    public const int PerClass = 150;
    /// <summary>The noise of the moons and the rotation of the target.</summary>
    public const double Noise = 0.1, RotationDegrees = 35;

    /// <summary>The protocols measure the declared label classifier; a model without one cannot be evaluated here.</summary>
    internal static void RequireClassifier(IAdversarialModel model, ModelDescriptor entry, string data)
    {
        if (!DomainAccuracy.Applies(model))
            throw new ArgumentException($"{entry.Name} declares no classifier of its label: the {data} protocol measures the accuracy of one. " +
                                        "Declare it on the class, as the objective applies it, e.g. [Infer(\"C(y | F(x))\")].");
    }

    /// <summary>The batch fields as the model declares them: its first example variable is the source, its [Label] the source's
    /// labels, its second example variable (when it has one) the target.</summary>
    internal static (string Source, string Label, string Target) DomainFields(IAdversarialModel model)
    {
        DataVariable[] examples = DataSets.Examples(model.Data);
        return (examples[0].Field, DataSets.Label(model.Data)!.Field, examples.Length > 1 ? examples[1].Field : "x_t");
    }

    /// <summary>The declared label classifier's class for each point.</summary>
    public static Tensor Predict(IAdversarialModel model, Tensor points)
        => Inferences.Classes((IInferenceModel)model, DomainAccuracy.Classifier(model)!, points);
}

/// <summary>`gan train --data moons`: the source, 150 + 150 labelled moons; the target, 300 other points rotated 35° about the
/// moons' centre, without labels. Reports <see cref="DomainAccuracy"/> and draws both decision boundaries.</summary>
internal sealed class MoonsFlow : TrainingFlow
{
    private readonly Tensor _source, _sourceLabels, _target, _targetLabels;

    public MoonsFlow(long seed)
    {
        var g = new Generator((ulong)seed + 1000);
        (_source, _sourceLabels) = Moons.Make(DomainCommand.PerClass, DomainCommand.Noise, g);
        var (targetPlain, targetLabels) = Moons.Make(DomainCommand.PerClass, DomainCommand.Noise, g);
        _target = Moons.Rotate(targetPlain, DomainCommand.RotationDegrees, Moons.Centre);
        _targetLabels = targetLabels;
    }

    public override string Description => $"moons ({2 * DomainCommand.PerClass} labelled source points; {2 * DomainCommand.PerClass} unlabelled target points rotated {DomainCommand.RotationDegrees}°)";
    public override string Record => $"moons: {2 * DomainCommand.PerClass} source points, {2 * DomainCommand.PerClass} target points rotated {DomainCommand.RotationDegrees}° about (0.5, 0.25), noise {DomainCommand.Noise}";

    public override void Check(IAdversarialModel model, ModelDescriptor entry) => DomainCommand.RequireClassifier(model, entry, "moons");

    public override IBatchSource Source(IAdversarialModel model, int batchSize, Device device, long seed)
    {
        var (sourceField, labelField, targetField) = DomainCommand.DomainFields(model);
        return new DomainBatchSource(_source.clone(), _sourceLabels.clone(), _target.clone(), batchSize, device, sourceField, labelField, targetField);
    }

    public override void Evaluate(TrainedRun run, RunMetrics metrics, TextWriter output)
    {
        IAdversarialModel model = run.Model;
        using var scope = NewDisposeScope();
        DomainAccuracyResult accuracy = DomainAccuracy.Measure(model, _source, _sourceLabels, _target, _targetLabels);
        string png = Path.Combine(run.Out, "boundaries.png");
        DecisionPlot.Write(png, p => DomainCommand.Predict(model, p), model is IDomainModel domain ? p => domain.DomainProbability(p.to(model.Device)).cpu() : null,
                           _source, _sourceLabels, _target);
        metrics.With(new (string, object?)[]
        {
            ("objectives", model.LossNames),
            ("source_accuracy", Math.Round(accuracy.Source, 4)),
            ("target_accuracy", Math.Round(accuracy.Target, 4)),
            ("domain_classifier_accuracy", accuracy.DomainClassifier is double d ? Math.Round(d, 4) : null),
            ("classifier", accuracy.Formula),
        });
        run.TensorBoard?.Scalars(run.Steps, new[]
        {
            KeyValuePair.Create("eval/source_accuracy", (float)accuracy.Source),
            KeyValuePair.Create("eval/target_accuracy", (float)accuracy.Target),
        });
        output.WriteLine($"  accuracy of {accuracy.Formula}: source {accuracy.Source:P1}, target {accuracy.Target:P1}" +
                         (accuracy.DomainClassifier is double dc ? $"; the domain classifier tells them apart on {dc:P1}" : ""));
        output.WriteLine($"  wrote {png}");
    }

    protected override void Dispose(bool disposing)
    {
        if (!disposing) return;
        _source.Dispose(); _sourceLabels.Dispose(); _target.Dispose(); _targetLabels.Dispose();
    }
}

/// <summary>`gan train --data digits` (or `digits-target`): MNIST as the labelled source and the same digits blended over
/// random colour textures (<see cref="BlendedDigits"/>) as the target, as Ganin &amp; Lempitsky 2015 (Table 2) use MNIST →
/// MNIST-M. `--data mnist-m` (or `mnist-m-target`) is their protocol (<see cref="MnistM"/>): binarized digits, the target
/// blended with crops of the `--photos` photographs, every input minus the per-channel pixel mean of both training sets.
/// Trains on the source with the unlabelled target, or on the labelled target (the ceiling); reports
/// <see cref="DomainAccuracy"/> on the source's and the target's test digits.</summary>
internal sealed class DigitsFlow : TrainingFlow
{
    private readonly ImageDataSet _data;
    private readonly bool _trainOnTarget, _paper;
    private readonly string _photos = "";
    private readonly int _photoCount;
    private readonly Tensor _trainLabels, _testLabels, _sourceTrain, _sourceTest, _targetTrain, _targetTest, _mean;

    public DigitsFlow(TrainSettings s, TextWriter output, bool trainOnTarget, bool paper)
    {
        _trainOnTarget = trainOnTarget;
        _paper = paper;
        DataOptions options = s.DataOptions ?? new DataOptions { Log = output };
        IReadOnlyList<Tensor>? photos = null;
        if (paper)
        {
            // Before MNIST is loaded: a missing photographs folder is the first thing to hear about.
            _photos = options.Photos ?? throw new ArgumentException(
                "mnist-m blends the digits with crops of photographs, as Ganin & Lempitsky 2015 crop BSDS500: give a folder of PNG photographs " +
                "with --photos DIR (or $GANDSL_PHOTOS). Without photographs, --data digits blends them with random colour textures.");
            photos = MnistM.LoadPhotos(_photos);
            _photoCount = photos.Count;
        }
        _data = ImageDataSets.Load("mnist", options);
        using var scope = NewDisposeScope();
        var (trainGrey, trainLabels) = ImageTensors.FromIdx(_data.Train.Images, _data.Train.Labels);
        var (testGrey, testLabels) = ImageTensors.FromIdx(_data.Test.Images, _data.Test.Labels);
        _trainLabels = trainLabels.DetachFromDisposeScope();
        _testLabels = testLabels.DetachFromDisposeScope();
        if (photos is null)
        {
            _sourceTrain = BlendedDigits.Rgb(trainGrey).DetachFromDisposeScope();
            _sourceTest = BlendedDigits.Rgb(testGrey).DetachFromDisposeScope();
            _targetTrain = BlendedDigits.Blend(trainGrey, new Generator((ulong)s.Seed + 2000)).DetachFromDisposeScope();
            _targetTest = BlendedDigits.Blend(testGrey, new Generator((ulong)s.Seed + 3000)).DetachFromDisposeScope();
            _mean = zeros(1, 3, 1, 1).DetachFromDisposeScope();
            return;
        }
        try
        {
            Tensor trainBinary = MnistM.Binarize(trainGrey), testBinary = MnistM.Binarize(testGrey);
            Tensor sourceTrain = BlendedDigits.Rgb(trainBinary), sourceTest = BlendedDigits.Rgb(testBinary);
            Tensor targetTrain = MnistM.Blend(trainBinary, photos, new Generator((ulong)s.Seed + 2000));
            Tensor targetTest = MnistM.Blend(testBinary, photos, new Generator((ulong)s.Seed + 3000));
            _mean = MnistM.ChannelMean(sourceTrain, targetTrain).DetachFromDisposeScope();
            _sourceTrain = (sourceTrain - _mean).DetachFromDisposeScope();
            _sourceTest = (sourceTest - _mean).DetachFromDisposeScope();
            _targetTrain = (targetTrain - _mean).DetachFromDisposeScope();
            _targetTest = (targetTest - _mean).DetachFromDisposeScope();
        }
        finally
        {
            foreach (Tensor p in photos) p.Dispose();
        }
    }

    private string Target => _paper ? $"MNIST-M (binarized digits blended with 28×28 crops of {_photoCount} photographs in {_photos})" : "MNIST blended over colour textures";

    public override string Description => $"{(_trainOnTarget ? "the labelled target, " : "MNIST → ")}{Target} ({_data.Train.Images.Count:N0} training digits, {_data.Test.Images.Count:N0} test digits; {_data.Source})";
    public override string Record => _paper
        ? $"source: binarized MNIST ({_data.Source}); target: {Target} ({(_trainOnTarget ? "labelled: train-on-target" : "unlabelled")}); " +
          $"every input minus the per-channel pixel mean of both training sets ({string.Join(", ", _mean.flatten().data<float>().ToArray().Select(m => m.ToString("F4", CultureInfo.InvariantCulture)))})"
        : $"source: MNIST ({_data.Source}); target: the same digits blended over random colour textures ({(_trainOnTarget ? "labelled: train-on-target" : "unlabelled")})";

    public override void Check(IAdversarialModel model, ModelDescriptor entry) => DomainCommand.RequireClassifier(model, entry, "digits");

    public override IBatchSource Source(IAdversarialModel model, int batchSize, Device device, long seed)
    {
        var (sourceField, labelField, targetField) = DomainCommand.DomainFields(model);
        return new DomainBatchSource((_trainOnTarget ? _targetTrain : _sourceTrain).clone(), _trainLabels.clone(), _targetTrain.clone(), batchSize, device, sourceField, labelField, targetField);
    }

    public override void Evaluate(TrainedRun run, RunMetrics metrics, TextWriter output)
    {
        using var scope = NewDisposeScope();
        DomainAccuracyResult accuracy = DomainAccuracy.Measure(run.Model, _sourceTest, _testLabels, _targetTest, _testLabels);
        ImageGrid.Write(Path.Combine(run.Out, "domains.png"), cat(new[] { _sourceTest.narrow(0, 0, 10), _targetTest.narrow(0, 0, 10) }, 0) + _mean, 10, scale: 2);
        metrics.With(new (string, object?)[]
        {
            ("source_test_accuracy", Math.Round(accuracy.Source, 4)),
            ("target_test_accuracy", Math.Round(accuracy.Target, 4)),
            ("test_digits", _data.Test.Images.Count),
            ("domain_classifier_accuracy", accuracy.DomainClassifier is double d ? Math.Round(d, 4) : null),
            ("classifier", accuracy.Formula),
        });
        run.TensorBoard?.Scalars(run.Steps, new[]
        {
            KeyValuePair.Create("eval/source_test_accuracy", (float)accuracy.Source),
            KeyValuePair.Create("eval/target_test_accuracy", (float)accuracy.Target),
        });
        output.WriteLine($"  accuracy of {accuracy.Formula} on the test digits: source {accuracy.Source:P1}, target {accuracy.Target:P1}" +
                         (accuracy.DomainClassifier is double dc ? $"; the domain classifier tells them apart on {dc:P1}" : ""));
        output.WriteLine($"  wrote domains.png (source row, target row) to {run.Out}");
    }

    protected override void Dispose(bool disposing)
    {
        if (!disposing) return;
        foreach (Tensor t in new[] { _trainLabels, _testLabels, _sourceTrain, _sourceTest, _targetTrain, _targetTest, _mean }) t.Dispose();
    }
}
