using System;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Gan.Runtime.Metrics;

/// <summary>
/// The Gaussian fitted to a set of feature vectors: what <see cref="Fid.Distance(FeatureStatistics, FeatureStatistics)"/>
/// compares. Fit it once on the real data and reuse it for every generated set.
/// </summary>
/// <param name="Mean">[F] float64 on the CPU: the mean feature vector.</param>
/// <param name="Covariance">[F, F] float64 on the CPU: the sample covariance (divided by n − 1, as numpy's <c>cov</c>).</param>
/// <param name="Count">How many feature vectors were fitted.</param>
public sealed record FeatureStatistics(Tensor Mean, Tensor Covariance, long Count) : IDisposable
{
    /// <summary>The feature dimension F.</summary>
    public long Dimension => Mean.shape[0];

    /// <summary>Frees the two tensors.</summary>
    public void Dispose()
    {
        Mean.Dispose();
        Covariance.Dispose();
    }
}

/// <summary>
/// Fréchet distance between Gaussians fitted to features (the FID of Heusel et al. 2017, with the project's own
/// classifier in place of Inception: see <see cref="FeatureClassifier"/>).
/// </summary>
/// <remarks>
/// <para>FID = ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2(Σ₁Σ₂)^{1/2}).</para>
/// <para>Everything is computed in float64. The trace of the matrix square root uses the symmetric form
/// Tr((Σ₁Σ₂)^{1/2}) = Tr((Σ₁^{1/2} Σ₂ Σ₁^{1/2})^{1/2}): both square roots are of symmetric positive semi-definite
/// matrices, so they come from symmetric eigendecompositions (<c>torch.linalg.eigh</c>), with eigenvalues that
/// rounding pushed slightly below zero clamped to 0. This avoids the complex-valued <c>sqrtm</c> of the reference
/// implementation and its "imaginary component" failures on singular covariances (fewer samples than features).
/// A result that rounding leaves slightly negative (a set against itself) is reported as 0.</para>
/// <para>Values depend on the feature extractor, the number of samples (FID is biased upwards for small sets) and
/// the preprocessing: only compare FIDs computed with the same classifier weights and the same sample counts.</para>
/// </remarks>
public static class Fid
{
    /// <summary>A one-line description of the metric, for reports.</summary>
    public const string ProtocolDescription =
        "FID (Heusel et al. 2017) on the penultimate features of the project's own classifier (not Inception): " +
        "Fréchet distance between Gaussians fitted to real and generated features, float64, symmetric eigh square roots.";

    /// <summary>Fits a Gaussian to feature vectors [N, F] (any device, any floating dtype). Needs N ≥ 2.</summary>
    public static FeatureStatistics Statistics(Tensor features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.dim() != 2)
            throw new ArgumentException($"features: expected [N, F], got shape [{string.Join(", ", features.shape)}].", nameof(features));
        if (!features.is_floating_point())
            throw new ArgumentException($"features: expected a floating-point tensor, got {features.dtype}.", nameof(features));
        long n = features.shape[0];
        if (n < 2)
            throw new ArgumentException($"features: a covariance needs at least 2 feature vectors, got {n}.", nameof(features));

        using var scope = NewDisposeScope();
        Tensor x = features.detach().to(float64);
        Tensor mean = x.mean(new long[] { 0 });
        Tensor centered = x - mean;
        Tensor covariance = centered.t().matmul(centered) / (n - 1);
        covariance = 0.5 * (covariance + covariance.t()); // exactly symmetric
        return new FeatureStatistics(
            mean.cpu().MoveToOuterDisposeScope(),
            covariance.cpu().MoveToOuterDisposeScope(),
            n);
    }

    /// <summary>The Fréchet distance between two fitted Gaussians of the same dimension.</summary>
    public static double Distance(FeatureStatistics a, FeatureStatistics b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Dimension != b.Dimension)
            throw new ArgumentException($"The two feature sets have different dimensions ({a.Dimension} and {b.Dimension}).");

        using var scope = NewDisposeScope();
        Tensor mu1 = a.Mean.to(float64).cpu(), mu2 = b.Mean.to(float64).cpu();
        Tensor s1 = a.Covariance.to(float64).cpu(), s2 = b.Covariance.to(float64).cpu();

        double meanTerm = (mu1 - mu2).square().sum().item<double>();
        Tensor root1 = SymmetricSqrt(s1);
        Tensor inner = root1.matmul(s2).matmul(root1);
        inner = 0.5 * (inner + inner.t());
        double traceSqrt = ClampedEigenvalues(inner).sqrt().sum().item<double>();
        double value = meanTerm + s1.trace().item<double>() + s2.trace().item<double>() - 2 * traceSqrt;
        return value < 0 ? 0 : value;
    }

    /// <summary>The Fréchet distance between Gaussians fitted to two feature sets [N₁, F] and [N₂, F].</summary>
    public static double Distance(Tensor featuresA, Tensor featuresB)
    {
        using FeatureStatistics a = Statistics(featuresA);
        using FeatureStatistics b = Statistics(featuresB);
        return Distance(a, b);
    }

    /// <summary>
    /// FID between two image sets through a classifier's penultimate features (<see cref="FeatureClassifier.Features"/>).
    /// </summary>
    public static double Distance(FeatureClassifier classifier, Tensor imagesA, Tensor imagesB)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        using Tensor a = classifier.Features(imagesA);
        using Tensor b = classifier.Features(imagesB);
        return Distance(a, b);
    }

    /// <summary>The fewest samples and real images of one class that <see cref="PerClass"/> measures (a covariance needs two).</summary>
    public const int MinimumPerClass = 2;

    /// <summary>
    /// Intra-class FID (Miyato &amp; Koyama 2018, the measure of conditional GANs): for each class k, the Fréchet distance
    /// between the features of the samples generated for k and those of the real images labelled k. A conditional
    /// generator that follows its label but ignores its noise draws one image per class: the FID over all samples can be
    /// fair (every class is there) while each class's distance is large (its covariance is near zero).
    /// </summary>
    /// <param name="generatedFeatures">[N, F] features of the samples.</param>
    /// <param name="generatedClasses">[N] the class each sample was generated for (int64).</param>
    /// <param name="realFeatures">[M, F] features of the real images.</param>
    /// <param name="realLabels">[M] their labels (any integer type).</param>
    /// <param name="classes">The number of classes; every class needs at least <see cref="MinimumPerClass"/> samples and real images.</param>
    /// <returns>The distance of each class, indexed by class.</returns>
    public static double[] PerClass(Tensor generatedFeatures, Tensor generatedClasses, Tensor realFeatures, Tensor realLabels, int classes)
    {
        ArgumentNullException.ThrowIfNull(generatedFeatures);
        ArgumentNullException.ThrowIfNull(generatedClasses);
        ArgumentNullException.ThrowIfNull(realFeatures);
        ArgumentNullException.ThrowIfNull(realLabels);
        if (classes < 1) throw new ArgumentException($"Intra-class FID needs at least one class (got {classes}).", nameof(classes));
        if (generatedClasses.dim() != 1 || generatedClasses.shape[0] != generatedFeatures.shape[0])
            throw new ArgumentException($"generatedClasses: expected one class per sample ([{generatedFeatures.shape[0]}]), got shape [{string.Join(", ", generatedClasses.shape)}].", nameof(generatedClasses));
        if (realLabels.dim() != 1 || realLabels.shape[0] != realFeatures.shape[0])
            throw new ArgumentException($"realLabels: expected one label per real image ([{realFeatures.shape[0]}]), got shape [{string.Join(", ", realLabels.shape)}].", nameof(realLabels));

        using var scope = NewDisposeScope();
        Tensor fake = generatedFeatures.detach().cpu(), real = realFeatures.detach().cpu();
        Tensor fakeClasses = generatedClasses.cpu().to(ScalarType.Int64), realClasses = realLabels.cpu().to(ScalarType.Int64);
        var distances = new double[classes];
        for (int k = 0; k < classes; k++)
        {
            Tensor f = fake.index(fakeClasses.eq(k)), r = real.index(realClasses.eq(k));
            if (f.shape[0] < MinimumPerClass || r.shape[0] < MinimumPerClass)
                throw new ArgumentException($"Intra-class FID: class {k} has {f.shape[0]} sample(s) and {r.shape[0]} real image(s); every class needs at least {MinimumPerClass} of each.");
            distances[k] = Distance(f, r);
        }
        return distances;
    }

    /// <summary>V diag(√max(λ, 0)) Vᵀ for a symmetric matrix.</summary>
    private static Tensor SymmetricSqrt(Tensor symmetric)
    {
        var (values, vectors) = torch.linalg.eigh(symmetric);
        Tensor roots = values.clamp_min(0).sqrt();
        return (vectors * roots.unsqueeze(0)).matmul(vectors.t());
    }

    private static Tensor ClampedEigenvalues(Tensor symmetric) => torch.linalg.eigvalsh(symmetric).clamp_min(0);
}
