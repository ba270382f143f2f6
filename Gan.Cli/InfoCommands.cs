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

/// <summary>Disentangled codes (InfoGAN, Chen et al. 2016): a conditional model whose categorical code c is read back by a
/// class-score head Q on a trunk T, and whose continuous codes (the other non-z noise variable, read back by Qs) carry
/// style. The categorical code as an unsupervised classifier of test digits (best one-to-one matching of codes to
/// labels), pictures of each continuous code swept, and style transfer: a test digit's inferred style with every class.</summary>
public static class InfoCommands
{
    /// <summary>Whether the model has what this protocol needs: a categorical code and networks T, Q and Qs.</summary>
    public static bool Applies(IAdversarialModel model) => model is IConditionalModel && new[] { "T", "Q", "Qs" }.All(model.Players.Contains);

    /// <summary>The best accuracy over one-to-one assignments of clusters to labels (confusion[cluster, label] counts),
    /// by exhaustive search with pruning (10! assignments at most).</summary>
    public static double BestMatchingAccuracy(long[,] confusion)
    {
        int k = confusion.GetLength(0);
        long total = 0;
        foreach (long v in confusion) total += v;
        long best = -1;
        var used = new bool[k];
        long[] rowMax = Enumerable.Range(0, k).Select(r => Enumerable.Range(0, k).Max(c => confusion[r, c])).ToArray();
        void Search(int row, long sum)
        {
            if (row == k) { best = Math.Max(best, sum); return; }
            long bound = sum;
            for (int r = row; r < k; r++) bound += rowMax[r];
            if (bound <= best) return;
            for (int c = 0; c < k; c++)
            {
                if (used[c]) continue;
                used[c] = true;
                Search(row + 1, sum + confusion[row, c]);
                used[c] = false;
            }
        }
        Search(0, 0);
        return total == 0 ? 0 : best / (double)total;
    }

    public static IReadOnlyList<(string Key, object? Value)> Evaluate(IAdversarialModel model, DataVariable x, ImageDataSet data, string dir, long seed, TextWriter output)
    {
        var results = new List<(string, object?)>();
        using var scope = NewDisposeScope();
        var conditional = (IConditionalModel)model;
        var (test, labels) = ImageTensors.FromIdx(data.Test.Images, data.Test.Labels);
        int classes = conditional.Classes;

        // The categorical code as a classifier.
        var predicted = new List<Tensor>();
        for (long done = 0; done < test.shape[0]; done += 1000)
        {
            long n = Math.Min(1000, test.shape[0] - done);
            Tensor images = DataRanges.FromUnit(test.narrow(0, done, n), x.Range).to(model.Device);
            predicted.Add(model.Apply("Q", model.Apply("T", images)).argmax(1).cpu());
        }
        long[] clusters = cat(predicted, 0).data<long>().ToArray();
        long[] truth = labels.data<long>().ToArray();
        var confusion = new long[classes, classes];
        for (int i = 0; i < clusters.Length; i++)
            if (truth[i] >= 0 && truth[i] < classes) confusion[clusters[i], truth[i]]++;
        double accuracy = BestMatchingAccuracy(confusion);
        output.WriteLine($"  the categorical code as a classifier of {clusters.Length:N0} test digits (best matching of codes to labels): {accuracy:P1} (InfoGAN: 95 %, 5 % error)");
        results.Add(("categorical_code_accuracy", Math.Round(accuracy, 4)));
        results.Add(("categorical_code_protocol", $"argmax Q(c | T(x)) on the {clusters.Length:N0} test images; accuracy under the best one-to-one assignment of the {classes} codes to the labels"));

        // Sweeps: rows are the categorical code, columns one continuous code from −2 to 2 (the others 0), z fixed per row.
        Batch noise = model.SampleNoise(1);
        string[] continuous = noise.Fields.Where(f => f != conditional.Condition && f != "z").ToArray();
        if (continuous.Length == 1 && noise.Has("z"))
        {
            string s = continuous[0];
            long dims = noise[s].shape[1];
            const int columns = 10;
            Trainer(seed);
            Tensor z = randn(new long[] { classes, noise["z"].shape[1] }, device: model.Device).repeat_interleave(columns, 0);
            Tensor code = nn.functional.one_hot(arange(classes, dtype: ScalarType.Int64).repeat_interleave(columns), classes).to(ScalarType.Float32).to(model.Device);
            for (int k = 0; k < dims; k++)
            {
                Tensor style = zeros(classes * columns, dims);
                style.select(1, k).copy_(linspace(-2, 2, columns).repeat(classes));
                Tensor images = model.Generate(new Batch(new Dictionary<string, Tensor> { ["z"] = z, [conditional.Condition] = code, [s] = style.to(model.Device) }));
                ImageGrid.Write(Path.Combine(dir, $"sweep-{s}{k + 1}.png"), DataRanges.ToUnit(images, x.Range).cpu(), columns, scale: 2);
            }
            // Style transfer: each row a real test digit, then its inferred style s with every class, z = 0.
            int rows = 10;
            Tensor real = DataRanges.FromUnit(test.narrow(0, 0, rows), x.Range).to(model.Device);
            Tensor inferred = model.Apply("Qs", model.Apply("T", real));
            var tiles = new List<Tensor>();
            for (int r = 0; r < rows; r++)
            {
                tiles.Add(test[r].unsqueeze(0));
                Tensor images = model.Generate(new Batch(new Dictionary<string, Tensor>
                {
                    ["z"] = zeros(classes, noise["z"].shape[1], device: model.Device),
                    [conditional.Condition] = nn.functional.one_hot(arange(classes, dtype: ScalarType.Int64), classes).to(ScalarType.Float32).to(model.Device),
                    [s] = inferred[r].unsqueeze(0).expand(classes, -1),
                }));
                tiles.Add(DataRanges.ToUnit(images, x.Range).cpu());
            }
            ImageGrid.Write(Path.Combine(dir, "style-transfer.png"), cat(tiles, 0), classes + 1, scale: 2);
            output.WriteLine($"  wrote sweep-{s}1..{dims}.png (each continuous code swept from −2 to 2, a row per categorical code) and style-transfer.png");
        }
        return results;
    }

    private static void Trainer(long seed) => Gan.Runtime.Training.Trainer.Seed(seed + 3);
}
