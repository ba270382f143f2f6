using System.Collections.Generic;
using System.Linq;
using Gan.Runtime;
using Gan.Cli;
using Gan.Runtime.Metrics;
using GanDsl.Tests.Runtime;
using Shouldly;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;
using static GanDsl.Tests.Training.PlayerSnapshots;

namespace GanDsl.Tests.Training;

/// <summary>InfoGAN (Chen et al. 2016) as generated: the information phase trains G, the shared trunk and the heads, not
/// the judge; the game's D step trains the trunk and the judge; the Gaussian log-likelihood; the unsupervised accuracy.</summary>
[Collection(TorchGlobalRngCollection.Name)]
public class InfoGanTests
{
    private sealed class Source : IBatchSource
    {
        public int BatchSize => 16;
        public Device Device => CPU;
        public Batch Next() => new(randn(16, 6));
    }


    [Fact]
    public void Each_phase_changes_the_networks_it_should()
    {
        torch.manual_seed(1);
        using var model = new TinyInfoGan(CPU);
        var data = new Source();
        string[] players = { "G", "T", "D", "Q", "Qs" };
        var phases = new (System.Func<float> Step, string[] Changes)[]
        {
            (() => model.StepInformation(data), new[] { "G", "T", "Q", "Qs" }),
            (() => model.StepDiscriminators(data), new[] { "T", "D" }),
            (() => model.StepGenerators(data), new[] { "G" }),
        };
        foreach (var (step, changes) in phases)
        {
            var before = players.ToDictionary(p => p, p => Snap(model, p));
            step();
            foreach (string p in players) Same(before[p], model, p).ShouldBe(!changes.Contains(p), $"{p} after the phase that changes {string.Join(", ", changes)}");
        }
    }

    [Fact]
    public void The_information_phase_teaches_Q_to_read_the_code()
    {
        torch.manual_seed(1);
        using var model = new TinyInfoGan(CPU);
        var data = new Source();
        float first = model.StepInformation(data), last = 0;
        for (int i = 0; i < 300; i++) last = model.StepInformation(data);
        last.ShouldBeLessThan(first - 0.5f, $"−E[log Q(c | ·)] − 0.1 E[log Qs(s | ·)]: {first} → {last}");
    }

    [Fact]
    public void The_papers_networks_have_the_papers_shapes()
    {
        // Chen et al. 2016, Appendix C.1: G 74 → 1024 → 7×7×128 → 14×14×64 → 28×28; the trunk → 1024; Q's head → 128 → outputs.
        using var g = Gan.Runtime.Nets.Nets.InfoGanGenerator(74);
        using var t = Gan.Runtime.Nets.Nets.InfoGanTrunk();
        using var q = Gan.Runtime.Nets.Nets.InfoGanHead(10);
        Tensor images = g.forward(randn(4, 74));
        images.shape.ShouldBe(new long[] { 4, 1, 28, 28 });
        images.abs().max().item<float>().ShouldBeLessThanOrEqualTo(1f);   // tanh
        Tensor features = t.forward(images);
        features.shape.ShouldBe(new long[] { 4, 1024 });
        q.forward(features).shape.ShouldBe(new long[] { 4, 10 });
        g.parameters().Sum(p => p.numel()).ShouldBe(74L * 1024 + 2 * 1024 + 1024L * 6272 + 2 * 6272 + 128L * 64 * 16 + 2 * 64 + 64 * 16 + 1);
        Should.Throw<System.ArgumentException>(() => Gan.Runtime.Nets.Nets.InfoGanHead(0));
    }

    [Fact]
    public void The_authors_code_options_set_the_slope_the_batch_norm_scales_and_a_shared_head()
    {
        using var trunk = Gan.Runtime.Nets.Nets.InitNormal(Gan.Runtime.Nets.Nets.InfoGanTrunk(leak: 0.01), 0.02, batchNormScales: true);
        var parameters = trunk.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Tensor scales = parameters["bn3.weight"];
        scales.mean().item<float>().ShouldBe(1f, 0.005f);
        scales.std().item<float>().ShouldBe(0.02f, 0.004f);      // drawn, not left at 1
        parameters["bn3.bias"].abs().max().item<float>().ShouldBe(0f);
        using (var plain = Gan.Runtime.Nets.Nets.InitNormal(Gan.Runtime.Nets.Nets.InfoGanTrunk(), 0.02))
            plain.named_parameters().Single(p => p.name == "bn3.weight").parameter.std().item<float>().ShouldBe(0f);   // default: scales untouched

        // The slope: a negative input to the first layer's activation comes out multiplied by it.
        var lrelu = (TorchSharp.Modules.LeakyReLU)trunk.named_modules().Single(m => m.name == "lrelu1").module;
        lrelu.forward(tensor(new[] { -1f })).item<float>().ShouldBe(-0.01f, 1e-7f);

        using var head = Gan.Runtime.Nets.Nets.InfoGanSharedHead(leak: 0.01);
        head.forward(randn(3, 1024)).shape.ShouldBe(new long[] { 3, 128 });
        Should.Throw<System.ArgumentException>(() => Gan.Runtime.Nets.Nets.InfoGanTrunk(leak: 1.5)).Message.ShouldContain("slope in [0, 1)");
    }

    [Fact]
    public void The_Gaussian_log_likelihood_has_unit_variance()
    {
        Tensor mean = tensor(new float[] { 0, 0, 1, 2 }).view(2, 2), value = tensor(new float[] { 1, 0, 1, 2 }).view(2, 2);
        float[] ll = Likelihood.LogGaussian(mean, value).data<float>().ToArray();
        double c = -System.Math.Log(2 * System.Math.PI);   // −(d/2) log 2π with d = 2
        ll[0].ShouldBe((float)(-0.5 + c), 1e-5f);
        ll[1].ShouldBe((float)c, 1e-5f);
        Should.Throw<System.ArgumentException>(() => Likelihood.LogGaussian(ones(2, 3), ones(2, 2))).Message.ShouldContain("[2, 2], but it returned [2, 3]");
    }

    [Fact]
    public void The_best_matching_of_codes_to_labels_finds_the_permutation()
    {
        // codes 0,1,2 hold labels 2,0,1 (plus a few mistakes)
        var confusion = new long[,] { { 1, 0, 9 }, { 8, 2, 0 }, { 0, 10, 0 } };
        CodeAccuracy.BestMatching(confusion).Accuracy.ShouldBe(27.0 / 30.0, 1e-12);
        CodeAccuracy.BestMatching(new long[,] { { 5, 5 }, { 5, 5 } }).Accuracy.ShouldBe(0.5, 1e-12);
    }
}
