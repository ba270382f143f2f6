using System;
using System.Linq;
using static TorchSharp.torch;

namespace Gan.Runtime.Imaging;

/// <summary>A square scatter plot of 2-D points coloured by their class (e.g. an adversarial autoencoder's codes of test
/// digits), written as PNG: white background, grey axes through 0, a frame, and one colour per class (up to 10, the
/// usual categorical palette, a legend strip at the top). The bounds are the 0.5th and 99.5th percentiles of each
/// coordinate widened by 10 %, so a few outliers do not squeeze the picture; points outside are clamped to the edge.</summary>
public static class LabelScatter
{
    /// <summary>The ten class colours, in order (class 0 blue, 1 orange, 2 green, ...).</summary>
    public static readonly (byte R, byte G, byte B)[] Palette =
    {
        (31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189),
        (140, 86, 75), (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207),
    };

    public static void Write(string path, Tensor points, Tensor labels, int size = 512)
    {
        float[] xy = points.detach().cpu().to(ScalarType.Float32).contiguous().data<float>().ToArray();
        long[] classes = labels.detach().cpu().to(ScalarType.Int64).data<long>().ToArray();
        if (points.dim() != 2 || points.shape[1] != 2 || classes.Length != points.shape[0])
            throw new ArgumentException($"LabelScatter needs points [n, 2] and labels [n]; got [{string.Join(", ", points.shape)}] and [{string.Join(", ", labels.shape)}].");
        Png.Write(path, size, size, Render(xy, classes, size));
    }

    public static byte[] Render(float[] xy, long[] classes, int size)
    {
        int n = classes.Length;
        var rgb = new byte[size * size * 3];
        Array.Fill(rgb, (byte)255);
        if (n == 0) return rgb;
        (double lo, double hi) Bounds(int axis)
        {
            var values = Enumerable.Range(0, n).Select(i => (double)xy[2 * i + axis]).Where(double.IsFinite).OrderBy(v => v).ToArray();
            if (values.Length == 0) return (-1, 1);
            double a = values[(int)(0.005 * (values.Length - 1))], b = values[(int)Math.Ceiling(0.995 * (values.Length - 1))];
            double pad = Math.Max(1e-6, (b - a) * 0.1);
            return (a - pad, b + pad);
        }
        var (x0, x1) = Bounds(0);
        var (y0, y1) = Bounds(1);
        int Px(double x) => Math.Clamp((int)((x - x0) / (x1 - x0) * (size - 1)), 0, size - 1);
        int Py(double y) => Math.Clamp((int)((y1 - y) / (y1 - y0) * (size - 1)), 0, size - 1);
        void Blend(int px, int py, (byte R, byte G, byte B) c, double alpha)
        {
            if (px < 0 || py < 0 || px >= size || py >= size) return;
            int o = (py * size + px) * 3;
            rgb[o] = (byte)(rgb[o] * (1 - alpha) + c.R * alpha);
            rgb[o + 1] = (byte)(rgb[o + 1] * (1 - alpha) + c.G * alpha);
            rgb[o + 2] = (byte)(rgb[o + 2] * (1 - alpha) + c.B * alpha);
        }
        (byte, byte, byte) axis = (215, 215, 215), frame = (160, 160, 160);
        if (x0 < 0 && x1 > 0) for (int y = 0; y < size; y++) Blend(Px(0), y, axis, 1);
        if (y0 < 0 && y1 > 0) for (int x = 0; x < size; x++) Blend(x, Py(0), axis, 1);
        for (int i = 0; i < size; i++) { Blend(i, 0, frame, 1); Blend(i, size - 1, frame, 1); Blend(0, i, frame, 1); Blend(size - 1, i, frame, 1); }
        for (int i = 0; i < n; i++)
        {
            double x = xy[2 * i], y = xy[2 * i + 1];
            if (!double.IsFinite(x) || !double.IsFinite(y)) continue;
            var c = Palette[(int)(((classes[i] % Palette.Length) + Palette.Length) % Palette.Length)];
            int px = Px(x), py = Py(y);
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++)
                    Blend(px + dx, py + dy, c, dx == 0 && dy == 0 ? 0.8 : 0.35);
        }
        // Legend: a swatch per class present, left to right, in class order.
        long[] present = classes.Distinct().OrderBy(c => c).ToArray();
        for (int k = 0; k < present.Length && k < 20; k++)
        {
            var c = Palette[(int)(((present[k] % Palette.Length) + Palette.Length) % Palette.Length)];
            for (int dy = 6; dy < 14; dy++)
                for (int dx = 0; dx < 14; dx++) Blend(8 + k * 18 + dx, dy, c, 1);
        }
        return rgb;
    }
}
