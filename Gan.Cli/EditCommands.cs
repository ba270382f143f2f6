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
/// reconstruction is the edit to the labels a classifier network of the model reads from x, G(E_z(x) | E_y(x)).</summary>
public static class EditCommands
{
    /// <summary>Whether the model can edit: it was declared with <c>[Edit("...")]</c>.</summary>
    public static bool CanEdit(IAdversarialModel model) => model is IEditableModel;

    /// <summary>The declared edit of images in the model's range to class indices [n], e.g. G(E_z(x) | label).</summary>
    public static Tensor Edit(IAdversarialModel model, Tensor images, Tensor labels)
        => model is IEditableModel editable
            ? editable.Edit(images, labels)
            : throw new NotSupportedException($"{model.Name} declares no [Edit(\"...\")], so it cannot edit images.");

    /// <summary>edits.png (each row: a real test digit, then its edits to every label 0–9), the reconstruction error, the
    /// accuracy of E_y on the test set, and the accuracy with which the data set's classifier reads the requested label
    /// on edited images (every test image of the first <paramref name="count"/> edited to every label).</summary>
    public static IReadOnlyList<(string Key, object? Value)> Evaluate(IAdversarialModel model, DataVariable x, ImageDataSet data, string dir, int count, Device device, TextWriter output)
    {
        var results = new List<(string, object?)>();
        using var scope = NewDisposeScope();
        var (test, labels) = ImageTensors.FromIdx(data.Test.Images, data.Test.Labels);
        int n = (int)Math.Min(count, test.shape[0]);
        Tensor images = DataRanges.FromUnit(test.narrow(0, 0, n), x.Range);
        Tensor truth = labels.narrow(0, 0, n);
        int classes = ((IEditableModel)model).EditClasses;

        // E_y reads the label; G(E_z(x) | E_y(x)) reconstructs the image. The declaration does not say which network reads
        // labels, so E_y is looked up by its name; a model without one is reconstructed with the true labels.
        bool readsLabels = model.Players.Contains("E_y");
        Tensor predicted = readsLabels ? model.Apply("E_y", images).argmax(1).cpu() : truth;
        Tensor reconstruction = DataRanges.ToUnit(Edit(model, images, predicted), x.Range).cpu();
        double mse = (reconstruction - test.narrow(0, 0, n)).pow(2).mean().item<float>();
        if (readsLabels)
        {
            double encoderAccuracy = predicted.eq(truth).to(ScalarType.Float64).mean().item<double>();
            output.WriteLine($"  E_y accuracy on {n:N0} test images: {encoderAccuracy:P1}; reconstruction G(E_z(x) | E_y(x)): mean squared error {mse:F4} per pixel in [0, 1]");
            results.Add(("encoder_y_accuracy", Math.Round(encoderAccuracy, 4)));
        }
        else
            output.WriteLine($"  reconstruction {((IEditableModel)model).EditFormula} with the true labels: mean squared error {mse:F4} per pixel in [0, 1]");
        results.Add(("reconstruction_mse", Math.Round(mse, 5)));

        // The picture: 10 real digits, each followed by its edits to every label.
        int rows = Math.Min(10, n);
        var tiles = new List<Tensor>();
        for (int r = 0; r < rows; r++)
        {
            tiles.Add(test[r].unsqueeze(0));
            Tensor edited = Edit(model, images.narrow(0, r, 1).expand(classes, -1, -1, -1), arange(classes, dtype: ScalarType.Int64));
            tiles.Add(DataRanges.ToUnit(edited, x.Range).cpu());
        }
        ImageGrid.Write(Path.Combine(dir, "edits.png"), cat(tiles, 0), classes + 1, scale: 2);

        FeatureClassifier? classifier = Classifiers.TryLoad(data.Name, device, output);
        if (classifier is null) { results.Add(("edit_label_accuracy", null)); return results; }
        using (classifier)
        {
            long correct = 0, total = 0;
            for (int label = 0; label < classes; label++)
            {
                Tensor wanted = full(new long[] { n }, (long)label, dtype: ScalarType.Int64);
                Tensor edited = DataRanges.ToUnit(Edit(model, images, wanted), x.Range);
                correct += classifier.Predict(edited.to(device)).cpu().eq(wanted).sum().item<long>();
                total += n;
            }
            double accuracy = correct / (double)total;
            output.WriteLine($"  edits: the {data.Name} classifier reads the requested label on {accuracy:P1} of {total:N0} edited images");
            results.Add(("edit_label_accuracy", Math.Round(accuracy, 4)));
            results.Add(("edit_protocol", $"{n:N0} test images, each edited to all {classes} labels by G(E_z(x) | label), read by GanDsl's {data.Name} classifier"));
        }
        return results;
    }
}
