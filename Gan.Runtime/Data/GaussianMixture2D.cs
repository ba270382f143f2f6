using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Gan.Runtime.Data;

/// <summary>
/// A mixture of isotropic 2-D Gaussians with equal weights: the synthetic benchmarks of the mode-collapse
/// literature (VEEGAN, Srivastava et al. 2017; PacGAN, Lin et al. 2018), scored by
/// <see cref="Gan.Runtime.Metrics.ModeCoverage"/>.
/// </summary>
public sealed class GaussianMixture2D
{
    private readonly (double X, double Y)[] _means;

    /// <param name="name">Short name, as <see cref="ByName"/> knows it (e.g. <c>ring</c>).</param>
    /// <param name="means">The mode centres; every mode has weight 1/<c>means.Count</c>.</param>
    /// <param name="std">The standard deviation of every mode, in both coordinates.</param>
    public GaussianMixture2D(string name, IReadOnlyList<(double X, double Y)> means, double std)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("A mixture needs a name.", nameof(name));
        ArgumentNullException.ThrowIfNull(means);
        if (means.Count == 0) throw new ArgumentException($"Mixture '{name}' needs at least one mode.", nameof(means));
        for (int i = 0; i < means.Count; i++)
        {
            if (!double.IsFinite(means[i].X) || !double.IsFinite(means[i].Y))
                throw new ArgumentException($"Mixture '{name}': mode {i} has a non-finite mean ({means[i].X}, {means[i].Y}).", nameof(means));
        }
        if (!double.IsFinite(std) || std <= 0)
            throw new ArgumentOutOfRangeException(nameof(std), std, $"Mixture '{name}': the standard deviation must be a positive finite number.");

        Name = name;
        _means = means.ToArray();
        Means = Array.AsReadOnly(_means);
        Std = std;
    }

    public string Name { get; }

    /// <summary>The mode centres (equal weights).</summary>
    public ReadOnlyCollection<(double X, double Y)> Means { get; }

    /// <summary>Standard deviation of each mode (isotropic).</summary>
    public double Std { get; }

    public int ModeCount => _means.Length;

    /// <summary>8 modes equally spaced on the unit circle, std 0.01 (the "2D-ring" of VEEGAN and PacGAN).</summary>
    public static GaussianMixture2D Ring8()
    {
        var means = new (double X, double Y)[8];
        for (int k = 0; k < 8; k++)
        {
            double angle = 2 * Math.PI * k / 8;
            means[k] = (Math.Cos(angle), Math.Sin(angle));
        }
        return new GaussianMixture2D("ring", means, 0.01);
    }

    /// <summary>25 modes at (−4 + 2i, −4 + 2j), i, j = 0..4, std 0.05 (the "2D-grid" of VEEGAN and PacGAN).</summary>
    public static GaussianMixture2D Grid25()
    {
        var means = new (double X, double Y)[25];
        for (int i = 0; i < 5; i++)
            for (int j = 0; j < 5; j++)
                means[i * 5 + j] = (-4 + 2 * i, -4 + 2 * j);
        return new GaussianMixture2D("grid", means, 0.05);
    }

    /// <summary>The names <see cref="ByName"/> accepts.</summary>
    public static IReadOnlyList<string> KnownNames { get; } = Array.AsReadOnly(new[] { "ring", "grid" });

    /// <summary>The mixture with that name (<c>ring</c> or <c>grid</c>, case-insensitive).</summary>
    /// <exception cref="ArgumentException">The name is unknown; the message lists the known ones.</exception>
    public static GaussianMixture2D ByName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Trim().ToLowerInvariant() switch
        {
            "ring" => Ring8(),
            "grid" => Grid25(),
            _ => throw new ArgumentException(
                $"Unknown 2-D mixture '{name}'. Known mixtures: {string.Join(", ", KnownNames)}.", nameof(name)),
        };
    }

    /// <summary>
    /// <paramref name="n"/> points, float32 [n, 2] on <paramref name="device"/>. Uses TorchSharp's global generator
    /// (<c>torch.randint</c> for the mode, then <c>torch.randn</c> × std for the offset), so
    /// <c>torch.manual_seed</c> makes a run reproducible.
    /// </summary>
    public Tensor Sample(long n, Device device)
    {
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), n, "The number of samples cannot be negative.");
        ArgumentNullException.ThrowIfNull(device);

        using var scope = torch.NewDisposeScope();
        var flat = new float[_means.Length * 2];
        for (int k = 0; k < _means.Length; k++)
        {
            flat[2 * k] = (float)_means[k].X;
            flat[2 * k + 1] = (float)_means[k].Y;
        }
        Tensor centres = torch.tensor(flat, new long[] { _means.Length, 2 }, ScalarType.Float32, device);
        Tensor mode = torch.randint(_means.Length, new long[] { n }, ScalarType.Int64, device);
        Tensor offset = torch.randn(new long[] { n, 2 }, ScalarType.Float32, device).mul_(Std);
        Tensor x = centres.index_select(0, mode).add_(offset);
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>The smallest axis-aligned box that holds every mode centre.</summary>
    public (double MinX, double MaxX, double MinY, double MaxY) MeanBounds()
    {
        double minX = double.PositiveInfinity, maxX = double.NegativeInfinity;
        double minY = double.PositiveInfinity, maxY = double.NegativeInfinity;
        foreach (var (x, y) in _means)
        {
            minX = Math.Min(minX, x); maxX = Math.Max(maxX, x);
            minY = Math.Min(minY, y); maxY = Math.Max(maxY, y);
        }
        return (minX, maxX, minY, maxY);
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Name} ({ModeCount} modes, std {Std})");
}

/// <summary>
/// Endless minibatches from a <see cref="GaussianMixture2D"/>: each <see cref="Next"/> draws a fresh batch
/// (infinite data, as in the PacGAN and VEEGAN synthetic experiments). The batch's field <c>x</c> is
/// float32 [BatchSize, 2] on <see cref="Device"/>.
/// </summary>
public sealed class MixtureBatchSource : IBatchSource
{
    /// <param name="mixture">The mixture the points are drawn from.</param>
    /// <param name="batchSize">Points per minibatch.</param>
    /// <param name="device">Where the minibatches are made.</param>
    /// <param name="field">The batch field the points go in: the model's data variable's (default <c>x</c>).</param>
    public MixtureBatchSource(GaussianMixture2D mixture, int batchSize, Device device, string field = "x")
    {
        ArgumentNullException.ThrowIfNull(mixture);
        ArgumentNullException.ThrowIfNull(device);
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "The batch size must be positive.");
        Mixture = mixture;
        BatchSize = batchSize;
        Device = device;
        Field = field;
    }

    public GaussianMixture2D Mixture { get; }
    /// <summary>The batch field the points go in.</summary>
    public string Field { get; }
    public int BatchSize { get; }
    public Device Device { get; }

    public Batch Next() => new(new Dictionary<string, Tensor> { [Field] = Mixture.Sample(BatchSize, Device) });
}

/// <summary>Reads 2-D points given as a tensor [n, 2] or an array [n, 2] into an interleaved x, y array on the CPU.</summary>
internal static class Points2D
{
    public static float[] FromTensor(Tensor samples, string paramName)
    {
        ArgumentNullException.ThrowIfNull(samples, paramName);
        if (samples.dim() != 2 || samples.shape[1] != 2)
            throw new ArgumentException(
                $"Expected 2-D points as a tensor of shape [n, 2]; got [{string.Join(", ", samples.shape)}].", paramName);
        if (samples.shape[0] == 0) return Array.Empty<float>();

        // Tensors made here die with the scope; the caller's tensor was not made here and survives.
        using var scope = torch.NewDisposeScope();
        Tensor cpu = samples.detach().to(ScalarType.Float32).cpu().contiguous();
        return cpu.data<float>().ToArray();
    }

    public static float[] FromArray(float[,] samples, string paramName)
    {
        ArgumentNullException.ThrowIfNull(samples, paramName);
        if (samples.GetLength(1) != 2)
            throw new ArgumentException(
                $"Expected 2-D points as an array [n, 2]; got [{samples.GetLength(0)}, {samples.GetLength(1)}].", paramName);
        int n = samples.GetLength(0);
        var flat = new float[n * 2];
        for (int i = 0; i < n; i++)
        {
            flat[2 * i] = samples[i, 0];
            flat[2 * i + 1] = samples[i, 1];
        }
        return flat;
    }
}
