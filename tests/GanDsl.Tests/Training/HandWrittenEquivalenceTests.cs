using System.Collections.Generic;
using System.Linq;
using Gan.Runtime;
using Gan.Runtime.Data;
using Gan.Runtime.Nets;
using GanDsl.Samples.Catalog;
using GanDsl.Reference;
using GanDsl.Tests.Runtime;
using Shouldly;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace GanDsl.Tests.Training;

/// <summary>The generated TrainStep equals the same step written by hand in TorchSharp: same initial weights,
/// seed and data; parameters equal to 1e-6 after several steps.</summary>
[Collection(TorchGlobalRngCollection.Name)]
public class HandWrittenEquivalenceTests
{
    private const int Steps = 6;

    private static List<Tensor> RunGenerated(IAdversarialModel model)
    {
        var data = new MixtureBatchSource(GaussianMixture2D.Ring8(), 64, CPU);
        torch.manual_seed(99);
        for (int i = 0; i < Steps; i++) model.TrainStep(data);
        return model.PlayerParameters("G").Concat(model.PlayerParameters("D")).Select(p => p.detach().clone()).ToList();
    }

    private static List<Tensor> RunHandWritten(int[] gSizes, int[] dSizes, double lrG, double lrD, int k, bool nonSaturating)
    {
        torch.manual_seed(7);
        var g = Nets.Mlp(gSizes);   // created in the order the generated constructor creates them: G, then D
        var d = Nets.Mlp(dSizes);
        using var reference = new HandWrittenGan(g, d, lrG, lrD, k, gSizes[0], nonSaturating);
        var data = new MixtureBatchSource(GaussianMixture2D.Ring8(), 64, CPU);
        torch.manual_seed(99);
        for (int i = 0; i < Steps; i++) reference.Step(data);
        return reference.Parameters.Select(p => p.detach().clone()).ToList();
    }

    private static void ShouldBeEqual(List<Tensor> generated, List<Tensor> hand)
    {
        generated.Count.ShouldBe(hand.Count);
        for (int i = 0; i < generated.Count; i++)
        {
            generated[i].shape.ShouldBe(hand[i].shape);
            double maxDiff = (generated[i] - hand[i]).abs().max().item<float>();
            maxDiff.ShouldBeLessThanOrEqualTo(1e-6, $"parameter {i}");
        }
    }

    private static T Build<T>(System.Func<T> create)
    {
        torch.manual_seed(7);
        return create();
    }

    [Fact]
    public void K1_non_saturating_matches_hand_written()
    {
        using var model = Build(() => new Goodfellow2014(CPU));
        ShouldBeEqual(RunGenerated(model), RunHandWritten(new[] { 2, 128, 128, 2 }, new[] { 2, 128, 128, 1 }, 1e-3, 1e-3, k: 1, nonSaturating: true));
    }

    [Fact]
    public void K3_non_saturating_matches_hand_written()
    {
        using var model = Build(() => new GanK3(CPU));
        ShouldBeEqual(RunGenerated(model), RunHandWritten(new[] { 3, 32, 32, 2 }, new[] { 2, 32, 32, 1 }, 1e-3, 2e-3, k: 3, nonSaturating: true));
    }

    [Fact]
    public void K1_minimax_matches_hand_written()
    {
        using var model = Build(() => new GanMinimaxK1(CPU));
        ShouldBeEqual(RunGenerated(model), RunHandWritten(new[] { 3, 32, 32, 2 }, new[] { 2, 32, 32, 1 }, 1e-3, 2e-3, k: 1, nonSaturating: false));
    }

    [Fact]
    public void The_comparison_can_tell_the_losses_and_k_apart()
    {
        // Guards the test itself: the hand-written step with the other generator loss, or another k, is not equal.
        using var model = Build(() => new GanMinimaxK1(CPU));
        List<Tensor> generated = RunGenerated(model);
        List<Tensor> otherLoss = RunHandWritten(new[] { 3, 32, 32, 2 }, new[] { 2, 32, 32, 1 }, 1e-3, 2e-3, k: 1, nonSaturating: true);
        List<Tensor> otherK = RunHandWritten(new[] { 3, 32, 32, 2 }, new[] { 2, 32, 32, 1 }, 1e-3, 2e-3, k: 2, nonSaturating: false);
        generated.Zip(otherLoss).Max(p => (p.First - p.Second).abs().max().item<float>()).ShouldBeGreaterThan(1e-4f);
        generated.Zip(otherK).Max(p => (p.First - p.Second).abs().max().item<float>()).ShouldBeGreaterThan(1e-4f);
    }
}
