using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using Gan.Dsl;
using Gan.Runtime;
using Gan.Runtime.Data;
using Gan.Runtime.Imaging;
using Gan.Runtime.Logging;
using Gan.Runtime.Metrics;
using Gan.Runtime.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Gan.Cli;

/// <summary>Training, sampling, interpolation and evaluation of image models (MNIST, Fashion-MNIST).</summary>
public static class ImageCommands
{
    /// <summary>`gan eval`: the Parzen and FID metrics of a saved run, and the protocols of its kind of model (a categorical
    /// code as a classifier, code components, attribute edits), merged into its metrics.json.</summary>
    public static int Eval(string runDir, string deviceName, int samples, long? seed, DataOptions? dataOptions, TextWriter output)
    {
        Device device = Devices.Resolve(deviceName);
        var (info, entry, model) = RunInfo.Load(runDir, device);
        using (model)
        {
            long sampleSeed = seed ?? info.Seed;   // the run's own: the same samples, so the same figures, as train measured
            ImageDataSet data = ImageDataSets.Load(info.Data, dataOptions ?? new DataOptions { Log = output });
            output.WriteLine($"gan eval: {entry.Name} from {runDir} on {data.Name}");
            DataVariable x = ImageVariable(model);
            var results = Evaluate(model, x, data, samples, sampleSeed, device, output, info.HeldOut).ToList();
            results.AddRange(ModelProtocols(model, x, data, runDir, sampleSeed, device, output));
            string path = Path.Combine(runDir, "metrics.json");
            Dictionary<string, object?> metrics = File.Exists(path)
                ? JsonSerializer.Deserialize<Dictionary<string, object?>>(File.ReadAllText(path)) ?? new()
                : new();
            foreach (var (key, value) in results) metrics[key] = value;
            WriteJson(path, metrics);
            output.WriteLine($"  wrote {path}");
        }
        return 0;
    }

    /// <summary>The measures of a model's own kind that `gan train` takes after training and `gan eval` again, besides Parzen
    /// and FID, each where the model has what it reads: code components (a labelled prior), a categorical code as a
    /// classifier with its sweeps (InfoGAN), attribute edits (IcGAN). Pictures go to <paramref name="dir"/>.</summary>
    public static IReadOnlyList<(string Key, object? Value)> ModelProtocols(IAdversarialModel model, DataVariable x, ImageDataSet data, string dir, long seed,
                                                                             Device device, TextWriter output)
    {
        var results = new List<(string, object?)>(CodeComponentAccuracy(model, x, data, seed, output));
        if (InfoCommands.Applies(model)) results.AddRange(InfoCommands.Evaluate(model, x, data, dir, seed, output));
        if (EditCommands.CanEdit(model)) results.AddRange(EditCommands.Evaluate(model, x, data, dir, 1000, device, output));
        return results;
    }

    /// <summary>`gan sample`: a grid of n samples from a saved run.</summary>
    public static int Sample(string runDir, string deviceName, int n, int columns, long seed, string outPath, TextWriter output)
    {
        if (n <= 0 || columns <= 0) throw new ArgumentException($"--n and --columns must be positive (got {n} and {columns}).");
        return WithSavedModel(runDir, deviceName, seed, (entry, model, x) =>
        {
            ImageGrid.Write(outPath, DataRanges.ToUnit(model.Sample(n), x.Range), columns, scale: 2);
            output.WriteLine($"gan sample: {n} samples of {entry.Name} (seed {seed}) → {outPath}");
        });
    }

    /// <summary>`gan interpolate`: rows of samples along paths between random latent codes (Goodfellow et al. 2014, Figure 3).</summary>
    public static int Interpolate(string runDir, string deviceName, int rows, int steps, InterpolationKind kind, long seed, string outPath, TextWriter output)
    {
        if (rows <= 0) throw new ArgumentException($"--rows must be positive (got {rows}).");
        return WithSavedModel(runDir, deviceName, seed, (entry, model, x) =>
        {
            WriteInterpolation(model, x, rows, steps, kind, outPath);
            output.WriteLine($"gan interpolate: {rows} {kind.ToString().ToLowerInvariant()} paths of {steps} steps through the latent space of {entry.Name} → {outPath}");
        });
    }

    /// <summary>Loads a saved run's model, seeds the generators and runs <paramref name="action"/> in a dispose scope.</summary>
    private static int WithSavedModel(string runDir, string deviceName, long seed, Action<ModelDescriptor, IAdversarialModel, DataVariable> action)
    {
        Device device = Devices.Resolve(deviceName);
        var (_, entry, model) = RunInfo.Load(runDir, device);
        using (model)
        using (var scope = NewDisposeScope())
        {
            DataVariable x = ImageVariable(model);
            Trainer.Seed(seed);
            action(entry, model, x);
        }
        return 0;
    }

    private static void WriteInterpolation(IAdversarialModel model, DataVariable x, int rows, int steps, InterpolationKind kind, string path)
    {
        using var scope = NewDisposeScope();
        Batch from, to;
        if (model is IConditionalModel conditional)
        {
            // one class per row: both ends drawn for it
            Tensor classes = randint(0, conditional.Classes, new long[] { rows }, dtype: ScalarType.Int64);
            from = conditional.SampleNoise(classes);
            to = conditional.SampleNoise(classes);
        }
        else
        {
            from = model.SampleNoise(rows);
            to = model.SampleNoise(rows);
        }
        Tensor images = DataRanges.ToUnit(model.Generate(Interpolation.Path(from, to, steps, kind)), x.Range);
        ImageGrid.Write(path, images, steps, scale: 2);
    }

    internal static void WritePictures(IAdversarialModel model, DataVariable x, ImageDataSet data, string dir, long seed, TextWriter output)
    {
        using var scope = NewDisposeScope();
        Trainer.Seed(seed + 1);
        // A conditional model: one row per class (10 classes or fewer: one row each; the columns are fresh noise).
        Tensor samples = model is IConditionalModel c
            ? c.Sample(arange(Math.Min(c.Classes, 10) * 10L, dtype: ScalarType.Int64).div(10, rounding_mode: RoundingMode.floor))
            : model.Sample(100);
        ImageGrid.Write(Path.Combine(dir, "samples.png"), DataRanges.ToUnit(samples, x.Range), 10, scale: 2);
        WriteInterpolation(model, x, 10, 10, InterpolationKind.Linear, Path.Combine(dir, "interpolation-linear.png"));
        WriteInterpolation(model, x, 10, 10, InterpolationKind.Spherical, Path.Combine(dir, "interpolation-spherical.png"));
        var (real, labels) = ImageTensors.FromIdx(data.Test.Images, data.Test.Labels);
        ImageGrid.Write(Path.Combine(dir, "real.png"), real.narrow(0, 0, Math.Min(100, real.shape[0])), 10, scale: 2);
        if (model is IEncoderModel encoder) WriteCodePictures(encoder, x, real, labels, dir, output);
    }

    /// <summary>A model with a 2-D code (an adversarial autoencoder): codes.png, the codes of test images coloured by their
    /// label (Makhzani et al. 2015, Fig. 2 and 4), and sweep.png, images decoded from a 20 × 20 sweep of the code over the
    /// 2nd–98th percentiles of those codes on each axis.</summary>
    private static void WriteCodePictures(IEncoderModel model, DataVariable x, Tensor images, Tensor labels, string dir, TextWriter output)
    {
        using var scope = NewDisposeScope();
        int n = (int)Math.Min(5000, images.shape[0]);
        var codes = new List<Tensor>();
        for (int done = 0; done < n; done += 1000)
            codes.Add(model.Encode(DataRanges.FromUnit(images.narrow(0, done, Math.Min(1000, n - done)), x.Range).to(model.Device)).cpu());
        Tensor code = cat(codes, 0);
        if (code.dim() != 2 || code.shape[1] != 2) return;   // pictures of the code space need a 2-D code
        LabelScatter.Write(Path.Combine(dir, "codes.png"), code, labels.narrow(0, 0, n));
        Batch noise = model.SampleNoise(1);
        if (noise.Fields.Count() != 1) return;
        const int side = 20;
        Tensor levels = linspace(0.02, 0.98, side, dtype: ScalarType.Float32);
        Tensor u = code.select(1, 0).quantile(levels), v = code.select(1, 1).quantile(levels);
        // rows: the second coordinate from high (top) to low; columns: the first from low to high
        Tensor grid = stack(new[] { u.repeat(side), v.flip(0).repeat_interleave(side) }, 1).to(model.Device);
        Tensor decoded = DataRanges.ToUnit(model.Generate(noise.With(noise.Fields.Single(), grid)), x.Range);
        ImageGrid.Write(Path.Combine(dir, "sweep.png"), decoded, side, padding: 0, scale: 1);
        output.WriteLine($"  wrote codes.png (the 2-D codes of {n:N0} test images by label) and sweep.png (decoded from a sweep of the code)");
    }

    /// <summary>A model with an encoder whose prior is given the data's label (<c>[Noise("z", ..., Given = "y")]</c>, e.g. the
    /// label-conditioned mixture of Makhzani et al. 2015, §2.3): the fraction of test images whose code Enc(x) lies nearest
    /// the mean of its own label's prior p(z | y) among the classes' means (each the mean of 10,000 draws). Nothing for
    /// other models.</summary>
    public static IReadOnlyList<(string Key, object? Value)> CodeComponentAccuracy(IAdversarialModel model, DataVariable x, ImageDataSet data, long seed,
                                                                                  TextWriter output)
    {
        if (model is not (IEncoderModel encoder and IConditionalModel conditional)
            || !model.Data.Any(d => d.Classes > 0 && d.Name == conditional.Condition)) return Array.Empty<(string, object?)>();
        using var scope = NewDisposeScope();
        Trainer.Seed(seed + 3);
        const int draws = 10000;
        var means = new List<Tensor>();
        for (int k = 0; k < conditional.Classes; k++)
        {
            Batch noise = conditional.SampleNoise(full(new long[] { draws }, (long)k, dtype: ScalarType.Int64));
            if (noise.Fields.Count() != 1) return Array.Empty<(string, object?)>();   // the code's prior is the one noise variable
            means.Add(noise[noise.Fields.Single()].flatten(1).mean(new long[] { 0 }).cpu());
        }
        Tensor centres = stack(means, 0);   // [classes, d]
        var (images, labels) = ImageTensors.FromIdx(data.Test.Images, data.Test.Labels);
        var codes = new List<Tensor>();
        for (long done = 0; done < images.shape[0]; done += 1000)
            codes.Add(encoder.Encode(DataRanges.FromUnit(images.narrow(0, done, Math.Min(1000, images.shape[0] - done)), x.Range).to(model.Device)).flatten(1).cpu());
        Tensor code = cat(codes, 0);
        if (code.shape[1] != centres.shape[1]) return Array.Empty<(string, object?)>();
        Tensor nearest = cdist(code, centres).argmin(1);
        double accuracy = nearest.eq(labels.to(ScalarType.Int64)).to(ScalarType.Float64).mean().item<double>();
        output.WriteLine($"  codes nearest their own label's prior mean: {accuracy:P1} of {code.shape[0]:N0} test images (chance {1.0 / conditional.Classes:P0})");
        return new (string, object?)[]
        {
            ("code_component_accuracy", Math.Round(accuracy, 4)),
            ("code_component_protocol", $"fraction of the {code.shape[0]:N0} test images whose code {encoder.Encoder}(x) lies nearest (Euclidean) the mean of " +
                                        $"p(z | {conditional.Condition} = its label) among the {conditional.Classes} classes' means, each from {draws:N0} draws"),
        };
    }

    /// <summary>The protocols of the images issue: Parzen-window log-likelihood (Goodfellow et al. 2014) and FID on the
    /// project's own classifier, with the real-vs-real FID (train vs test) as the floor.</summary>
    public static IReadOnlyList<(string Key, object? Value)> Evaluate(IAdversarialModel model, DataVariable x, ImageDataSet data, int samples, long seed,
                                                                       Device device, TextWriter output, int? heldOut = null)
    {
        var results = new List<(string, object?)>();
        using var scope = NewDisposeScope();
        Trainer.Seed(seed + 2);
        Tensor generated = SampleUnit(model, x, samples).cpu();
        var (train, trainLabels) = ImageTensors.FromIdx(data.Train.Images, data.Train.Labels);
        var (test, testLabels) = ImageTensors.FromIdx(data.Test.Images, data.Test.Labels);

        // Parzen: σ by grid search on the first of the last training images, which training holds out (TrainingFlow), scored
        // on the test set. The run's own --held-out (model.json) when given, else the default tenth (at most 1,000).
        int held = Parzen.HeldOut(train.shape[0], heldOut, data.Name);
        Tensor validation = Parzen.ValidationImages(train, held);
        int validationCount = Parzen.ValidationCount(held);
        ParzenResult parzen = Parzen.Evaluate(generated.flatten(1), validation.flatten(1), test.flatten(1));
        output.WriteLine($"  Parzen log-likelihood {parzen.MeanLogLikelihood:F1} ± {parzen.StandardError:F1} (σ = {parzen.Sigma:G3}, chosen on {validationCount:N0} held-out training images{(data.Name == "mnist" && model.Name.StartsWith("Goodfellow2014", StringComparison.Ordinal) ? "; Goodfellow et al. 2014, full MNIST: 225 ± 2" : "")})");
        results.Add(("parzen_log_likelihood", Math.Round(parzen.MeanLogLikelihood, 2)));
        results.Add(("parzen_standard_error", Math.Round(parzen.StandardError, 2)));
        results.Add(("parzen_sigma", parzen.Sigma));
        results.Add(("parzen_validation_images", validationCount));
        results.Add(("parzen_protocol", parzen.Protocol));
        // The estimator on real data, as a reference: the same window fitted on training images (as many as samples,
        // validation images excluded) instead of generated ones.
        int realCount = (int)Math.Min(samples, train.shape[0] - held);
        ParzenResult real = Parzen.Evaluate(train.narrow(0, 0, realCount).flatten(1), validation.flatten(1), test.flatten(1));
        output.WriteLine($"  Parzen of {realCount:N0} real training images (the estimator's reference): {real.MeanLogLikelihood:F1} ± {real.StandardError:F1} (σ = {real.Sigma:G3})");
        results.Add(("parzen_real_training_images", Math.Round(real.MeanLogLikelihood, 2)));
        results.Add(("parzen_real_standard_error", Math.Round(real.StandardError, 2)));
        results.Add(("parzen_real_count", realCount));
        // The fair comparison (PROTOCOLS.md): the model against real data under the same estimator, σ grid, validation and
        // number of kernel centres (a window on more centres scores higher, so when there are fewer real training images
        // than samples, the model is scored again on as many of its samples); the papers' figures are compared by their own
        // distance from real data.
        ParzenResult matched = realCount < generated.shape[0]
            ? Parzen.Evaluate(generated.narrow(0, 0, realCount).flatten(1), validation.flatten(1), test.flatten(1))
            : parzen;
        double relative = matched.MeanLogLikelihood - real.MeanLogLikelihood;
        output.WriteLine($"  Parzen of the model minus the real reference, both windows on {realCount:N0} centres: {relative:F1} " +
                         $"(model {matched.MeanLogLikelihood:F1} ± {matched.StandardError:F1}, σ = {matched.Sigma:G3})");
        results.Add(("parzen_matched_centres", realCount));
        results.Add(("parzen_matched_log_likelihood", Math.Round(matched.MeanLogLikelihood, 2)));
        results.Add(("parzen_minus_real", Math.Round(relative, 2)));

        // FID on the project's classifier.
        FeatureClassifier? classifier = Classifiers.TryLoad(data.Name, device, output);
        if (classifier is null)
        {
            results.Add(("fid", null));
            return results;
        }
        using (classifier)
        {
            Tensor testFeatures = classifier.Features(test.to(device)), generatedFeatures = classifier.Features(generated.to(device));
            FeatureStatistics testStats = Fid.Statistics(testFeatures);
            Tensor trainFeatures = classifier.Features(train.to(device));
            FeatureStatistics trainStats = Fid.Statistics(trainFeatures);
            double fid = Fid.Distance(Fid.Statistics(generatedFeatures), testStats);
            double floor = Fid.Distance(trainStats, testStats);
            output.WriteLine($"  FID {fid:F2} (real-vs-real floor, train vs test: {floor:F2}; features of the {data.Name} classifier)");
            results.Add(("fid", Math.Round(fid, 3)));
            // Which classes the samples are, by the same classifier: a collapsed generator shows as one class taking most samples
            // (issue 15's goal for Goodfellow et al. 2014: every digit in the samples). Covered: at least a tenth of a uniform share.
            Tensor predicted = classifier.Predict(generated.to(device)).cpu();
            long[] counts = bincount(predicted, minlength: classifier.Architecture.Classes).data<long>().ToArray();
            double share = 1.0 / counts.Length;
            int covered = counts.Count(c => c >= 0.1 * share * samples);
            output.WriteLine($"  classes of the samples ({data.Name} classifier): " +
                             string.Join(", ", counts.Select((c, i) => string.Create(CultureInfo.InvariantCulture, $"{i}: {100.0 * c / samples:F1} %"))) +
                             $"; {covered}/{counts.Length} classes with at least {0.1 * share:P0} of the samples");
            results.Add(("sample_class_counts", counts));
            results.Add(("classes_covered", covered));
            results.Add(("sample_class_max_fraction", Math.Round((double)counts.Max() / samples, 4)));
            if (LabelConditioned(model, classifier.Architecture.Classes) is { } conditional)
                results.AddRange(IntraClassFid(conditional, SampledClasses(conditional, samples), generatedFeatures, predicted, testFeatures, testLabels,
                                                 trainFeatures, trainLabels, output));
            results.Add(("fid_real_vs_real", Math.Round(floor, 3)));
            results.Add(("fid_protocol", $"Fréchet distance between Gaussians fitted to the penultimate features of GanDsl's own {data.Name} classifier: " +
                                         $"{samples:N0} samples vs the {test.shape[0]:N0} test images; floor: the {train.shape[0]:N0} training vs the test images"));
        }
        return results;
    }

    /// <summary>The validation Parzen of training-time selection: <paramref name="samples"/> samples (class-balanced for a
    /// conditional model) as the window's centres, σ chosen on <paramref name="validation"/> ([n, d], pixels in [0, 1]) and
    /// the mean log-likelihood of those same images at that σ.</summary>
    public static double ValidationParzen(IAdversarialModel model, DataVariable x, Tensor validation, int samples)
    {
        using var scope = NewDisposeScope();
        Tensor generated = SampleUnit(model, x, samples).flatten(1);
        return Parzen.WidthSearch(generated, validation).Max(p => p.MeanLl);
    }

    private static Tensor SampleUnit(IAdversarialModel model, DataVariable x, int n)
    {
        using var scope = NewDisposeScope();
        var parts = new List<Tensor>();
        // A conditional model is sampled class-balanced: n / classes samples of each class (Mirza & Osindero 2014: 1,000 per class).
        var conditional = model as IConditionalModel;
        Tensor? classes = conditional is null ? null : SampledClasses(conditional, n);
        for (int done = 0; done < n; done += 1000)
        {
            int count = Math.Min(1000, n - done);
            Tensor batch = classes is null ? model.Sample(count) : conditional!.Sample(classes.narrow(0, done, count));
            parts.Add(DataRanges.ToUnit(batch, x.Range).cpu());
        }
        return cat(parts, 0).MoveToOuterDisposeScope();
    }

    /// <summary>The class of each of n class-balanced samples of a conditional model, in the order <see cref="SampleUnit"/>
    /// draws them: sample i is of class i mod classes.</summary>
    private static Tensor SampledClasses(IConditionalModel model, int n) => arange(n, dtype: ScalarType.Int64).remainder(model.Classes);

    /// <summary>The model as a conditional model whose condition stands for the data's label, or null: it declares a
    /// <c>[Label]</c> with as many classes as its condition and as the classifier (a conditional GAN's y′ for the label y).
    /// Not a code learnt without labels (InfoGAN's c, no <c>[Label]</c>), whose classes are the digits only up to a permutation.</summary>
    private static IConditionalModel? LabelConditioned(IAdversarialModel model, int classifierClasses) =>
        model is IConditionalModel c && c.Classes == classifierClasses && model.Data.Any(d => d.Classes == c.Classes) ? c : null;

    /// <summary>What a label-conditioned model's samples say class by class (<see cref="Fid.PerClass"/>): the intra-class FID
    /// against the test images of each label, and how many samples the classifier reads as the class they were drawn for.</summary>
    private static IEnumerable<(string, object?)> IntraClassFid(IConditionalModel model, Tensor classes, Tensor generatedFeatures, Tensor predicted,
                                                               Tensor testFeatures, Tensor testLabels, Tensor trainFeatures, Tensor trainLabels, TextWriter output)
    {
        double agreement = predicted.eq(classes).to(ScalarType.Float64).mean().item<double>();
        var results = new List<(string, object?)> { ("conditional_accuracy", Math.Round(agreement, 4)) };
        string accuracy = $"samples the classifier reads as their {model.Condition}: {agreement:P1}";
        // Every class needs Fid.MinimumPerClass samples and test images; with fewer, say so (and clear an earlier eval's
        // figures in metrics.json) rather than fail the evaluation.
        long fewestSamples = bincount(classes, minlength: model.Classes).min().item<long>();
        long fewestTest = bincount(testLabels.to(ScalarType.Int64), minlength: model.Classes).min().item<long>();
        if (fewestSamples < Fid.MinimumPerClass || fewestTest < Fid.MinimumPerClass)
        {
            output.WriteLine($"  intra-class FID: not measured ({classes.shape[0]:N0} samples and {testLabels.shape[0]:N0} test images leave a class of " +
                             $"{model.Condition} with fewer than {Fid.MinimumPerClass} of each); {accuracy}");
            results.AddRange(new (string, object?)[] { ("intra_fid", null), ("intra_fid_per_class", null), ("intra_fid_real_vs_real", null), ("intra_fid_protocol", null) });
            return results;
        }
        double[] perClass = Fid.PerClass(generatedFeatures, classes, testFeatures, testLabels, model.Classes);
        double mean = perClass.Average();
        // The floor, as for FID: each class's training images against its test images.
        double floor = Fid.PerClass(trainFeatures, trainLabels, testFeatures, testLabels, model.Classes).Average();
        output.WriteLine($"  intra-class FID {mean:F2} (each {model.Condition} = k's samples against the test images labelled k, mean of {model.Classes}; " +
                         string.Join(", ", perClass.Select((d, k) => string.Create(CultureInfo.InvariantCulture, $"{k}: {d:F1}"))) +
                         $"; floor, train vs test per class: {floor:F2}); {accuracy}");
        results.AddRange(new (string, object?)[]
        {
            ("intra_fid", Math.Round(mean, 3)),
            ("intra_fid_per_class", perClass.Select(d => Math.Round(d, 3)).ToArray()),
            ("intra_fid_real_vs_real", Math.Round(floor, 3)),
            ("intra_fid_protocol", $"intra-class FID (Miyato & Koyama 2018): for each class k of {model.Condition}, the Fréchet distance between the classifier features " +
                                   $"of the {classes.shape[0] / model.Classes:N0} samples drawn for k and those of the test images labelled k; the mean over the {model.Classes} classes; " +
                                   $"floor: each class's training images against its test images. " +
                                   $"conditional_accuracy: the fraction of the {classes.shape[0]:N0} samples the classifier assigns to the class they were drawn for"),
        });
        return results;
    }

    internal static DataVariable ImageVariable(IAdversarialModel model)
    {
        DataVariable? x = model.Data.FirstOrDefault(d => d.Shape.Length == 3);
        return x ?? throw new ArgumentException($"{model.Name} declares no image data (a [Data] variable with a shape such as \"1x28x28\"), " +
                                                "so it cannot be trained on MNIST or Fashion-MNIST.");
    }

    /// <summary>`gan eval`'s merge into an existing metrics.json (any run's, also one written before <see cref="RunMetrics"/>),
    /// with <see cref="RunMetrics"/>' settings.</summary>
    internal static void WriteJson(string path, IReadOnlyDictionary<string, object?> values)
    {
        string temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(values, RunMetrics.JsonOptions));
        File.Move(temp, path, overwrite: true);
    }
}
