using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using Gan.Runtime.Data;
using GanDsl.Samples;
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

    /// <summary>A folder with the four standard files: n images of 28x28 in which digit d is a bright bar at row 2d.</summary>
    private string CraftedFolder(int train = 300, int test = 100)
    {
        string folder = Path.Combine(_dir, "data");
        Directory.CreateDirectory(folder);
        void Write(string images, string labels, int n, int offset)
        {
            var pixels = new byte[n * 784];
            var ys = new byte[n];
            var random = new Random(offset);
            for (int i = 0; i < n; i++)
            {
                int d = (i + offset) % 10;
                ys[i] = (byte)d;
                for (int c = 4; c < 24; c++) pixels[i * 784 + (2 * d + 4) * 28 + c] = (byte)random.Next(180, 256);
            }
            Idx.WriteImages(Path.Combine(folder, images), new IdxImages(n, 28, 28, pixels));
            Idx.WriteLabels(Path.Combine(folder, labels), ys);
        }
        Write("train-images-idx3-ubyte", "train-labels-idx1-ubyte", train, 0);
        Write("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", test, 1);
        return folder;
    }

    private static void ShouldBePng(string path) => File.ReadAllBytes(path)[..8].ShouldBe(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A });

    [Fact]
    public void Train_sample_interpolate_and_eval_a_dcgan_on_a_folder()
    {
        string run = Path.Combine(_dir, "run");
        var log = new StringWriter();
        var settings = new TrainSettings("dcgan", "mnist", Steps: 30, BatchSize: 32, Seed: 0, Device: "cpu", Out: run, EvalSamples: 200, LogEvery: 10,
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
        }

        string samples = Path.Combine(_dir, "s.png");
        ImageCommands.Sample(run, "cpu", 12, 4, 1, samples, TextWriter.Null).ShouldBe(0);
        ShouldBePng(samples);
        string strip = Path.Combine(_dir, "i.png");
        ImageCommands.Interpolate(run, "cpu", 3, 5, Gan.Runtime.Imaging.InterpolationKind.Spherical, 1, strip, TextWriter.Null).ShouldBe(0);
        ShouldBePng(strip);

        // eval reproduces train's Parzen figure from the saved weights (same seed, same samples).
        double before = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "metrics.json"))).RootElement.GetProperty("parzen_log_likelihood").GetDouble();
        File.WriteAllText(Path.Combine(run, "metrics.json"), "{}");
        ImageCommands.Eval(run, "cpu", 200, 0, settings.DataOptions, TextWriter.Null).ShouldBe(0);
        JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "metrics.json"))).RootElement.GetProperty("parzen_log_likelihood").GetDouble().ShouldBe(before);

        // A damaged weights file is refused by its checksum.
        string weights = Path.Combine(run, RunInfo.WeightsFile);
        byte[] bytes = File.ReadAllBytes(weights);
        File.WriteAllBytes(weights, bytes[..(bytes.Length - 100)]);
        var e = Should.Throw<InvalidDataException>(() => ImageCommands.Sample(run, "cpu", 4, 2, 0, samples, TextWriter.Null));
        e.Message.ShouldContain("checksum mismatch");
    }

    [Fact]
    public void A_model_without_a_declared_image_shape_cannot_train_on_images()
    {
        var settings = new TrainSettings("goodfellow2014", "mnist", Steps: 1, BatchSize: 8, Seed: 0, Device: "cpu", Out: Path.Combine(_dir, "r"), EvalSamples: 10, LogEvery: 0,
                                         DataOptions: new DataOptions { Folder = CraftedFolder(40, 20) });
        var e = Should.Throw<ArgumentException>(() => TrainCommand.Run(settings, TextWriter.Null));
        e.Message.ShouldStartWith("Goodfellow2014 declares no image data");
    }

    [Fact]
    public void Sample_on_a_folder_that_is_not_a_run_says_so()
    {
        var e = Should.Throw<FileNotFoundException>(() => ImageCommands.Sample(_dir, "cpu", 4, 2, 0, Path.Combine(_dir, "x.png"), TextWriter.Null));
        e.Message.ShouldBe($"{_dir} is not a saved run: it has no model.json (train writes one with --out).");
    }
}
