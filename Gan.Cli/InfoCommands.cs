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

/// <summary>Disentangled codes (InfoGAN, Chen et al. 2016): a conditional model that declares what its recognition networks
/// read back, <c>[Infer("Q(c | T(x))")]</c> for a categorical code and <c>[Infer("Qs(s | T(x))")]</c> for a continuous one,
/// whatever they are called. The categorical code as an unsupervised classifier of test digits
/// (<see cref="CodeAccuracy"/>), pictures of each continuous code swept, and style transfer: a test digit's inferred
/// style with every class.</summary>
public static class InfoCommands
{
    /// <summary>Whether the model has what this protocol needs: it samples by class and infers a categorical code from data.</summary>
    public static bool Applies(IAdversarialModel model) => model is IConditionalModel && CodeAccuracy.Applies(model);

    /// <summary>The batch of the batch-statistics measure: InfoGAN's training batch (its code's graph has that batch).</summary>
    public const int BatchStatisticsBatch = 128;

    public static IReadOnlyList<(string Key, object? Value)> Evaluate(IAdversarialModel model, DataVariable x, ImageDataSet data, string dir, long seed, TextWriter output)
    {
        var results = new List<(string, object?)>();
        using var scope = NewDisposeScope();
        var conditional = (IConditionalModel)model;
        var (test, labels) = ImageTensors.FromIdx(data.Test.Images, data.Test.Labels);
        int classes = conditional.Classes;

        // Each categorical code as a classifier.
        var inference = (IInferenceModel)model;
        Tensor testImages = DataRanges.FromUnit(test, x.Range);
        foreach (Inference code in CodeAccuracy.Codes(model))
        {
            CodeAccuracyResult r = CodeAccuracy.Measure(inference, code, testImages, labels);
            string key = CodeAccuracy.Codes(model).Count == 1 ? "categorical_code" : $"categorical_code_{code.Variable}";
            output.WriteLine($"  the categorical code {code.Variable} as a classifier of {r.Examples:N0} test digits (argmax {code.Formula}, best matching of codes to labels): {r.Accuracy:P1} (InfoGAN: 95 %, 5 % error)");
            results.Add(($"{key}_accuracy", Math.Round(r.Accuracy, 4)));
            results.Add(($"{key}_protocol", $"argmax {code.Formula} on the {r.Examples:N0} test images; accuracy under the best one-to-one assignment of the {code.Classes} codes to the labels"));
            // InfoGAN's own code builds its networks in the training phase only, so its batch norm always normalizes by the
            // batch: the same measure with every batch of 128 test digits normalized by its own statistics (the running
            // statistics, above, average the real and generated batches of training).
            using var batchStatistics = BatchStatistics.Use((TorchSharp.torch.nn.Module)model);
            if (batchStatistics.Layers > 0)
            {
                CodeAccuracyResult b = CodeAccuracy.Measure(inference, code, testImages, labels, batch: BatchStatisticsBatch);
                output.WriteLine($"  the same with batch statistics (every batch norm normalizes each batch of {BatchStatisticsBatch} test digits by its own statistics, as InfoGAN's code does): {b.Accuracy:P1}");
                results.Add(($"{key}_accuracy_batch_statistics", Math.Round(b.Accuracy, 4)));
            }
        }

        // Sweeps of the continuous code the model infers: rows are the class, columns the code's k-th value from −2 to 2 (its
        // others 0), the rest of the noise fixed per row.
        Inference? style = Inferences.Where(model, i => !i.IsCategorical && !i.IsLabel).FirstOrDefault();
        Batch noise = model.SampleNoise(1);
        if (style != null && noise.Has(style.Variable) && noise.Has(conditional.Condition))
        {
            string s = style.Variable;
            long dims = noise[s].shape[1];
            const int columns = 10;
            Trainer(seed);
            Tensor classLabels = arange(classes, dtype: ScalarType.Int64);
            Batch perRow = conditional.SampleNoise(classLabels);   // one draw of the other noise per class
            Batch Noise(Func<string, Tensor, Tensor> other, Tensor code, Tensor styleValues) => new Batch(perRow.Fields.ToDictionary(
                f => f, f => f == conditional.Condition ? code : f == s ? styleValues : other(f, perRow[f])));
            for (int k = 0; k < dims; k++)
            {
                Tensor values = zeros(classes * columns, dims);
                values.select(1, k).copy_(linspace(-2, 2, columns).repeat(classes));
                Tensor code = perRow[conditional.Condition].repeat_interleave(columns, 0);
                Tensor images = model.Generate(Noise((_, t) => t.repeat_interleave(columns, 0), code, values.to(model.Device)));
                ImageGrid.Write(Path.Combine(dir, $"sweep-{s}{k + 1}.png"), DataRanges.ToUnit(images, x.Range).cpu(), columns, scale: 2);
            }
            // Style transfer: each row a real test digit, then its inferred style with every class, the other noise 0.
            int rows = 10;
            Tensor real = testImages.narrow(0, 0, rows);
            Tensor inferred = inference.Infer(s, real.to(model.Device));
            var tiles = new List<Tensor>();
            for (int r = 0; r < rows; r++)
            {
                tiles.Add(test[r].unsqueeze(0));
                Tensor images = model.Generate(Noise((_, t) => zeros_like(t), perRow[conditional.Condition], inferred[r].unsqueeze(0).expand(classes, -1)));
                tiles.Add(DataRanges.ToUnit(images, x.Range).cpu());
            }
            ImageGrid.Write(Path.Combine(dir, "style-transfer.png"), cat(tiles, 0), classes + 1, scale: 2);
            output.WriteLine($"  wrote sweep-{s}1..{dims}.png (each value of {s} swept from −2 to 2, a row per class) and style-transfer.png ({s} read by {style.Formula})");
        }
        return results;
    }

    private static void Trainer(long seed) => Gan.Runtime.Training.Trainer.Seed(seed + 3);
}
