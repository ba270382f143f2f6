using System;
using System.Collections.Generic;
using System.Linq;
using Gan.Dsl;
using Gan.Runtime.Data;
using GanDsl.Samples.Catalog;
using TorchSharp;
using static TorchSharp.torch;
using static GanDsl.Bench.BenchKit;

namespace GanDsl.Bench;

/// <summary>`flops`: how close one DCGAN training step on the CPU comes to what TorchSharp can do on this machine.
/// Counts the step's floating-point operations from the layer shapes (a walk through the model's own G and D with a
/// 2-example batch gives every linear, convolution and transposed convolution its input and output shapes), times the
/// step (median of single steps) and compares the achieved rate with TorchSharp's own square fp32 matmul, timed
/// between the steps so that both see the same machine load.
/// Counting rule: multiply-adds of linear, conv and conv-transpose layers × 2 FLOPs; backward = 2 × forward (input
/// gradient + weight gradient); batch norm, activations, losses and the optimizer update are not counted.
/// D's step: G forward (no_grad) + D forward and backward on real and on fake = G + 6·D.
/// G's step: G and D forward and backward = 3·G + 3·D. One TrainStep (k = 1) = 4·G + 9·D forward FLOPs.</summary>
public static class FlopsBench
{
    private sealed record Layer(string Net, string Name, string Kind, string Shapes, long Macs, bool First);

    public static int Run(string[] args)
    {
        int batch = IntArg(args, "--batch", 64), steps = IntArg(args, "--steps", 25), reps = IntArg(args, "--reps", 15);
        Threads(args);

        torch.manual_seed(0);
        using var gan = new Dcgan(CPU);
        var nets = gan.named_children().ToDictionary(c => c.name, c => (nn.Module<Tensor, Tensor>)c.module);
        var layers = new List<Layer>();
        Tensor noise = randn(2, 100);
        Tensor fake = Walk("G", nets["G"], noise, layers);
        Walk("D", nets["D"], fake, layers);
        long g = layers.Where(l => l.Net == "G").Sum(l => l.Macs), d = layers.Where(l => l.Net == "D").Sum(l => l.Macs);
        // per example, forward multiply-adds × 2 = FLOPs
        double dStepFlops = 2.0 * batch * (g + 6 * d), gStepFlops = 2.0 * batch * (3 * g + 3 * d), stepFlops = dStepFlops + gStepFlops;
        // what the rule over-counts: no input gradient is needed for the first layer of G (z needs none) or of D in D's step (x and G(z) need none)
        long firstG = layers.First(l => l.Net == "G").Macs, firstD = layers.First(l => l.Net == "D").Macs;
        double overCount = 2.0 * batch * (firstG + 2 * firstD);

        using ImageBatchSource data = RandomImages(batch, DataRange.MinusOneToOne, batches: 20);
        for (int i = 0; i < 5; i++) gan.TrainStep(data);
        // The matmuls are timed between the steps, not after them, so that both see the same load on a shared machine.
        int[] sizes = { 1024, 2048 };
        Tensor[] left = sizes.Select(n => randn(n, n)).ToArray(), right = sizes.Select(n => randn(n, n)).ToArray();
        for (int j = 0; j < sizes.Length; j++)
            for (int i = 0; i < 3; i++) using (torch.mm(left[j], right[j])) { }
        var full = new List<double>();
        var dOnly = new List<double>();
        var gOnly = new List<double>();
        var mmTimes = sizes.Select(_ => new List<double>()).ToArray();
        for (int i = 0; i < Math.Max(steps, reps); i++)
        {
            if (i < steps)
            {
                full.Add(Time(() => gan.TrainStep(data), 1));
                dOnly.Add(Time(() => gan.StepDiscriminators(data), 1));
                gOnly.Add(Time(() => gan.StepGenerators(data), 1));
            }
            if (i < reps)
                for (int j = 0; j < sizes.Length; j++)
                {
                    int k = j;
                    mmTimes[j].Add(Time(() => { using Tensor c = torch.mm(left[k], right[k]); }, 1));
                }
        }
        foreach (Tensor t in left.Concat(right)) t.Dispose();

        var lines = new List<string>
        {
            Header("GanDsl CPU efficiency, Dcgan (width 64, 28×28)") + $", batch {batch}, median of {steps} single steps, matmul median of {reps} (interleaved with the steps)",
            "",
            "| layer | shapes (per example) | forward MACs per example |",
            "|---|---|---:|",
        };
        foreach (Layer l in layers) lines.Add($"| {l.Net}.{l.Name} ({l.Kind}) | {l.Shapes} | {l.Macs:N0} |");
        lines.Add($"| G total / D total | | {g:N0} / {d:N0} |");
        lines.Add("");
        lines.Add("| work | GFLOP | median ms | GFLOP/s | % of the 2048² matmul rate |");
        lines.Add("|---|---:|---:|---:|---:|");

        var mm = sizes.Select((n, j) => (Name: $"torch.mm {n}×{n} fp32", Flop: 2.0 * n * n * n, Seconds: Median(mmTimes[j]))).ToList();
        double ceiling = mm[^1].Flop / mm[^1].Seconds;
        void Row(string name, double flop, double seconds) =>
            lines.Add($"| {name} | {F(flop / 1e9, "F2")} | {F(seconds * 1e3, "F1")} | {F(flop / seconds / 1e9, "F1")} | {F(100 * flop / seconds / ceiling, "F0")} % |");
        Row("Dcgan.TrainStep (D step + G step)", stepFlops, Median(full));
        Row("  StepDiscriminators (G + 6·D)", dStepFlops, Median(dOnly));
        Row("  StepGenerators (3·G + 3·D)", gStepFlops, Median(gOnly));
        foreach (var (name, flop, seconds) in mm) Row(name, flop, seconds);
        lines.Add("");
        lines.Add($"Rule: conv/conv-transpose/linear multiply-adds × 2, backward = 2 × forward; one step = 4·G + 9·D forward. " +
                  $"The rule over-counts the input gradients of the first layers that autograd skips by {F(overCount / 1e9, "F3")} GFLOP " +
                  $"({F(100 * overCount / stepFlops, "F1")} % of the step).");
        return Emit(lines, args);
    }

    /// <summary>Runs x through the network's layers one by one (recursing into Sequential), in eval mode without
    /// gradients, and records each linear, convolution and transposed convolution with its shapes and multiply-adds.</summary>
    private static Tensor Walk(string net, nn.Module<Tensor, Tensor> module, Tensor x, List<Layer> layers, string prefix = "")
    {
        bool wasTraining = module.training;
        module.eval();
        try
        {
            using var noGrad = torch.no_grad();
            return Step(module, x, prefix);
        }
        finally
        {
            module.train(wasTraining);
        }

        Tensor Step(nn.Module<Tensor, Tensor> m, Tensor input, string name)
        {
            if (m is TorchSharp.Modules.Sequential seq)
            {
                foreach (var (childName, child) in seq.named_children())
                    input = Step((nn.Module<Tensor, Tensor>)child, input, name.Length == 0 ? childName : name + "." + childName);
                return input;
            }
            Tensor output = m.forward(input);
            string shapes = $"[{string.Join("×", input.shape.Skip(1))}] → [{string.Join("×", output.shape.Skip(1))}]";
            long perIn = input.numel() / input.shape[0], perOut = output.numel() / output.shape[0];
            bool first = !layers.Any(l => l.Net == net);
            switch (m)
            {
                case TorchSharp.Modules.Linear lin:
                    layers.Add(new Layer(net, name, "linear", shapes, lin.weight!.numel(), first));   // in × out
                    break;
                case TorchSharp.Modules.Conv2d conv:
                {
                    long[] w = conv.weight!.shape;   // [out, in/groups, kh, kw]
                    layers.Add(new Layer(net, name, $"conv {w[2]}×{w[3]}", shapes, perOut * w[1] * w[2] * w[3], first));
                    break;
                }
                case TorchSharp.Modules.ConvTranspose2d deconv:
                {
                    long[] w = deconv.weight!.shape;   // [in, out/groups, kh, kw]: each input element feeds out·kh·kw outputs
                    layers.Add(new Layer(net, name, $"conv-transpose {w[2]}×{w[3]}", shapes, perIn * w[1] * w[2] * w[3], first));
                    break;
                }
            }
            return output;
        }
    }
}
