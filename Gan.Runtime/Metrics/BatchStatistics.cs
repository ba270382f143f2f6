using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Gan.Runtime.Metrics;

/// <summary>
/// Evaluation in which every batch normalization layer of a network normalizes each batch by that batch's own statistics,
/// as in training, instead of by the running averages: what a code base does when its networks are always built in the
/// training phase (InfoGAN's, <c>openai/InfoGAN</c>: its batch norm's inference branch is never used), so that a figure
/// measured there is measured the same way here. The running statistics are taken out for the lifetime of the returned
/// object and put back, unchanged, when it is disposed; nothing is updated meanwhile (the layers stay in evaluation mode,
/// so dropout stays off).
/// <para>Why it can matter: a discriminator's running statistics average the batches it saw in training, real and
/// generated alike, so a network evaluated on real data alone sees other statistics than either.</para>
/// </summary>
public sealed class BatchStatistics : IDisposable
{
    private readonly List<(TorchSharp.Modules.BatchNorm Layer, Tensor? Mean, Tensor? Variance, string[] Order)> _saved = new();
    private bool _disposed;

    private BatchStatistics(IEnumerable<nn.Module> roots)
    {
        foreach (TorchSharp.Modules.BatchNorm layer in roots.SelectMany(r => r.modules().Prepend(r)).OfType<TorchSharp.Modules.BatchNorm>().Distinct())
        {
            if (layer.running_mean is null && layer.running_var is null) continue;   // already normalizes by its batch
            // The setters dispose the tensor they replace: keep detached copies and put those back.
            Tensor? mean = layer.running_mean?.detach().clone().DetachFromDisposeScope();
            Tensor? variance = layer.running_var?.detach().clone().DetachFromDisposeScope();
            _saved.Add((layer, mean, variance, Order(layer)));
            layer.running_mean = null;   // with neither, BatchNorm normalizes by the batch even in evaluation mode
            layer.running_var = null;
        }
    }

    private static string[] Order(nn.Module layer) => layer.named_buffers(recurse: false).Select(b => b.name).ToArray();

    /// <summary>How many batch normalization layers now normalize by their batch.</summary>
    public int Layers => _saved.Count;

    /// <summary>Until the result is disposed, every batch normalization layer under <paramref name="roots"/> normalizes by
    /// the statistics of the batch it is given.</summary>
    public static BatchStatistics Use(params nn.Module[] roots) => new(roots);

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var (layer, mean, variance, order) in _saved)
        {
            // A buffer set again goes to the end of the layer's table: take the step counter out too and put the three
            // back in their first order, which state dictionaries, checkpoints and saved weights follow.
            Tensor? steps = layer.num_batches_tracked?.detach().clone().DetachFromDisposeScope();
            layer.num_batches_tracked = null;
            layer.running_mean = mean;
            layer.running_var = variance;
            layer.num_batches_tracked = steps;
            if (!Order(layer).SequenceEqual(order))
                throw new InvalidOperationException($"BatchStatistics: a batch norm's buffers came back as {string.Join(", ", Order(layer))}, not {string.Join(", ", order)}.");
        }
    }
}
