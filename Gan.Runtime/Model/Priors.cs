using System;
using static TorchSharp.torch;

namespace Gan.Runtime;

/// <summary>The 2-D priors of the adversarial autoencoder (Makhzani et al. 2015, Fig. 4), drawn with TorchSharp's global
/// generator (so seeds and checkpoints cover them). Generated code calls these for <c>Distribution.GaussianMixture</c> and
/// <c>Distribution.SwissRoll</c>.</summary>
public static class Priors
{
    /// <summary>Components of <see cref="GaussianMixture(long, Device)"/>.</summary>
    public const int MixtureComponents = global::Gan.Dsl.Distributions.MixtureComponents;
    /// <summary>Distance of each component's mean from the origin.</summary>
    public const double MixtureRadius = 4.0;
    /// <summary>Standard deviations along and across each component's radius.</summary>
    public const double MixtureStdAlong = 1.0, MixtureStdAcross = 0.25;

    /// <summary>n points [n, 2] from 10 equally weighted Gaussians whose means lie on a circle of radius 4 at angles 2πk/10,
    /// each stretched along its radius (std 1 along it, 0.25 across).</summary>
    public static Tensor GaussianMixture(long n, Device device) => GaussianMixture(randint(0, MixtureComponents, new long[] { n }, device: device), device);

    /// <summary>Points of <see cref="GaussianMixture(long, Device)"/> from the given components (class indices [n]): the label-conditioned
    /// mixture, where class k draws from component k.</summary>
    public static Tensor GaussianMixture(Tensor components, Device device)
    {
        using var scope = NewDisposeScope();
        long n = components.shape[0];
        Tensor angle = components.to(ScalarType.Float32, device) * (float)(2 * Math.PI / MixtureComponents);
        Tensor along = randn(new long[] { n }, device: device) * (float)MixtureStdAlong + (float)MixtureRadius;
        Tensor across = randn(new long[] { n }, device: device) * (float)MixtureStdAcross;
        Tensor cos = angle.cos(), sin = angle.sin();
        // rotate (along, across) by the component's angle
        return stack(new[] { along * cos - across * sin, along * sin + across * cos }, 1).MoveToOuterDisposeScope();
    }

    /// <summary>n points [n, 2] on a swiss roll: for u uniform on [0, 1], radius 3√u and angle 4π√u.</summary>
    public static Tensor SwissRoll(long n, Device device)
    {
        using var scope = NewDisposeScope();
        Tensor root = rand(new long[] { n }, device: device).sqrt();
        Tensor radius = root * 3f, angle = root * (float)(4 * Math.PI);
        return stack(new[] { radius * angle.cos(), radius * angle.sin() }, 1).MoveToOuterDisposeScope();
    }
}
