using System;
using System.Collections.Generic;
using System.Linq;
using Gan.Dsl;
using Gan.Runtime;
using Gan.Runtime.Data;
using Gan.Runtime.Nets;
using GanDsl.Reference;
using GanDsl.Samples.Catalog;
using TorchSharp;
using static TorchSharp.torch;
using static GanDsl.Bench.BenchKit;

namespace GanDsl.Bench;

/// <summary>`overhead`: the DSL must cost nothing. The generated TrainStep against the same step written by hand in
/// plain TorchSharp (HandWrittenGan; the tests check both reach equal parameters on the same seed), same networks,
/// optimizers, batch size and data source. Rounds rotate the order of the contenders; medians of per-step times and
/// the median of per-round ratios.</summary>
public static class OverheadBench
{
    private sealed record Setup(string Title, int Rounds, int Steps, int Batch,
                                Func<IAdversarialModel> Generated, Func<bool, IHandWrittenStep> HandWritten, Func<int, IBatchSource> Data);

    private static readonly Dictionary<string, Setup> Models = new()
    {
        // Goodfellow2014: MLP 2-128-128-2 / 2-128-128-1, Adam 1e-3 / 0.5, z ~ N(0, I)^2, the 8-Gaussian ring.
        ["ring"] = new("Goodfellow2014 (MLP 2-128-128-2 / 2-128-128-1, ring data)", 21, 200, 256,
            () => new Goodfellow2014(CPU),
            noGrad => new HandWrittenGan(Nets.Mlp(2, 128, 128, 2), Nets.Mlp(2, 128, 128, 1), 1e-3, 1e-3, 1, 2, nonSaturating: true, noGrad: noGrad),
            batch => new MixtureBatchSource(GaussianMixture2D.Ring8(), batch, CPU)),
        // Goodfellow2014Mnist: MLP generator 100-1200-1200-784 with sigmoid, maxout D (240 × 5, twice, dropout), z ~ U[-1, 1]^100.
        ["mnist"] = new("Goodfellow2014Mnist (MLP G 100-1200-1200-784 sigmoid, maxout D 240×5 ×2, uniform z)", 21, 40, 100,
            () => new Goodfellow2014Mnist(CPU),
            noGrad => new HandWrittenGan(Nets.MlpGenerator(100, new[] { 1200, 1200 }, new long[] { 1, 28, 28 }, Activation.Sigmoid),
                                         Nets.MaxoutDiscriminator(new long[] { 1, 28, 28 }, units: 240, pieces: 5),
                                         2e-4, 2e-4, 1, 100, nonSaturating: true, noGrad: noGrad, uniformNoise: true),
            batch => RandomImages(batch, DataRange.ZeroToOne)),
        // Dcgan: transposed convolutions with batch norm (width 64), strided convolutions in D, z ~ N(0, I)^100.
        ["dcgan"] = new("Dcgan (width 64, 28×28)", 15, 15, 64,
            () => new Dcgan(CPU),
            noGrad => new HandWrittenGan(Nets.DcganGenerator(100, channels: 1, width: 64), Nets.DcganDiscriminator(channels: 1, width: 64),
                                         2e-4, 2e-4, 1, 100, nonSaturating: true, noGrad: noGrad),
            batch => RandomImages(batch, DataRange.MinusOneToOne)),
        // WganGp (issue 13): the ring networks, k = 5 critic steps each with the gradient penalty (double backward), Adam β = (0, 0.9).
        ["wgan-gp"] = new("WganGp (MLP 2-128-128-2 / 2-128-128-1, k = 5, gradient penalty at x̂, ring data)", 21, 40, 256,
            () => new WganGp(CPU),
            noGrad => new HandWrittenWganGp(Nets.Mlp(2, 128, 128, 2), Nets.Mlp(2, 128, 128, 1), 1e-3, 1e-3, 0.0, 0.9, 5, 2, noGrad: noGrad),
            batch => new MixtureBatchSource(GaussianMixture2D.Ring8(), batch, CPU)),
    };

    public static int Run(string[] args)
    {
        string name = Arg(args, "--model") ?? "ring";
        if (!Models.TryGetValue(name, out Setup? setup))
        {
            Console.Error.WriteLine($"unknown --model '{name}' (ring, mnist, dcgan, wgan-gp)");
            return 2;
        }
        int rounds = IntArg(args, "--rounds", setup.Rounds), steps = IntArg(args, "--steps", setup.Steps), batch = IntArg(args, "--batch", setup.Batch);
        Threads(args);

        torch.manual_seed(7);
        using IAdversarialModel generated = setup.Generated();
        torch.manual_seed(7);
        using IHandWrittenStep textbook = setup.HandWritten(false);
        torch.manual_seed(7);
        using IHandWrittenStep tuned = setup.HandWritten(true);
        IBatchSource data = setup.Data(batch);

        var contenders = new (string Name, Action Step)[]
        {
            ($"generated ({generated.Name}.TrainStep)", () => generated.TrainStep(data)),
            ("hand-written, detach()", () => textbook.Step(data)),
            ("hand-written, no_grad()", () => tuned.Step(data)),
        };
        var perStep = contenders.Select(_ => new List<double>()).ToArray();

        for (int warm = 0; warm < 2; warm++)
            foreach (var c in contenders) Time(c.Step, steps);
        for (int r = 0; r < rounds; r++)
        {
            // rotate the order each round so drift in machine load does not favour one contender
            for (int j = 0; j < contenders.Length; j++)
            {
                int i = (j + r) % contenders.Length;
                perStep[i].Add(Time(contenders[i].Step, steps) / steps);
            }
            Console.Error.WriteLine($"round {r + 1}/{rounds}: " + string.Join(", ", perStep.Select(p => F(p[^1] * 1e6, "F0") + " µs")));
        }

        var lines = new List<string>
        {
            Header($"GanDsl overhead benchmark, {setup.Title}") + $", batch {batch}, {rounds} rounds × {steps} steps",
            "",
            "| step | median µs/step | median ratio generated / this (per round) | min–max ratio |",
            "|---|---:|---:|---:|",
        };
        for (int i = 0; i < contenders.Length; i++)
        {
            double[] ratios = perStep[0].Zip(perStep[i], (g, h) => g / h).ToArray();
            string ratio = i == 0 ? "—" : F(Median(ratios), "F3");
            string range = i == 0 ? "—" : $"{F(ratios.Min(), "F3")}–{F(ratios.Max(), "F3")}";
            lines.Add($"| {contenders[i].Name} | {F(Median(perStep[i]) * 1e6, "F1")} | {ratio} | {range} |");
        }
        (data as IDisposable)?.Dispose();
        return Emit(lines, args);
    }
}
