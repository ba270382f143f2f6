using System;
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace Gan.Runtime;

/// <summary>What the generator emits for a <c>[Gan]</c> class, and what the trainer drives.</summary>
public interface IAdversarialModel : IDisposable
{
    /// <summary>The class name of the declaration.</summary>
    string Name { get; }
    /// <summary>The value function as the user wrote it.</summary>
    string ValueFunction { get; }
    Device Device { get; }
    /// <summary>Names of the losses <see cref="TrainStep"/> reports, in order (e.g. <c>loss_D</c>, <c>loss_G</c>).</summary>
    IReadOnlyList<string> LossNames { get; }
    /// <summary>Batch fields the model reads (e.g. <c>x</c>).</summary>
    IReadOnlyList<string> DataFields { get; }
    /// <summary>One iteration of the game: k updates of the maximizing players, then one of the minimizing ones.</summary>
    StepLosses TrainStep(IBatchSource data);
    /// <summary>n samples from the generator, on <see cref="Device"/>, without gradients.</summary>
    Tensor Sample(long n);
    /// <summary>Sets every player's learning rate to its declared value times <paramref name="factor"/>.</summary>
    void ScaleLearningRates(double factor);
    /// <summary>All parameters of one player (network) by its name in the formula.</summary>
    IEnumerable<Tensor> PlayerParameters(string player);
}

/// <summary>The losses of one <see cref="IAdversarialModel.TrainStep"/>, aligned with <see cref="IAdversarialModel.LossNames"/>.</summary>
public readonly record struct StepLosses(float[] Values)
{
    public float this[int i] => Values[i];
}

/// <summary>Supplies minibatches on the training device. Each <see cref="Next"/> call returns a fresh minibatch;
/// its tensors belong to the caller's dispose scope.</summary>
public interface IBatchSource
{
    int BatchSize { get; }
    Device Device { get; }
    Batch Next();
}

/// <summary>Named tensors of one minibatch (<c>x</c>, optionally <c>y</c>, ...).</summary>
public sealed class Batch
{
    private readonly Dictionary<string, Tensor> _fields;
    public Batch(Dictionary<string, Tensor> fields) { _fields = fields; }
    public Batch(Tensor x) { _fields = new Dictionary<string, Tensor> { ["x"] = x }; }

    public Tensor this[string field] => _fields.TryGetValue(field, out var t)
        ? t
        : throw new KeyNotFoundException($"The batch has no field '{field}' (it has: {string.Join(", ", _fields.Keys)}).");

    public IEnumerable<string> Fields => _fields.Keys;
}
