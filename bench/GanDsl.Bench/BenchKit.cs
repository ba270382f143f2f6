using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Gan.Dsl;
using Gan.Runtime.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace GanDsl.Bench;

/// <summary>What the benchmark modes share: arguments, medians, timing, random image sets, and writing the table.</summary>
internal static class BenchKit
{
    public static string? Arg(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    public static int IntArg(string[] args, string name, int fallback) =>
        Arg(args, name) is string s ? int.Parse(s, CultureInfo.InvariantCulture) : fallback;

    public static double Median(IEnumerable<double> xs)
    {
        double[] s = xs.OrderBy(x => x).ToArray();
        if (s.Length == 0) return double.NaN;
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }

    /// <summary>Seconds taken by n calls.</summary>
    public static double Time(Action step, int n)
    {
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < n; i++) step();
        return clock.Elapsed.TotalSeconds;
    }

    public static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>Sets torch's thread count when --threads N is given.</summary>
    public static void Threads(string[] args)
    {
        int threads = IntArg(args, "--threads", 0);
        if (threads > 0) torch.set_num_threads(threads);
    }

    public static string Header(string what, bool torchThreads = true) =>
        $"{what} — {DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} cores" + (torchThreads ? $", torch threads {torch.get_num_threads()}, CPU" : "") +
        $", load average at start {StartLoad} / at end {LoadAverage()}";

    /// <summary>The 1-minute load average (/proc/loadavg): the machine is shared, so the tables say how busy it was.</summary>
    public static string LoadAverage()
    {
        try { return File.ReadAllText("/proc/loadavg").Split(' ')[0]; }
        catch (IOException) { return "?"; }
    }

    public static readonly string StartLoad = LoadAverage();

    /// <summary>A fixed in-memory set of random 1×28×28 images (uniform in [0, 1], mapped to the model's range by the
    /// source), shuffled each epoch by the source's own generator: no files, no decoding, the same set for every contender.</summary>
    public static ImageBatchSource RandomImages(int batch, DataRange range, int batches = 10)
    {
        using var generator = new torch.Generator(2024);
        using var images = rand(new long[] { (long)batches * batch, 1, 28, 28 }, generator: generator);
        using var labels = zeros((long)batches * batch, dtype: int64);
        return new ImageBatchSource(images, labels, batch, CPU, range, seed: 3);
    }

    public static int Emit(IReadOnlyList<string> lines, string[] args)
    {
        foreach (string line in lines) Console.WriteLine(line);
        if (Arg(args, "--out") is string outFile)
        {
            string? dir = Path.GetDirectoryName(Path.GetFullPath(outFile));
            if (dir != null) Directory.CreateDirectory(dir);
            File.WriteAllLines(outFile, lines);
        }
        return 0;
    }
}
