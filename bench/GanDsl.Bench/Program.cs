using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Gan.Runtime;
using Gan.Runtime.Data;
using Gan.Runtime.Nets;
using GanDsl.Reference;
using GanDsl.Samples.Catalog;
using TorchSharp;
using static TorchSharp.torch;

// The DSL must cost nothing: the generated TrainStep against the same step written by hand in TorchSharp,
// same model (the catalog's Goodfellow2014: MLP 2-128-128-2 / 2-128-128-1, Adam), same batch size and data.
// Rounds alternate the order of the contenders; medians of per-step times, and the median of per-round ratios.

string mode = args.Length > 0 ? args[0] : "overhead";
if (mode == "images") return GanDsl.Bench.ImagesBench.Run(args);
if (mode != "overhead")
{
    Console.Error.WriteLine("usage: GanDsl.Bench overhead [--rounds N] [--steps N] [--batch N] [--threads N] [--out FILE]");
    Console.Error.WriteLine("       GanDsl.Bench images [--runs DIR] [--scale F] [--device D] [--reuse] [--out FILE]");
    return 2;
}
int rounds = IntArg("--rounds", 21), steps = IntArg("--steps", 200), batch = IntArg("--batch", 256), threads = IntArg("--threads", 0);
string? outFile = StringArg("--out");
if (threads > 0) torch.set_num_threads(threads);

torch.manual_seed(7);
using var generated = new Goodfellow2014(CPU);
torch.manual_seed(7);
using var textbook = new HandWrittenGan(Nets.Mlp(2, 128, 128, 2), Nets.Mlp(2, 128, 128, 1), 1e-3, 1e-3, 1, 2, nonSaturating: true, noGrad: false);
torch.manual_seed(7);
using var tuned = new HandWrittenGan(Nets.Mlp(2, 128, 128, 2), Nets.Mlp(2, 128, 128, 1), 1e-3, 1e-3, 1, 2, nonSaturating: true, noGrad: true);
var data = new MixtureBatchSource(GaussianMixture2D.Ring8(), batch, CPU);

var contenders = new (string Name, Action Step)[]
{
    ("generated (Goodfellow2014.TrainStep)", () => generated.TrainStep(data)),
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
}

double Median(IEnumerable<double> xs) { var s = xs.OrderBy(x => x).ToArray(); return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2; }
var lines = new List<string>
{
    $"GanDsl overhead benchmark — {DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} cores, torch threads {torch.get_num_threads()}, " +
    $"batch {batch}, {rounds} rounds × {steps} steps, CPU",
    "",
    "| step | median µs/step | median ratio generated / this (per round) |",
    "|---|---:|---:|",
};
for (int i = 0; i < contenders.Length; i++)
{
    double ratio = Median(perStep[0].Zip(perStep[i], (g, h) => g / h));
    lines.Add($"| {contenders[i].Name} | {(Median(perStep[i]) * 1e6).ToString("F1", CultureInfo.InvariantCulture)} | {(i == 0 ? "—" : ratio.ToString("F3", CultureInfo.InvariantCulture))} |");
}
foreach (string line in lines) Console.WriteLine(line);
if (outFile != null) File.WriteAllLines(outFile, lines);
return 0;

static double Time(Action step, int n)
{
    var clock = Stopwatch.StartNew();
    for (int i = 0; i < n; i++) step();
    return clock.Elapsed.TotalSeconds;
}

int IntArg(string name, int fallback) => StringArg(name) is string s ? int.Parse(s, CultureInfo.InvariantCulture) : fallback;
string? StringArg(string name) { int i = Array.IndexOf(args, name); return i >= 0 && i + 1 < args.Length ? args[i + 1] : null; }
