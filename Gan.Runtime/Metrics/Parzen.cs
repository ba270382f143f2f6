using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Gan.Runtime.Metrics;

/// <summary>
/// The result of a Parzen-window evaluation (<see cref="Parzen.Evaluate"/>).
/// </summary>
/// <param name="MeanLogLikelihood">Mean log-likelihood of the test points, in nats, under the kernel density fitted on the samples.</param>
/// <param name="StandardError">Standard error of that mean: the standard deviation of the per-point log-likelihoods
/// (population form, as numpy's <c>std()</c>) divided by √<see cref="Test"/>.</param>
/// <param name="Sigma">The kernel width chosen on the validation set.</param>
/// <param name="Samples">Number of generated samples (kernel centres).</param>
/// <param name="Validation">Number of validation points the width was chosen on.</param>
/// <param name="Test">Number of test points scored.</param>
/// <param name="SigmaSearch">Every width tried, with the mean validation log-likelihood it gave, in the order tried.</param>
/// <param name="Protocol">The protocol in words, with the counts.</param>
public sealed record ParzenResult(
    double MeanLogLikelihood,
    double StandardError,
    double Sigma,
    int Samples,
    int Validation,
    int Test,
    IReadOnlyList<(double Sigma, double MeanLl)> SigmaSearch,
    string Protocol)
{
    /// <summary>"225.1 ± 2.0 (σ = 0.167)", invariant culture.</summary>
    public override string ToString() =>
        string.Format(CultureInfo.InvariantCulture, "{0:0.0} ± {1:0.0} (σ = {2:0.###}, {3} samples, {4} test points)",
            MeanLogLikelihood, StandardError, Sigma, Samples, Test);
}

/// <summary>
/// Parzen-window (Gaussian kernel density) log-likelihood, the protocol of Goodfellow et al. 2014 (§5, Table 1) and of
/// the papers that followed it (conditional GAN, adversarial autoencoders), as its reference code
/// (<c>goodfeli/adversarial</c>, <c>parzen_ll.py</c>) implements it.
/// </summary>
/// <remarks>
/// <para>An isotropic Gaussian kernel of width σ is placed on each of the N generated samples μ_i, and a point x in
/// d dimensions gets</para>
/// <para>log p(x) = logsumexp_i(−‖x − μ_i‖² / (2σ²)) − log N − (d/2)·log(2πσ²).</para>
/// <para>σ is chosen from a grid (by default 10^linspace(−1, 0, 10), the reference code's <c>numpy.logspace(-1, 0, 10)</c>)
/// by the mean log-likelihood of a validation set; the mean over the test set is reported with its standard error.
/// For MNIST the papers use 10,000 samples, a validation set held out of the training images and the 10,000 test
/// images, pixels scaled to [0, 1]. The value is only comparable between runs with the same scaling, dimension and
/// protocol; it is a poor estimate of the true likelihood in high dimension (Theis et al. 2016), which is why it is
/// reported next to FID rather than instead of it.</para>
/// <para>Computation: squared distances come from one matrix product per block, ‖x‖² + ‖μ‖² − 2x·μ, in float64 (the
/// subtraction loses too much in float32 when σ is small), clamped at 0. The log-sum-exp over the samples is
/// accumulated block by block in float64, so memory stays at a few blocks of <c>chunk × chunk</c> doubles whatever the
/// set sizes (8 MB each at the default block of 1,000). The distances do not depend on σ, so <see cref="Evaluate"/> computes them once per block and scores
/// every width of the grid from them. Tensors may live on the CPU or a GPU; the work happens on the samples' device.</para>
/// </remarks>
public static class Parzen
{
    /// <summary>How many of the last training images are σ's validation set: a tenth, at most 1,000 (Goodfellow et al.'s
    /// reference code chooses σ on 1,000 validation images). The fair protocol (<c>PROTOCOLS.md</c>) holds them out of the
    /// model's training too, and the real-data reference is fitted on the other training images; for the 10,000-digit
    /// MNIST subset (8,000 training images) that is the last 800.</summary>
    public static int HeldOutCount(long trainingImages) => (int)Math.Min(1000, trainingImages / 10);

    /// <summary>How many of the held-out images σ is chosen on: the first 1,000 (Goodfellow et al.'s <c>parzen_ll.py</c>
    /// takes the first 1,000 of MNIST's validation rows 50,000–60,000), or all of them when fewer.</summary>
    public static int ValidationCount(int heldOut) => Math.Min(1000, heldOut);

    /// <summary>σ's validation images: of a training set whose last <paramref name="heldOut"/> images are held out of
    /// training, the first <see cref="ValidationCount"/> of those (a view of <paramref name="train"/>).</summary>
    public static Tensor ValidationImages(Tensor train, int heldOut) => train.narrow(0, train.shape[0] - heldOut, ValidationCount(heldOut));

    /// <summary>The held-out count for a set of <paramref name="trainingImages"/>: <paramref name="requested"/> (checked to
    /// leave images to train on), or <see cref="HeldOutCount"/>.</summary>
    public static int HeldOut(long trainingImages, int? requested, string dataName)
    {
        if (requested is not int n) return HeldOutCount(trainingImages);
        if (n <= 0 || n >= trainingImages)
            throw new ArgumentException($"--held-out {n}: {dataName} has {trainingImages:N0} training images; hold out between 1 and {trainingImages - 1:N0}.");
        return n;
    }

    /// <summary>The default width grid: 10^linspace(−1, 0, 10), as in <c>parzen_ll.py</c> (0.1 … 1).</summary>
    public static IReadOnlyList<double> DefaultSigmas { get; } =
        Array.AsReadOnly(Enumerable.Range(0, 10).Select(i => Math.Pow(10, -1 + i / 9.0)).ToArray());

    /// <summary>Points per block (rows and columns of one distance block) when <see cref="Evaluate"/> is not told otherwise.</summary>
    public const int DefaultChunk = 1000;

    /// <summary>
    /// Log-density of each point under the Gaussian kernel density with the given centres and width.
    /// </summary>
    /// <param name="centers">Kernel centres, [N, d] or [N, …] (flattened to [N, d]); any floating dtype.</param>
    /// <param name="points">Points to score, [P, d] or [P, …]; moved to the centres' device.</param>
    /// <param name="sigma">Kernel width, positive.</param>
    /// <param name="chunk">Block size over points and over centres (bounds memory).</param>
    /// <returns>[P] float64 on the centres' device: log p(x_j) in nats.</returns>
    public static Tensor LogLikelihoods(Tensor centers, Tensor points, double sigma, int chunk = DefaultChunk)
    {
        if (!(sigma > 0) || double.IsInfinity(sigma))
            throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "The kernel width must be a positive, finite number.");
        using var scope = NewDisposeScope();
        Tensor perSigma = LogLikelihoodsForWidths(centers, points, new[] { sigma }, chunk);
        return perSigma[0].clone().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Chooses σ on <paramref name="validation"/> and scores <paramref name="test"/>: the whole Parzen-window protocol.
    /// </summary>
    /// <param name="samples">Generated samples (kernel centres), [N, d] or [N, 1, H, W]; pixels in [0, 1] for the
    /// numbers to be comparable with the papers.</param>
    /// <param name="validation">Held-out real data the width is chosen on, same dimension.</param>
    /// <param name="test">Real test data, same dimension.</param>
    /// <param name="sigmas">Widths to try; <see cref="DefaultSigmas"/> when null.</param>
    /// <param name="chunk">Block size (bounds memory).</param>
    /// <remarks>Ties in the search go to the smallest width that reaches the best mean.</remarks>
    public static ParzenResult Evaluate(Tensor samples, Tensor validation, Tensor test, IReadOnlyList<double>? sigmas = null, int chunk = DefaultChunk)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentNullException.ThrowIfNull(test);
        sigmas ??= DefaultSigmas;
        if (sigmas.Count == 0) throw new ArgumentException("No kernel widths to try.", nameof(sigmas));
        foreach (double s in sigmas)
            if (!(s > 0) || double.IsInfinity(s))
                throw new ArgumentOutOfRangeException(nameof(sigmas), s, "Every kernel width must be a positive, finite number.");

        int n = checked((int)RequireRows(samples, nameof(samples)));
        int v = checked((int)RequireRows(validation, nameof(validation)));
        int t = checked((int)RequireRows(test, nameof(test)));
        long d = Dimension(samples);
        RequireSameDimension(d, validation, nameof(validation));
        RequireSameDimension(d, test, nameof(test));

        var search = new List<(double Sigma, double MeanLl)>(sigmas.Count);
        double bestSigma = double.NaN, bestMean = double.NegativeInfinity;
        using (var scope = NewDisposeScope())
        {
            Tensor validationLl = LogLikelihoodsForWidths(samples, validation, sigmas, chunk); // [S, V]
            double[] means = validationLl.mean(new long[] { 1 }).cpu().data<double>().ToArray();
            for (int i = 0; i < sigmas.Count; i++)
            {
                search.Add((sigmas[i], means[i]));
                // NaN means never win; a strictly better mean does, so ties keep the smaller width when the grid ascends.
                if (means[i] > bestMean || (means[i] == bestMean && sigmas[i] < bestSigma))
                {
                    bestMean = means[i];
                    bestSigma = sigmas[i];
                }
            }
        }
        if (double.IsNaN(bestSigma))
            throw new InvalidOperationException(
                "Parzen window: no kernel width gave a finite validation log-likelihood (are there NaN or infinite values in the samples?).");

        double mean, standardError;
        using (var scope = NewDisposeScope())
        {
            Tensor testLl = LogLikelihoods(samples, test, bestSigma, chunk).cpu();
            mean = testLl.mean().item<double>();
            standardError = testLl.std(unbiased: false).item<double>() / Math.Sqrt(t);
        }

        double low, high;
        using (var scope = NewDisposeScope())
        {
            low = test.min().to(float64).item<double>();
            high = test.max().to(float64).item<double>();
        }
        string range = low >= 0 && high <= 1
            ? "values in [0, 1]"
            : string.Format(CultureInfo.InvariantCulture, "values in [{0:0.###}, {1:0.###}], not [0, 1]: not comparable with the papers' numbers", low, high);
        string protocol = string.Format(CultureInfo.InvariantCulture,
            "Parzen window (Goodfellow et al. 2014, parzen_ll.py): isotropic Gaussian KDE on {0:N0} samples in {1} dimensions, " +
            "σ by grid search over {2} widths ({3:0.###}…{4:0.###}) on {5:N0} validation points, mean log-likelihood (nats) of {6:N0} test points ± s.e. (std/√n), {7}",
            n, d, sigmas.Count, sigmas.Min(), sigmas.Max(), v, t, range);
        return new ParzenResult(mean, standardError, bestSigma, n, v, t, search.AsReadOnly(), protocol);
    }

    /// <summary>The search half of <see cref="Evaluate"/>: the mean log-likelihood of <paramref name="points"/> under the window
    /// on <paramref name="centers"/> for every width (default <see cref="DefaultSigmas"/>), in the order given. Training-time
    /// validation scores a model by the best of them on the held-out validation images.</summary>
    public static IReadOnlyList<(double Sigma, double MeanLl)> WidthSearch(Tensor centers, Tensor points, IReadOnlyList<double>? sigmas = null, int chunk = DefaultChunk)
    {
        sigmas ??= DefaultSigmas;
        if (sigmas.Count == 0) throw new ArgumentException("No kernel widths to try.", nameof(sigmas));
        using var scope = NewDisposeScope();
        double[] means = LogLikelihoodsForWidths(centers, points, sigmas, chunk).mean(new long[] { 1 }).cpu().data<double>().ToArray();
        return sigmas.Select((s, i) => (s, means[i])).ToList().AsReadOnly();
    }

    /// <summary>
    /// [S, P] float64: the log-likelihood of every point under every width, on the centres' device. Call it inside a
    /// dispose scope: the result belongs to the caller's scope.
    /// </summary>
    private static Tensor LogLikelihoodsForWidths(Tensor centers, Tensor points, IReadOnlyList<double> sigmas, int chunk)
    {
        ArgumentNullException.ThrowIfNull(centers);
        ArgumentNullException.ThrowIfNull(points);
        if (chunk <= 0) throw new ArgumentOutOfRangeException(nameof(chunk), chunk, "The block size must be positive.");
        long n = RequireRows(centers, nameof(centers));
        long p = points.dim() == 0 ? 0 : points.shape[0];
        long d = Dimension(centers);
        RequireSameDimension(d, points, nameof(points));

        Device device = centers.device;
        int widths = sigmas.Count;
        double[] negHalfInvVar = sigmas.Select(s => -0.5 / (s * s)).ToArray();
        double[] constants = sigmas.Select(s => -Math.Log(n) - 0.5 * d * Math.Log(2 * Math.PI * s * s)).ToArray();

        Tensor result = torch.empty(new long[] { widths, p }, dtype: float64, device: device);
        using (var scope = NewDisposeScope())
        {
            Tensor mu = centers.detach().reshape(n, d).to(float64);
            Tensor x = points.detach().reshape(p, d).to(device).to(float64);
            Tensor muSquared = mu.square().sum(1); // [N]
            for (long start = 0; start < p; start += chunk)
            {
                using var blockScope = NewDisposeScope();
                long rows = Math.Min(chunk, p - start);
                Tensor xb = x.narrow(0, start, rows);
                Tensor xSquared = xb.square().sum(1, keepdim: true); // [rows, 1]
                var running = new Tensor?[widths]; // per width, [rows]: log-sum-exp over the centres seen so far
                for (long c = 0; c < n; c += chunk)
                {
                    using var centreScope = NewDisposeScope(); // frees each distance block as soon as it is used
                    long cols = Math.Min(chunk, n - c);
                    Tensor mub = mu.narrow(0, c, cols);
                    // ‖x − μ‖² = ‖x‖² + ‖μ‖² − 2 x·μ, clamped: rounding can leave tiny negatives for x = μ.
                    Tensor d2 = (xSquared + muSquared.narrow(0, c, cols).unsqueeze(0) - 2 * xb.matmul(mub.t())).clamp_min(0); // [rows, cols]
                    for (int w = 0; w < widths; w++)
                    {
                        using Tensor scaled = d2 * negHalfInvVar[w]; // freed at once: one block alive per width at a time
                        Tensor lse = scaled.logsumexp(1); // [rows]
                        Tensor next = (running[w] is Tensor r ? torch.logaddexp(r, lse) : lse).MoveToOuterDisposeScope();
                        running[w]?.Dispose();
                        running[w] = next;
                    }
                }
                for (int w = 0; w < widths; w++)
                    result[w].narrow(0, start, rows).copy_(running[w]! + constants[w]);
            }
        }
        return result;
    }

    private static long RequireRows(Tensor t, string name)
    {
        if (t.dim() < 2)
            throw new ArgumentException($"{name}: expected a batch [n, d] or [n, 1, H, W], got shape [{string.Join(", ", t.shape)}].", name);
        if (t.shape[0] == 0) throw new ArgumentException($"{name}: the set is empty.", name);
        if (!t.is_floating_point()) throw new ArgumentException($"{name}: expected a floating-point tensor, got {t.dtype}.", name);
        return t.shape[0];
    }

    private static long Dimension(Tensor t) => t.shape.Skip(1).Aggregate(1L, (a, b) => a * b);

    private static void RequireSameDimension(long d, Tensor t, string name)
    {
        if (t.dim() < 2 || Dimension(t) != d)
            throw new ArgumentException(
                $"{name}: shape [{string.Join(", ", t.shape)}] has {(t.dim() < 2 ? "no batch dimension" : Dimension(t) + " values per point")}, but the samples have {d}.", name);
    }
}
