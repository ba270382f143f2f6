using System;
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace Gan.Runtime.Imaging;

public enum InterpolationKind { Linear, Spherical }

/// <summary>Paths between latent codes, for strips like Figure 3 of Goodfellow et al. 2014.</summary>
public static class Interpolation
{
    /// <summary>For codes <paramref name="from"/> and <paramref name="to"/> ([R, D] each), the [R·steps, D] codes of
    /// R rows, each going from one code to the other in <paramref name="steps"/> steps (ends included).
    /// Linear: (1−t)a + tb. Spherical (slerp, White 2016): along the great circle, which keeps the norm typical
    /// of a Gaussian prior; it falls back to linear for (anti)parallel codes.</summary>
    public static Tensor Path(Tensor from, Tensor to, int steps, InterpolationKind kind)
    {
        if (steps < 2) throw new ArgumentException($"An interpolation needs at least 2 steps (got {steps}).", nameof(steps));
        if (!from.shape.AsSpan().SequenceEqual(to.shape) || from.dim() != 2)
            throw new ArgumentException($"Codes must be two [R, D] tensors of the same shape (got [{string.Join(", ", from.shape)}] and [{string.Join(", ", to.shape)}]).");
        using var scope = NewDisposeScope();
        long rows = from.shape[0];
        var t = linspace(0, 1, steps, dtype: from.dtype, device: from.device).view(1, steps, 1);   // [1, S, 1]
        var a = from.unsqueeze(1);   // [R, 1, D]
        var b = to.unsqueeze(1);
        Tensor path;
        if (kind == InterpolationKind.Linear)
        {
            path = a * (1 - t) + b * t;
        }
        else
        {
            var cos = nn.functional.cosine_similarity(from, to, dim: 1).clamp(-1, 1).view(rows, 1, 1);
            var omega = cos.acos();
            var sin = omega.sin();
            var linear = a * (1 - t) + b * t;
            var safe = sin.abs() > 1e-6;
            var sinSafe = where(safe, sin, ones_like(sin));
            var spherical = (((1 - t) * omega).sin() / sinSafe) * a + ((t * omega).sin() / sinSafe) * b;
            path = where(safe, spherical, linear);
        }
        return path.reshape(rows * steps, from.shape[1]).MoveToOuterDisposeScope();
    }

    /// <summary>Interpolates every field of two noise batches (same fields and shapes) row by row.</summary>
    public static Batch Path(Batch from, Batch to, int steps, InterpolationKind kind)
    {
        var fields = new Dictionary<string, Tensor>();
        foreach (string field in from.Fields) fields[field] = Path(from[field], to[field], steps, kind);
        return new Batch(fields);
    }
}
