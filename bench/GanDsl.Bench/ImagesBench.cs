using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using Gan.Cli;

namespace GanDsl.Bench;

/// <summary>`images`: the images issue's result. Trains the original GAN (MLP generator, maxout discriminator) on MNIST
/// and DCGAN on MNIST and Fashion-MNIST with `gan train`, then gathers each run's metrics.json into one Markdown table
/// beside the paper's figure (Parzen 225 ± 2 on MNIST, Goodfellow et al. 2014, Table 1) and the real-vs-real FID floor.</summary>
public static class ImagesBench
{
    /// <param name="Paper">The paper's figure for this protocol, or "".</param>
    private sealed record Job(string Model, string Data, int Steps, string Dir, string Paper = "");

    public static int Run(string[] args)
    {
        string root = Arg(args, "--runs") ?? "runs/bench-images";
        string? table = Arg(args, "--out");
        double scale = double.Parse(Arg(args, "--scale") ?? "1", CultureInfo.InvariantCulture);
        string device = Arg(args, "--device") ?? "auto";
        bool reuse = args.Contains("--reuse");   // gather existing runs only
        int Steps(int n) => Math.Max(1, (int)Math.Round(n * scale));
        var jobs = new[]
        {
            new Job("goodfellow2014-mnist", "mnist", Steps(6000), Path.Combine(root, "goodfellow2014-mnist"), "225 ± 2, full MNIST"),
            new Job("dcgan", "mnist", Steps(3000), Path.Combine(root, "dcgan-mnist")),
            new Job("dcgan", "fashion-mnist", Steps(3000), Path.Combine(root, "dcgan-fashion-mnist")),
            new Job("cgan", "mnist", Steps(3000), Path.Combine(root, "cgan-mnist"), "132 ± 1.8, full MNIST, 1,000 per class"),
            new Job("icgan", "mnist", Steps(3000), Path.Combine(root, "icgan-mnist")),
            new Job("infogan", "mnist", Steps(3000), Path.Combine(root, "infogan-mnist"), "categorical code: 95 % accuracy"),
            new Job("aae", "mnist", Steps(5000), Path.Combine(root, "aae-mnist"), "340 ± 2, full MNIST"),
            new Job("aae-2d", "mnist", Steps(3000), Path.Combine(root, "aae-2d-mnist")),
            new Job("aae-mixture", "mnist", Steps(3000), Path.Combine(root, "aae-mixture-mnist")),
            new Job("aae-labelled-mixture", "mnist", Steps(3000), Path.Combine(root, "aae-labelled-mixture-mnist")),
            new Job("aae-swissroll", "mnist", Steps(3000), Path.Combine(root, "aae-swissroll-mnist")),
        };
        // --models a,b: run (and tabulate) only these catalog models
        if (Arg(args, "--models") is string only)
        {
            var wanted = only.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            jobs = jobs.Where(j => wanted.Contains(j.Model) || wanted.Contains(Path.GetFileName(j.Dir))).ToArray();
        }
        foreach (Job job in jobs)
        {
            if (reuse && File.Exists(Path.Combine(job.Dir, "metrics.json"))) continue;
            var settings = new TrainSettings(job.Model, job.Data, job.Steps, BatchSize: null, Seed: 0, Device: device, Out: job.Dir,
                                             EvalSamples: 10000, LogEvery: Math.Max(1, job.Steps / 10));
            int code = TrainCommand.Run(settings, Console.Out);
            if (code != 0) return code;
        }

        var lines = new List<string>
        {
            $"GanDsl image results — {DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} cores, seed 0, Parzen on 10,000 samples, FID on the project's classifiers",
            "",
            "| model | data | steps × batch | Parzen LL (paper) | Parzen LL of real training images | FID (real-vs-real floor) | train time | images/s |",
            "|---|---|---:|---:|---:|---:|---:|---:|",
        };
        foreach (Job job in jobs)
        {
            using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(job.Dir, "metrics.json")));
            JsonElement m = doc.RootElement;
            string paper = job.Paper.Length > 0 ? $" ({job.Paper})" : "";
            string fid = m.TryGetProperty("fid", out JsonElement f) && f.ValueKind == JsonValueKind.Number
                ? $"{f.GetDouble():F2} ({m.GetProperty("fid_real_vs_real").GetDouble():F2})" : "n/a";
            lines.Add($"| {job.Model} | {job.Data} | {m.GetProperty("steps").GetInt32()} × {m.GetProperty("batch_size").GetInt32()} " +
                      $"| {m.GetProperty("parzen_log_likelihood").GetDouble():F1} ± {m.GetProperty("parzen_standard_error").GetDouble():F1}{paper} " +
                      $"| {Real(m)} | {fid} | {m.GetProperty("seconds").GetDouble():F0} s | {m.GetProperty("images_per_second").GetDouble():F0} |");
        }
        foreach (string line in lines) Console.WriteLine(line);
        if (table != null) File.WriteAllLines(table, lines);
        return 0;
    }

    private static string Real(JsonElement m) => m.TryGetProperty("parzen_real_training_images", out JsonElement r)
        ? $"{r.GetDouble():F1} ± {m.GetProperty("parzen_real_standard_error").GetDouble():F1}" : "n/a";

    private static string? Arg(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
