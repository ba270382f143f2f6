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
    public int Format { get; init; } = 1;
    public long PayloadLength { get; init; }
    public string PayloadSha256 { get; init; } = "";
    public bool HasSourceState { get; init; }
    public DateTime SavedUtc { get; init; }
}

/// <summary>
/// Everything needed to continue a run exactly: every network's parameters and buffers, every optimizer's state
/// (Adam's moments, SGD's momentum, learning rates), TorchSharp's global random generator, the batch source's own
/// state when it has one (<see cref="ICheckpointableSource"/>), and the step and schedule.
/// <para>One file: the magic <c>GDSLCKP1</c>, a JSON header (little-endian int32 length, then UTF-8) with the
/// payload's length and SHA-256, then the payload. It is written to a temporary file and renamed over the old one, so
/// a killed process leaves the previous checkpoint intact, and a truncated or corrupted file is refused on load.</para>
/// </summary>
public static class Checkpoint
{
    private static ReadOnlySpan<byte> Magic => "GDSLCKP1"u8;

    public static void Save(string path, IAdversarialModel model, IBatchSource data, int step, int totalSteps, string schedule)
    {
        var payload = new MemoryStream();
        using (var writer = new BinaryWriter(payload, Encoding.UTF8, leaveOpen: true))
        {
            ((nn.Module)model).save(writer);
            foreach (var optimizer in model.Optimizers) ((TorchSharp.Modules.OptimizerHelper)optimizer).save_state_dict(writer);
            using (var rng = torch.get_rng_state()) rng.Save(writer);
            if (data is ICheckpointableSource source) source.SaveState(writer);
        }
        byte[] bytes = payload.ToArray();
        var info = new CheckpointInfo(model.Name, step, totalSteps, schedule)
        {
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
    /// for the run that saved it) and the global generator; returns where the run was.</summary>
    public static CheckpointInfo Load(string path, IAdversarialModel model, IBatchSource data)
    {
        CheckpointInfo info = Read(path, out byte[] payload);
        if (info.Model != model.Name)
            throw new InvalidDataException($"{path} is a checkpoint of {info.Model}, not of {model.Name}.");
        if (info.HasSourceState != data is ICheckpointableSource)
            throw new InvalidDataException($"{path} was saved with a different kind of batch source: resume with the same data.");
        try
        {
            using var reader = new BinaryReader(new MemoryStream(payload));
            ((nn.Module)model).load(reader, strict: true);
            foreach (var optimizer in model.Optimizers) ((TorchSharp.Modules.OptimizerHelper)optimizer).load_state_dict(reader);
            Tensor rng = torch.get_rng_state();
            TensorExtensionMethods.Load(ref rng, reader);
            torch.set_rng_state(rng);
            rng.Dispose();
            if (data is ICheckpointableSource source) source.LoadState(reader);
        }
        catch (Exception e) when (e is not InvalidDataException)
        {
            throw new InvalidDataException($"{path}: the checkpoint does not fit this model ({e.Message}).", e);
        }
        return info;
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
