using System.Collections.Generic;
using System.Linq;
using Gan.Runtime;
using Gan.Runtime.Data;
using Gan.Runtime.Nets;
using Gan.Dsl;
using GanDsl.Samples.Catalog;
using GanDsl.Reference;
using GanDsl.Tests.Runtime;
using Shouldly;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace GanDsl.Tests.Training;

/// <summary>The generated TrainStep equals the same step written by hand in TorchSharp: same initial weights,
/// seed and data; parameters equal to 1e-6 after several steps (1e-5 for the image models, whose larger networks
/// accumulate more rounding). This is what makes the overhead benchmark's ratios meaningful.</summary>
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

    private const int ImageSteps = 3;

    /// <summary>A fixed set of random images in [0, 1] (mapped to the model's range by the source), the same for every call.</summary>
    private static ImageBatchSource RandomImages(int batch, DataRange range)
    {
        using var generator = new torch.Generator(2024);
        using var images = rand(new long[] { 4 * batch, 1, 28, 28 }, generator: generator);
        using var labels = zeros(4 * batch, dtype: int64);
        return new ImageBatchSource(images, labels, batch, CPU, range, seed: 3);
    }

    private static List<Tensor> RunGeneratedImages(IAdversarialModel model, int batch, DataRange range)
    {
        using var data = RandomImages(batch, range);
        torch.manual_seed(99);
        for (int i = 0; i < ImageSteps; i++) model.TrainStep(data);
        return model.PlayerParameters("G").Concat(model.PlayerParameters("D")).Select(p => p.detach().clone()).ToList();
    }

    private static List<Tensor> RunHandWrittenImages(System.Func<(nn.Module<Tensor, Tensor> G, nn.Module<Tensor, Tensor> D)> networks,
                                                     int batch, DataRange range, bool uniformNoise)
    {
        torch.manual_seed(7);
        var (g, d) = networks();
        using var reference = new HandWrittenGan(g, d, 2e-4, 2e-4, 1, 100, nonSaturating: true, noGrad: true, uniformNoise: uniformNoise);
        using var data = RandomImages(batch, range);
        torch.manual_seed(99);
        for (int i = 0; i < ImageSteps; i++) reference.Step(data);
        return reference.Parameters.Select(p => p.detach().clone()).ToList();
    }

    /// <summary>The catalog's MNIST networks, created in the generated constructor's order (G, then D).</summary>
    internal static (nn.Module<Tensor, Tensor> G, nn.Module<Tensor, Tensor> D) MnistNetworks()
    {
        var g = Nets.MlpGenerator(100, new[] { 1200, 1200 }, new long[] { 1, 28, 28 }, Activation.Sigmoid);
        var d = Nets.MaxoutDiscriminator(new long[] { 1, 28, 28 }, units: 240, pieces: 5);
        return (g, d);
    }

    internal static (nn.Module<Tensor, Tensor> G, nn.Module<Tensor, Tensor> D) DcganNetworks()
    {
        var g = Nets.DcganGenerator(100, channels: 1, width: 64);
        var d = Nets.DcganDiscriminator(channels: 1, width: 64);
        return (g, d);
    }

    private static void ShouldBeEqual(List<Tensor> generated, List<Tensor> hand, double tolerance = 1e-6)
    {
        generated.Count.ShouldBe(hand.Count);
        for (int i = 0; i < generated.Count; i++)
        {
            generated[i].shape.ShouldBe(hand[i].shape);
            double maxDiff = (generated[i] - hand[i]).abs().max().item<float>();
            maxDiff.ShouldBeLessThanOrEqualTo(tolerance, $"parameter {i}");
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

    [Fact]
    public void Mnist_mlp_maxout_uniform_noise_matches_hand_written()
    {
        // Goodfellow2014Mnist: MLP generator with a sigmoid output, maxout discriminator with dropout, z ~ U[-1, 1]^100, Adam 2e-4 / 0.5.
        using var model = Build(() => new Goodfellow2014Mnist(CPU));
        ShouldBeEqual(RunGeneratedImages(model, 20, DataRange.ZeroToOne),
                      RunHandWrittenImages(MnistNetworks, 20, DataRange.ZeroToOne, uniformNoise: true), tolerance: 1e-5);
    }

    [Fact]
    public void Dcgan_matches_hand_written()
    {
        // Dcgan: transposed convolutions with batch norm, z ~ N(0, I)^100, data in [-1, 1], Adam 2e-4 / 0.5.
        using var model = Build(() => new Dcgan(CPU));
        ShouldBeEqual(RunGeneratedImages(model, 16, DataRange.MinusOneToOne),
                      RunHandWrittenImages(DcganNetworks, 16, DataRange.MinusOneToOne, uniformNoise: false), tolerance: 1e-5);
    }

    [Fact]
    public void The_image_comparison_can_tell_the_noise_distributions_apart()
    {
        using var model = Build(() => new Goodfellow2014Mnist(CPU));
        List<Tensor> generated = RunGeneratedImages(model, 20, DataRange.ZeroToOne);
        List<Tensor> normal = RunHandWrittenImages(MnistNetworks, 20, DataRange.ZeroToOne, uniformNoise: false);
        generated.Zip(normal).Max(p => (p.First - p.Second).abs().max().item<float>()).ShouldBeGreaterThan(1e-5f);
    }
}
