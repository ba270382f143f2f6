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

/// <summary>`gan train --data moons`: domain adaptation on the inter-twinning moons (Ganin et al. 2016, §5.1). The source is
/// 150 + 150 labelled points; the target, 300 other points of the same distribution rotated 35° about the moons' centre,
/// is given without labels. The model must declare its label classifier, <c>[Infer("C(y | F(x))")]</c> (and, for
/// domain-adversarial training, may declare its domain classifier, <c>[Domain("Dd(F(x))")]</c>), whatever its networks
/// are called; the command reports <see cref="DomainAccuracy"/> (the label accuracy on the source and on the target) and
/// draws both decision boundaries.</summary>
public static class DomainCommand
{
    /// <summary>Points per class in the source and in the target.</summary>
    public const int PerClass = 150;
    /// <summary>The noise of the moons and the rotation of the target.</summary>
    public const double Noise = 0.1, RotationDegrees = 35;

    public static int TrainMoons(TrainSettings s, ModelDescriptor entry, TextWriter output)
    {
        int steps = s.Steps ?? entry.DefaultSteps, batchSize = s.BatchSize ?? entry.DefaultBatchSize;
        Device device = Devices.Resolve(s.Device);
        Directory.CreateDirectory(s.Out);
        var g = new Generator((ulong)s.Seed + 1000);
        var (source, sourceLabels) = Moons.Make(PerClass, Noise, g);
        var (targetPlain, targetLabels) = Moons.Make(PerClass, Noise, g);
        Tensor target = Moons.Rotate(targetPlain, RotationDegrees, Moons.Centre);
        output.WriteLine($"gan train: {entry.Name} on moons ({2 * PerClass} labelled source points; {2 * PerClass} unlabelled target points rotated {RotationDegrees}°), " +
                         $"{steps} steps, batch {batchSize}, seed {s.Seed}, device {device.type}, lr schedule {s.LearningRateSchedule}");
        Trainer.Seed(s.Seed);
        using IAdversarialModel model = entry.Create(device);
        RequireClassifier(model, entry, "moons");
        var (sourceField, labelField, targetField) = DomainFields(model);
        var data = new DomainBatchSource(source, sourceLabels, target, batchSize, device, sourceField, labelField, targetField);
        using TensorBoardWriter? tensorBoard = s.OpenTensorBoard();
        TrainResult result = Trainer.Train(model, data, s.TrainOptions(steps, s.Log ?? output, tensorBoard));
        RunInfo.Save(s.Out, entry, model, "moons", s.Seed, steps, batchSize);

        using var scope = NewDisposeScope();
        DomainAccuracyResult accuracy = DomainAccuracy.Measure(model, source, sourceLabels, target, targetLabels);
        double sourceAccuracy = accuracy.Source, targetAccuracy = accuracy.Target;
        string png = Path.Combine(s.Out, "boundaries.png");
        DecisionPlot.Write(png, p => Predict(model, p), model is IDomainModel domain ? p => domain.DomainProbability(p.to(model.Device)).cpu() : null,
                           source, sourceLabels, target);
        RunMetrics.From(s, entry, model, $"moons: {2 * PerClass} source points, {2 * PerClass} target points rotated {RotationDegrees}° about (0.5, 0.25), noise {Noise}",
                        batchSize, device, result).With(new (string, object?)[]
        {
            ("objectives", model.LossNames),
            ("source_accuracy", Math.Round(sourceAccuracy, 4)),
            ("target_accuracy", Math.Round(targetAccuracy, 4)),
            ("domain_classifier_accuracy", accuracy.DomainClassifier is double d ? Math.Round(d, 4) : null),
            ("classifier", accuracy.Formula),
        }).Write(Path.Combine(s.Out, "metrics.json"));
        tensorBoard?.Scalars(steps, new[]
        {
            KeyValuePair.Create("eval/source_accuracy", (float)sourceAccuracy),
            KeyValuePair.Create("eval/target_accuracy", (float)targetAccuracy),
        });
        output.WriteLine($"  accuracy: source {sourceAccuracy:P1}, target {targetAccuracy:P1}; {result.Seconds:F1} s");
        output.WriteLine($"  wrote {png} and {Path.Combine(s.Out, "metrics.json")}");
        return 0;
    }

    /// <summary>`gan train --data digits` (or `digits-target`): MNIST as the labelled source and the same digits blended over
    /// random colour textures (<see cref="BlendedDigits"/>) as the target, as Ganin &amp; Lempitsky 2015 (Table 2) use MNIST →
    /// MNIST-M. Trains on the source with the unlabelled target (`digits`), or on the labelled target (`digits-target`, the
    /// ceiling); reports the accuracy on the source's and the target's test digits.</summary>
    public static int TrainDigits(TrainSettings s, ModelDescriptor entry, TextWriter output, bool trainOnTarget)
    {
        int steps = s.Steps ?? entry.DefaultSteps, batchSize = s.BatchSize ?? entry.DefaultBatchSize;
        Device device = Devices.Resolve(s.Device);
        Directory.CreateDirectory(s.Out);
        ImageDataSet data = ImageDataSets.Load("mnist", s.DataOptions ?? new DataOptions { Log = output });
        using var scope = NewDisposeScope();
        var (trainGrey, trainLabels) = Gan.Runtime.Metrics.ImageTensors.FromIdx(data.Train.Images, data.Train.Labels);
        var (testGrey, testLabels) = Gan.Runtime.Metrics.ImageTensors.FromIdx(data.Test.Images, data.Test.Labels);
        Tensor sourceTrain = BlendedDigits.Rgb(trainGrey), sourceTest = BlendedDigits.Rgb(testGrey);
        Tensor targetTrain = BlendedDigits.Blend(trainGrey, new Generator((ulong)s.Seed + 2000));
        Tensor targetTest = BlendedDigits.Blend(testGrey, new Generator((ulong)s.Seed + 3000));
        output.WriteLine($"gan train: {entry.Name} on {(trainOnTarget ? "the labelled target" : "MNIST → blended digits")} ({data.Train.Images.Count:N0} training digits, " +
                         $"{data.Test.Images.Count:N0} test digits; {data.Source}), {steps} steps, batch {batchSize}, seed {s.Seed}, device {device.type}, lr schedule {s.LearningRateSchedule}");
        Trainer.Seed(s.Seed);
        using IAdversarialModel model = entry.Create(device);
        RequireClassifier(model, entry, "digits");
        var (sourceField, labelField, targetField) = DomainFields(model);
        using var source = new DomainBatchSource(trainOnTarget ? targetTrain : sourceTrain, trainLabels, targetTrain, batchSize, device, sourceField, labelField, targetField);
        using TensorBoardWriter? tensorBoard = s.OpenTensorBoard();
        TrainResult result = Trainer.Train(model, source, s.TrainOptions(steps, s.Log ?? output, tensorBoard));
        RunInfo.Save(s.Out, entry, model, s.Data!, s.Seed, steps, batchSize);

        DomainAccuracyResult accuracy = DomainAccuracy.Measure(model, sourceTest, testLabels, targetTest, testLabels);
        double sourceAccuracy = accuracy.Source, targetAccuracy = accuracy.Target;
        ImageGrid.Write(Path.Combine(s.Out, "domains.png"), cat(new[] { sourceTest.narrow(0, 0, 10), targetTest.narrow(0, 0, 10) }, 0), 10, scale: 2);
        RunMetrics.From(s, entry, model, $"source: MNIST ({data.Source}); target: the same digits blended over random colour textures ({(trainOnTarget ? "labelled: train-on-target" : "unlabelled")})",
                        batchSize, device, result).With(new (string, object?)[]
        {
            ("source_test_accuracy", Math.Round(sourceAccuracy, 4)),
            ("target_test_accuracy", Math.Round(targetAccuracy, 4)),
            ("test_digits", data.Test.Images.Count),
            ("domain_classifier_accuracy", accuracy.DomainClassifier is double d ? Math.Round(d, 4) : null),
            ("classifier", accuracy.Formula),
        }).Write(Path.Combine(s.Out, "metrics.json"));
        output.WriteLine($"  accuracy on the test digits: source {sourceAccuracy:P1}, target {targetAccuracy:P1}; {result.Seconds:F1} s");
        output.WriteLine($"  wrote domains.png (source row, target row) and metrics.json to {s.Out}");
        return 0;
    }

    /// <summary>The protocols measure the declared label classifier; a model without one cannot be evaluated here.</summary>
    private static void RequireClassifier(IAdversarialModel model, ModelDescriptor entry, string data)
    {
        if (!DomainAccuracy.Applies(model))
            throw new ArgumentException($"{entry.Name} declares no classifier of its label: the {data} protocol measures the accuracy of one. " +
                                        "Declare it on the class, as the objective applies it, e.g. [Infer(\"C(y | F(x))\")].");
    }

    /// <summary>The batch fields as the model declares them: its first example variable is the source, its [Label] the source's
    /// labels, its second example variable (when it has one) the target.</summary>
    private static (string Source, string Label, string Target) DomainFields(IAdversarialModel model)
    {
        DataVariable[] examples = DataSets.Examples(model.Data);
        return (examples[0].Field, DataSets.Label(model.Data)!.Field, examples.Length > 1 ? examples[1].Field : "x_t");
    }

    /// <summary>The declared label classifier's class for each point.</summary>
    public static Tensor Predict(IAdversarialModel model, Tensor points)
        => Inferences.Classes((IInferenceModel)model, DomainAccuracy.Classifier(model)!, points);
}
