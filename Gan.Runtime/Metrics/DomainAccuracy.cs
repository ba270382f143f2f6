using System;
using System.Linq;
using static TorchSharp.torch;

namespace Gan.Runtime.Metrics;

/// <summary>The result of <see cref="DomainAccuracy"/>: the label classifier's accuracy on the source's and the target's
/// examples, and the domain classifier's (when declared) accuracy at telling them apart.</summary>
public sealed record DomainAccuracyResult(string Formula, double Source, double Target, long SourceExamples, long TargetExamples, double? DomainClassifier);

/// <summary>
/// Domain adaptation (Ganin &amp; Lempitsky 2015, Table 1 and 2): the accuracy of the declared label classifier,
/// <c>[Infer("C(y | F(x))")]</c>, on labelled examples of the source domain and of the target domain (whose labels training
/// never saw); with a declared <c>[Domain("Dd(F(x))")]</c>, also how well the domain classifier tells the two apart
/// (examples of its input's domain above ½, the others below), which domain-adversarial training drives towards ½.
/// It applies to any model that infers a [Label] from data, whatever its networks are called.
/// </summary>
public static class DomainAccuracy
{
    /// <summary>The declared classifier of a [Label], or null.</summary>
    public static Inference? Classifier(IAdversarialModel model) => Inferences.Where(model, i => i.IsLabel && i.IsCategorical).FirstOrDefault();

    /// <summary>Whether the protocol applies: the model infers a [Label] from data.</summary>
    public static bool Applies(IAdversarialModel model) => Classifier(model) != null;

    /// <summary>The label classifier's accuracy on source and target examples (in the model's declared range, with their
    /// class indices), and the domain classifier's when the model declares one.</summary>
    public static DomainAccuracyResult Measure(IAdversarialModel model, Tensor source, Tensor sourceLabels, Tensor target, Tensor targetLabels, int batch = 500)
    {
        Inference classifier = Classifier(model)
            ?? throw new ArgumentException($"{model.Name} declares no [Infer(\"C(y | F(x))\")] of a label, so there is no classifier to measure on the domains.", nameof(model));
        var inference = (IInferenceModel)model;
        double onSource = Inferences.Accuracy(Inferences.Classes(inference, classifier, source, batch), sourceLabels);
        double onTarget = Inferences.Accuracy(Inferences.Classes(inference, classifier, target, batch), targetLabels);
        double? domain = null;
        if (model is IDomainModel d)
        {
            using var scope = NewDisposeScope();
            long right = 0;
            foreach (var (examples, own) in new[] { (source, true), (target, false) })
                for (long done = 0; done < examples.shape[0]; done += batch)
                {
                    long n = Math.Min(batch, examples.shape[0] - done);
                    Tensor p = d.DomainProbability(examples.narrow(0, done, n).to(model.Device)).cpu();
                    right += (own ? p.gt(0.5) : p.le(0.5)).sum().item<long>();
                }
            long total = source.shape[0] + target.shape[0];
            domain = total == 0 ? 0 : right / (double)total;
        }
        return new DomainAccuracyResult(classifier.Formula, onSource, onTarget, source.shape[0], target.shape[0], domain);
    }
}
