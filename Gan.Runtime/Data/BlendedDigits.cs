using System;
using static TorchSharp.torch;

namespace Gan.Runtime.Data;

/// <summary>A target domain built from digits the way MNIST-M is built (Ganin &amp; Lempitsky 2015, §4.2): each digit is
/// blended over a colour texture by the absolute difference of each channel, |texture − digit|. MNIST-M cuts its textures
/// from BSDS500 photographs, which these machines cannot download; here every texture is drawn at random with the broad
/// statistics of a 28×28 crop of a photograph: one colour for the whole patch (a grey level uniform on [0, 1], tinted
/// per channel by ±0.15), a luminance field with a 1/f spectrum (bilinearly upsampled Gaussian grids of 2×2, 4×4, 8×8
/// and 14×14, amplitudes halving with each octave) scaled to a contrast (standard deviation) uniform on [0.03, 0.25], a
/// weaker per-channel colour field (4×4), and fine noise of 0.02. So the domain shift is MNIST-M's kind: colour, a
/// cluttered background, and inverted contrast where the texture is bright (about half of the patches).</summary>
public static class BlendedDigits
{
    /// <summary>Grey digits [n, 1, H, W] in [0, 1] blended over random textures: [n, 3, H, W] in [0, 1].</summary>
    public static Tensor Blend(Tensor digits, Generator generator)
    {
        if (digits.dim() != 4 || digits.shape[1] != 1)
            throw new ArgumentException($"BlendedDigits needs grey images [n, 1, H, W]; got [{string.Join(", ", digits.shape)}].");
        using var scope = NewDisposeScope();
        long n = digits.shape[0], h = digits.shape[2], w = digits.shape[3];
        Tensor texture = Textures(n, h, w, generator);
        return (texture - digits.expand(n, 3, h, w)).abs().MoveToOuterDisposeScope();
    }

    /// <summary><paramref name="n"/> random photograph-like colour patches [n, 3, H, W] in [0, 1] (see the class summary).</summary>
    public static Tensor Textures(long n, long h, long w, Generator generator)
    {
        using var scope = NewDisposeScope();
        Tensor grey = rand(new long[] { n, 1, 1, 1 }, generator: generator);
        Tensor tint = (rand(new long[] { n, 3, 1, 1 }, generator: generator) - 0.5f) * 0.3f;
        Tensor luminance = zeros(new long[] { n, 1, h, w });
        float amplitude = 1f;
        foreach (long grid in new long[] { 2, 4, 8, 14 })
        {
            luminance += Smooth(randn(new long[] { n, 1, grid, grid }, generator: generator), h, w) * amplitude;
            amplitude *= 0.5f;
        }
        Tensor std = luminance.flatten(1).std(1).view(n, 1, 1, 1).clamp_min(1e-6f);
        Tensor contrast = rand(new long[] { n, 1, 1, 1 }, generator: generator) * 0.22f + 0.03f;
        Tensor colour = Smooth(randn(new long[] { n, 3, 4, 4 }, generator: generator), h, w) * 0.05f;
        Tensor fine = randn(new long[] { n, 3, h, w }, generator: generator) * 0.02f;
        return (grey + tint + luminance / std * contrast + colour + fine).clamp(0, 1).MoveToOuterDisposeScope();
    }

    private static Tensor Smooth(Tensor grid, long h, long w) =>
        nn.functional.interpolate(grid, new long[] { h, w }, mode: InterpolationMode.Bilinear, align_corners: false);

    /// <summary>Grey digits as three equal colour channels, so one network reads both domains.</summary>
    public static Tensor Rgb(Tensor digits) => digits.expand(digits.shape[0], 3, digits.shape[2], digits.shape[3]).contiguous();
}
