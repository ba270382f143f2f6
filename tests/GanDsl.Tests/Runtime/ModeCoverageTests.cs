using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using Gan.Runtime.Data;
using Gan.Runtime.Metrics;
using Shouldly;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace GanDsl.Tests.Runtime;

[Collection(TorchGlobalRngCollection.Name)]
public sealed class ModeCoverageTests
{
    private static readonly GaussianMixture2D Ring = GaussianMixture2D.Ring8();
    private static readonly GaussianMixture2D Grid = GaussianMixture2D.Grid25();

    [Fact]
    public void Points_exactly_on_every_ring_mode_in_equal_numbers_cover_8_of_8_with_zero_reverse_kl()
    {
        var points = Points(Ring.Means.SelectMany(m => Enumerable.Repeat(m, 10)));

        var coverage = ModeCoverage.Measure(points, Ring);

        coverage.ModesCaptured.ShouldBe(8);
        coverage.ModesTotal.ShouldBe(8);
        coverage.HighQualityFraction.ShouldBe(1.0);
        coverage.ReverseKl.ShouldNotBeNull();
        coverage.ReverseKl!.Value.ShouldBe(0.0, 1e-12);
        coverage.SampleCount.ShouldBe(80);
        coverage.HighQualityCountsPerMode.ShouldBe(Enumerable.Repeat(10L, 8));
        coverage.Mixture.ShouldBe("ring");
        coverage.Protocol.ShouldContain("3 std");
    }

    [Fact]
    public void Points_all_on_one_ring_mode_cover_1_of_8_with_reverse_kl_ln8()
    {
        var points = Points(Enumerable.Repeat(Ring.Means[3], 100));

        var coverage = ModeCoverage.Measure(points, Ring);

        coverage.ModesCaptured.ShouldBe(1);
        coverage.HighQualityFraction.ShouldBe(1.0);
        // KL(p || uniform) with p = (1, 0, ..., 0): 1 * ln(1 * 8).
        coverage.ReverseKl!.Value.ShouldBe(Math.Log(8), 1e-12);
        coverage.HighQualityCountsPerMode[3].ShouldBe(100);
    }

    [Fact]
    public void Reverse_kl_of_an_unbalanced_histogram_is_sum_p_ln_pK()
    {
        // 3 samples on mode 0, 1 on mode 5: p = (3/4, 1/4).
        var points = Points(new[] { Ring.Means[0], Ring.Means[0], Ring.Means[0], Ring.Means[5] });

        var coverage = ModeCoverage.Measure(points, Ring);

        coverage.ModesCaptured.ShouldBe(2);
        coverage.ReverseKl!.Value.ShouldBe(0.75 * Math.Log(0.75 * 8) + 0.25 * Math.Log(0.25 * 8), 1e-12);
    }

    [Fact]
    public void Points_ten_std_from_every_mode_are_not_high_quality_and_capture_nothing()
    {
        // Radially outwards from each ring mode, 10 std away (the other modes are farther still), plus the origin.
        var outward = Ring.Means.Select(m => (X: m.X * (1 + 10 * Ring.Std), Y: m.Y * (1 + 10 * Ring.Std)));
        var points = Points(outward.Append((0.0, 0.0)));

        var coverage = ModeCoverage.Measure(points, Ring);

        coverage.HighQualityFraction.ShouldBe(0.0);
        coverage.ModesCaptured.ShouldBe(0);
        coverage.ReverseKl.ShouldBeNull(); // no high-quality histogram to compare
        coverage.SampleCount.ShouldBe(9);
    }

    [Fact]
    public void Only_high_quality_samples_enter_the_histogram()
    {
        // 4 on mode 0, 4 far from mode 1 (nearest to it, but 10 std away): mode 1 is not captured.
        var m0 = Ring.Means[0];
        var m1 = Ring.Means[1];
        var far = (X: m1.X * 1.1, Y: m1.Y * 1.1);
        var points = Points(Enumerable.Repeat(m0, 4).Concat(Enumerable.Repeat(far, 4)));

        var coverage = ModeCoverage.Measure(points, Ring);

        coverage.HighQualityFraction.ShouldBe(0.5);
        coverage.ModesCaptured.ShouldBe(1);
        coverage.ReverseKl!.Value.ShouldBe(Math.Log(8), 1e-12);
    }

    [Theory]
    [InlineData(2.9, true)]
    [InlineData(3.1, false)]
    public void The_high_quality_radius_is_three_std_in_any_direction(double stds, bool highQuality)
    {
        double angle = 0.7; // not along an axis: the radius is Euclidean, not per coordinate
        var m = Grid.Means[12];
        var point = (X: m.X + stds * Grid.Std * Math.Cos(angle), Y: m.Y + stds * Grid.Std * Math.Sin(angle));

        var coverage = ModeCoverage.Measure(Points(new[] { point }), Grid);

        coverage.HighQualityFraction.ShouldBe(highQuality ? 1.0 : 0.0);
        coverage.ModesCaptured.ShouldBe(highQuality ? 1 : 0);
    }

    [Fact]
    public void Points_on_every_grid_mode_cover_25_of_25()
    {
        var points = Points(Grid.Means.SelectMany(m => Enumerable.Repeat(m, 4)));

        var coverage = ModeCoverage.Measure(points, Grid);

        coverage.ModesCaptured.ShouldBe(25);
        coverage.ModesTotal.ShouldBe(25);
        coverage.HighQualityFraction.ShouldBe(1.0);
        coverage.ReverseKl!.Value.ShouldBe(0.0, 1e-12);
    }

    [Fact]
    public void Points_on_one_grid_mode_give_reverse_kl_ln25()
    {
        var coverage = ModeCoverage.Measure(Points(Enumerable.Repeat(Grid.Means[7], 30)), Grid);

        coverage.ModesCaptured.ShouldBe(1);
        coverage.ReverseKl!.Value.ShouldBe(Math.Log(25), 1e-12);
    }

    [Fact]
    public void Points_ten_std_from_every_grid_mode_are_not_high_quality()
    {
        // Grid modes are 2 apart (40 std); 10 std = 0.5 to the right of each mode.
        var points = Points(Grid.Means.Select(m => (X: m.X + 10 * Grid.Std, Y: m.Y)));

        var coverage = ModeCoverage.Measure(points, Grid);

        coverage.HighQualityFraction.ShouldBe(0.0);
        coverage.ModesCaptured.ShouldBe(0);
    }

    [Fact]
    public void Ten_thousand_true_ring_samples_capture_every_mode_and_are_high_quality_as_a_2d_gaussian_predicts()
    {
        torch.manual_seed(2018);
        using Tensor samples = Ring.Sample(10_000, torch.CPU);

        var coverage = ModeCoverage.Measure(samples, Ring);

        coverage.ModesCaptured.ShouldBe(8);
        coverage.SampleCount.ShouldBe(10_000);
        // The distance of a 2-D Gaussian sample from its mean is Rayleigh: P(r < 3 std) = 1 - exp(-4.5) = 0.98889.
        // Binomial sd at n = 10,000 is 0.00105: the window is about +-3 sd.
        coverage.HighQualityFraction.ShouldBeInRange(0.9855, 0.9925);
        // A balanced histogram: 1,250 per mode +- sampling noise gives a reverse KL of order (K-1)/(2n) = 0.00035.
        coverage.ReverseKl!.Value.ShouldBeLessThan(0.005);
    }

    [Fact]
    public void A_tensor_and_an_array_give_the_same_result_and_the_tensor_survives()
    {
        var array = Points(Grid.Means.Take(5).SelectMany(m => Enumerable.Repeat(m, 3)).Append((100.0, 100.0)));
        using Tensor tensor = torch.tensor(Flatten(array), new long[] { array.GetLength(0), 2 }).requires_grad_(true);

        var fromArray = ModeCoverage.Measure(array, Grid);
        var fromTensor = ModeCoverage.Measure(tensor, Grid);

        fromTensor.ModesCaptured.ShouldBe(fromArray.ModesCaptured);
        fromTensor.HighQualityFraction.ShouldBe(fromArray.HighQualityFraction);
        fromTensor.ReverseKl.ShouldBe(fromArray.ReverseKl);
        fromTensor.HighQualityCountsPerMode.ShouldBe(fromArray.HighQualityCountsPerMode);
        fromArray.ModesCaptured.ShouldBe(5);
        fromArray.HighQualityFraction.ShouldBe(15.0 / 16.0);
        tensor.IsInvalid.ShouldBeFalse();
        tensor.shape.ShouldBe(new long[] { 16, 2 });
    }

    [Fact]
    public void A_float64_tensor_is_accepted()
    {
        using Tensor tensor = torch.tensor(new double[] { 1, 0, 0, 1 }, new long[] { 2, 2 });
        ModeCoverage.Measure(tensor, Ring).ModesCaptured.ShouldBe(2);
    }

    [Fact]
    public void A_tensor_of_the_wrong_shape_is_rejected_with_its_shape()
    {
        using Tensor wrong = torch.zeros(10, 3);
        var e = Should.Throw<ArgumentException>(() => ModeCoverage.Measure(wrong, Ring));
        e.Message.ShouldContain("[10, 3]");
        Should.Throw<ArgumentException>(() => ModeCoverage.Measure(new float[4, 3], Ring)).Message.ShouldContain("[4, 3]");
    }

    [Fact]
    public void Non_finite_samples_count_but_are_never_high_quality()
    {
        var points = Points(new[] { Ring.Means[0], (double.NaN, 0.0), (double.PositiveInfinity, 1.0) });

        var coverage = ModeCoverage.Measure(points, Ring);

        coverage.SampleCount.ShouldBe(3);
        coverage.HighQualityFraction.ShouldBe(1.0 / 3.0, 1e-12);
        coverage.ModesCaptured.ShouldBe(1);
    }

    [Fact]
    public void No_samples_give_zeros_and_no_reverse_kl()
    {
        var coverage = ModeCoverage.Measure(new float[0, 2], Ring);

        coverage.SampleCount.ShouldBe(0);
        coverage.HighQualityFraction.ShouldBe(0.0);
        coverage.ModesCaptured.ShouldBe(0);
        coverage.ReverseKl.ShouldBeNull();
    }

    [Fact]
    public void It_writes_json_properties_that_parse_back()
    {
        var coverage = ModeCoverage.Measure(Points(new[] { Ring.Means[0], Ring.Means[0], Ring.Means[1], (0.0, 0.0) }), Ring);

        using var json = JsonDocument.Parse(coverage.ToJson());
        JsonElement root = json.RootElement;

        root.GetProperty("mixture").GetString().ShouldBe("ring");
        root.GetProperty("modesCaptured").GetInt32().ShouldBe(2);
        root.GetProperty("modesTotal").GetInt32().ShouldBe(8);
        root.GetProperty("highQualityFraction").GetDouble().ShouldBe(0.75);
        root.GetProperty("reverseKl").GetDouble().ShouldBe(coverage.ReverseKl!.Value, 1e-15);
        root.GetProperty("sampleCount").GetInt64().ShouldBe(4);
        root.GetProperty("highQualityCountsPerMode").EnumerateArray().Select(e => e.GetInt64()).ShouldBe(new long[] { 2, 1, 0, 0, 0, 0, 0, 0 });
        root.GetProperty("protocol").GetString().ShouldBe(ModeCoverage.ProtocolDescription);

        coverage.ToJsonProperties().Select(p => p.Key).ShouldBe(root.EnumerateObject().Select(p => p.Name));
        // The name/value pairs serialize as they are.
        var viaSerializer = JsonSerializer.Serialize(coverage.ToJsonProperties().ToDictionary(p => p.Key, p => p.Value));
        JsonDocument.Parse(viaSerializer).RootElement.GetProperty("modesCaptured").GetInt32().ShouldBe(2);
    }

    [Fact]
    public void An_undefined_reverse_kl_is_written_as_null()
    {
        var coverage = ModeCoverage.Measure(Points(new[] { (0.0, 0.0) }), Ring);

        using var json = JsonDocument.Parse(coverage.ToJson());

        json.RootElement.GetProperty("reverseKl").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    private static float[,] Points(IEnumerable<(double X, double Y)> points)
    {
        var list = points.ToList();
        var result = new float[list.Count, 2];
        for (int i = 0; i < list.Count; i++)
        {
            result[i, 0] = (float)list[i].X;
            result[i, 1] = (float)list[i].Y;
        }
        return result;
    }

    private static float[] Flatten(float[,] points) => Enumerable.Range(0, points.GetLength(0)).SelectMany(i => new[] { points[i, 0], points[i, 1] }).ToArray();
}
