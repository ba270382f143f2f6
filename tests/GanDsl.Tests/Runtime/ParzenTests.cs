using System;
using System.Linq;
using Gan.Runtime.Metrics;
using Shouldly;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace GanDsl.Tests.Runtime;

[Collection(TorchGlobalRngCollection.Name)]
public sealed class ParzenTests
{
    [Fact]
    public void The_log_likelihood_of_a_hand_computed_point_follows_the_formula()
    {
        // Two centres in 2-D, σ = 0.5; x = (0, 1) is at squared distance 1 from (0, 0) and 2 from (1, 0).
        using Tensor centers = torch.tensor(new float[] { 0, 0, 1, 0 }, new long[] { 2, 2 });
        using Tensor points = torch.tensor(new float[] { 0, 1, 1, 0 }, new long[] { 2, 2 });
        double s2 = 0.25;
        double logNorm = -0.5 * 2 * Math.Log(2 * Math.PI * s2);
        double expected0 = Math.Log(0.5 * (Math.Exp(-1 / (2 * s2)) + Math.Exp(-2 / (2 * s2)))) + logNorm;
        // (1, 0) sits on a centre and is at squared distance 1 from the other.
        double expected1 = Math.Log(0.5 * (Math.Exp(0) + Math.Exp(-1 / (2 * s2)))) + logNorm;

        using Tensor ll = Parzen.LogLikelihoods(centers, points, 0.5);

        ll.dtype.ShouldBe(ScalarType.Float64);
        ll.shape.ShouldBe(new long[] { 2 });
        ll[0].item<double>().ShouldBe(expected0, 1e-9);
        ll[1].item<double>().ShouldBe(expected1, 1e-9);
    }

    [Fact]
    public void A_single_centre_gives_the_gaussian_log_density()
    {
        // One centre at the origin of R^3: the KDE is N(0, σ²I) itself.
        using Tensor center = torch.zeros(1, 3);
        using Tensor x = torch.tensor(new float[] { 0.3f, -0.2f, 0.5f }, new long[] { 1, 3 });
        double sigma = 0.7, r2 = 0.09 + 0.04 + 0.25;
        double expected = -r2 / (2 * sigma * sigma) - 1.5 * Math.Log(2 * Math.PI * sigma * sigma);

        using Tensor ll = Parzen.LogLikelihoods(center, x, sigma);

        ll.item<double>().ShouldBe(expected, 1e-6); // float32 input: x is only exact to ~1e-8
    }

    [Fact]
    public void Many_centres_drawn_from_a_gaussian_approach_the_log_density_of_the_widened_gaussian()
    {
        // Centres ~ N(0, s²I) in 2-D: the KDE of width σ converges to N(0, (s² + σ²)I) as the centres grow in number.
        torch.manual_seed(20140610);
        const double s = 1.0, sigma = 0.4;
        using Tensor centers = torch.randn(40_000, 2, dtype: float64) * s;
        using Tensor points = torch.tensor(new double[] { 0, 0, 0.5, -0.5, 1, 0, -1, 1, 1.5, 0.2 }, new long[] { 5, 2 });
        double variance = s * s + sigma * sigma;

        using Tensor ll = Parzen.LogLikelihoods(centers, points, sigma);

        for (int i = 0; i < 5; i++)
        {
            double x = points[i, 0].item<double>(), y = points[i, 1].item<double>();
            double analytic = -(x * x + y * y) / (2 * variance) - Math.Log(2 * Math.PI * variance);
            // The density's relative Monte Carlo error is about 1/sqrt(N · effective fraction): a few per cent at most.
            ll[i].item<double>().ShouldBe(analytic, 0.05, $"point {i}");
        }
    }

    [Fact]
    public void Chunking_does_not_change_the_values()
    {
        torch.manual_seed(7);
        using Tensor centers = torch.rand(53, 10);
        using Tensor points = torch.rand(29, 10);

        using Tensor whole = Parzen.LogLikelihoods(centers, points, 0.3);
        using Tensor chunked = Parzen.LogLikelihoods(centers, points, 0.3, chunk: 7);

        whole.allclose(chunked, rtol: 1e-12, atol: 1e-10).ShouldBeTrue();
    }

    [Fact]
    public void Image_shaped_and_flat_inputs_give_the_same_values()
    {
        torch.manual_seed(8);
        using Tensor centers = torch.rand(20, 1, 28, 28);
        using Tensor points = torch.rand(6, 1, 28, 28);

        using Tensor asImages = Parzen.LogLikelihoods(centers, points, 0.2);
        using Tensor flat = Parzen.LogLikelihoods(centers.reshape(20, 784), points.reshape(6, 784), 0.2);

        asImages.allclose(flat, rtol: 1e-12, atol: 1e-9).ShouldBeTrue();
    }

    [Fact]
    public void Samples_equal_to_the_test_points_score_higher_than_shifted_samples()
    {
        torch.manual_seed(9);
        using Tensor test = torch.rand(200, 784);
        using Tensor validation = torch.rand(100, 784);
        using Tensor shifted = (test + 0.1).clamp(0, 1);

        ParzenResult exact = Parzen.Evaluate(test, validation, test);
        ParzenResult off = Parzen.Evaluate(shifted, validation, test);

        exact.MeanLogLikelihood.ShouldBeGreaterThan(off.MeanLogLikelihood);
    }

    [Fact]
    public void The_width_search_on_1d_gaussian_data_picks_a_width_near_silvermans_bandwidth()
    {
        torch.manual_seed(1986);
        const int n = 2000;
        using Tensor samples = torch.randn(n, 1);
        using Tensor validation = torch.randn(1000, 1);
        using Tensor test = torch.randn(1000, 1);
        double silverman = 1.06 * samples.std().item<float>() * Math.Pow(n, -0.2); // ≈ 0.23
        var grid = Enumerable.Range(0, 31).Select(i => Math.Pow(10, -2 + i / 10.0)).ToArray(); // 0.01 … 10

        ParzenResult result = Parzen.Evaluate(samples, validation, test, grid);

        result.Sigma.ShouldBeInRange(silverman / 2.5, silverman * 2.5);
        result.SigmaSearch.Select(s => s.Sigma).ShouldBe(grid);
        // Each width's validation score, and so the chosen width, recomputed here in double loops: the mean over validation
        // points v of log (1/n) Σ_i N(v; s_i, σ²), by log-sum-exp.
        double[] xs = samples.flatten().data<float>().Select(v => (double)v).ToArray();
        double[] vs = validation.flatten().data<float>().Select(v => (double)v).ToArray();
        double ValidationScore(double sigma)
        {
            double total = 0;
            var exponents = new double[xs.Length];
            foreach (double v in vs)
            {
                for (int i = 0; i < xs.Length; i++) exponents[i] = -0.5 * Math.Pow((v - xs[i]) / sigma, 2);
                double top = exponents.Max();
                total += top + Math.Log(exponents.Sum(e => Math.Exp(e - top)) / xs.Length) - Math.Log(sigma * Math.Sqrt(2 * Math.PI));
            }
            return total / vs.Length;
        }
        double[] scores = grid.Select(ValidationScore).ToArray();
        for (int i = 0; i < grid.Length; i++)
            result.SigmaSearch[i].MeanLl.ShouldBe(scores[i], 1e-3, $"σ = {grid[i]}");
        result.Sigma.ShouldBe(grid[Array.IndexOf(scores, scores.Max())]);
        // A good KDE of N(0, 1) scores close to its entropy: E[log N(x; 0, 1)] = −½ log(2πe) ≈ −1.419.
        result.MeanLogLikelihood.ShouldBe(-0.5 * Math.Log(2 * Math.PI * Math.E), 0.1);
        result.Samples.ShouldBe(n);
        result.Validation.ShouldBe(1000);
        result.Test.ShouldBe(1000);
    }

    [Fact]
    public void The_reported_mean_and_standard_error_are_those_of_the_test_log_likelihoods_at_the_chosen_width()
    {
        torch.manual_seed(11);
        using Tensor samples = torch.rand(300, 16);
        using Tensor validation = torch.rand(50, 16);
        using Tensor test = torch.rand(80, 16);

        ParzenResult result = Parzen.Evaluate(samples, validation, test);
        using Tensor ll = Parzen.LogLikelihoods(samples, test, result.Sigma);
        double[] values = ll.data<double>().ToArray();
        double mean = values.Average();
        double std = Math.Sqrt(values.Select(v => (v - mean) * (v - mean)).Sum() / values.Length);

        result.MeanLogLikelihood.ShouldBe(mean, 1e-9);
        result.StandardError.ShouldBe(std / Math.Sqrt(80), 1e-9);
        Parzen.DefaultSigmas.Count.ShouldBe(10);
        Parzen.DefaultSigmas[0].ShouldBe(0.1, 1e-15);
        Parzen.DefaultSigmas[9].ShouldBe(1.0, 1e-15);
        result.SigmaSearch.Select(s => s.Sigma).ShouldBe(Parzen.DefaultSigmas);
        result.Protocol.ShouldContain("Goodfellow");
        result.Protocol.ShouldContain("300 samples");
        result.Protocol.ShouldContain("50 validation");
        result.Protocol.ShouldContain("80 test");
    }

    [Fact]
    public void Dimension_mismatches_empty_sets_and_bad_widths_are_rejected()
    {
        using Tensor a = torch.rand(10, 5);
        using Tensor b = torch.rand(10, 6);
        using Tensor empty = torch.zeros(0, 5);

        Should.Throw<ArgumentException>(() => Parzen.LogLikelihoods(a, b, 0.1)).Message.ShouldContain("[10, 6]");
        Should.Throw<ArgumentException>(() => Parzen.Evaluate(a, b, a)).Message.ShouldContain("validation");
        Should.Throw<ArgumentException>(() => Parzen.Evaluate(a, a, b)).Message.ShouldContain("test");
        Should.Throw<ArgumentException>(() => Parzen.Evaluate(empty, a, a)).Message.ShouldContain("empty");
        Should.Throw<ArgumentException>(() => Parzen.Evaluate(a, empty, a)).Message.ShouldContain("empty");
        Should.Throw<ArgumentException>(() => Parzen.Evaluate(a, a, empty)).Message.ShouldContain("empty");
        Should.Throw<ArgumentException>(() => Parzen.LogLikelihoods(empty, a, 0.1)).Message.ShouldContain("empty");
        Should.Throw<ArgumentOutOfRangeException>(() => Parzen.LogLikelihoods(a, a, 0));
        Should.Throw<ArgumentOutOfRangeException>(() => Parzen.LogLikelihoods(a, a, double.NaN));
        Should.Throw<ArgumentOutOfRangeException>(() => Parzen.Evaluate(a, a, a, new[] { 0.1, -1.0 }));
        Should.Throw<ArgumentException>(() => Parzen.Evaluate(a, a, a, Array.Empty<double>()));
        Should.Throw<ArgumentException>(() => Parzen.LogLikelihoods(torch.rand(5), a, 0.1));
    }
}
