using System;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace Gan.Runtime.Training;

/// <summary>What a checkpoint records besides tensors: where the run is.</summary>
/// <param name="Model">The model's class name (a checkpoint is refused by another model).</param>
/// <param name="Step">Generator steps completed.</param>
/// <param name="TotalSteps">The run's length (the linear schedule depends on it).</param>
/// <param name="LearningRateSchedule">constant or linear.</param>
public sealed record CheckpointInfo(string Model, int Step, int TotalSteps, string LearningRateSchedule)
{
    /// <summary>1: the first format; 2 adds the optional EMA section and the CUDA seed. Version 1 files still load
    /// (they have neither).</summary>
    public int Format { get; init; } = 1;
    public long PayloadLength { get; init; }
    public string PayloadSha256 { get; init; } = "";
    public bool HasSourceState { get; init; }
    public DateTime SavedUtc { get; init; }
    /// <summary>The averaged player when the run keeps an <see cref="ExponentialMovingAverage"/> (its tensors end the payload), else null.</summary>
    public string? EmaPlayer { get; init; }
    /// <summary>The EMA's decay, else null.</summary>
    public double? EmaDecay { get; init; }
    /// <summary>The seed the CUDA generators were set to when this checkpoint was written (only where CUDA is available), else null.
    /// See <see cref="Checkpoint"/> for why a seed and not the state.</summary>
    public long? CudaSeed { get; init; }
    /// <summary>The precision the run trains in (<c>fp32</c> or <c>bf16</c>; <c>fp32</c> in files written before it was
    /// recorded). A resumed run must use the same to continue exactly.</summary>
    public string Precision { get; init; } = "fp32";
    /// <summary>Wall time of the training loop up to this checkpoint, over every leg of the run (each resumed invocation adds
    /// its own); null in files written before it was recorded, and in runs resumed from such a file.</summary>
    public double? TrainingSeconds { get; init; }
}

/// <summary>
/// Everything needed to continue a run exactly: every network's parameters and buffers, every optimizer's state
/// (Adam's moments, SGD's momentum, learning rates), TorchSharp's global random generator, the batch source's own
/// state when it has one (<see cref="ICheckpointableSource"/>), the generator's moving average when the run keeps one
/// (<see cref="ExponentialMovingAverage"/>), and the step and schedule.
/// <para>One file: the magic <c>GDSLCKP1</c>, a JSON header (little-endian int32 length, then UTF-8) with the
/// payload's length and SHA-256, then the payload. It is written to a temporary file and renamed over the old one, so
/// a killed process leaves the previous checkpoint intact, and a truncated or corrupted file is refused on load.</para>
/// <para>CUDA: TorchSharp 0.107 cannot read or set the CUDA generator's state. Its native <c>THSGenerator_default_generator</c>
/// returns only the CPU generator (<c>defaultGenerator(DeviceType::CPU)</c>), <c>THSGenerator_new</c> ignores its device
/// argument and always creates a CPU generator ("TODO: Support creation of GPU RNGs"), and <c>torch.cuda</c> exposes only
/// <c>manual_seed</c>/<c>manual_seed_all</c>, no <c>get_rng_state</c>/<c>set_rng_state</c>. So where CUDA is available, saving a
/// checkpoint instead <em>reseeds</em> every CUDA generator with a seed derived from the saved CPU generator state and the step,
/// and records that seed; loading sets the same seed. After step N the CUDA stream is then the same in an unbroken run and in
/// a resumed one (given the same checkpoint steps), without reading the CUDA state. On a CPU-only machine nothing changes.</para>
/// </summary>
public static class Checkpoint
{
    private static ReadOnlySpan<byte> Magic => "GDSLCKP1"u8;
    /// <summary>The newest format this code writes and reads.</summary>
    public const int CurrentFormat = 2;

    public static void Save(string path, IAdversarialModel model, IBatchSource data, int step, int totalSteps, string schedule,
                            ExponentialMovingAverage? ema = null, Precision precision = Gan.Runtime.Precision.Fp32, double? trainingSeconds = null)
    {
        long? cudaSeed = null;
        if (cuda.is_available())
        {
            // See the class comment: the CUDA state cannot be read in TorchSharp 0.107, so it is set to a recorded seed.
            using var cpuState = torch.get_rng_state();
            cudaSeed = CudaSeedFor(cpuState, step);
            torch.cuda.manual_seed_all(cudaSeed.Value);
        }
        var payload = new MemoryStream();
        using (var writer = new BinaryWriter(payload, Encoding.UTF8, leaveOpen: true))
        {
            ((nn.Module)model).save(writer);
            foreach (var optimizer in model.Optimizers) ((TorchSharp.Modules.OptimizerHelper)optimizer).save_state_dict(writer);
            using (var rng = torch.get_rng_state()) rng.Save(writer);
            if (data is ICheckpointableSource source) source.SaveState(writer);
            ema?.Save(writer);
        }
        byte[] bytes = payload.ToArray();
        var info = new CheckpointInfo(model.Name, step, totalSteps, schedule)
        {
            Format = CurrentFormat,
            EmaPlayer = ema?.Player,
            EmaDecay = ema?.Decay,
            CudaSeed = cudaSeed,
            Precision = MixedPrecision.Name(precision),
            TrainingSeconds = trainingSeconds is double t ? Math.Round(t, 3) : null,
            PayloadLength = bytes.LongLength,
            PayloadSha256 = Convert.ToHexStringLower(SHA256.HashData(bytes)),
            HasSourceState = data is ICheckpointableSource,
            SavedUtc = DateTime.UtcNow,
        };
        byte[] header = JsonSerializer.SerializeToUtf8Bytes(info);

        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string temp = full + ".tmp";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write))
        {
            file.Write(Magic);
            file.Write(BitConverter.GetBytes(header.Length));
            file.Write(header);
            file.Write(bytes);
            file.Flush(flushToDisk: true);
        }
        File.Move(temp, full, overwrite: true);
    }

    /// <summary>Reads and checks a checkpoint's header without loading it.</summary>
    public static CheckpointInfo ReadInfo(string path) => Read(path, out _);

    /// <summary>Restores a checkpoint into <paramref name="model"/> and <paramref name="data"/> (built the same way as
    /// for the run that saved it), the global generator and, when the run keeps one, the generator's moving average
    /// <paramref name="ema"/> (the checkpoint must have been saved with one of the same decay, and only then); returns
    /// where the run was.</summary>
    public static CheckpointInfo Load(string path, IAdversarialModel model, IBatchSource data, ExponentialMovingAverage? ema = null)
    {
        CheckpointInfo info = Read(path, out byte[] payload);
        if (info.Model != model.Name)
            throw new InvalidDataException($"{path} is a checkpoint of {info.Model}, not of {model.Name}.");
        if (info.HasSourceState != data is ICheckpointableSource)
            throw new InvalidDataException($"{path} was saved with a different kind of batch source: resume with the same data.");
        if (info.EmaDecay is double saved && ema is null)
            throw new InvalidDataException($"{path} was saved by a run with --ema {saved.ToString(System.Globalization.CultureInfo.InvariantCulture)}: resume with the same --ema.");
        if (info.EmaDecay is null && ema is not null)
            throw new InvalidDataException($"{path} was saved by a run without --ema: resume without it (an average cannot start in the middle of a resumed run).");
        try
        {
            using var reader = new BinaryReader(new MemoryStream(payload));
            ((nn.Module)model).load(reader, strict: true);
            foreach (var optimizer in model.Optimizers) ((TorchSharp.Modules.OptimizerHelper)optimizer).load_state_dict(reader);
            Tensor? rng = torch.get_rng_state();
            TensorExtensionMethods.Load(ref rng, reader);
            torch.set_rng_state(rng!);
            rng!.Dispose();
            if (data is ICheckpointableSource source) source.LoadState(reader);
            ema?.Load(reader);
            if (reader.BaseStream.Position != reader.BaseStream.Length)
                throw new InvalidDataException($"{path}: {reader.BaseStream.Length - reader.BaseStream.Position} bytes of state are left over: the checkpoint does not fit this model and data.");
            if (info.CudaSeed is long cudaSeed && cuda.is_available()) torch.cuda.manual_seed_all(cudaSeed);
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(path, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
        catch (Exception e) when (e is not InvalidDataException)
        {
            throw new InvalidDataException($"{path}: the checkpoint does not fit this model ({e.Message}).", e);
        }
        return info;
    }

    /// <summary>A seed for the CUDA generators that depends only on the (saved) CPU generator state and the step.</summary>
    internal static long CudaSeedFor(Tensor cpuState, int step)
    {
        byte[] state = cpuState.data<byte>().ToArray();
        byte[] hash = SHA256.HashData([.. state, .. BitConverter.GetBytes(step)]);
        return BitConverter.ToInt64(hash, 0) & long.MaxValue;
    }

    private static CheckpointInfo Read(string path, out byte[] payload)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Checkpoint not found: {path}", path);
        byte[] file = File.ReadAllBytes(path);
        if (file.Length < Magic.Length + 4 || !file.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new InvalidDataException($"{path} is not a GanDsl checkpoint (it does not start with GDSLCKP1).");
        int headerLength = BitConverter.ToInt32(file, Magic.Length);
        int start = Magic.Length + 4;
        if (headerLength <= 0 || start + headerLength > file.Length)
            throw new InvalidDataException($"{path} is truncated: its header is cut off ({file.Length} bytes).");
        CheckpointInfo info;
        try
        {
            info = JsonSerializer.Deserialize<CheckpointInfo>(file.AsSpan(start, headerLength))
                   ?? throw new InvalidDataException($"{path}: empty checkpoint header.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: the checkpoint header is corrupted ({e.Message}).", e);
        }
        if (info.Format < 1 || info.Format > CurrentFormat)
            throw new InvalidDataException($"{path} has checkpoint format {info.Format}; this GanDsl reads formats 1 to {CurrentFormat} (a newer version wrote it).");
        long available = file.LongLength - start - headerLength;
        if (available != info.PayloadLength)
            throw new InvalidDataException($"{path} is truncated or padded: the header promises {info.PayloadLength} bytes of state, the file has {available}.");
        payload = file.AsSpan(start + headerLength).ToArray();
        string sha = Convert.ToHexStringLower(SHA256.HashData(payload));
        if (sha != info.PayloadSha256)
            throw new InvalidDataException($"{path} is corrupted: its state has SHA-256 {sha}, the header says {info.PayloadSha256}.");
        return info;
    }
}
