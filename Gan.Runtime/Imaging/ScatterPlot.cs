using System;
using Gan.Runtime.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Gan.Runtime.Imaging;

/// <summary>
/// A square scatter plot of generated 2-D samples over a <see cref="GaussianMixture2D"/>, written as PNG with no
/// dependencies: white background, light grey axes through 0 and a frame; each mode as a grey circle of radius
/// 3 std (the region where <see cref="Gan.Runtime.Metrics.ModeCoverage"/> calls a sample high quality) with a dark
/// cross at its mean; the samples as small semi-transparent blue dots. The bounds come from the modes
/// (<see cref="PlotBounds"/>), so the ring and the grid both fill the picture. Samples outside the bounds are
/// drawn on the border in red (clamped, not dropped); non-finite samples cannot be placed and are skipped.
/// </summary>
public static class ScatterPlot
{
    private static readonly (byte R, byte G, byte B) Background = (255, 255, 255);
    private static readonly (byte R, byte G, byte B) AxisColour = (222, 222, 222);
    private static readonly (byte R, byte G, byte B) FrameColour = (170, 170, 170);
    private static readonly (byte R, byte G, byte B) RegionFill = (240, 240, 240);
    private static readonly (byte R, byte G, byte B) RegionOutline = (140, 140, 140);
    private static readonly (byte R, byte G, byte B) SampleColour = (31, 119, 180);
    private static readonly (byte R, byte G, byte B) OutsideColour = (214, 39, 40);
    private static readonly (byte R, byte G, byte B) MeanColour = (30, 30, 30);

    // A 3x3 dot: many overlapping samples saturate to solid blue, a lone one stays visible.
    private static readonly double[,] DotAlpha =
    {
        { 0.10, 0.20, 0.10 },
        { 0.20, 0.40, 0.20 },
        { 0.10, 0.20, 0.10 },
    };

    // Clamped samples are rare and matter: drawn twice as opaque so a single one shows.
    private static readonly double[,] OutsideDotAlpha =
    {
        { 0.20, 0.40, 0.20 },
        { 0.40, 0.80, 0.40 },
        { 0.20, 0.40, 0.20 },
    };

    public const int MinSize = 32;

    /// <summary>Renders <paramref name="samples"/> ([n, 2], any device) and writes a <paramref name="size"/>² PNG.</summary>
    public static void Write(string path, Tensor samples, GaussianMixture2D mixture, int size = 512)
    {
        ArgumentNullException.ThrowIfNull(mixture);
        float[] xy = Points2D.FromTensor(samples, nameof(samples));
        Png.Write(path, size, size, Render(xy, mixture, size));
    }

    /// <summary>Renders <paramref name="samples"/> ([n, 2]) and writes a <paramref name="size"/>² PNG.</summary>
    public static void Write(string path, float[,] samples, GaussianMixture2D mixture, int size = 512)
    {
        ArgumentNullException.ThrowIfNull(mixture);
        float[] xy = Points2D.FromArray(samples, nameof(samples));
        Png.Write(path, size, size, Render(xy, mixture, size));
    }

    /// <summary>The picture as RGB bytes (row-major, top row first), <paramref name="size"/> × <paramref name="size"/>.</summary>
    public static byte[] Render(float[,] samples, GaussianMixture2D mixture, int size = 512)
    {
        ArgumentNullException.ThrowIfNull(mixture);
        return Render(Points2D.FromArray(samples, nameof(samples)), mixture, size);
    }

    /// <summary>
    /// The square data window: the box around the mode centres, widened by a quarter of its larger side on
    /// each side (ring: ±1.5, grid: ±6) and never narrower than 20 std.
    /// </summary>
    public static (double MinX, double MaxX, double MinY, double MaxY) PlotBounds(GaussianMixture2D mixture)
    {
        ArgumentNullException.ThrowIfNull(mixture);
        var (minX, maxX, minY, maxY) = mixture.MeanBounds();
        double extent = Math.Max(Math.Max(maxX - minX, maxY - minY), 20 * mixture.Std);
        double half = extent / 2 + extent / 4;
        double cx = (minX + maxX) / 2, cy = (minY + maxY) / 2;
        return (cx - half, cx + half, cy - half, cy + half);
    }

    private static byte[] Render(float[] xy, GaussianMixture2D mixture, int size)
    {
        if (size < MinSize || size > 8192)
            throw new ArgumentOutOfRangeException(nameof(size), size, $"The plot size must be between {MinSize} and 8192 pixels.");

        var canvas = new Canvas(size);
        var (minX, maxX, minY, maxY) = PlotBounds(mixture);
        int pad = Math.Max(3, size / 64);
        int first = pad, last = size - 1 - pad;           // data pixels
        double scale = (last - first) / (maxX - minX);    // pixels per data unit (square window)
        double Px(double x) => first + (x - minX) * scale;
        double Py(double y) => last - (y - minY) * scale; // y grows upwards

        canvas.Fill(Background);

        // Axes through 0, where 0 is in view.
        if (minX < 0 && 0 < maxX) canvas.VerticalLine((int)Math.Round(Px(0)), first, last, AxisColour);
        if (minY < 0 && 0 < maxY) canvas.HorizontalLine((int)Math.Round(Py(0)), first, last, AxisColour);

        // Frame, one pixel outside the data area.
        canvas.HorizontalLine(first - 1, first - 1, last + 1, FrameColour);
        canvas.HorizontalLine(last + 1, first - 1, last + 1, FrameColour);
        canvas.VerticalLine(first - 1, first - 1, last + 1, FrameColour);
        canvas.VerticalLine(last + 1, first - 1, last + 1, FrameColour);

        double radius = Math.Max(ModeRadiusInStd * mixture.Std * scale, 2.0);
        foreach (var (mx, my) in mixture.Means) canvas.Disc(Px(mx), Py(my), radius, RegionFill);

        for (int i = 0; i + 1 < xy.Length; i += 2)
        {
            double x = xy[i], y = xy[i + 1];
            if (double.IsNaN(x) || double.IsNaN(y)) continue;
            bool outside = x < minX || x > maxX || y < minY || y > maxY;
            double px = Math.Clamp(Px(Math.Clamp(x, minX, maxX)), first, last);
            double py = Math.Clamp(Py(Math.Clamp(y, minY, maxY)), first, last);
            if (outside) canvas.Dot((int)Math.Round(px), (int)Math.Round(py), OutsideDotAlpha, OutsideColour);
            else canvas.Dot((int)Math.Round(px), (int)Math.Round(py), DotAlpha, SampleColour);
        }

        // Outlines and crosses last, so a dense cloud of samples does not hide them.
        int arm = Math.Max(3, size / 128);
        foreach (var (mx, my) in mixture.Means)
        {
            canvas.Ring(Px(mx), Py(my), radius, RegionOutline);
            int cx = (int)Math.Round(Px(mx)), cy = (int)Math.Round(Py(my));
            canvas.HorizontalLine(cy, cx - arm, cx + arm, MeanColour);
            canvas.VerticalLine(cx, cy - arm, cy + arm, MeanColour);
        }

        return canvas.Pixels;
    }

    private const double ModeRadiusInStd = 3.0;

    private sealed class Canvas
    {
        private readonly int _size;
        public Canvas(int size) { _size = size; Pixels = new byte[3 * size * size]; }
        public byte[] Pixels { get; }

        public void Fill((byte R, byte G, byte B) c)
        {
            for (int i = 0; i < Pixels.Length; i += 3) { Pixels[i] = c.R; Pixels[i + 1] = c.G; Pixels[i + 2] = c.B; }
        }

        public void Blend(int x, int y, (byte R, byte G, byte B) c, double alpha)
        {
            if ((uint)x >= (uint)_size || (uint)y >= (uint)_size || alpha <= 0) return;
            alpha = Math.Min(alpha, 1);
            int i = 3 * (y * _size + x);
            Pixels[i] = Mix(Pixels[i], c.R, alpha);
            Pixels[i + 1] = Mix(Pixels[i + 1], c.G, alpha);
            Pixels[i + 2] = Mix(Pixels[i + 2], c.B, alpha);
        }

        private static byte Mix(byte under, byte over, double alpha) =>
            (byte)Math.Round(under * (1 - alpha) + over * alpha);

        public void HorizontalLine(int y, int x0, int x1, (byte R, byte G, byte B) c)
        {
            for (int x = x0; x <= x1; x++) Blend(x, y, c, 1);
        }

        public void VerticalLine(int x, int y0, int y1, (byte R, byte G, byte B) c)
        {
            for (int y = y0; y <= y1; y++) Blend(x, y, c, 1);
        }

        public void Dot(int x, int y, double[,] alpha, (byte R, byte G, byte B) c)
        {
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++)
                    Blend(x + dx, y + dy, c, alpha[dy + 1, dx + 1]);
        }

        /// <summary>A filled disc with an anti-aliased edge.</summary>
        public void Disc(double cx, double cy, double r, (byte R, byte G, byte B) c)
        {
            ForBox(cx, cy, r + 1, (x, y, d) => Blend(x, y, c, Math.Clamp(r + 0.5 - d, 0, 1)));
        }

        /// <summary>An anti-aliased circle about one pixel wide.</summary>
        public void Ring(double cx, double cy, double r, (byte R, byte G, byte B) c)
        {
            ForBox(cx, cy, r + 2, (x, y, d) => Blend(x, y, c, Math.Clamp(1 - Math.Abs(d - r), 0, 1)));
        }

        private static void ForBox(double cx, double cy, double reach, Action<int, int, double> paint)
        {
            for (int y = (int)Math.Floor(cy - reach); y <= (int)Math.Ceiling(cy + reach); y++)
                for (int x = (int)Math.Floor(cx - reach); x <= (int)Math.Ceiling(cx + reach); x++)
                    paint(x, y, Math.Sqrt((x - cx) * (x - cx) + (y - cy) * (y - cy)));
        }
    }
}
