using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Gan.Runtime;
using Gan.Runtime.Training;
using static TorchSharp.torch;

namespace Gan.Cli;

/// <summary>How a run was made, as its metrics.json records it: the command line, the commit of the working folder when it is
/// in a git repository, the versions of GanDsl, TorchSharp and libtorch, the device and machine, and the model's declared
/// hyper-parameters.</summary>
public sealed record RunProvenance(
    string CommandLine,
    string WorkingDirectory,
    string? Commit,
    string GanDsl,
    string TorchSharp,
    string? LibTorch,
    string Device,
    string Os,
    int ProcessorCount,
    string StartedUtc,
    IReadOnlyDictionary<string, object> HyperParameters)
{
    /// <summary>This process's provenance for a run of <paramref name="model"/> on <paramref name="device"/>.</summary>
    public static RunProvenance Capture(ModelDescriptor model, Device device) => new(
        string.Join(' ', Environment.GetCommandLineArgs().Select(Quote)),
        Environment.CurrentDirectory,
        GitCommit(Environment.CurrentDirectory),
        Version(typeof(RunProvenance).Assembly),
        Version(typeof(TorchSharp.torch).Assembly),
        LibTorchPackage(),
        device.ToString(),
        System.Runtime.InteropServices.RuntimeInformation.OSDescription,
        Environment.ProcessorCount,
        DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
        model.HyperParameters);

    private static string Quote(string arg) => arg.Length > 0 && arg.All(c => !char.IsWhiteSpace(c) && c != '"' && c != '\'') ? arg : $"'{arg.Replace("'", "'\\''")}'";

    private static string Version(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? assembly.GetName().Version?.ToString() ?? "unknown";

    /// <summary>The HEAD commit of the git repository holding <paramref name="start"/> (read from .git, no git process), or null.</summary>
    public static string? GitCommit(string start)
    {
        try
        {
            for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
            {
                string git = Path.Combine(dir.FullName, ".git");
                if (File.Exists(git))   // a worktree or submodule: "gitdir: PATH"
                {
                    string line = File.ReadAllText(git).Trim();
                    if (!line.StartsWith("gitdir:", StringComparison.Ordinal)) return null;
                    git = Path.GetFullPath(Path.Combine(dir.FullName, line["gitdir:".Length..].Trim()));
                }
                if (!Directory.Exists(git)) continue;
                string head = File.ReadAllText(Path.Combine(git, "HEAD")).Trim();
                if (!head.StartsWith("ref:", StringComparison.Ordinal)) return head;   // detached
                string reference = head["ref:".Length..].Trim();
                string common = File.Exists(Path.Combine(git, "commondir")) ? Path.GetFullPath(Path.Combine(git, File.ReadAllText(Path.Combine(git, "commondir")).Trim())) : git;
                foreach (string root in new[] { git, common })
                {
                    string loose = Path.Combine(root, reference);
                    if (File.Exists(loose)) return File.ReadAllText(loose).Trim();
                }
                string packed = Path.Combine(common, "packed-refs");
                if (File.Exists(packed))
                    foreach (string line in File.ReadLines(packed))
                        if (line.EndsWith(" " + reference, StringComparison.Ordinal)) return line[..line.IndexOf(' ')];
                return null;   // a repository without commits yet
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return null;
    }

    /// <summary>The libtorch package the application runs on and its version (e.g. <c>libtorch-cpu-linux-x64 2.10.0</c>), from
    /// the application's .deps.json; null when it cannot be told.</summary>
    public static string? LibTorchPackage()
    {
        try
        {
            string? deps = AppContext.GetData("APP_CONTEXT_DEPS_FILES") as string;
            foreach (string file in (deps ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries))   // the host joins them with ';' on every OS
            {
                if (!File.Exists(file)) continue;
                using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(file));
                if (!doc.RootElement.TryGetProperty("libraries", out JsonElement libraries)) continue;
                foreach (JsonProperty library in libraries.EnumerateObject())
                {
                    string name = library.Name;
                    int slash = name.IndexOf('/');
                    if (slash < 0) continue;
                    string id = name[..slash];
                    if (id.StartsWith("libtorch-", StringComparison.OrdinalIgnoreCase) && !id.Contains("-part", StringComparison.OrdinalIgnoreCase)
                        || id.StartsWith("TorchSharp-cuda", StringComparison.OrdinalIgnoreCase))
                        return $"{id} {name[(slash + 1)..]}";
                }
            }
        }
        catch (IOException) { }
        catch (JsonException) { }
        return null;
    }
}

/// <summary>A run's metrics.json, written by <see cref="Write"/> alone: what every run records (the model, its data, length,
/// timing, device, precision, final losses, <see cref="Run"/>), then the numbers of the protocols that applied to the model
/// (<see cref="Results"/>: mode coverage, Parzen, FID, code and edit accuracy, domain accuracy), at the same level.</summary>
public sealed class RunMetrics
{
    public required string Model { get; init; }
    public required string Paper { get; init; }
    public required string ValueFunction { get; init; }
    public required string Data { get; init; }
    public required int Steps { get; init; }
    public int StartStep { get; init; }
    public required int BatchSize { get; init; }
    public required string LrSchedule { get; init; }
    public required long Seed { get; init; }
    /// <summary>Wall time of this invocation's training loop.</summary>
    public required double Seconds { get; init; }
    /// <summary>Wall time of the training loop over every leg of a resumed run (null when an earlier leg's checkpoint did not
    /// record it); equal to <see cref="Seconds"/> for a run in one go.</summary>
    public double? TotalSeconds { get; init; }
    public required double StepsPerSecond { get; init; }
    public required string Device { get; init; }
    public required string CpuConvolutions { get; init; }
    public required string Precision { get; init; }
    public double? EmaDecay { get; init; }
    public string? SampledWith { get; init; }
    public string? Tensorboard { get; init; }
    public required IReadOnlyDictionary<string, float> FinalLosses { get; init; }
    public required RunProvenance Run { get; init; }

    /// <summary>The protocols' numbers, written beside the fields above (a reader finds <c>fid</c> or <c>modes_captured</c> at the top).</summary>
    [JsonExtensionData]
    public Dictionary<string, object?> Results { get; init; } = new();

    /// <summary>What every run records, from the trainer's result.</summary>
    public static RunMetrics From(TrainSettings s, ModelDescriptor entry, IAdversarialModel model, string data, int batchSize, Device device,
                                  TrainResult result, ExponentialMovingAverage? ema = null, Gan.Runtime.Logging.TensorBoardWriter? tensorBoard = null) => new()
    {
        Model = entry.Name,
        Paper = entry.Description,
        ValueFunction = model.ValueFunction,
        Data = data,
        Steps = result.Steps,
        StartStep = result.StartStep,
        BatchSize = batchSize,
        LrSchedule = s.LearningRateSchedule ?? "linear",
        Seed = s.Seed,
        Seconds = Math.Round(result.Seconds, 3),
        TotalSeconds = result.TotalSeconds is double total ? Math.Round(total, 3) : null,
        StepsPerSecond = Math.Round(result.StepsPerSecond, 2),
        Device = device.ToString(),
        CpuConvolutions = Gan.Runtime.CpuConvolutions.Status,
        Precision = MixedPrecision.Name(result.Precision),
        EmaDecay = ema?.Decay,
        SampledWith = TrainCommand.SampledWith(ema),
        Tensorboard = tensorBoard?.Directory,
        FinalLosses = result.LossNames.Zip(result.LastLosses).ToDictionary(p => p.First, p => p.Second),
        Run = RunProvenance.Capture(entry, device),
    };

    /// <summary>Adds a protocol's numbers.</summary>
    public RunMetrics With(IEnumerable<(string Key, object? Value)> results)
    {
        foreach (var (key, value) in results) Results[key] = value;
        return this;
    }

    /// <summary>How metrics.json is written: indented, snake_case names, non-ASCII as is.</summary>
    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Writes the record to <paramref name="path"/> through a temporary file (a killed run never leaves half a file).</summary>
    public void Write(string path)
    {
        string temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(this, JsonOptions));
        File.Move(temp, path, overwrite: true);
    }
}
