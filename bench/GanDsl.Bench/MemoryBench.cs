using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using Gan.Dsl;
using Gan.Runtime;
using Gan.Runtime.Data;
using Gan.Runtime.Training;
using GanDsl.Samples.Catalog;
using TorchSharp;
using static TorchSharp.torch;
using static GanDsl.Bench.BenchKit;

namespace GanDsl.Bench;

/// <summary>`memory`: trains a model with the real Trainer loop and samples the process's memory every N steps: the
/// resident set (VmRSS), its anonymous part (RssAnon: the native and managed heaps, without the mapped libraries) and
/// the managed heap as of the last collection (none forced). Reports the value after warm-up, at the end, the maximum
/// and the drift (end vs after warm-up): a leak of a tensor or an autograd graph per step shows as a steady climb.</summary>
public static class MemoryBench
{
    private sealed record Sample(int Step, double RssMiB, double AnonMiB, double ManagedMiB);

    public static int Run(string[] args)
    {
        string model = Arg(args, "--model") ?? "ring";
        bool dcgan = model == "dcgan";
        if (!dcgan && model != "ring")
        {
            Console.Error.WriteLine($"unknown --model '{model}' (ring, dcgan)");
            return 2;
        }
        int steps = IntArg(args, "--steps", dcgan ? 1000 : 10000);
        int every = IntArg(args, "--every", Math.Max(1, steps / 50));
        int warmup = IntArg(args, "--warmup", steps / 10);
        int batch = IntArg(args, "--batch", dcgan ? 64 : 256);
        Threads(args);

        Trainer.Seed(0);
        using IAdversarialModel gan = dcgan ? new Dcgan(CPU) : new Goodfellow2014(CPU);
        IBatchSource data = dcgan ? RandomImages(batch, DataRange.MinusOneToOne, batches: 20) : new MixtureBatchSource(GaussianMixture2D.Ring8(), batch, CPU);
        var samples = new List<Sample> { Take(0) };
        var log = new SamplingLog(step => samples.Add(Take(step)));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Trainer.Train(gan, data, new TrainOptions { Steps = steps, LogEvery = every, LearningRateSchedule = "linear", Log = log });
        double seconds = clock.Elapsed.TotalSeconds;
        (data as IDisposable)?.Dispose();

        Sample start = samples.Where(s => s.Step >= warmup).First();
        Sample end = samples[^1];
        int gen0 = GC.CollectionCount(0), gen2 = GC.CollectionCount(2);
        var lines = new List<string>
        {
            Header($"GanDsl memory benchmark, {gan.Name}") +
            $", batch {batch}, {steps} steps (linear learning-rate decay, Trainer.Train), sampled every {every} steps, {F(seconds, "F0")} s",
            "",
            $"| measure | before training | after warm-up (step {start.Step}) | end (step {end.Step}) | max | drift end vs after warm-up |",
            "|---|---:|---:|---:|---:|---:|",
            Row("resident set (VmRSS), MiB", s => s.RssMiB),
            Row("anonymous resident (RssAnon: native + managed heaps), MiB", s => s.AnonMiB),
            Row("managed heap after the last GC (GCMemoryInfo.HeapSizeBytes, no forced GC), MiB", s => s.ManagedMiB),
        };
        string Row(string name, Func<Sample, double> v) =>
            $"| {name} | {F(v(samples[0]), "F1")} | {F(v(start), "F1")} | {F(v(end), "F1")} | {F(samples.Max(v), "F1")} | {(v(start) > 0 ? F(100 * (v(end) - v(start)) / v(start), "+0.0;-0.0") + " %" : "n/a (no GC yet)")} |";

        lines.Add("");
        lines.Add($"Garbage collections during the run: {gen0} (gen 0), {gen2} (gen 2).");
        // the curve itself, coarsely, so a climb can be told from noise
        lines.Add("");
        lines.Add("VmRSS (MiB) by step: " + string.Join(", ", samples.Where((s, i) => i % Math.Max(1, samples.Count / 10) == 0 || s == end)
                                                                       .Select(s => $"{s.Step}: {F(s.RssMiB, "F0")}")));
        return Emit(lines, args);
    }

    private static Sample Take(int step)
    {
        double rss = 0, anon = 0;
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) rss = KiB(line) / 1024.0;
            else if (line.StartsWith("RssAnon:", StringComparison.Ordinal)) anon = KiB(line) / 1024.0;
        }
        // the managed heap as of the last collection (no collection forced: the run is left as it would be)
        return new Sample(step, rss, anon, GC.GetGCMemoryInfo().HeapSizeBytes / (1024.0 * 1024.0));
    }

    private static long KiB(string line) => long.Parse(Regex.Match(line, @"\d+").Value, CultureInfo.InvariantCulture);

    /// <summary>The Trainer's progress log ("step N/M ..."), turned into a callback at each logged step.</summary>
    private sealed class SamplingLog : TextWriter
    {
        private static readonly Regex StepLine = new(@"^step\s+(\d+)/");
        private readonly Action<int> _onStep;
        public SamplingLog(Action<int> onStep) { _onStep = onStep; }
        public override Encoding Encoding => Encoding.UTF8;
        public override void WriteLine(string? value)
        {
            Match m = StepLine.Match(value ?? "");
            if (m.Success) _onStep(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
        }
    }
}
