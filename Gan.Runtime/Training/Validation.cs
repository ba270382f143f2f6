using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using Gan.Runtime.Logging;
using TorchSharp;
using static TorchSharp.torch;

namespace Gan.Runtime.Training;

/// <summary>Training-time evaluation, as papers that select a checkpoint do it (Mirza &amp; Osindero 2014 report the checkpoint
/// with the best validation Parzen): every <see cref="Every"/> steps and at the last step the trainer scores the model, logs the
/// score, and keeps the weights of the best score so far in <see cref="BestWeightsPath"/>.</summary>
/// <param name="Name">The score's name in the log, TensorBoard (<c>val/NAME</c>) and the record, e.g. <c>val_parzen</c>.</param>
/// <param name="Every">Score every this many steps (and at the last step); positive.</param>
/// <param name="Score">The score of the model as it is now; higher is better. It runs without gradients, from fixed noise
/// (<see cref="Seed"/>), and the trainer puts the random generators back afterwards, so a run with validation trains exactly as
/// one without it on the CPU (on CUDA, whose generator TorchSharp cannot read, the CUDA generators are reseeded from the CPU
/// state and the step, as <see cref="Checkpoint"/> does, so an unbroken and a resumed run still agree).</param>
public sealed record ValidationOptions(string Name, int Every, Func<IAdversarialModel, double> Score)
{
    /// <summary>Where the best-scoring weights are saved (with the moving average applied when there is one); null: not saved.</summary>
    public string? BestWeightsPath { get; init; }
    /// <summary>Where the scores so far and the best step are recorded (JSON, rewritten after every score); a resumed run reads
    /// it and drops the scores of steps after its checkpoint. Null: <see cref="BestWeightsPath"/> + ".json", or nowhere.</summary>
    public string? RecordPath { get; init; }
    /// <summary>The seed the score's noise is drawn from at every validation (the same noise each time).</summary>
    public const long Seed = 20141106;

    internal string? ResolvedRecordPath => RecordPath ?? (BestWeightsPath is null ? null : BestWeightsPath + ".json");
}

/// <summary>One score of a validation run.</summary>
public sealed record ValidationPoint(int Step, double Score);

/// <summary>The scores of a run with <see cref="ValidationOptions"/>, and its best.</summary>
/// <param name="Name">The score's name.</param>
/// <param name="History">Every score, by step.</param>
public sealed record ValidationRecord(string Name, IReadOnlyList<ValidationPoint> History)
{
    /// <summary>The best score (the earliest step among ties), or null before the first.</summary>
    public ValidationPoint? Best => History.Count == 0 ? null : History.Aggregate((a, b) => b.Score > a.Score ? b : a);

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Writes the record through a temporary file.</summary>
    public void Write(string path)
    {
        string temp = path + ".tmp";
        var best = Best;
        File.WriteAllText(temp, JsonSerializer.Serialize(new RecordFile(Name, best?.Step, best?.Score, History.ToList()), Json));
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Reads a record written by <see cref="Write"/>; a clear error when it is not one.</summary>
    public static ValidationRecord Read(string path)
    {
        try
        {
            RecordFile file = JsonSerializer.Deserialize<RecordFile>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path} is empty.");
            if (file.Name is null || file.History is null) throw new InvalidDataException($"{path} is not a validation record (it lacks name or history).");
            return new ValidationRecord(file.Name, file.History);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not a valid validation record: {e.Message}", e);
        }
    }

    private sealed record RecordFile(string? Name, int? BestStep, double? BestScore, List<ValidationPoint>? History);
}

/// <summary>Runs <see cref="ValidationOptions"/> inside the trainer's loop.</summary>
internal sealed class ValidationTracker
{
    private readonly ValidationOptions _options;
    private readonly List<ValidationPoint> _history = new();

    public ValidationTracker(ValidationOptions options, int resumedAt)
    {
        if (options.Every <= 0) throw new ArgumentOutOfRangeException(nameof(options), options.Every, "Validation needs a positive interval.");
        _options = options;
        string? record = options.ResolvedRecordPath;
        if (resumedAt > 0 && record is not null && File.Exists(record))
        {
            ValidationRecord earlier = ValidationRecord.Read(record);
            if (earlier.Name != options.Name)
                throw new ArgumentException($"{record} records {earlier.Name}, not {options.Name}: resume with the validation the run was started with.");
            // Scores after the checkpoint were computed by the part of the run that is redone: they come again, identically.
            _history.AddRange(earlier.History.Where(p => p.Step <= resumedAt));
        }
        else if (resumedAt == 0)
        {
            foreach (string? stale in new[] { options.BestWeightsPath, record })
                if (stale is not null && File.Exists(stale)) File.Delete(stale);
        }
    }

    public ValidationRecord Record => new(_options.Name, _history.ToList());

    public bool Due(int step, int steps) => step % _options.Every == 0 || step == steps;

    public ValidationPoint Validate(IAdversarialModel model, ExponentialMovingAverage? ema, int step, TextWriter log, TensorBoardWriter? tensorBoard)
    {
        double score;
        Tensor state = torch.get_rng_state();
        try
        {
            torch.manual_seed(ValidationOptions.Seed);
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            using (ema?.Apply()) score = _options.Score(model);
        }
        finally
        {
            torch.set_rng_state(state);
            if (cuda.is_available()) torch.cuda.manual_seed_all(Checkpoint.CudaSeedFor(state, step));
            state.Dispose();
        }
        if (double.IsNaN(score)) throw new InvalidOperationException($"The validation score {_options.Name} is NaN at step {step}.");
        ValidationPoint? best = Record.Best;
        var point = new ValidationPoint(step, score);
        _history.Add(point);
        bool improved = best is null || score > best.Score;
        if (improved && _options.BestWeightsPath is string path)
            using (ema?.Apply()) ModelWeights.Save((nn.Module)model, path);
        if (_options.ResolvedRecordPath is string record) Record.Write(record);
        tensorBoard?.Scalar($"val/{_options.Name}", (float)score, step);
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"validation at step {step}: {_options.Name} {score:F2}{(improved ? " (best so far" + (_options.BestWeightsPath is null ? "" : ", saved") + ")" : $" (best {best!.Score:F2} at step {best.Step})")}"));
        return point;
    }
}
