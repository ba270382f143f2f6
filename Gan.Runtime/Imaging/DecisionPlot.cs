using System;
using static TorchSharp.torch;

namespace Gan.Runtime.Imaging;

/// <summary>A picture of a 2-D classifier (Ganin et al. 2016, Fig. 2): the plane shaded by the predicted class, the
/// decision boundary in black, an optional second boundary (a domain classifier's 0.5 level) in green, labelled source
/// points as coloured dots (class 0 blue, class 1 orange), and target points as dark grey crosses.</summary>
public static class DecisionPlot
{
    public static void Write(string path, Func<Tensor, Tensor> classify, Func<Tensor, Tensor>? domain, Tensor source, Tensor sourceLabels, Tensor target, int size = 512)
        => Png.Write(path, size, size, Render(classify, domain, source, sourceLabels, target, size));

    public static byte[] Render(Func<Tensor, Tensor> classify, Func<Tensor, Tensor>? domain, Tensor source, Tensor sourceLabels, Tensor target, int size)
    {
        using var scope = NewDisposeScope();
        Tensor all = cat(new[] { source.cpu(), target.cpu() }, 0);
        double x0 = all.select(1, 0).min().item<float>(), x1 = all.select(1, 0).max().item<float>();
        double y0 = all.select(1, 1).min().item<float>(), y1 = all.select(1, 1).max().item<float>();
        double pad = 0.15 * Math.Max(x1 - x0, y1 - y0);
        x0 -= pad; x1 += pad; y0 -= pad; y1 += pad;
        // square pixels: widen the narrower axis
        double w = x1 - x0, h = y1 - y0;
        if (w > h) { y0 -= (w - h) / 2; y1 += (w - h) / 2; } else { x0 -= (h - w) / 2; x1 += (h - w) / 2; }

        Tensor xs = linspace(x0, x1, size, dtype: ScalarType.Float32), ys = linspace(y1, y0, size, dtype: ScalarType.Float32);
        Tensor grid = stack(new[] { xs.repeat(size), ys.repeat_interleave(size) }, 1);
        long[] cls = classify(grid).to(ScalarType.Int64).cpu().data<long>().ToArray();
        float[]? dom = domain?.Invoke(grid).to(ScalarType.Float32).cpu().data<float>().ToArray();

        var rgb = new byte[size * size * 3];
        (byte R, byte G, byte B)[] shade = { (214, 228, 243), (253, 226, 200) };
        for (int i = 0; i < size * size; i++)
        {
            var c = shade[cls[i] == 0 ? 0 : 1];
            rgb[3 * i] = c.R; rgb[3 * i + 1] = c.G; rgb[3 * i + 2] = c.B;
        }
        void Set(int px, int py, (byte R, byte G, byte B) c)
        {
            if (px < 0 || py < 0 || px >= size || py >= size) return;
            int o = (py * size + px) * 3;
            rgb[o] = c.R; rgb[o + 1] = c.G; rgb[o + 2] = c.B;
        }
        for (int py = 0; py < size; py++)
            for (int px = 0; px < size; px++)
            {
                int i = py * size + px;
                bool edge = (px + 1 < size && cls[i] != cls[i + 1]) || (py + 1 < size && cls[i] != cls[i + size]);
                if (edge) { Set(px, py, (0, 0, 0)); Set(px + 1, py, (0, 0, 0)); }
                if (dom != null)
                {
                    bool domainEdge = (px + 1 < size && (dom[i] >= 0.5f) != (dom[i + 1] >= 0.5f)) || (py + 1 < size && (dom[i] >= 0.5f) != (dom[i + size] >= 0.5f));
                    if (domainEdge) { Set(px, py, (30, 140, 60)); Set(px, py + 1, (30, 140, 60)); }
                }
            }
        int Px(double x) => (int)Math.Round((x - x0) / (x1 - x0) * (size - 1));
        int Py(double y) => (int)Math.Round((y1 - y) / (y1 - y0) * (size - 1));
        float[] t = target.cpu().contiguous().data<float>().ToArray();
        for (int k = 0; k < t.Length / 2; k++)
        {
            int px = Px(t[2 * k]), py = Py(t[2 * k + 1]);
            for (int d = -3; d <= 3; d++) { Set(px + d, py + d, (60, 60, 60)); Set(px + d, py - d, (60, 60, 60)); }
        }
        float[] s = source.cpu().contiguous().data<float>().ToArray();
        long[] labels = sourceLabels.cpu().to(ScalarType.Int64).data<long>().ToArray();
        (byte, byte, byte)[] dot = { (31, 119, 180), (255, 127, 14) };
        for (int k = 0; k < labels.Length; k++)
        {
            int px = Px(s[2 * k]), py = Py(s[2 * k + 1]);
            for (int dy = -3; dy <= 3; dy++)
                for (int dx = -3; dx <= 3; dx++)
                    if (dx * dx + dy * dy <= 9) Set(px + dx, py + dy, dx * dx + dy * dy >= 7 ? ((byte)20, (byte)20, (byte)20) : dot[labels[k] == 0 ? 0 : 1]);
        }
        return rgb;
    }
}
