using System;
using System.CommandLine;
using GanDsl.Samples;
using GanDsl.Samples.Catalog;

var model = new Option<string>("--model") { Description = "Catalog model to train (see `gan list`).", DefaultValueFactory = _ => "goodfellow2014" };
var data = new Option<string>("--data") { Description = "Data set: ring (8 Gaussians, PacGAN protocol) or grid (25 Gaussians).", DefaultValueFactory = _ => "ring" };
var steps = new Option<int>("--steps") { Description = "Generator steps.", DefaultValueFactory = _ => 20000 };
var batchSize = new Option<int>("--batch-size") { Description = "Minibatch size.", DefaultValueFactory = _ => 256 };
var seed = new Option<long>("--seed") { Description = "Random seed (runs with the same seed and device are identical).", DefaultValueFactory = _ => 0 };
var device = new Option<string>("--device") { Description = "auto (CUDA when available), cpu, cuda or cuda:N.", DefaultValueFactory = _ => "auto" };
var output = new Option<string>("--out") { Description = "Output folder for samples.png and metrics.json.", DefaultValueFactory = _ => "runs/ring" };
var evalSamples = new Option<int>("--eval-samples") { Description = "Samples drawn for the metrics (PacGAN: 2,500).", DefaultValueFactory = _ => 2500 };
var logEvery = new Option<int>("--log-every") { Description = "A progress line every N steps (0: none).", DefaultValueFactory = _ => 2000 };

var lrSchedule = new Option<string>("--lr-schedule") { Description = "constant, or linear: the declared learning rates decay linearly to 0 over the run.", DefaultValueFactory = _ => "linear" };

var train = new Command("train", "Train a catalog model and write samples.png and metrics.json.")
{
    model, data, steps, batchSize, seed, device, output, evalSamples, logEvery, lrSchedule,
};
train.SetAction(parse => Run(() => TrainCommand.Run(new TrainSettings(
    parse.GetValue(model)!, parse.GetValue(data)!, parse.GetValue(steps), parse.GetValue(batchSize), parse.GetValue(seed),
    parse.GetValue(device)!, parse.GetValue(output)!, parse.GetValue(evalSamples), parse.GetValue(logEvery), parse.GetValue(lrSchedule)!), Console.Out)));

var list = new Command("list", "List the catalog's models.");
list.SetAction(_ =>
{
    foreach (var entry in ModelCatalog.Entries) Console.WriteLine($"{entry.Name,-26} {entry.Paper}");
    return 0;
});

var root = new RootCommand("GanDsl: adversarial models declared in a few lines, trained with TorchSharp.") { train, list };
root.Subcommands.Add(DataCommand.Create());
return root.Parse(args).Invoke();

static int Run(Func<int> action)
{
    try
    {
        return action();
    }
    catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.IO.IOException)
    {
        Console.Error.WriteLine($"error: {e.Message}");
        return 2;
    }
}
