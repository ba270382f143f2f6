using System;
using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

namespace Gan.Runtime.Metrics;

/// <summary>What a declared <c>[Infer]</c> reads from a batch of data: its prediction for every example, computed in batches on
/// the model's device, with the data moved there and the results back on the CPU.</summary>
public static class Inferences
{
    /// <summary>The declared inference of <paramref name="variable"/>, or null when the model declares none.</summary>
    public static Inference? Of(IAdversarialModel model, string variable)
        => model is IInferenceModel m ? m.Inferences.FirstOrDefault(i => i.Variable == variable) : null;

    /// <summary>The declared inferences of <paramref name="model"/> that satisfy <paramref name="filter"/> (none when it declares none).</summary>
    public static IReadOnlyList<Inference> Where(IAdversarialModel model, Func<Inference, bool> filter)
        => model is IInferenceModel m ? m.Inferences.Where(filter).ToArray() : Array.Empty<Inference>();

    /// <summary>The inferred class of every example (argmax of the class probabilities), int64 [n] on the CPU.</summary>
    public static Tensor Classes(IInferenceModel model, Inference inference, Tensor examples, int batch = 500)
    {
        if (!inference.IsCategorical)
            throw new ArgumentException($"{model.Name}'s [Infer(\"{inference.Formula}\")] infers the continuous variable '{inference.Variable}', which has no classes.", nameof(inference));
        return Batched(model, inference, examples, batch, p => p.argmax(1));
    }

    /// <summary>The inferred values of every example (class probabilities, or the Gaussian's mean), [n, size] on the CPU.</summary>
    public static Tensor Values(IInferenceModel model, Inference inference, Tensor examples, int batch = 500)
        => Batched(model, inference, examples, batch, p => p);

    private static Tensor Batched(IInferenceModel model, Inference inference, Tensor examples, int batch, Func<Tensor, Tensor> read)
    {
        if (batch <= 0) throw new ArgumentOutOfRangeException(nameof(batch), batch, "The batch size must be positive.");
        var parts = new List<Tensor>();
        using (var scope = NewDisposeScope())
        {
            for (long done = 0; done < examples.shape[0]; done += batch)
            {
                long n = Math.Min(batch, examples.shape[0] - done);
                parts.Add(read(model.Infer(inference.Variable, examples.narrow(0, done, n).to(model.Device))).cpu());
            }
            if (parts.Count == 0) return empty(0, dtype: ScalarType.Int64).MoveToOuterDisposeScope();
            return cat(parts, 0).MoveToOuterDisposeScope();
        }
    }

    /// <summary>The fraction of <paramref name="predicted"/> equal to <paramref name="truth"/> (class indices, the same length).</summary>
    public static double Accuracy(Tensor predicted, Tensor truth)
    {
        if (predicted.shape[0] != truth.shape[0])
            throw new ArgumentException($"{predicted.shape[0]} predictions for {truth.shape[0]} labels.");
        if (truth.shape[0] == 0) return 0;
        using var scope = NewDisposeScope();
        return predicted.cpu().eq(truth.cpu().to(ScalarType.Int64)).to(ScalarType.Float64).mean().item<double>();
    }
}

/// <summary>The result of <see cref="CodeAccuracy"/>: the accuracy under the best matching, the matching itself (for each code,
/// the label it stands for), the confusion counts [code, label], and how many examples were read.</summary>
public sealed record CodeAccuracyResult(string Variable, string Formula, double Accuracy, int[] LabelOfCode, long[,] Confusion, long Examples);

/// <summary>
/// A categorical code as an unsupervised classifier (InfoGAN, Chen et al. 2016, §5.1: "a categorical code c ~ Cat(K = 10)
/// ... 5 % error on MNIST"): the code that a declared recognition network, <c>[Infer("Q(c | T(x))")]</c>, reads from each
/// test example, matched one-to-one to the data's labels in the way that agrees best, and the accuracy under that matching.
/// It applies to any model that infers a categorical noise variable from data, whatever its networks are called.
/// </summary>
public static class CodeAccuracy
{
    /// <summary>The categorical codes the model infers from data (noise variables, not labels).</summary>
    public static IReadOnlyList<Inference> Codes(IAdversarialModel model)
        => Inferences.Where(model, i => i.IsCategorical && !i.IsLabel);

    /// <summary>Whether the protocol applies: the model infers a categorical code.</summary>
    public static bool Applies(IAdversarialModel model) => Codes(model).Count > 0;

    /// <summary>The accuracy of <paramref name="code"/> (one of <see cref="Codes"/>) on <paramref name="examples"/> (in the
    /// model's declared range) against <paramref name="labels"/> (class indices; a label outside the code's classes is
    /// not counted), under the best one-to-one matching of codes to labels.</summary>
    public static CodeAccuracyResult Measure(IInferenceModel model, Inference code, Tensor examples, Tensor labels, int batch = 500)
    {
        if (code.IsLabel || !code.IsCategorical)
            throw new ArgumentException($"[Infer(\"{code.Formula}\")] does not infer a categorical code: code accuracy reads a categorical noise variable.", nameof(code));
        if (examples.shape[0] != labels.shape[0])
            throw new ArgumentException($"{examples.shape[0]} examples but {labels.shape[0]} labels.", nameof(labels));
        int k = code.Classes;
        using var scope = NewDisposeScope();
        long[] clusters = Inferences.Classes(model, code, examples, batch).data<long>().ToArray();
        long[] truth = labels.cpu().to(ScalarType.Int64).data<long>().ToArray();
        var confusion = new long[k, k];
        long counted = 0;
        for (int i = 0; i < clusters.Length; i++)
            if (truth[i] >= 0 && truth[i] < k) { confusion[clusters[i], truth[i]]++; counted++; }
        var (accuracy, matching) = BestMatching(confusion);
        return new CodeAccuracyResult(code.Variable, code.Formula, accuracy, matching, confusion, counted);
    }

    /// <summary>The best accuracy over one-to-one assignments of codes to labels (confusion[code, label] counts), by
    /// exhaustive search with pruning (10! assignments at most), and the assignment: for each code, its label.</summary>
    public static (double Accuracy, int[] LabelOfCode) BestMatching(long[,] confusion)
    {
        int k = confusion.GetLength(0);
        if (confusion.GetLength(1) != k) throw new ArgumentException($"The confusion counts must be square, not {k}×{confusion.GetLength(1)}.", nameof(confusion));
        long total = 0;
        foreach (long v in confusion) total += v;
        long best = -1;
        var used = new bool[k];
        int[] current = new int[k], bestAssignment = Enumerable.Range(0, k).ToArray();
        long[] rowMax = Enumerable.Range(0, k).Select(r => Enumerable.Range(0, k).Max(c => confusion[r, c])).ToArray();
        void Search(int row, long sum)
        {
            if (row == k)
            {
                if (sum > best) { best = sum; Array.Copy(current, bestAssignment, k); }
                return;
            }
            long bound = sum;
            for (int r = row; r < k; r++) bound += rowMax[r];
            if (bound <= best) return;
            for (int c = 0; c < k; c++)
            {
                if (used[c]) continue;
                used[c] = true;
                current[row] = c;
                Search(row + 1, sum + confusion[row, c]);
                used[c] = false;
            }
        }
        if (k > 0) Search(0, 0);
        return (total == 0 ? 0 : best / (double)total, bestAssignment);
    }
}
