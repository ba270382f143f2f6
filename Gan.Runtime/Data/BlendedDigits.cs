using System;
using static TorchSharp.torch;

namespace Gan.Runtime.Data;

/// <summary>A target domain built from digits the way MNIST-M is built (Ganin &amp; Lempitsky 2015, §4.2): each digit is
/// blended over a colour texture by the absolute difference of each channel, |texture − digit|. MNIST-M cuts its textures
/// from BSDS500 photographs, which these machines cannot download; here every texture is drawn at random (a smooth colour
/// field: per-channel Gaussian noise on a 7×7 grid, upsampled bilinearly to 28×28, plus fine noise), so the domain shift —
/// colour, background clutter, inverted contrast where the texture is bright — is of the same kind.</summary>
public static class BlendedDigits
{
    /// <summary>Grey digits [n, 1, H, W] in [0, 1] blended over random textures: [n, 3, H, W] in [0, 1].</summary>
    public static Tensor Blend(Tensor digits, Generator generator)
    {
        if (digits.dim() != 4 || digits.shape[1] != 1)
            throw new ArgumentException($"BlendedDigits needs grey images [n, 1, H, W]; got [{string.Join(", ", digits.shape)}].");
        using var scope = NewDisposeScope();
        long n = digits.shape[0], h = digits.shape[2], w = digits.shape[3];
        Tensor coarse = rand(new long[] { n, 3, 7, 7 }, generator: generator);
        Tensor texture = nn.functional.interpolate(coarse, new long[] { h, w }, mode: InterpolationMode.Bilinear, align_corners: false);
        Tensor fine = (rand(new long[] { n, 3, h, w }, generator: generator) - 0.5f) * 0.2f;
        texture = (texture + fine).clamp(0, 1);
        return (texture - digits.expand(n, 3, h, w)).abs().MoveToOuterDisposeScope();
    }

    /// <summary>Grey digits as three equal colour channels, so one network reads both domains.</summary>
    public static Tensor Rgb(Tensor digits) => digits.expand(digits.shape[0], 3, digits.shape[2], digits.shape[3]).contiguous();
}
