using System;
using System.CommandLine;
using System.Reflection;
using System.Runtime.CompilerServices;
using Gan.Runtime;
using Gan.Runtime.Imaging;
using Gan.Runtime.Training;
using System.IO;
using System.Linq;

namespace Gan.Cli;

/// <summary>The <c>gan</c> command line for every <c>[Gan]</c> model of an application: a user's <c>Program.cs</c> is
/// <c>return Gan.Cli.GanCommandLine.Run(args);</c>. The models are the ones the generator registered
/// (<see cref="ModelRegistry"/>): the entry assembly's, and those of the assemblies named in the call (a library of
/// models the application references).</summary>
public static class GanCommandLine
{
    /// <summary>What an application can set about its command line.</summary>
    public sealed record CommandLineSettings
    {
        /// <summary>The model `train` takes without --model; null: the application's only model (an error when it has several).</summary>
        public string? DefaultModel { get; init; }
        /// <summary>Assemblies besides the entry assembly whose declared models to offer.</summary>
        public Assembly[] ModelAssemblies { get; init; } = Array.Empty<Assembly>();
        /// <summary>The models `gan list` shows, in this order; null: every registered model, in registration order.</summary>
        public System.Collections.Generic.IReadOnlyList<ModelDescriptor>? Models { get; init; }
        /// <summary>Where results go (null: standard output) and logs and errors (null: standard error).</summary>
        public TextWriter? Output { get; init; }
        public TextWriter? Error { get; init; }
        /// <summary>Where runs go without --out: RUNS/MODEL.</summary>
        public string RunsFolder { get; init; } = "runs";
    }

    /// <summary>Parses <paramref name="args"/> and runs the command; returns the process's exit code.</summary>
    /// <param name="args">The command line, as <c>Main</c> receives it.</param>
    /// <param name="modelAssemblies">Further assemblies whose declared models to offer (their registration runs now).</param>
    public static int Run(string[] args, params Assembly[] modelAssemblies) => Run(args, new CommandLineSettings { ModelAssemblies = modelAssemblies });

    /// <summary>Parses <paramref name="args"/> and runs the command with the application's <paramref name="settings"/>.</summary>
    public static int Run(string[] args, CommandLineSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        TextWriter stdout = settings.Output ?? Console.Out, stderr = settings.Error ?? Console.Error;
        foreach (Assembly assembly in settings.ModelAssemblies) RuntimeHelpers.RunModuleConstructor(assembly.ManifestModule.ModuleHandle);
        var model = new Option<string?>("--model") { Description = "The model to train (see `gan list`); default: " + (settings.DefaultModel ?? "the application's one model") + "." };
        var data = new Option<string?>("--data") { Description = "Data set: ring (8 Gaussians, PacGAN protocol), grid (25 Gaussians), mnist, fashion-mnist (28×28 images), moons (domain adaptation: 150 + 150 source points, target rotated 35°), digits (MNIST → MNIST blended over colour textures), digits-target (its labelled target), mnist-m (Ganin & Lempitsky's protocol: binarized MNIST → MNIST-M from the --photos photographs, minus the pixel mean) or mnist-m-target (its labelled target). It must provide what the model declares. Default: the model's ([Gan(Data = ...)], else ring for 2-D data and mnist for images)." };
        var steps = new Option<int?>("--steps") { Description = "Generator steps (default: the model's [Gan(Steps = ...)], else 20,000 for 2-D data and 5,000 for images)." };
        var batchSize = new Option<int?>("--batch-size") { Description = "Minibatch size (default: the model's [Gan(BatchSize = ...)], else 256 for 2-D data and 64 for images)." };
        var seed = new Option<long>("--seed") { Description = "Random seed (runs with the same seed and device are identical).", DefaultValueFactory = _ => 0 };
        var device = new Option<string>("--device") { Description = "auto (CUDA when available), cpu, cuda or cuda:N.", DefaultValueFactory = _ => "auto" };
        var output = new Option<string?>("--out") { Description = "Output folder (pictures, metrics.json, checkpoint, and for images the saved model). Default: runs/MODEL, or runs/MODEL-2, -3, ... when that holds an earlier run (with --resume: the latest of them)." };
        var evalSamples = new Option<int?>("--eval-samples") { Description = "Samples drawn for the metrics (default: PacGAN 2,500; images 10,000 as in Goodfellow et al.'s Parzen protocol)." };
        var logEvery = new Option<int>("--log-every") { Description = "A progress line (--progress plain) and the losses in TensorBoard every N steps (0: none; TensorBoard still gets the last step).", DefaultValueFactory = _ => 2000 };
        var noEval = new Option<bool>("--no-eval") { Description = "Images: skip the Parzen and FID evaluation after training." };
        var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "Write OUT/checkpoint.ckpt every N steps (always at the end): networks, optimizers, RNG, data order, step.", DefaultValueFactory = _ => 1000 };
        var resume = new Option<bool>("--resume") { Description = "Continue from OUT/checkpoint.ckpt exactly (same model, data, steps, schedule and seed; a run with --lr-schedule constant or decay:F may be given more --steps, to extend it, unless its model schedules by the progress step / steps, as a FinalMomentum ramp over the whole run does)." };
        var progress = new Option<string>("--progress") { Description = "auto (a live bar when the output is a terminal, else plain lines), bar, plain or none.", DefaultValueFactory = _ => "auto" };
        var tensorBoard = new Option<string?>("--tensorboard") { Description = "Folder for TensorBoard event files (losses, metrics, image sample grids), or none. Default: OUT/tensorboard." };
        var ema = new Option<double?>("--ema") { Description = "Keep an exponential moving average of the generator's weights with this decay (e.g. 0.999) and sample, evaluate and save with it. Default: off." };
        var threads = new Option<int?>("--threads") { Description = "CPU threads for torch's operations (default: torch's, one per core). On a machine shared with other jobs, 1 avoids threads spinning against each other (measured: 4x faster InfoGAN steps on a loaded 2-core machine)." };
        var precision = new Option<string>("--precision") { Description = "fp32; bf16: mixed precision (libtorch's autocast: matrix products and convolutions in bfloat16, float32 weights, optimizer state and losses); tf32: float32 with TF32 tensor-core matrix products on CUDA (fp32 elsewhere); auto: bf16 where the device computes it fast (CUDA, or a CPU with AVX-512 BF16 or AMX), else fp32.", DefaultValueFactory = _ => "fp32" };
        var validateEvery = new Option<int>("--validate-every") { Description = "Score the model every N steps and at the end during training (images: the Parzen log-likelihood of the held-out validation digits under a window on --eval-samples samples, σ chosen on them), log it, and keep the best weights in OUT/best.bin with the scores in OUT/best.bin.json (0: off).", DefaultValueFactory = _ => 0 };
        var heldOut = new Option<int?>("--held-out") { Description = "Image data: hold the last N training images out of training; Parzen's σ is chosen on the first 1,000 of them (default: a tenth of the training set, at most 1,000). Goodfellow et al. 2014 trained on MNIST rows 0–50,000: --held-out 10000." };
        var select = new Option<string>("--select") { Description = "last: evaluate and save the weights of the last step; best: those of the best validation score (needs --validate-every; Mirza & Osindero 2014 report the checkpoint with the best validation Parzen).", DefaultValueFactory = _ => "last" };
        var lrSchedule = new Option<string>("--lr-schedule") { Description = "constant; linear: the declared learning rates decay linearly to 0 over the run; ganin: μ_p = μ_0 / (1 + 10p)^0.75 (Ganin & Lempitsky 2015); decay:F: divided by F after every update (Goodfellow et al. 2014: decay:1.000004). Default: the model's (linear for the GANs)." };

        // Fixed choices: checked while parsing (a wrong one is bad usage, exit 2) and listed by --help.
        data.AcceptOnlyFromAmong(DataSets.Names.ToArray());
        progress.AcceptOnlyFromAmong("auto", "bar", "plain", "none");
        precision.AcceptOnlyFromAmong("fp32", "bf16", "tf32", "auto");
        select.AcceptOnlyFromAmong("last", "best");
        lrSchedule.HelpName = "constant|ganin|linear|decay:F";
        lrSchedule.Validators.Add(result =>
        {
            string? value = result.GetValueOrDefault<string>();
            if (value is not null && value is not ("constant" or "linear" or "ganin") && Trainer.DecayFactor(value) is null)
                result.AddError($"--lr-schedule must be constant, linear, ganin or decay:F with F ≥ 1 (got '{value}').");
        });
        device.Validators.Add(result =>
        {
            string? value = result.GetValueOrDefault<string>();
            if (value is not null && !IsDevice(value))
                result.AddError($"--device must be auto, cpu, cuda or cuda:N (got '{value}').");
        });

        var train = new Command("train", "Train a declared model and write its pictures and metrics.json (images: also the model).")
        {
            model, data, DataCommand.DataFolder, DataCommand.Cache, DataCommand.NoDownload, DataCommand.Photos, steps, batchSize, seed, device, output, evalSamples, logEvery, lrSchedule, noEval, checkpointEvery, resume,
            progress, tensorBoard, ema, threads, precision, validateEvery, select, heldOut,
        };
        train.SetAction(parse => Run(stderr, () =>
        {
            SetThreads(parse.GetValue(threads));
            string name = ModelRegistry.Find(parse.GetValue(model) ?? settings.DefaultModel ?? OnlyModel()).Name;
            bool resuming = parse.GetValue(resume);
            string outDir = parse.GetValue(output) ?? RunFolders.Default(settings.RunsFolder, name, resuming);
            return TrainCommand.Run(new TrainSettings(
                name, parse.GetValue(data), parse.GetValue(steps), parse.GetValue(batchSize), parse.GetValue(seed),
                parse.GetValue(device)!, outDir, parse.GetValue(evalSamples), parse.GetValue(logEvery), parse.GetValue(lrSchedule),
                DataCommand.Options(parse, stdout), !parse.GetValue(noEval), parse.GetValue(checkpointEvery), resuming,
                parse.GetValue(progress)!, parse.GetValue(tensorBoard), parse.GetValue(ema), parse.GetValue(precision)!)
            { Log = stderr, ValidateEvery = parse.GetValue(validateEvery), Select = parse.GetValue(select)!, HeldOut = parse.GetValue(heldOut) }, stdout);
        }));

        var list = new Command("list", "List the models this application declares: name, default data set, description.");
        list.SetAction(_ =>
        {
            foreach (var entry in settings.Models ?? ModelRegistry.All) stdout.WriteLine($"{entry.Name,-24} {entry.DefaultDataSet,-14} {entry.Description}");
            return 0;
        });

        var run = new Option<string>("--run") { Description = "A run folder written by `gan train` (it holds model.json and model.bin).", Required = true };
        var sampleOut = new Option<string>("--out") { Description = "The PNG to write.", DefaultValueFactory = _ => "samples.png" };
        var count = new Option<int>("--n") { Description = "Number of samples.", DefaultValueFactory = _ => 100 };
        var columns = new Option<int>("--columns") { Description = "Images per row.", DefaultValueFactory = _ => 10 };
        var sample = new Command("sample", "Draw a grid of samples from a saved model.") { run, sampleOut, count, columns, seed, device };
        sample.SetAction(parse => Run(stderr, () => ImageCommands.Sample(parse.GetValue(run)!, parse.GetValue(device)!, parse.GetValue(count), parse.GetValue(columns),
            parse.GetValue(seed), parse.GetValue(sampleOut)!, stdout)));

        var rows = new Option<int>("--rows") { Description = "Number of paths (rows).", DefaultValueFactory = _ => 10 };
        var interpolationSteps = new Option<int>("--steps") { Description = "Images per path, ends included.", DefaultValueFactory = _ => 10 };
        var kind = new Option<string>("--kind") { Description = "linear, or spherical (slerp).", DefaultValueFactory = _ => "linear" };
        kind.AcceptOnlyFromAmong("linear", "spherical", "lerp", "slerp");
        var interpolateOut = new Option<string>("--out") { Description = "The PNG to write.", DefaultValueFactory = _ => "interpolation.png" };
        var interpolate = new Command("interpolate", "Rows of samples along paths between random latent codes (Goodfellow et al. 2014, Figure 3).")
        {
            run, interpolateOut, rows, interpolationSteps, kind, seed, device,
        };
        interpolate.SetAction(parse => Run(stderr, () => ImageCommands.Interpolate(parse.GetValue(run)!, parse.GetValue(device)!, parse.GetValue(rows), parse.GetValue(interpolationSteps),
            ParseKind(parse.GetValue(kind)!), parse.GetValue(seed), parse.GetValue(interpolateOut)!, stdout)));

        var evalCount = new Option<int>("--eval-samples") { Description = "Samples drawn for the metrics.", DefaultValueFactory = _ => 10000 };
        var evalSeed = new Option<long?>("--seed") { Description = "Random seed of the samples (default: the run's own, so that eval reproduces the figures train wrote)." };
        var eval = new Command("eval", "Parzen log-likelihood and FID of a saved model, and the measures of its kind of model (InfoGAN's code accuracy, IcGAN's edits), written into its metrics.json.") { run, evalCount, evalSeed, device, DataCommand.DataFolder, DataCommand.Cache, DataCommand.NoDownload };
        eval.SetAction(parse => Run(stderr, () => ImageCommands.Eval(parse.GetValue(run)!, parse.GetValue(device)!, parse.GetValue(evalCount), parse.GetValue(evalSeed),
            DataCommand.Options(parse, stdout), stdout)));

        var classifierData = new Option<string>("--data") { Description = "mnist or fashion-mnist.", Required = true };
        classifierData.AcceptOnlyFromAmong("mnist", "fashion-mnist");
        var classifierOut = new Option<string?>("--out") { Description = "Where to write the weights (default: Gan.Cli/Classifiers/<data>.bin, which the build embeds; run it from the repository root)." };
        var epochs = new Option<int>("--epochs") { Description = "Training epochs.", DefaultValueFactory = _ => 12 };
        var classifier = new Command("classifier", "Train the feature classifier that FID uses for a data set.") { classifierData, DataCommand.DataFolder, DataCommand.Cache, DataCommand.NoDownload, classifierOut, epochs, seed, device };
        classifier.SetAction(parse => Run(stderr, () => Classifiers.Train(parse.GetValue(classifierData)!, DataCommand.Options(parse, stdout), parse.GetValue(classifierOut),
            parse.GetValue(epochs), parse.GetValue(seed), parse.GetValue(device)!, stdout)));

        var check = new Option<string?>("--check") { Description = "A catalog model (or classifier: the FID feature classifier) whose convolutions to check on the CPU against float64, as `gan train` does before its first step." };
        var env = new Command("env", "What this machine trains with: TorchSharp, CUDA, CPU threads, mixed precision (what --precision auto picks), and which kernels CPU convolutions use (GANDSL_CPU_CONV).") { check };
        env.SetAction(parse => Run(stderr, () => EnvCommand.Run(parse.GetValue(check), stdout)));

        var root = new RootCommand("GanDsl: adversarial models declared in a few lines, trained with TorchSharp.") { train, list, sample, interpolate, eval, classifier, DataCommand.Create(), env };
        ParseResult parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // Bad usage: exit 2, each problem on stderr, as for the errors the commands explain.
            foreach (var problem in parsed.Errors) stderr.WriteLine($"error: {problem.Message}");
            stderr.WriteLine($"See `{root.Name} {string.Join(' ', CommandPath(parsed.CommandResult))} --help`.".Replace("  ", " "));
            return UsageError;
        }
        return parsed.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr });
    }

    private static InterpolationKind ParseKind(string text) => text.ToLowerInvariant() switch
    {
        "linear" or "lerp" => InterpolationKind.Linear,
        "spherical" or "slerp" => InterpolationKind.Spherical,
        _ => throw new ArgumentException($"--kind must be linear or spherical (got '{text}')."),
    };

    // --threads N: torch's intra-op threads for this process (an ArgumentException for a bad count).
    private static void SetThreads(int? count)
    {
        if (count is null) return;
        if (count <= 0) throw new ArgumentException($"--threads must be positive (got {count}).");
        TorchSharp.torch.set_num_threads(count.Value);
    }

    /// <summary>The model `train` takes without --model: the application's only one.</summary>
    private static string OnlyModel()
    {
        var all = ModelRegistry.All;
        if (all.Count == 1) return all[0].Name;
        throw new ArgumentException(all.Count == 0
            ? "No [Gan] model is registered: declare one on a partial class with [Gan] in this application's project."
            : $"This application declares {all.Count} models: choose one with --model ({string.Join(", ", System.Linq.Enumerable.Select(all, m => m.Name))}).");
    }

    private static bool IsDevice(string value) =>
        value is "auto" or "cpu" or "cuda" || (value.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(value.AsSpan(5), out int n) && n >= 0);

    /// <summary>The exit codes: the command did what was asked; the run failed (it diverged, or its data or checkpoint are
    /// corrupt); the command line or its options are wrong.</summary>
    public const int Success = 0, RunFailed = 1, UsageError = 2;

    private static System.Collections.Generic.IEnumerable<string> CommandPath(System.CommandLine.Parsing.CommandResult? result)
    {
        var names = new System.Collections.Generic.List<string>();
        for (var r = result; r?.Parent is System.CommandLine.Parsing.CommandResult parent; r = parent) names.Insert(0, r.Command.Name);
        return names;
    }

    /// <summary>Runs a command's action: its errors become one line on stderr ("error: ..."), no stack trace, and the exit code
    /// says whose they are (<see cref="RunFailed"/> or <see cref="UsageError"/>).</summary>
    private static int Run(TextWriter stderr, Func<int> action)
    {
        try
        {
            return action();
        }
        catch (NonFiniteLossException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            return RunFailed;
        }
        catch (Exception e) when (e is InvalidDataException or (IOException and not FileNotFoundException and not DirectoryNotFoundException))
        {
            stderr.WriteLine($"error: {e.Message}");
            return RunFailed;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FileNotFoundException or DirectoryNotFoundException or NotSupportedException)
        {
            stderr.WriteLine($"error: {e.Message}");
            return UsageError;
        }
    }
}
