using System;
using GanDsl.Bench;

// GanDsl's benchmarks (docs/benchmarks.md). Each mode prints a Markdown table and writes it to --out FILE.
//   overhead   the generated TrainStep against the same step written by hand in TorchSharp (ring, mnist, dcgan, wgan-gp)
//   memory     resident and managed memory over a long training run (leaks show as drift)
//   flops      FLOPs of one DCGAN step against TorchSharp's own matmul rate on this machine
//   generator  the source generator over 200 declarations, cold and incremental
//   images     the image results (trains with `gan train`; see docs/results-images.md)
//   cpuconv    libtorch's own CPU convolutions against oneDNN's: gradient errors and DCGAN step speed
//   precision  the image models' training steps in fp32 and in mixed precision (bf16 autocast)
//   scalars    optimizer steps under concurrent garbage collection: torch.optim's against GanDsl's (freed Scalars)
//   reproduce  the seed's papers with their authors' protocols, ours beside the paper's (docs/results-reproduce-table.md)

string mode = args.Length > 0 ? args[0] : "overhead";
_ = BenchKit.StartLoad;   // read before any work
switch (mode)
{
    case "overhead": return OverheadBench.Run(args);
    case "memory": return MemoryBench.Run(args);
    case "flops": return FlopsBench.Run(args);
    case "generator": return GeneratorBench.Run(args);
    case "images": return ImagesBench.Run(args);
    case "cpuconv": return CpuConvBench.Run(args);
    case "precision": return PrecisionBench.Run(args);
    case "reproduce": return ReproduceBench.Run(args);
    case "scalars": return ScalarLifetimeBench.Run(args);
    default:
        Console.Error.WriteLine("usage: GanDsl.Bench overhead [--model ring|mnist|dcgan|wgan-gp] [--rounds N] [--steps N] [--batch N] [--threads N] [--out FILE]");
        Console.Error.WriteLine("       GanDsl.Bench memory [--model ring|dcgan] [--steps N] [--every N] [--warmup N] [--batch N] [--threads N] [--out FILE]");
        Console.Error.WriteLine("       GanDsl.Bench flops [--batch N] [--steps N] [--reps N] [--threads N] [--out FILE]");
        Console.Error.WriteLine("       GanDsl.Bench generator [--models N] [--runs N] [--out FILE]");
        Console.Error.WriteLine("       GanDsl.Bench cpuconv [--rounds N] [--steps N] [--batch N] [--repeats N] [--threads N] [--out FILE]");
        Console.Error.WriteLine("       GanDsl.Bench reproduce [--only gan-mnist,gan-mnist-long,gan-mnist-longer,gan-mnist-split,cgan-mnist,aae-mnist,infogan-mnist,dann-digits] [--seeds 0,1,2] [--threads N] [--device D] [--table-only] [--runs DIR] [--archive DIR (default docs/reproduce-metrics/RUNS-FOLDER-NAME)] [--out FILE] [--photos DIR (dann-digits: PNG photographs for MNIST-M)]");
        Console.Error.WriteLine("       GanDsl.Bench scalars [--seconds N] [--optimizers sgd,adam,adamw,rmsprop] [--out FILE]");
        Console.Error.WriteLine("       GanDsl.Bench images [--runs DIR] [--scale F] [--device D] [--reuse] [--out FILE]");
        return 2;
}
