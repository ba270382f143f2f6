using System;
using System.Linq;
using Gan.Runtime;
using Gan.Runtime.Data;
using Shouldly;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace GanDsl.Tests.Runtime;

/// <summary>
/// Tests that seed TorchSharp's global generator and then draw from it. They run alone (after the parallel
/// collections), so no other test draws between the seed and the draw.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchGlobalRngCollection
{
    public const string Name = "TorchSharp global RNG";
}

[Collection(TorchGlobalRngCollection.Name)]
public sealed class MixtureTests
{
    [Fact]
    public void Ring8_has_eight_modes_on_the_unit_circle_with_std_001()
    {
        var ring = GaussianMixture2D.Ring8();

        ring.Name.ShouldBe("ring");
        ring.ModeCount.ShouldBe(8);
        ring.Std.ShouldBe(0.01);
        foreach (var (x, y) in ring.Means) Math.Sqrt(x * x + y * y).ShouldBe(1.0, 1e-12);
        // Equally spaced: neighbours are 2 sin(pi/8) apart.
        for (int k = 0; k < 8; k++)
        {
            var a = ring.Means[k];
            var b = ring.Means[(k + 1) % 8];
            Math.Sqrt((a.X - b.X) * (a.X - b.X) + (a.Y - b.Y) * (a.Y - b.Y)).ShouldBe(2 * Math.Sin(Math.PI / 8), 1e-12);
        }
        ring.Means[0].X.ShouldBe(1.0, 1e-12);
        ring.Means[0].Y.ShouldBe(0.0, 1e-12);
    }

    [Fact]
    public void Grid25_has_modes_at_minus4_plus_2i_with_std_005()
    {
        var grid = GaussianMixture2D.Grid25();

        grid.Name.ShouldBe("grid");
        grid.ModeCount.ShouldBe(25);
        grid.Std.ShouldBe(0.05);
        var expected = (from i in Enumerable.Range(0, 5) from j in Enumerable.Range(0, 5) select (X: -4.0 + 2 * i, Y: -4.0 + 2 * j))
            .OrderBy(m => m.X).ThenBy(m => m.Y).ToArray();
        grid.Means.OrderBy(m => m.X).ThenBy(m => m.Y).ToArray().ShouldBe(expected);
    }

    [Theory]
    [InlineData("ring", 8)]
    [InlineData("grid", 25)]
    [InlineData(" Ring ", 8)]
    public void ByName_finds_the_known_mixtures(string name, int modes)
    {
        GaussianMixture2D.ByName(name).ModeCount.ShouldBe(modes);
    }

    [Fact]
    public void ByName_rejects_an_unknown_name_and_lists_the_known_ones()
    {
        var e = Should.Throw<ArgumentException>(() => GaussianMixture2D.ByName("spiral"));
        e.Message.ShouldContain("'spiral'");
        e.Message.ShouldContain("ring");
        e.Message.ShouldContain("grid");
    }

    [Fact]
    public void The_constructor_rejects_bad_parameters()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => new GaussianMixture2D("m", new[] { (0.0, 0.0) }, 0));
        Should.Throw<ArgumentOutOfRangeException>(() => new GaussianMixture2D("m", new[] { (0.0, 0.0) }, double.NaN));
        Should.Throw<ArgumentException>(() => new GaussianMixture2D("m", Array.Empty<(double, double)>(), 1));
        Should.Throw<ArgumentException>(() => new GaussianMixture2D("m", new[] { (double.NaN, 0.0) }, 1))
            .Message.ShouldContain("mode 0");
    }

    [Fact]
    public void Sample_is_float32_n_by_2_on_the_device_and_reproducible_with_manual_seed()
    {
        var ring = GaussianMixture2D.Ring8();

        torch.manual_seed(1234);
        using var a = ring.Sample(500, torch.CPU);
        torch.manual_seed(1234);
        using var b = ring.Sample(500, torch.CPU);
        torch.manual_seed(4321);
        using var c = ring.Sample(500, torch.CPU);

        a.shape.ShouldBe(new long[] { 500, 2 });
        a.dtype.ShouldBe(ScalarType.Float32);
        a.device_type.ShouldBe(DeviceType.CPU);
        a.data<float>().ToArray().ShouldBe(b.data<float>().ToArray());
        a.data<float>().ToArray().ShouldNotBe(c.data<float>().ToArray());
    }

    [Fact]
    public void Sample_has_equal_mode_weights_and_the_right_spread()
    {
        var grid = GaussianMixture2D.Grid25();
        const int n = 50_000;
        torch.manual_seed(7);
        using var x = grid.Sample(n, torch.CPU);
        float[] xy = x.data<float>().ToArray();

        var counts = new int[25];
        double sumSq = 0;
        for (int i = 0; i < n; i++)
        {
            double px = xy[2 * i], py = xy[2 * i + 1];
            int nearest = Enumerable.Range(0, 25).MinBy(k => Sq(px - grid.Means[k].X) + Sq(py - grid.Means[k].Y));
            counts[nearest]++;
            sumSq += Sq(px - grid.Means[nearest].X) + Sq(py - grid.Means[nearest].Y);
        }

        // 2,000 expected per mode; binomial sd ~ 44, so +-250 is over 5 sd.
        counts.ShouldAllBe(count => Math.Abs(count - n / 25) < 250);
        // E|offset|^2 = 2 std^2 for an isotropic 2-D Gaussian.
        Math.Sqrt(sumSq / n / 2).ShouldBe(grid.Std, 0.001);
    }

    [Fact]
    public void Sample_rejects_a_negative_count()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => GaussianMixture2D.Ring8().Sample(-1, torch.CPU));
    }

    [Fact]
    public void MixtureBatchSource_returns_a_fresh_batch_of_x_every_call()
    {
        var source = new MixtureBatchSource(GaussianMixture2D.Ring8(), 64, torch.CPU);
        source.BatchSize.ShouldBe(64);

        Batch first = source.Next();
        Batch second = source.Next();
        using Tensor x1 = first["x"];
        using Tensor x2 = second["x"];

        first.Fields.ShouldBe(new[] { "x" });
        x1.shape.ShouldBe(new long[] { 64, 2 });
        x1.dtype.ShouldBe(ScalarType.Float32);
        x1.device_type.ShouldBe(DeviceType.CPU);
        x1.data<float>().ToArray().ShouldNotBe(x2.data<float>().ToArray());
        // Every point is near the unit circle (std 0.01: 10 std is 0.1).
        float[] xy = x1.data<float>().ToArray();
        for (int i = 0; i < 64; i++) Math.Sqrt(Sq(xy[2 * i]) + Sq(xy[2 * i + 1])).ShouldBe(1.0, 0.1);
    }

    [Fact]
    public void MixtureBatchSource_rejects_a_nonpositive_batch_size()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => new MixtureBatchSource(GaussianMixture2D.Ring8(), 0, torch.CPU));
    }

    private static double Sq(double v) => v * v;
}
