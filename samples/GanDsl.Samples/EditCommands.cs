using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Gan.Runtime;
using Gan.Runtime.Data;
using Gan.Runtime.Imaging;
using Gan.Runtime.Metrics;
using static TorchSharp.torch;

namespace GanDsl.Samples;

/// <summary>Image editing with an invertible conditional GAN (Perarnau et al. 2016): a conditional model with encoders
/// E_z (image → noise) and E_y (image → class scores). Edit(x, y_new) = G(E_z(x) | y_new); the reconstruction is
/// G(E_z(x) | E_y(x)).</summary>
public static class EditCommands
{
    /// <summary>Whether the model can edit: conditional, with networks E_z and E_y.</summary>
    public static bool CanEdit(IAdversarialModel model) => model is IConditionalModel && model.Players.Contains("E_z") && model.Players.Contains("E_y");

    /// <summary>G(E_z(x) | label) for images in the model's range and class indices [n].</summary>
    public static Tensor Edit(IAdversarialModel model, Tensor images, Tensor labels)
    {
        using var scope = NewDisposeScope();
        var conditional = (IConditionalModel)model;
        Tensor z = model.Apply("E_z", images);
        Batch noise = model.SampleNoise(images.shape[0]);
        string zName = noise.Fields.Single(f => f != conditional.Condition);
        Tensor code = ModelChecks.OneHot(model.Name, conditional.Condition, conditional.Classes, labels.to(model.Device));
        return model.Generate(noise.With(zName, z).With(conditional.Condition, code)).MoveToOuterDisposeScope();
    }

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
        int classes = ((IConditionalModel)model).Classes;

        // E_y reads the label; G(E_z(x) | E_y(x)) reconstructs the image.
        Tensor predicted = model.Apply("E_y", images).argmax(1).cpu();
        double encoderAccuracy = predicted.eq(truth).to(ScalarType.Float64).mean().item<double>();
        Tensor reconstruction = DataRanges.ToUnit(Edit(model, images, predicted), x.Range).cpu();
        double mse = (reconstruction - test.narrow(0, 0, n)).pow(2).mean().item<float>();
        output.WriteLine($"  E_y accuracy on {n:N0} test images: {encoderAccuracy:P1}; reconstruction G(E_z(x) | E_y(x)): mean squared error {mse:F4} per pixel in [0, 1]");
        results.Add(("encoder_y_accuracy", Math.Round(encoderAccuracy, 4)));
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
