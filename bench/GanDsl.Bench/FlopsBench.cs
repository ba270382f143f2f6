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
        int bf16Steps = IntArg(args, "--bf16-steps", 5);
        // Where the CPU has no bfloat16 instructions libtorch emulates them: a 2048² bf16 matmul then takes about a minute
        // (0.3 GFLOP/s on an AVX2-only EPYC), so the bf16 ceilings are timed fewer times (--bf16-reps).
        int bf16Reps = IntArg(args, "--bf16-reps", Gan.Runtime.MixedPrecision.Bf16IsFast(CPU) ? reps : 2);
        for (int i = 0; i < 5; i++) gan.TrainStep(data);
        // The ceilings are timed between the steps, not after them, so that both see the same load on a shared machine:
        // square matmuls in fp32 and bf16 (the same operands rounded), and a DCGAN-sized convolution (4×4, stride 2,
        // 64 → 128 channels on 64×64×14×14) in fp32 and bf16.
        int[] sizes = { 1024, 2048 };
        Tensor[] left = sizes.Select(n => randn(n, n)).ToArray(), right = sizes.Select(n => randn(n, n)).ToArray();
        Tensor left16 = left[^1].to(ScalarType.BFloat16), right16 = right[^1].to(ScalarType.BFloat16);
        Tensor convX = randn(64, 64, 14, 14), convW = randn(128, 64, 4, 4) * 0.05;
        Tensor convX16 = convX.to(ScalarType.BFloat16), convW16 = convW.to(ScalarType.BFloat16);
        double convFlop = 2.0 * 64 * 128 * 7 * 7 * 64 * 4 * 4;
        var ceilings = new (string Name, double Flop, Action Run, int Reps)[]
        {
            ($"torch.mm {sizes[0]}×{sizes[0]} fp32", 2.0 * sizes[0] * sizes[0] * sizes[0], () => { using Tensor c = torch.mm(left[0], right[0]); }, reps),
            ($"torch.mm {sizes[1]}×{sizes[1]} fp32", 2.0 * sizes[1] * sizes[1] * sizes[1], () => { using Tensor c = torch.mm(left[1], right[1]); }, reps),
            ($"torch.mm {sizes[1]}×{sizes[1]} bf16", 2.0 * sizes[1] * sizes[1] * sizes[1], () => { using Tensor c = torch.mm(left16, right16); }, bf16Reps),
            ("conv2d 64→128, 4×4 s2, 64×14×14 fp32", convFlop, () => { using Tensor c = nn.functional.conv2d(convX, convW, strides: new long[] { 2, 2 }, padding: new long[] { 1, 1 }); }, reps),
            ("conv2d 64→128, 4×4 s2, 64×14×14 bf16", convFlop, () => { using Tensor c = nn.functional.conv2d(convX16, convW16, strides: new long[] { 2, 2 }, padding: new long[] { 1, 1 }); }, bf16Reps),
        };
        foreach (var c in ceilings) for (int i = 0; i < Math.Min(3, c.Reps); i++) c.Run();
        var full = new List<double>();
        var dOnly = new List<double>();
        var gOnly = new List<double>();
        var bf16Full = new List<double>();
        var ceilingTimes = ceilings.Select(_ => new List<double>()).ToArray();
        using (Gan.Runtime.MixedPrecision.Autocast(CPU, Gan.Runtime.Precision.Bf16)) gan.TrainStep(data);   // warm the bf16 kernels
        for (int i = 0; i < Math.Max(Math.Max(steps, reps), bf16Steps); i++)
        {
            if (i < steps)
            {
                full.Add(Time(() => gan.TrainStep(data), 1));
                dOnly.Add(Time(() => gan.StepDiscriminators(data), 1));
                gOnly.Add(Time(() => gan.StepGenerators(data), 1));
            }
            if (i < bf16Steps)
                bf16Full.Add(Time(() => { using (Gan.Runtime.MixedPrecision.Autocast(CPU, Gan.Runtime.Precision.Bf16)) gan.TrainStep(data); }, 1));
            if (i < reps)
                for (int j = 0; j < ceilings.Length; j++)
                    if (i < ceilings[j].Reps) ceilingTimes[j].Add(Time(ceilings[j].Run, 1));
        }
        foreach (Tensor t in left.Concat(right).Concat(new[] { left16, right16, convX, convW, convX16, convW16 })) t.Dispose();

        var lines = new List<string>
        {
            Header("GanDsl CPU efficiency, Dcgan (width 64, 28×28)") + $", batch {batch}, median of {steps} single steps ({bf16Steps} in bf16), ceilings median of {reps} ({bf16Reps} in bf16), interleaved with the steps",
            "",
            "| layer | shapes (per example) | forward MACs per example |",
            "|---|---|---:|",
        };
        foreach (Layer l in layers) lines.Add($"| {l.Net}.{l.Name} ({l.Kind}) | {l.Shapes} | {l.Macs:N0} |");
        lines.Add($"| G total / D total | | {g:N0} / {d:N0} |");
        lines.Add("");
        lines.Add("| work | GFLOP | median ms | GFLOP/s | % of the 2048² fp32 matmul rate | % of the 2048² bf16 matmul rate |");
        lines.Add("|---|---:|---:|---:|---:|---:|");

        double fp32Ceiling = ceilings[1].Flop / Median(ceilingTimes[1]), bf16Ceiling = ceilings[2].Flop / Median(ceilingTimes[2]);
        void Row(string name, double flop, double seconds) =>
            lines.Add($"| {name} | {F(flop / 1e9, "F2")} | {F(seconds * 1e3, "F1")} | {F(flop / seconds / 1e9, "F1")} | {F(100 * flop / seconds / fp32Ceiling, "F0")} % | {F(100 * flop / seconds / bf16Ceiling, "F0")} % |");
        Row("Dcgan.TrainStep (D step + G step)", stepFlops, Median(full));
        Row("  StepDiscriminators (G + 6·D)", dStepFlops, Median(dOnly));
        Row("  StepGenerators (3·G + 3·D)", gStepFlops, Median(gOnly));
        Row("Dcgan.TrainStep, --precision bf16 (autocast)", stepFlops, Median(bf16Full));
        for (int j = 0; j < ceilings.Length; j++) Row(ceilings[j].Name, ceilings[j].Flop, Median(ceilingTimes[j]));
        lines.Add("");
        lines.Add($"bfloat16 instructions on this CPU: {(Gan.Runtime.MixedPrecision.Bf16IsFast(CPU) ? "yes (AVX-512 BF16 or AMX)" : "none (libtorch emulates bf16)")}.");
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
