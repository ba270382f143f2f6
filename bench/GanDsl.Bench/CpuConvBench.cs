using System;
using System.Collections.Generic;
using System.Linq;
using Gan.Runtime;
using GanDsl.Samples.Catalog;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using static GanDsl.Bench.BenchKit;

namespace GanDsl.Bench;

/// <summary>`cpuconv`: libtorch's own CPU convolution kernels (what <see cref="CpuConvolutions"/> falls back to)
/// against oneDNN's, in one process: the input gradient of the layers our networks have against float64, repeated,
/// and the speed of a DCGAN training step with each (rounds alternate the order).</summary>
public static class CpuConvBench
{
    private static readonly (int In, int Out, int Kernel, int Stride, int Padding, int Size)[] Layers =
    {
        (1, 1, 3, 1, 1, 14), (16, 4, 3, 1, 1, 14), (3, 8, 3, 1, 1, 14), (4, 8, 3, 1, 1, 14), (8, 8, 3, 1, 1, 7),
        (64, 64, 3, 1, 1, 14), (1, 64, 4, 2, 1, 28), (64, 128, 4, 2, 1, 14), (128, 1, 7, 1, 0, 7),
    };

    public static int Run(string[] args)
    {
        int rounds = IntArg(args, "--rounds", 9), steps = IntArg(args, "--steps", 10), batch = IntArg(args, "--batch", 64), repeats = IntArg(args, "--repeats", 5);
        Threads(args);
        if (CpuConvolutions.OneDnnEnabled is null)
        {
            Console.Error.WriteLine($"libtorch's oneDNN switch is not reachable here: {CpuConvolutions.Status}");
            return 1;
        }
        var kernels = new[] { ("libtorch's own kernels", false), ("oneDNN", true) };

        var lines = new List<string>
        {
            Header("GanDsl CPU convolution kernels") + $", {repeats} repeats per layer, DCGAN batch {batch}, {rounds} rounds × {steps} steps",
            "",
            "Input gradient of a float32 convolution (batch 8) against the same in float64: worst relative error over the repeats, alternately on 1 thread and on all (∞ = NaN).",
            "",
            "| layer (in→out, k, stride, pad, side) | " + string.Join(" | ", kernels.Select(k => k.Item1)) + " |",
            "|---|" + string.Concat(kernels.Select(_ => "---:|")),
        };
        foreach (var l in Layers)
        {
            var cells = kernels.Select(k =>
            {
                CpuConvolutions.SetOneDnn(k.Item2);
                double worst = 0;
                int threads = torch.get_num_threads();
                for (int r = 0; r < repeats; r++)
                {
                    torch.set_num_threads(r % 2 == 0 ? 1 : threads); // the errors show more often on one thread
                    worst = Math.Max(worst, InputGradientError(l, seed: r));
                }
                torch.set_num_threads(threads);
                return double.IsPositiveInfinity(worst) ? "∞" : F(worst, "E1");
            });
            lines.Add($"| {l.In}→{l.Out}, {l.Kernel}×{l.Kernel}, s{l.Stride}, p{l.Padding}, {l.Size} | " + string.Join(" | ", cells) + " |");
        }

        torch.manual_seed(7);
        using var model = new Dcgan(CPU);
        using var data = RandomImages(batch, Gan.Dsl.DataRange.MinusOneToOne);
        var perStep = kernels.Select(_ => new List<double>()).ToArray();
        for (int warm = 0; warm < 2; warm++)
            foreach (var k in kernels) { CpuConvolutions.SetOneDnn(k.Item2); Time(() => model.TrainStep(data), steps); }
        for (int r = 0; r < rounds; r++)
        {
            for (int j = 0; j < kernels.Length; j++)
            {
                int i = (j + r) % kernels.Length;
                CpuConvolutions.SetOneDnn(kernels[i].Item2);
                perStep[i].Add(Time(() => model.TrainStep(data), steps) / steps);
            }
            Console.Error.WriteLine($"round {r + 1}/{rounds}: " + string.Join(", ", perStep.Select(p => F(p[^1] * 1e3, "F1") + " ms")));
        }
        CpuConvolutions.SetOneDnn(false);
        double[] ratios = perStep[0].Zip(perStep[1], (a, b) => a / b).ToArray();
        lines.Add("");
        lines.Add("| DCGAN training step (width 64, 28×28) | median ms/step | median ratio native / oneDNN (per round) |");
        lines.Add("|---|---:|---:|");
        lines.Add($"| {kernels[0].Item1} | {F(Median(perStep[0]) * 1e3, "F1")} | {F(Median(ratios), "F3")} ({F(ratios.Min(), "F3")}–{F(ratios.Max(), "F3")}) |");
        lines.Add($"| {kernels[1].Item1} | {F(Median(perStep[1]) * 1e3, "F1")} | — |");
        return Emit(lines, args);
    }

    private static double InputGradientError((int In, int Out, int Kernel, int Stride, int Padding, int Size) l, int seed)
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(seed);
        var strides = new long[] { l.Stride, l.Stride };
        var padding = new long[] { l.Padding, l.Padding };
        Tensor x = torch.randn(8, l.In, l.Size, l.Size).requires_grad_(true);
        Tensor w = torch.randn(l.Out, l.In, l.Kernel, l.Kernel) * 0.1;
        Tensor y = functional.conv2d(x, w, strides: strides, padding: padding);
        Tensor g = torch.randn_like(y);
        Tensor dx = torch.autograd.grad(new[] { y }, new[] { x }, new[] { g })[0];
        Tensor x64 = x.detach().to(float64).requires_grad_(true);
        Tensor y64 = functional.conv2d(x64, w.to(float64), strides: strides, padding: padding);
        Tensor dx64 = torch.autograd.grad(new[] { y64 }, new[] { x64 }, new[] { g.to(float64) })[0];
        double error = (dx.to(float64) - dx64).abs().max().item<double>() / dx64.abs().max().item<double>();
        return double.IsNaN(error) ? double.PositiveInfinity : error;
    }
}
