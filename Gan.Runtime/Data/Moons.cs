using System;
using System.Collections.Generic;
using static TorchSharp.torch;

namespace Gan.Runtime.Data;

/// <summary>The inter-twinning moons of Ganin et al. 2016 (§5.1): two half circles, one per class, with Gaussian noise;
/// the target domain is the source rotated about the data's centre.</summary>
public static class Moons
{
    /// <summary><paramref name="perClass"/> points of each class: class 0 on the upper half circle of radius 1 about (0, 0),
    /// class 1 on the lower one about (1, 0.5), each with Gaussian noise of std <paramref name="noise"/> (the layout of
    /// scikit-learn's make_moons). Drawn from <paramref name="generator"/>, shuffled.</summary>
    public static (Tensor X, Tensor Y) Make(int perClass, double noise, Generator generator)
    {
        using var scope = NewDisposeScope();
        Tensor t = rand(new long[] { perClass }, generator: generator, dtype: ScalarType.Float64) * Math.PI;
        Tensor u = rand(new long[] { perClass }, generator: generator, dtype: ScalarType.Float64) * Math.PI;
        Tensor upper = stack(new[] { t.cos(), t.sin() }, 1);
        Tensor lower = stack(new[] { 1 - u.cos(), 0.5 - u.sin() }, 1);
        Tensor x = cat(new[] { upper, lower }, 0);
        x = x + randn(x.shape, generator: generator, dtype: ScalarType.Float64) * noise;
        Tensor y = cat(new[] { zeros(perClass, dtype: ScalarType.Int64), ones(perClass, dtype: ScalarType.Int64) }, 0);
        Tensor order = randperm(2L * perClass, generator: generator);
        return (x.index_select(0, order).to(ScalarType.Float32).MoveToOuterDisposeScope(), y.index_select(0, order).MoveToOuterDisposeScope());
    }

    /// <summary>The points rotated by <paramref name="degrees"/> (counter-clockwise) about <paramref name="centre"/>.</summary>
    public static Tensor Rotate(Tensor points, double degrees, (double X, double Y) centre)
    {
        using var scope = NewDisposeScope();
        double a = degrees * Math.PI / 180;
        Tensor rotation = tensor(new float[] { (float)Math.Cos(a), (float)Math.Sin(a), -(float)Math.Sin(a), (float)Math.Cos(a) }).view(2, 2);   // row vectors: p·Rᵀ
        Tensor c = tensor(new float[] { (float)centre.X, (float)centre.Y });
        return ((points - c).mm(rotation) + c).MoveToOuterDisposeScope();
    }

    /// <summary>The centre the paper's target is rotated about: the middle of the two moons, (0.5, 0.25).</summary>
    public static readonly (double X, double Y) Centre = (0.5, 0.25);
}

/// <summary>Labelled source examples and unlabelled target examples, for domain adaptation: each batch holds
/// <c>x</c> and <c>y</c> (a minibatch of the source) and <c>x_t</c> (a minibatch of the target), drawn uniformly with
/// replacement by TorchSharp's global generator (so seeds and checkpoints cover them).</summary>
public sealed class DomainBatchSource : IBatchSource, IDisposable
{
    private readonly Tensor _source, _labels, _target;

    public DomainBatchSource(Tensor source, Tensor labels, Tensor target, int batchSize, Device device,
                             string sourceField = "x", string labelField = "y", string targetField = "x_t")
    {
        if (source.shape[0] != labels.shape[0])
            throw new ArgumentException($"The source has {source.shape[0]} examples but {labels.shape[0]} labels.");
        if (source.shape[0] == 0 || target.shape[0] == 0) throw new ArgumentException("The source and the target need at least one example each.");
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), $"The batch size must be positive (got {batchSize}).");
        _source = source.to(device).DetachFromDisposeScope();
        _labels = labels.to(ScalarType.Int64).to(device).DetachFromDisposeScope();
        _target = target.to(device).DetachFromDisposeScope();
        BatchSize = batchSize;
        Device = device;
        SourceField = sourceField;
        LabelField = labelField;
        TargetField = targetField;
    }

    public int BatchSize { get; }
    public Device Device { get; }
    public string SourceField { get; }
    public string LabelField { get; }
    public string TargetField { get; }

    public void Dispose()
    {
        _source.Dispose();
        _labels.Dispose();
        _target.Dispose();
    }

    public Batch Next()
    {
        Tensor s = randint(0, _source.shape[0], new long[] { BatchSize }, device: Device);
        Tensor t = randint(0, _target.shape[0], new long[] { BatchSize }, device: Device);
        return new Batch(new Dictionary<string, Tensor>
        {
            [SourceField] = _source.index_select(0, s),
            [LabelField] = _labels.index_select(0, s),
            [TargetField] = _target.index_select(0, t),
        });
    }
}
