using System;
using System.IO;
using System.Text.Json;
using Gan.Runtime;
using Gan.Runtime.Training;
using static TorchSharp.torch;

namespace Gan.Cli;

/// <summary>What a run folder records about its model (<c>model.json</c> beside <c>model.bin</c>), so that
/// `sample`, `interpolate` and `eval` can rebuild it.</summary>
public sealed record RunInfo(string Model, string Data, long Seed, int Steps, int BatchSize, string WeightsSha256, string ValueFunction)
{
    public const string WeightsFile = "model.bin", InfoFile = "model.json";

    /// <summary>The decay of the moving average whose weights model.bin holds for <see cref="EmaPlayer"/>, or null
    /// (model.bin holds the trained weights as they were at the last step). Absent in runs saved before EMA existed.</summary>
    public double? EmaDecay { get; init; }
    /// <summary>The player saved with its averaged weights (the generator), or null.</summary>
    public string? EmaPlayer { get; init; }
    /// <summary>Image data: the run's --held-out (the last training images it never trained on; σ's set), or null for the
    /// default (<see cref="Gan.Runtime.Metrics.Parzen.HeldOutCount"/>). `eval` measures with the same split.</summary>
    public int? HeldOut { get; init; }
    /// <summary>In words: which weights model.bin holds.</summary>
    public string Weights { get; init; } = "live weights (no EMA)";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Saves the model's weights and this record into <paramref name="dir"/> (each through a temporary file). With
    /// <paramref name="ema"/>, the averaged player is saved with its averaged weights (the others as trained), and model.json says so.</summary>
    public static RunInfo Save(string dir, ModelDescriptor entry, IAdversarialModel model, string data, long seed, int steps, int batchSize,
                               ExponentialMovingAverage? ema = null, int? heldOut = null)
    {
        string sha;
        using (ema?.Apply()) sha = ModelWeights.Save((nn.Module)model, Path.Combine(dir, WeightsFile));
        var info = new RunInfo(entry.Name, data, seed, steps, batchSize, sha, model.ValueFunction)
        {
            EmaDecay = ema?.Decay,
            EmaPlayer = ema?.Player,
            HeldOut = heldOut,
            Weights = ema is null ? "live weights (no EMA)" : $"{ema.Player}: its exponential moving average (decay {ema.Decay.ToString(System.Globalization.CultureInfo.InvariantCulture)}); the other players: live weights",
        };
        string path = Path.Combine(dir, InfoFile), temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(info, Json));
        File.Move(temp, path, overwrite: true);
        return info;
    }

    /// <summary>Reads a run folder and rebuilds its model with the saved weights (checksum verified).</summary>
    public static (RunInfo Info, ModelDescriptor Entry, IAdversarialModel Model) Load(string dir, Device device)
    {
        string path = Path.Combine(dir, InfoFile);
        if (!File.Exists(path))
            throw new FileNotFoundException($"{dir} is not a saved run: it has no {InfoFile} (train writes one with --out).", path);
        RunInfo info;
        try
        {
            info = JsonSerializer.Deserialize<RunInfo>(File.ReadAllText(path), Json)
                   ?? throw new InvalidDataException($"{path} is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not a valid run record: {e.Message}", e);
        }
        ModelDescriptor entry = ModelRegistry.Find(info.Model);
        IAdversarialModel model = entry.Create(device);
        try
        {
            ModelWeights.Load((nn.Module)model, Path.Combine(dir, WeightsFile), info.WeightsSha256);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return (info, entry, model);
    }
}

/// <summary>Where a run goes when --out is not given.</summary>
public static class RunFolders
{
    /// <summary><paramref name="runs"/>/MODEL for a first run; when that folder holds an earlier run (a checkpoint, metrics.json
    /// or model.json), the first of MODEL-2, MODEL-3, ... that does not, so that a second run never overwrites the first.
    /// Resuming, the latest folder that holds a checkpoint (a FileNotFoundException when none does).</summary>
    public static string Default(string runs, string model, bool resume)
    {
        string Folder(int n) => Path.Combine(runs, n == 1 ? model : $"{model}-{n}");
        if (resume)
        {
            string? latest = null;
            for (int n = 1; Directory.Exists(Folder(n)); n++)
                if (File.Exists(Path.Combine(Folder(n), "checkpoint.ckpt"))) latest = Folder(n);
            return latest ?? throw new FileNotFoundException(
                $"--resume: no run of {model} with a checkpoint under {runs}/ (looked for {Path.Combine(Folder(1), "checkpoint.ckpt")}); give its folder with --out.");
        }
        for (int n = 1; ; n++)
            if (!HoldsRun(Folder(n))) return Folder(n);
    }

    private static bool HoldsRun(string dir) =>
        File.Exists(Path.Combine(dir, "checkpoint.ckpt")) || File.Exists(Path.Combine(dir, "metrics.json")) || File.Exists(Path.Combine(dir, RunInfo.InfoFile));
}
