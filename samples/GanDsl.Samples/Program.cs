using System;
using System.CommandLine;
using Gan.Runtime.Imaging;
using GanDsl.Samples;
using GanDsl.Samples.Catalog;

var model = new Option<string>("--model") { Description = "Catalog model to train (see `gan list`).", DefaultValueFactory = _ => "goodfellow2014" };
var data = new Option<string?>("--data") { Description = "Data set: ring (8 Gaussians, PacGAN protocol), grid (25 Gaussians), mnist, fashion-mnist, or moons (domain adaptation: 150 + 150 source points, target rotated 35°). Default: the model's." };
var steps = new Option<int?>("--steps") { Description = "Generator steps (default: the model's; goodfellow2014: 20,000)." };
var batchSize = new Option<int?>("--batch-size") { Description = "Minibatch size (default: the model's paper's; goodfellow2014: 256)." };
var seed = new Option<long>("--seed") { Description = "Random seed (runs with the same seed and device are identical).", DefaultValueFactory = _ => 0 };
var device = new Option<string>("--device") { Description = "auto (CUDA when available), cpu, cuda or cuda:N.", DefaultValueFactory = _ => "auto" };
var output = new Option<string>("--out") { Description = "Output folder (pictures, metrics.json, and for images the saved model).", DefaultValueFactory = _ => "runs/ring" };
var evalSamples = new Option<int?>("--eval-samples") { Description = "Samples drawn for the metrics (default: PacGAN 2,500; images 10,000 as in Goodfellow et al.'s Parzen protocol)." };
var logEvery = new Option<int>("--log-every") { Description = "A progress line (--progress plain) and the losses in TensorBoard every N steps (0: none; TensorBoard still gets the last step).", DefaultValueFactory = _ => 2000 };
var noEval = new Option<bool>("--no-eval") { Description = "Images: skip the Parzen and FID evaluation after training." };
var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "Write OUT/checkpoint.ckpt every N steps (always at the end): networks, optimizers, RNG, data order, step.", DefaultValueFactory = _ => 1000 };
var resume = new Option<bool>("--resume") { Description = "Continue from OUT/checkpoint.ckpt exactly (same model, data, steps, schedule and seed; a run with --lr-schedule constant may be given more --steps, to extend it)." };
var progress = new Option<string>("--progress") { Description = "auto (a live bar when the output is a terminal, else plain lines), bar, plain or none.", DefaultValueFactory = _ => "auto" };
var tensorBoard = new Option<string?>("--tensorboard") { Description = "Folder for TensorBoard event files (losses, metrics, image sample grids), or none. Default: OUT/tensorboard." };
var ema = new Option<double?>("--ema") { Description = "Keep an exponential moving average of the generator's weights with this decay (e.g. 0.999) and sample, evaluate and save with it. Default: off." };
var threads = new Option<int?>("--threads") { Description = "CPU threads for torch's operations (default: torch's, one per core). On a machine shared with other jobs, 1 avoids threads spinning against each other (measured: 4x faster InfoGAN steps on a loaded 2-core machine)." };
var precision = new Option<string>("--precision") { Description = "fp32; bf16: mixed precision (libtorch's autocast: matrix products and convolutions in bfloat16, float32 weights, optimizer state and losses); tf32: float32 with TF32 tensor-core matrix products on CUDA (fp32 elsewhere); auto: bf16 where the device computes it fast (CUDA, or a CPU with AVX-512 BF16 or AMX), else fp32.", DefaultValueFactory = _ => "fp32" };
var lrSchedule = new Option<string>("--lr-schedule") { Description = "constant; linear: the declared learning rates decay linearly to 0 over the run; ganin: μ_p = μ_0 / (1 + 10p)^0.75 (Ganin & Lempitsky 2015). Default: the model's (linear for the GANs)." };

var train = new Command("train", "Train a catalog model and write its pictures and metrics.json (images: also the model).")
{
    model, data, DataCommand.DataFolder, DataCommand.Cache, DataCommand.NoDownload, steps, batchSize, seed, device, output, evalSamples, logEvery, lrSchedule, noEval, checkpointEvery, resume,
    progress, tensorBoard, ema, threads, precision,
};
train.SetAction(parse => Run(() => SetThreads(parse.GetValue(threads)) ?? TrainCommand.Run(new TrainSettings(
    parse.GetValue(model)!, parse.GetValue(data), parse.GetValue(steps), parse.GetValue(batchSize), parse.GetValue(seed),
    parse.GetValue(device)!, parse.GetValue(output)!, parse.GetValue(evalSamples), parse.GetValue(logEvery), parse.GetValue(lrSchedule),
    DataCommand.Options(parse, Console.Out), !parse.GetValue(noEval), parse.GetValue(checkpointEvery), parse.GetValue(resume),
    parse.GetValue(progress)!, parse.GetValue(tensorBoard), parse.GetValue(ema), parse.GetValue(precision)!), Console.Out)));

var list = new Command("list", "List the catalog's models.");
list.SetAction(_ =>
{
    foreach (var entry in ModelCatalog.Entries) Console.WriteLine($"{entry.Name,-24} {entry.Data,-14} {entry.Paper}");
    return 0;
});

var run = new Option<string>("--run") { Description = "A run folder written by `gan train` (it holds model.json and model.bin).", Required = true };
var sampleOut = new Option<string>("--out") { Description = "The PNG to write.", DefaultValueFactory = _ => "samples.png" };
var count = new Option<int>("--n") { Description = "Number of samples.", DefaultValueFactory = _ => 100 };
var columns = new Option<int>("--columns") { Description = "Images per row.", DefaultValueFactory = _ => 10 };
var sample = new Command("sample", "Draw a grid of samples from a saved model.") { run, sampleOut, count, columns, seed, device };
sample.SetAction(parse => Run(() => ImageCommands.Sample(parse.GetValue(run)!, parse.GetValue(device)!, parse.GetValue(count), parse.GetValue(columns),
    parse.GetValue(seed), parse.GetValue(sampleOut)!, Console.Out)));

var rows = new Option<int>("--rows") { Description = "Number of paths (rows).", DefaultValueFactory = _ => 10 };
var interpolationSteps = new Option<int>("--steps") { Description = "Images per path, ends included.", DefaultValueFactory = _ => 10 };
var kind = new Option<string>("--kind") { Description = "linear, or spherical (slerp).", DefaultValueFactory = _ => "linear" };
var interpolateOut = new Option<string>("--out") { Description = "The PNG to write.", DefaultValueFactory = _ => "interpolation.png" };
var interpolate = new Command("interpolate", "Rows of samples along paths between random latent codes (Goodfellow et al. 2014, Figure 3).")
{
    run, interpolateOut, rows, interpolationSteps, kind, seed, device,
};
interpolate.SetAction(parse => Run(() => ImageCommands.Interpolate(parse.GetValue(run)!, parse.GetValue(device)!, parse.GetValue(rows), parse.GetValue(interpolationSteps),
    ParseKind(parse.GetValue(kind)!), parse.GetValue(seed), parse.GetValue(interpolateOut)!, Console.Out)));

var evalCount = new Option<int>("--eval-samples") { Description = "Samples drawn for the metrics.", DefaultValueFactory = _ => 10000 };
var eval = new Command("eval", "Parzen log-likelihood and FID of a saved model, written into its metrics.json.") { run, evalCount, seed, device, DataCommand.DataFolder, DataCommand.Cache, DataCommand.NoDownload };
eval.SetAction(parse => Run(() => ImageCommands.Eval(parse.GetValue(run)!, parse.GetValue(device)!, parse.GetValue(evalCount), parse.GetValue(seed),
    DataCommand.Options(parse, Console.Out), Console.Out)));

var classifierData = new Option<string>("--data") { Description = "mnist or fashion-mnist.", Required = true };
var classifierOut = new Option<string?>("--out") { Description = "Where to write the weights (default: samples/GanDsl.Samples/Classifiers/<data>.bin, which the build embeds)." };
var epochs = new Option<int>("--epochs") { Description = "Training epochs.", DefaultValueFactory = _ => 12 };
var classifier = new Command("classifier", "Train the feature classifier that FID uses for a data set.") { classifierData, DataCommand.DataFolder, DataCommand.Cache, DataCommand.NoDownload, classifierOut, epochs, seed, device };
classifier.SetAction(parse => Run(() => Classifiers.Train(parse.GetValue(classifierData)!, DataCommand.Options(parse, Console.Out), parse.GetValue(classifierOut),
    parse.GetValue(epochs), parse.GetValue(seed), parse.GetValue(device)!, Console.Out)));

var check = new Option<string?>("--check") { Description = "A catalog model (or classifier: the FID feature classifier) whose convolutions to check on the CPU against float64, as `gan train` does before its first step." };
var env = new Command("env", "What this machine trains with: TorchSharp, CUDA, CPU threads, mixed precision (what --precision auto picks), and which kernels CPU convolutions use (GANDSL_CPU_CONV).") { check };
env.SetAction(parse => Run(() => EnvCommand.Run(parse.GetValue(check), Console.Out)));

var root = new RootCommand("GanDsl: adversarial models declared in a few lines, trained with TorchSharp.") { train, list, sample, interpolate, eval, classifier, DataCommand.Create(), env };
return root.Parse(args).Invoke();

static InterpolationKind ParseKind(string text) => text.ToLowerInvariant() switch
{
    "linear" or "lerp" => InterpolationKind.Linear,
    "spherical" or "slerp" => InterpolationKind.Spherical,
    _ => throw new ArgumentException($"--kind must be linear or spherical (got '{text}')."),
};

// --threads N: torch's intra-op threads for this process; null to go on (an ArgumentException for a bad count).
static int? SetThreads(int? count)
{
    if (count is null) return null;
    if (count <= 0) throw new ArgumentException($"--threads must be positive (got {count}).");
    TorchSharp.torch.set_num_threads(count.Value);
    return null;
}

static int Run(Func<int> action)
{
    try
    {
        return action();
    }
    catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.IO.IOException or System.IO.InvalidDataException or NotSupportedException)
    {
        Console.Error.WriteLine($"error: {e.Message}");
        return 2;
    }
}
