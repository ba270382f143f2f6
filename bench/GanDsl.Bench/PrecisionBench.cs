using System;
using System.Collections.Generic;
using System.Linq;
using Gan.Dsl;
using Gan.Runtime;
using GanDsl.Samples.Catalog;
using TorchSharp;
using static TorchSharp.torch;
using static GanDsl.Bench.BenchKit;

namespace GanDsl.Bench;

/// <summary>`precision`: training steps of the image models in float32 and in mixed precision (bf16 autocast, float32
/// master weights), in one process, rounds alternating the order; medians of per-round times and of per-round ratios.</summary>
public static class PrecisionBench
{
    public static int Run(string[] args)
    {
        int rounds = IntArg(args, "--rounds", 7), steps = IntArg(args, "--steps", 5), batch = IntArg(args, "--batch", 64);
        Threads(args);
        string[] names = (Arg(args, "--models") ?? "dcgan,infogan,goodfellow2014-mnist").Split(',');
        var lines = new List<string>
        {
            Header("GanDsl mixed precision") + $", batch {batch}, {rounds} rounds × {steps} steps",
            "",
            $"CPU: {CpuModel()}; bfloat16 instructions: {(MixedPrecision.Bf16IsFast(CPU) ? "yes (AVX-512 BF16 or AMX): `--precision auto` picks bf16" : "none (no avx512_bf16 or amx_bf16 in /proc/cpuinfo), so libtorch emulates bf16 and `--precision auto` picks fp32")}.",
            "",
            "| model | fp32 ms/step | bf16 ms/step | median ratio fp32 / bf16 (per round, range) |",
            "|---|---:|---:|---:|",
        };
        foreach (string name in names)
        {
            var entry = ModelCatalog.Find(name);
            torch.manual_seed(7);
            using var model = entry.Create(CPU);
            var range = model.Data.First(d => d.Classes == 0).Range;
            using var data = RandomImages(batch, range == DataRange.Unspecified ? DataRange.ZeroToOne : range);
            var precisions = new[] { Precision.Fp32, Precision.Bf16 };
            var perStep = precisions.Select(_ => new List<double>()).ToArray();
            void Steps(Precision p, int n)
            {
                for (int i = 0; i < n; i++)
                    using (MixedPrecision.Autocast(CPU, p)) model.TrainStep(data);
            }
            foreach (var p in precisions) Time(() => Steps(p, 2), 1);
            for (int r = 0; r < rounds; r++)
                for (int j = 0; j < precisions.Length; j++)
                {
                    int i = (j + r) % precisions.Length;
                    perStep[i].Add(Time(() => Steps(precisions[i], steps), 1) / steps);
                }
            double[] ratios = perStep[0].Zip(perStep[1], (a, b) => a / b).ToArray();
            lines.Add($"| {name} | {F(Median(perStep[0]) * 1e3, "F1")} | {F(Median(perStep[1]) * 1e3, "F1")} | {F(Median(ratios), "F2")} ({F(ratios.Min(), "F2")}–{F(ratios.Max(), "F2")}) |");
            Console.Error.WriteLine(lines[^1]);
        }
        return Emit(lines, args);
    }

    private static string CpuModel()
    {
        try
        {
            string? line = System.IO.File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? "?" : line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (System.IO.IOException) { return "?"; }
    }
}
