using System;
using System.Linq;
using Gan.Runtime.Metrics;
using Shouldly;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace GanDsl.Tests.Runtime;

[Collection(TorchGlobalRngCollection.Name)]
public sealed class FidTests
{
    private static FeatureStatistics Gaussian(double[] mean, double[,] covariance) =>
        new(torch.tensor(mean, dtype: float64),
            torch.tensor(covariance.Cast<double>().ToArray(), new long[] { mean.Length, mean.Length }, dtype: float64),
            1000);

    private static double[,] Diagonal(params double[] values)
    {
        var m = new double[values.Length, values.Length];
        for (int i = 0; i < values.Length; i++) m[i, i] = values[i];
        return m;
    }

    [Fact]
    public void Statistics_are_the_mean_and_the_n_minus_1_covariance()
    {
        using Tensor features = torch.tensor(new float[] { 1, 2, 3, 6, 5, 10 }, new long[] { 3, 2 });

        using FeatureStatistics stats = Fid.Statistics(features);

        stats.Count.ShouldBe(3);
        stats.Dimension.ShouldBe(2);
        stats.Mean.dtype.ShouldBe(ScalarType.Float64);
        stats.Mean.data<double>().ToArray().ShouldBe(new[] { 3.0, 6.0 });
        // Deviations (−2, −4), (0, 0), (2, 4): Σ = [[8, 16], [16, 32]] / 2.
        stats.Covariance.data<double>().ToArray().ShouldBe(new[] { 4.0, 8.0, 8.0, 16.0 });
    }

    [Fact]
    public void A_set_against_itself_is_zero()
    {
        torch.manual_seed(2017);
        using Tensor features = torch.randn(2000, 32) * 3 + 1;

        double fid = Fid.Distance(features, features);

        // Relative to the scale of the terms (Tr Σ ≈ 32 · 9 ≈ 288).
        fid.ShouldBe(0, 288 * 1e-9);
    }

    [Fact]
    public void Singular_covariances_from_fewer_samples_than_features_still_give_zero_against_themselves()
    {
        torch.manual_seed(3);
        using Tensor features = torch.randn(20, 64);

        double self = Fid.Distance(features, features);
        double other = Fid.Distance(features, torch.randn(20, 64));

        self.ShouldBe(0, 1e-6);
        double.IsFinite(other).ShouldBeTrue();
        other.ShouldBeGreaterThan(0);
    }

    [Fact]
    public void Diagonal_covariances_match_the_closed_form()
    {
        double[] a = { 1.0, 4.0, 0.25 }, b = { 9.0, 1.0, 0.25 };
        double[] mu1 = { 0, 1, 2 }, mu2 = { 1, 1, 0 };
        using FeatureStatistics s1 = Gaussian(mu1, Diagonal(a));
        using FeatureStatistics s2 = Gaussian(mu2, Diagonal(b));
        // Commuting covariances: Tr(Σ₁ + Σ₂ − 2(Σ₁Σ₂)^½) = Σ_i (√a_i − √b_i)².
        double expected = mu1.Zip(mu2, (x, y) => (x - y) * (x - y)).Sum()
                          + a.Zip(b, (x, y) => (Math.Sqrt(x) - Math.Sqrt(y)) * (Math.Sqrt(x) - Math.Sqrt(y))).Sum();

        Fid.Distance(s1, s2).ShouldBe(expected, 1e-10); // (1 + 0 + 4) + (4 + 1 + 0) = 10
        expected.ShouldBe(10, 1e-12);
    }

    [Fact]
    public void Non_commuting_2x2_covariances_match_the_closed_form_of_a_2x2_square_root()
    {
        // For a 2×2 matrix M with non-negative eigenvalues, Tr √M = √(Tr M + 2√det M); here M = Σ₁Σ₂.
        var c1 = new double[,] { { 2.0, 0.8 }, { 0.8, 1.0 } };
        var c2 = new double[,] { { 1.0, -0.3 }, { -0.3, 3.0 } };
        using FeatureStatistics s1 = Gaussian(new[] { 0.5, 0.0 }, c1);
        using FeatureStatistics s2 = Gaussian(new[] { 0.0, -1.0 }, c2);
        double m00 = c1[0, 0] * c2[0, 0] + c1[0, 1] * c2[1, 0], m11 = c1[1, 0] * c2[0, 1] + c1[1, 1] * c2[1, 1];
        double det = (c1[0, 0] * c1[1, 1] - c1[0, 1] * c1[1, 0]) * (c2[0, 0] * c2[1, 1] - c2[0, 1] * c2[1, 0]);
        double traceSqrt = Math.Sqrt(m00 + m11 + 2 * Math.Sqrt(det));
        double expected = 0.25 + 1.0 + (2.0 + 1.0) + (1.0 + 3.0) - 2 * traceSqrt;

        Fid.Distance(s1, s2).ShouldBe(expected, 1e-10);
        Fid.Distance(s2, s1).ShouldBe(expected, 1e-10);
    }

    [Fact]
    public void Fid_is_symmetric_and_grows_monotonically_with_a_shift()
    {
        torch.manual_seed(42);
        using Tensor a = torch.randn(1000, 8, dtype: float64);
        using Tensor b = torch.randn(1000, 8, dtype: float64) * 1.5;

        Fid.Distance(a, b).ShouldBe(Fid.Distance(b, a), 1e-9);

        double previous = -1;
        foreach (double shift in new[] { 0.0, 0.1, 0.5, 1.0, 2.0 })
        {
            double fid = Fid.Distance(a, a + shift);
            // A shift moves only the mean: FID = ‖shift · 1‖² = 8 · shift².
            fid.ShouldBe(8 * shift * shift, 1e-8 + 1e-9 * fid);
            fid.ShouldBeGreaterThan(previous);
            previous = fid;
        }
    }

    [Fact]
    public void Statistics_computed_once_give_the_same_distance_as_the_feature_sets()
    {
        torch.manual_seed(5);
        using Tensor a = torch.randn(300, 6);
        using Tensor b = torch.randn(400, 6) + 0.2;
        using FeatureStatistics sa = Fid.Statistics(a);
        using FeatureStatistics sb = Fid.Statistics(b);

        Fid.Distance(sa, sb).ShouldBe(Fid.Distance(a, b), 1e-12);
        Fid.ProtocolDescription.ShouldContain("Heusel");
    }

    [Fact]
    public void Bad_inputs_are_rejected()
    {
        using Tensor one = torch.rand(1, 4);
        using Tensor flat = torch.rand(10);
        using Tensor a = torch.rand(10, 4);
        using Tensor b = torch.rand(10, 5);

        Should.Throw<ArgumentException>(() => Fid.Statistics(one)).Message.ShouldContain("at least 2");
        Should.Throw<ArgumentException>(() => Fid.Statistics(flat)).Message.ShouldContain("[10]");
        Should.Throw<ArgumentException>(() => Fid.Distance(a, b)).Message.ShouldContain("dimensions (4 and 5)");
        Should.Throw<ArgumentException>(() => Fid.Statistics(torch.ones(3, 2, dtype: int64)));
    }

    [Fact]
    public void Intra_class_fid_is_each_class_against_its_own_real_images()
    {
        // Real features: class 0 around (0, 0), class 1 around (10, 0). Samples: class 0 drawn like its real images, class 1
        // the same spread but moved by 3 along the second axis, so its distance is the mean term 3² = 9 (equal covariances).
        torch.manual_seed(11);
        using Tensor real0 = torch.randn(4000, 2, dtype: float64), real1 = torch.randn(4000, 2, dtype: float64) + torch.tensor(new[] { 10.0, 0.0 });
        using Tensor realFeatures = torch.cat(new[] { real0, real1 }, 0);
        using Tensor realLabels = torch.cat(new[] { torch.zeros(4000, dtype: ScalarType.Int64), torch.ones(4000, dtype: ScalarType.Int64) }, 0);
        // Samples interleaved as the evaluation draws them (sample i of class i mod 2), the same rows shifted for class 1.
        using Tensor generatedClasses = torch.arange(8000, dtype: ScalarType.Int64).remainder(2);
        using Tensor generated = torch.zeros(8000, 2, dtype: float64);
        generated.index_put_(real0, generatedClasses.eq(0));
        generated.index_put_(real1 + torch.tensor(new[] { 0.0, 3.0 }), generatedClasses.eq(1));

        double[] perClass = Fid.PerClass(generated, generatedClasses, realFeatures, realLabels, classes: 2);

        perClass.Length.ShouldBe(2);
        perClass[0].ShouldBe(0, 1e-9);
        perClass[1].ShouldBe(9, 1e-9);
        // FID over all samples ignores which class a sample was drawn for: swapping the classes leaves it as it was, while
        // each class is now ten units from its own real images.
        double[] swapped = Fid.PerClass(generated, generatedClasses.eq(0).to(ScalarType.Int64), realFeatures, realLabels, classes: 2);
        swapped[0].ShouldBe(109, 1);   // 10² + 3²
        swapped[1].ShouldBe(100, 1);
    }

    [Fact]
    public void Intra_class_fid_of_a_generator_that_ignores_its_noise_is_the_real_spread()
    {
        // One image per class (a generator that follows its label and ignores its noise): the distance is the mean term (0
        // here: the sample is the class mean) plus the trace of the real covariance, 2 · 4 = 8 for a spread of 2 per axis.
        torch.manual_seed(12);
        using Tensor real = torch.randn(20000, 2, dtype: float64) * 2;
        using Tensor labels = torch.zeros(20000, dtype: ScalarType.Int64);
        using Tensor mean = real.mean(new long[] { 0 }, keepdim: true);
        using Tensor collapsed = mean.expand(1000, 2).contiguous();

        double[] perClass = Fid.PerClass(collapsed, torch.zeros(1000, dtype: ScalarType.Int64), real, labels, classes: 1);

        perClass[0].ShouldBe(8, 0.2);
    }

    [Fact]
    public void Intra_class_fid_refuses_a_class_without_samples_and_mismatched_lengths()
    {
        using Tensor features = torch.randn(10, 3);
        using Tensor classes = torch.zeros(10, dtype: ScalarType.Int64);   // nothing drawn for class 1
        using Tensor labels = torch.arange(10, dtype: ScalarType.Int64).remainder(2);

        Should.Throw<ArgumentException>(() => Fid.PerClass(features, classes, features, labels, classes: 2))
              .Message.ShouldBe("Intra-class FID: class 1 has 0 sample(s) and 5 real image(s); every class needs at least 2 of each.");
        Should.Throw<ArgumentException>(() => Fid.PerClass(features, torch.zeros(9, dtype: ScalarType.Int64), features, labels, classes: 2))
              .Message.ShouldStartWith("generatedClasses: expected one class per sample ([10]), got shape [9].");
    }
}
