using System;
using System.IO;
using System.Linq;
using Gan.Runtime.Data;
using Gan.Runtime.Metrics;
using Shouldly;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace GanDsl.Tests.Runtime;

/// <summary>The feature classifier on tiny synthetic problems: shapes, training, weights files, FID through it.</summary>
[Collection(TorchGlobalRngCollection.Name)]
public sealed class FeatureClassifierTests : IDisposable
{
    private static readonly ClassifierArchitecture Tiny = new(4, 8, 8, 16);

    private readonly string _dir = Directory.CreateTempSubdirectory("gandsl-classifier-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>
    /// Images with a bright 6×6 blob at one of 10 places (2 rows × 5 columns) on faint noise; the label is the place.
    /// </summary>
    private static (Tensor Images, Tensor Labels) Blobs(int count, long seed)
    {
        using var generator = new torch.Generator((ulong)seed);
        Tensor labels = torch.randint(0, 10, new long[] { count }, generator: generator);
        Tensor images = torch.rand(new long[] { count, 1, 28, 28 }, generator: generator) * 0.2;
        long[] label = labels.data<long>().ToArray();
        for (int i = 0; i < count; i++)
        {
            long row = label[i] < 5 ? 4 : 17, column = 2 + 5 * (label[i] % 5);
            images[i, 0].narrow(0, row, 6).narrow(1, column, 6).fill_(1.0);
        }
        return (images, labels);
    }

    private static FeatureClassifier TrainedOnBlobs(out Tensor testImages, out Tensor testLabels, out ClassifierTrainingResult result)
    {
        torch.manual_seed(1);
        var net = new FeatureClassifier(Tiny);
        var (trainImages, trainLabels) = Blobs(400, seed: 10);
        (testImages, testLabels) = Blobs(200, seed: 11);
        var options = new ClassifierTrainingOptions(Epochs: 4, BatchSize: 32, LearningRate: 5e-3, Seed: 3, MaxShift: 1, DataSet: "blobs");
        result = FeatureClassifier.Train(net, trainImages, trainLabels, testImages, testLabels, options, log: null);
        return net;
    }

    [Fact]
    public void Features_predictions_and_logits_have_the_documented_shapes_for_image_and_flat_batches()
    {
        torch.manual_seed(2);
        using var net = new FeatureClassifier(Tiny);
        using Tensor images = torch.rand(7, 1, 28, 28);
        net.train();

        using Tensor features = net.Features(images);
        using Tensor flatFeatures = net.Features(images.reshape(7, 784));
        using Tensor predicted = net.Predict(images);

        features.shape.ShouldBe(new long[] { 7, 16 });
        features.dtype.ShouldBe(ScalarType.Float32);
        (features.min().item<float>() >= 0).ShouldBeTrue(); // after ReLU
        flatFeatures.allclose(features, rtol: 0, atol: 0).ShouldBeTrue();
        predicted.shape.ShouldBe(new long[] { 7 });
        predicted.dtype.ShouldBe(ScalarType.Int64);
        net.training.ShouldBeTrue(); // the mode is restored
        net.FeatureDimension.ShouldBe(16);
        net.eval();
        using Tensor logits = net.forward(images);
        logits.shape.ShouldBe(new long[] { 7, 10 });
        logits.argmax(1).allclose(predicted, rtol: 0, atol: 0).ShouldBeTrue();
    }

    [Fact]
    public void Features_work_in_batches_larger_than_one_evaluation_batch()
    {
        torch.manual_seed(4);
        using var net = new FeatureClassifier(Tiny);
        using Tensor images = torch.rand(FeatureClassifier.EvaluationBatch + 3, 1, 28, 28);

        using Tensor features = net.Features(images);
        using Tensor lastThree = net.Features(images.narrow(0, FeatureClassifier.EvaluationBatch, 3));

        features.shape.ShouldBe(new long[] { FeatureClassifier.EvaluationBatch + 3, 16 });
        features.narrow(0, FeatureClassifier.EvaluationBatch, 3).allclose(lastThree, rtol: 1e-5, atol: 1e-6).ShouldBeTrue();
    }

    [Fact]
    public void Wrong_image_shapes_are_rejected_with_the_shape()
    {
        using var net = new FeatureClassifier(Tiny);
        using Tensor wrong = torch.rand(3, 3, 28, 28);
        Should.Throw<ArgumentException>(() => net.Features(wrong)).Message.ShouldContain("[3, 3, 28, 28]");
    }

    [Fact]
    public void The_default_architecture_is_small_enough_to_commit()
    {
        torch.manual_seed(5);
        using var net = new FeatureClassifier();

        net.Architecture.ShouldBe(ClassifierArchitecture.Default);
        net.ParameterCount.ShouldBe(98_554);
        string path = Path.Combine(_dir, "default.weights");
        net.SaveWeights(path);
        new FileInfo(path).Length.ShouldBeLessThan(500_000);
    }

    [Fact]
    public void Training_on_separable_blobs_reaches_full_accuracy_and_records_where_the_weights_came_from()
    {
        using var net = TrainedOnBlobs(out Tensor testImages, out Tensor testLabels, out var result);

        result.Epochs.Count.ShouldBe(4);
        result.Epochs.Select(e => e.Epoch).ShouldBe(new[] { 1, 2, 3, 4 });
        result.TestAccuracy.ShouldBeGreaterThanOrEqualTo(0.99);
        result.Epochs[^1].TrainLoss.ShouldBeLessThan(result.Epochs[0].TrainLoss);
        net.Accuracy(testImages, testLabels).ShouldBe(result.TestAccuracy);
        net.training.ShouldBeFalse();
        net.Info.ShouldNotBeNull();
        net.Info!.DataSet.ShouldBe("blobs");
        net.Info.Epochs.ShouldBe(4);
        net.Info.TestAccuracy.ShouldBe(result.TestAccuracy);
        net.Info.TrainImages.ShouldBe(400);
    }

    [Fact]
    public void Training_logs_one_line_per_epoch()
    {
        torch.manual_seed(6);
        using var net = new FeatureClassifier(Tiny);
        var (images, labels) = Blobs(64, seed: 12);
        var log = new StringWriter();

        FeatureClassifier.Train(net, images, labels, images, labels, new ClassifierTrainingOptions(Epochs: 2, BatchSize: 32, HorizontalFlip: true), log);

        string[] lines = log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBe(3);
        lines[0].ShouldContain("64 images");
        lines[1].ShouldStartWith("epoch 1/2: loss ");
        lines[2].ShouldContain("test accuracy");
    }

    [Fact]
    public void Training_rejects_labels_out_of_range_and_mismatched_counts()
    {
        using var net = new FeatureClassifier(Tiny);
        using Tensor images = torch.rand(4, 1, 28, 28);
        var options = new ClassifierTrainingOptions(Epochs: 1);

        Should.Throw<ArgumentException>(() => FeatureClassifier.Train(net, images, torch.tensor(new long[] { 0, 1, 2, 10 }), images, torch.zeros(4, dtype: int64), options))
            .Message.ShouldContain("[0, 10)");
        Should.Throw<ArgumentException>(() => FeatureClassifier.Train(net, images, torch.zeros(3, dtype: int64), images, torch.zeros(4, dtype: int64), options));
        Should.Throw<ArgumentOutOfRangeException>(() => FeatureClassifier.Train(net, images, torch.zeros(4, dtype: int64), images, torch.zeros(4, dtype: int64), options with { Epochs = 0 }));
    }

    [Fact]
    public void Save_then_load_gives_identical_logits_and_keeps_the_provenance()
    {
        using var net = TrainedOnBlobs(out Tensor testImages, out _, out var result);
        string path = Path.Combine(_dir, "sub", "blobs.weights");

        net.SaveWeights(path);
        using var loaded = FeatureClassifier.Load(path);

        File.Exists(path + ".tmp").ShouldBeFalse();
        loaded.Architecture.ShouldBe(Tiny);
        loaded.training.ShouldBeFalse();
        net.eval();
        using Tensor expected = net.forward(testImages);
        using Tensor actual = loaded.forward(testImages);
        actual.allclose(expected, rtol: 0, atol: 0).ShouldBeTrue();
        loaded.Info.ShouldBe(net.Info);
        loaded.WeightsSha256.ShouldNotBeNull();
        loaded.WeightsSha256.ShouldBe(net.WeightsSha256);
        var (architecture, info, sha) = FeatureClassifier.ReadInfo(path);
        architecture.ShouldBe(Tiny);
        info.TestAccuracy.ShouldBe(result.TestAccuracy);
        sha.ShouldBe(net.WeightsSha256);

        // The file starts with the magic and a readable JSON header.
        byte[] bytes = File.ReadAllBytes(path);
        bytes.AsSpan(0, 8).SequenceEqual("GDSLCLF1"u8).ShouldBeTrue();
        System.Text.Encoding.UTF8.GetString(bytes, 12, 400).ShouldContain("\"dataSet\": \"blobs\"");

        // Into an existing classifier of the same architecture, too.
        torch.manual_seed(99);
        using var other = new FeatureClassifier(Tiny);
        other.LoadWeights(path);
        using Tensor again = other.forward(testImages);
        again.allclose(expected, rtol: 0, atol: 0).ShouldBeTrue();
    }

    [Fact]
    public void Loading_leaves_the_global_random_stream_where_it_was()
    {
        torch.manual_seed(10);
        using var net = new FeatureClassifier(Tiny);
        string path = Path.Combine(_dir, "rng.weights");
        net.SaveWeights(path);

        torch.manual_seed(123);
        using Tensor expected = torch.rand(5);
        torch.manual_seed(123);
        using var loaded = FeatureClassifier.Load(path);
        using Tensor actual = torch.rand(5);

        actual.allclose(expected, rtol: 0, atol: 0).ShouldBeTrue();
    }

    [Fact]
    public void A_truncated_weights_file_is_an_error_that_names_the_file()
    {
        torch.manual_seed(7);
        using var net = new FeatureClassifier(Tiny);
        string path = Path.Combine(_dir, "truncated.weights");
        net.SaveWeights(path);
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 100)]);

        var e = Should.Throw<InvalidDataException>(() => FeatureClassifier.Load(path));
        e.Message.ShouldContain(path);
        e.Message.ShouldContain("truncated");

        File.WriteAllBytes(path, bytes[..10]);
        Should.Throw<InvalidDataException>(() => FeatureClassifier.Load(path)).Message.ShouldContain(path);
    }

    [Fact]
    public void A_corrupted_byte_fails_the_checksum()
    {
        torch.manual_seed(8);
        using var net = new FeatureClassifier(Tiny);
        string path = Path.Combine(_dir, "corrupt.weights");
        net.SaveWeights(path);
        byte[] bytes = File.ReadAllBytes(path);
        bytes[^20] ^= 0x40;
        File.WriteAllBytes(path, bytes);

        var e = Should.Throw<InvalidDataException>(() => FeatureClassifier.Load(path));
        e.Message.ShouldContain(path);
        e.Message.ShouldContain("SHA-256");
    }

    [Fact]
    public void Missing_foreign_and_mismatched_files_are_clear_errors()
    {
        string missing = Path.Combine(_dir, "missing.weights");
        Should.Throw<FileNotFoundException>(() => FeatureClassifier.Load(missing)).Message.ShouldContain(missing);

        string foreign = Path.Combine(_dir, "foreign.weights");
        File.WriteAllText(foreign, "this is not a weights file at all");
        Should.Throw<InvalidDataException>(() => FeatureClassifier.Load(foreign)).Message.ShouldContain("not a GanDsl classifier weights file");

        torch.manual_seed(9);
        using var tiny = new FeatureClassifier(Tiny);
        string path = Path.Combine(_dir, "tiny.weights");
        tiny.SaveWeights(path);
        using var bigger = new FeatureClassifier(Tiny with { Features = 32 });
        var e = Should.Throw<InvalidDataException>(() => bigger.LoadWeights(path));
        e.Message.ShouldContain(path);
        e.Message.ShouldContain("4-8-8/16→10");
        e.Message.ShouldContain("4-8-8/32→10");
    }

    [Fact]
    public void Fid_of_classifier_features_is_zero_for_a_set_against_itself_and_grows_with_noise()
    {
        using var net = TrainedOnBlobs(out Tensor testImages, out _, out _);
        using var generator = new torch.Generator(13);
        using Tensor noise = torch.rand(testImages.shape, generator: generator);

        Fid.Distance(net, testImages, testImages).ShouldBe(0, 1e-6);
        double previous = 0;
        foreach (double amount in new[] { 0.1, 0.3, 0.6 })
        {
            using Tensor noisy = (testImages * (1 - amount) + noise * amount).clamp(0, 1);
            double fid = Fid.Distance(net, testImages, noisy);
            fid.ShouldBeGreaterThan(previous, $"noise {amount}");
            previous = fid;
        }
    }

    [Fact]
    public void Idx_images_become_floats_in_0_1_with_int64_labels()
    {
        var images = new IdxImages(2, 28, 28, Enumerable.Range(0, 2 * 784).Select(i => (byte)(i % 256)).ToArray());

        var (x, y) = ImageTensors.FromIdx(images, new byte[] { 3, 9 });

        x.shape.ShouldBe(new long[] { 2, 1, 28, 28 });
        x.dtype.ShouldBe(ScalarType.Float32);
        x[0, 0, 0, 1].item<float>().ShouldBe(1f / 255f, 1e-7);
        x[0, 0, 9, 3].item<float>().ShouldBe(1f, 1e-7); // pixel 255
        y.dtype.ShouldBe(ScalarType.Int64);
        y.data<long>().ToArray().ShouldBe(new long[] { 3, 9 });
        Should.Throw<ArgumentException>(() => ImageTensors.FromIdx(images, new byte[] { 1 }));
    }
}
