using System;
using System.Linq;
using Gan.Runtime.Data;
using static TorchSharp.torch;

namespace Gan.Runtime.Metrics;

/// <summary>The result of <see cref="EditAccuracy"/>.</summary>
/// <param name="Formula">The edit as declared.</param>
/// <param name="LabelAccuracy">The fraction of edits in which the independent classifier reads the requested label; null without one.</param>
/// <param name="Edits">How many edited images that fraction is over (every image edited to every class).</param>
/// <param name="ReconstructionMse">Mean squared error per pixel in [0, 1] of the edit to the labels that <see cref="ReconstructionLabels"/> gives.</param>
/// <param name="ReconstructionLabels">The declared inference of the label (e.g. <c>E_y(y | x)</c>) whose classes the reconstruction
/// edits to, or "the true labels" when the model declares none.</param>
/// <param name="InferredLabelAccuracy">That inference's accuracy on the images; null without one.</param>
/// <param name="Images">How many images were edited.</param>
public sealed record EditAccuracyResult(string Formula, double? LabelAccuracy, long Edits, double ReconstructionMse, string ReconstructionLabels, double? InferredLabelAccuracy, long Images);

/// <summary>
/// Editing (the invertible conditional GAN, Perarnau et al. 2016, §4): each test image edited by the declared
/// <c>[Edit("G(E_z(x) | y′)")]</c> to every class, and an independent classifier (GanDsl's, trained on the data set's
/// training images) asked whether it reads the requested class; and the reconstruction, the edit of an image to the
/// label the model itself infers (a declared <c>[Infer("E_y(y | x)")]</c> of a [Label] with as many classes), against the image.
/// It applies to any model that declares an edit, whatever its networks are called.
/// </summary>
public static class EditAccuracy
{
    /// <summary>Whether the protocol applies: the model declares <c>[Edit]</c>.</summary>
    public static bool Applies(IAdversarialModel model) => model is IEditableModel;

    /// <summary>The declared inference of a [Label] with the edit's classes from data, or null.</summary>
    public static Inference? LabelReader(IAdversarialModel model)
        => model is IEditableModel e ? Inferences.Where(model, i => i.IsLabel && i.Classes == e.EditClasses).FirstOrDefault() : null;

    /// <summary>Edits <paramref name="images"/> (pixels in [0, 1], read as the data variable <paramref name="x"/>) with their
    /// true <paramref name="labels"/>; <paramref name="classifier"/> (reading [0, 1] images), when given, judges the edits.</summary>
    public static EditAccuracyResult Measure(IAdversarialModel model, DataVariable x, Tensor images, Tensor labels, FeatureClassifier? classifier, int batch = 500)
    {
        var editable = model as IEditableModel
            ?? throw new ArgumentException($"{model.Name} declares no [Edit(\"...\")], so it cannot edit images.", nameof(model));
        if (images.shape[0] != labels.shape[0])
            throw new ArgumentException($"{images.shape[0]} images but {labels.shape[0]} labels.", nameof(labels));
        using var scope = NewDisposeScope();
        long n = images.shape[0];
        int classes = editable.EditClasses;
        Tensor inModel = DataRanges.FromUnit(images, x.Range);
        Tensor Edit(Tensor from, Tensor to)
        {
            var parts = new System.Collections.Generic.List<Tensor>();
            for (long done = 0; done < from.shape[0]; done += batch)
            {
                long m = Math.Min(batch, from.shape[0] - done);
                parts.Add(DataRanges.ToUnit(editable.Edit(from.narrow(0, done, m).to(model.Device), to.narrow(0, done, m).to(model.Device)), x.Range).cpu());
            }
            return cat(parts, 0);
        }

        Inference? reader = LabelReader(model);
        Tensor truth = labels.cpu().to(ScalarType.Int64);
        Tensor reconstructTo = reader != null ? Inferences.Classes((IInferenceModel)model, reader, inModel, batch) : truth;
        double? readerAccuracy = reader != null ? Inferences.Accuracy(reconstructTo, truth) : null;
        double mse = n == 0 ? 0 : (Edit(inModel, reconstructTo) - images.cpu()).pow(2).mean().item<float>();

        double? accuracy = null;
        long edits = 0;
        if (classifier != null)
        {
            long correct = 0;
            for (int label = 0; label < classes; label++)
            {
                Tensor wanted = full(new long[] { n }, (long)label, dtype: ScalarType.Int64);
                Tensor edited = Edit(inModel, wanted);
                correct += classifier.Predict(edited.to(classifier.parameters().First().device)).cpu().eq(wanted).sum().item<long>();
                edits += n;
            }
            accuracy = edits == 0 ? 0 : correct / (double)edits;
        }
        return new EditAccuracyResult(editable.EditFormula, accuracy, edits, mse, reader?.Formula ?? "the true labels", readerAccuracy, n);
    }
}
