using System;
using System.IO;
using System.Reflection;
using System.Security.Cryptography;
using Gan.Runtime.Data;
using Gan.Runtime.Metrics;
using Gan.Runtime.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Gan.Cli;

/// <summary>The project's own feature classifiers, one per image data set, for FID. Their weights are trained by
/// `gan classifier --data NAME` and committed in <c>Gan.Cli/Classifiers/NAME.bin</c>, which the
/// build embeds in the Gan.Cli assembly (and so in the GanDsl package).</summary>
public static class Classifiers
{
    /// <summary>Where `gan classifier` writes by default: the folder the build embeds.</summary>
    public static string DefaultPath(string data) => Path.Combine("Gan.Cli", "Classifiers", data + ".bin");

    /// <summary>The embedded classifier for a data set, or null (with a line saying how to train one) when there is none.</summary>
    public static FeatureClassifier? TryLoad(string data, Device device, TextWriter output)
    {
        using Stream? stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"classifier-{data}.bin");
        if (stream is null)
        {
            output.WriteLine($"  no {data} classifier is embedded, so no FID: train one with `gan classifier --data {data}` and rebuild");
            return null;
        }
        byte[] bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        // TorchSharp loads from a path: write the bytes once to a file named by their hash.
        string dir = Path.Combine(Path.GetTempPath(), "gandsl-classifiers");
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, $"{data}-{Convert.ToHexStringLower(SHA256.HashData(bytes))[..16]}.bin");
        if (!File.Exists(path))
        {
            string temp = path + "." + Environment.ProcessId + ".tmp";
            File.WriteAllBytes(temp, bytes);
            File.Move(temp, path, overwrite: true);
        }
        return FeatureClassifier.Load(path, device);
    }

    /// <summary>`gan classifier`: trains the feature classifier of a data set and saves its weights.</summary>
    public static int Train(string data, DataOptions dataOptions, string? outPath, int epochs, long seed, string deviceName, TextWriter output)
    {
        Device device = Gan.Runtime.Devices.Resolve(deviceName);
        ImageDataSet set = ImageDataSets.Load(data, dataOptions);
        string path = outPath ?? DefaultPath(set.Name);
        output.WriteLine($"gan classifier: {set.Name} ({set.Train.Images.Count:N0} training, {set.Test.Images.Count:N0} test images; {set.Source}), {epochs} epochs, seed {seed}, device {device.type}");
        Trainer.Seed(seed);
        using var scope = NewDisposeScope();
        var (trainImages, trainLabels) = ImageTensors.FromIdx(set.Train.Images, set.Train.Labels, device);
        var (testImages, testLabels) = ImageTensors.FromIdx(set.Test.Images, set.Test.Labels, device);
        using var net = new FeatureClassifier();
        net.to(device);
        var result = FeatureClassifier.Train(net, trainImages, trainLabels, testImages, testLabels,
            new ClassifierTrainingOptions { Epochs = epochs, Seed = seed, DataSet = set.Name, HorizontalFlip = set.Name == "fashion-mnist" }, output);
        net.SaveWeights(path);
        output.WriteLine($"  test accuracy {result.TestAccuracy:P2}; wrote {path} ({new FileInfo(path).Length / 1024} KB)");
        return 0;
    }
}
