using System;
using TorchSharp;
using static TorchSharp.torch;

namespace Gan.Runtime.Imaging;

/// <summary>PNG grids of images: samples, and interpolation strips (one row per pair of latent codes).</summary>
public static class ImageGrid
{
    /// <summary>Writes images [N, C, H, W] (C = 1 or 3, values in [0, 1]) as a grid of <paramref name="columns"/>
    /// columns on a dark background, each image enlarged <paramref name="scale"/> times.</summary>
    public static void Write(string path, Tensor images, int columns, int padding = 2, int scale = 1)
    {
        byte[] rgb = Render(images, columns, padding, scale, out int width, out int height);
        Png.Write(path, width, height, rgb);
    }

    /// <summary>The grid as RGB bytes (row-major), with its size.</summary>
    public static byte[] Render(Tensor images, int columns, int padding, int scale, out int width, out int height)
    {
        if (images.dim() != 4) throw new ArgumentException($"Images must be [N, C, H, W]; got shape [{string.Join(", ", images.shape)}].", nameof(images));
        long n = images.shape[0], c = images.shape[1], h = images.shape[2], w = images.shape[3];
        if (c != 1 && c != 3) throw new ArgumentException($"Images must have 1 or 3 channels (got {c}).", nameof(images));
        if (n == 0) throw new ArgumentException("No images to draw.", nameof(images));
        if (columns <= 0 || padding < 0 || scale <= 0) throw new ArgumentException($"Bad grid layout: columns {columns}, padding {padding}, scale {scale}.");
        int cols = (int)Math.Min(columns, n);
        int rows = (int)((n + cols - 1) / cols);
        int cellW = (int)w * scale, cellH = (int)h * scale;
        width = padding + cols * (cellW + padding);
        height = padding + rows * (cellH + padding);

        float[] values;
        using (var scope = NewDisposeScope())
            values = images.detach().cpu().to(float32).clamp(0, 1).contiguous().data<float>().ToArray();
        if (Array.Exists(values, float.IsNaN)) throw new ArgumentException("The images contain NaN values.", nameof(images));

        var rgb = new byte[3 * width * height];
        for (int i = 0; i < rgb.Length; i++) rgb[i] = 24;   // background
        for (long k = 0; k < n; k++)
        {
            int x0 = padding + (int)(k % cols) * (cellW + padding);
            int y0 = padding + (int)(k / cols) * (cellH + padding);
            for (int y = 0; y < cellH; y++)
                for (int x = 0; x < cellW; x++)
                {
                    long pixel = (y / scale) * w + x / scale;
                    int o = 3 * ((y0 + y) * width + x0 + x);
                    for (int ch = 0; ch < 3; ch++)
                    {
                        long plane = c == 1 ? 0 : ch;
                        rgb[o + ch] = (byte)Math.Round(values[(k * c + plane) * h * w + pixel] * 255);
                    }
                }
        }
        return rgb;
    }
}
