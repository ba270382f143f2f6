using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Gan.Runtime;
using Gan.Runtime.Data;
using Gan.Runtime.Imaging;
using Gan.Runtime.Metrics;
using static TorchSharp.torch;

namespace Gan.Cli;

/// <summary>Image editing with a model declared with <c>[Edit("...")]</c>, such as the invertible conditional GAN (Perarnau et
/// al. 2016): Edit(x, y_new) = G(E_z(x) | y_new), generated from the declaration (<see cref="IEditableModel"/>). The
/// measurements are <see cref="EditAccuracy"/>'s; the reconstruction edits to the label the model infers from x
/// (a declared <c>[Infer("E_y(y | x)")]</c>), or to the true label when it declares none.</summary>
public static class EditCommands
{
    /// <summary>Whether the model can edit: it was declared with <c>[Edit("...")]</c>.</summary>
    public static bool CanEdit(IAdversarialModel model) => EditAccuracy.Applies(model);

    /// <summary>The declared edit of images in the model's range to class indices [n], e.g. G(E_z(x) | label).</summary>
    public static Tensor Edit(IAdversarialModel model, Tensor images, Tensor labels)
        => model is IEditableModel editable
            ? editable.Edit(images, labels)
            : throw new NotSupportedException($"{model.Name} declares no [Edit(\"...\")], so it cannot edit images.");

    /// <summary>edits.png (each row: a real test digit, then its edits to every label), and <see cref="EditAccuracy"/> on the
    /// first <paramref name="count"/> test images: the reconstruction error, the accuracy of the model's own label
    /// inference, and the accuracy with which the data set's classifier reads the requested label on edited images.</summary>
    public static IReadOnlyList<(string Key, object? Value)> Evaluate(IAdversarialModel model, DataVariable x, ImageDataSet data, string dir, int count, Device device, TextWriter output)
    {
        var results = new List<(string, object?)>();
        using var scope = NewDisposeScope();
        var (test, labels) = ImageTensors.FromIdx(data.Test.Images, data.Test.Labels);
        int n = (int)Math.Min(count, test.shape[0]);
        Tensor images = DataRanges.FromUnit(test.narrow(0, 0, n), x.Range);
        int classes = ((IEditableModel)model).EditClasses;

        FeatureClassifier? classifier = Classifiers.TryLoad(data.Name, device, output);
        EditAccuracyResult r;
        using (classifier)
            r = EditAccuracy.Measure(model, x, test.narrow(0, 0, n), labels.narrow(0, 0, n), classifier);
        if (r.InferredLabelAccuracy is double inferred)
        {
            output.WriteLine($"  {r.ReconstructionLabels} accuracy on {n:N0} test images: {inferred:P1}; reconstruction {r.Formula} to those labels: mean squared error {r.ReconstructionMse:F4} per pixel in [0, 1]");
            results.Add(("encoder_y_accuracy", Math.Round(inferred, 4)));
        }
        else
            output.WriteLine($"  reconstruction {r.Formula} with the true labels: mean squared error {r.ReconstructionMse:F4} per pixel in [0, 1]");
        results.Add(("reconstruction_mse", Math.Round(r.ReconstructionMse, 5)));
        results.Add(("reconstruction_labels", r.ReconstructionLabels));

        // The picture: 10 real digits, each followed by its edits to every label.
        int rows = Math.Min(10, n);
        var tiles = new List<Tensor>();
        for (int row = 0; row < rows; row++)
        {
            tiles.Add(test[row].unsqueeze(0));
            Tensor edited = Edit(model, images.narrow(0, row, 1).expand(classes, -1, -1, -1), arange(classes, dtype: ScalarType.Int64));
            tiles.Add(DataRanges.ToUnit(edited, x.Range).cpu());
        }
        ImageGrid.Write(Path.Combine(dir, "edits.png"), cat(tiles, 0), classes + 1, scale: 2);

        results.Add(("edit_label_accuracy", r.LabelAccuracy is double a ? Math.Round(a, 4) : null));
        if (r.LabelAccuracy is double accuracy)
        {
            output.WriteLine($"  edits: the {data.Name} classifier reads the requested label on {accuracy:P1} of {r.Edits:N0} edited images");
            results.Add(("edit_protocol", $"{n:N0} test images, each edited to all {classes} labels by {r.Formula}, read by GanDsl's {data.Name} classifier"));
        }
        return results;
    }
}
