namespace Gan.Dsl
{
    // The declaration's enums and constants. This file is also compiled into Gan.Dsl.Generator (linked, as the Regex
    // generator links its runtime's RegexOptions.cs), so the generator reads attribute arguments as these very types;
    // there they are internal (GAN_DSL_GENERATOR), so that a project referencing both sees one public copy.

    /// <summary>Facts about the built-in priors that the generator checks declarations against.</summary>
#if GAN_DSL_GENERATOR
    internal static class Distributions
#else
    public static class Distributions
#endif
    {
        /// <summary>Components of <see cref="Distribution.GaussianMixture"/>: a label given to it needs as many classes.</summary>
        public const int MixtureComponents = 10;
        /// <summary>The dimension of the 2-D priors (<see cref="Distribution.GaussianMixture"/>, <see cref="Distribution.SwissRoll"/>).</summary>
        public const int PlaneDimensions = 2;
    }

    /// <summary>The range of a data variable's values, declared so that data and generator agree.</summary>
#if GAN_DSL_GENERATOR
    internal enum DataRange
#else
    public enum DataRange
#endif
    {
        /// <summary>Not declared: the data are used as the source provides them (e.g. 2-D points).</summary>
        Unspecified,
        /// <summary>[0, 1], the range of a sigmoid output.</summary>
        ZeroToOne,
        /// <summary>[-1, 1], the range of a tanh output.</summary>
        MinusOneToOne,
    }

#if GAN_DSL_GENERATOR
    internal enum Distribution
#else
    public enum Distribution
#endif
    {
        /// <summary>Standard normal N(0, I).</summary>
        Normal,
        /// <summary>Uniform on [-1, 1] in every coordinate.</summary>
        Uniform,
        /// <summary>A class drawn uniformly from <c>size</c> classes, as a one-hot vector: a label prior (the y′ of a
        /// conditional GAN) or a categorical code (InfoGAN). The generated model then samples for chosen classes too.</summary>
        Categorical,
        /// <summary>A mixture of 10 Gaussians in 2-D, equally weighted, means on a circle of radius 4, each stretched along its radius
        /// (std 1 along it, 0.25 across): the adversarial autoencoder's mixture prior (Makhzani et al. 2015, Fig. 4). Size 2.</summary>
        GaussianMixture,
        /// <summary>A swiss roll in 2-D: radius and angle grow with √u for u uniform on [0, 1] (Makhzani et al. 2015, Fig. 4). Size 2.</summary>
        SwissRoll,
        /// <summary>Uniform on [0, 1] in every coordinate: the ε ~ U[0, 1] of WGAN-GP's interpolates (size 1, one number per example).</summary>
        UnitInterval,
    }

#if GAN_DSL_GENERATOR
    internal enum GeneratorLoss
#else
    public enum GeneratorLoss
#endif
    {
        /// <summary>The value function as written: the generator descends E[log(1 - D(G(z)))] (saturates early in training).</summary>
        Minimax,
        /// <summary>Goodfellow et al. 2014, §3: the generator ascends E[log D(G(z))] instead, same fixed point, stronger gradients.</summary>
        NonSaturating,
    }

#if GAN_DSL_GENERATOR
    internal enum DiscriminatorOutput
#else
    public enum DiscriminatorOutput
#endif
    {
        Logits,
        Probability,
        /// <summary>Values used as they are: a maximizing network that is not the final judge, such as a trunk shared by
        /// heads (InfoGAN's D(T(x)) and Q(c | T(x))).</summary>
        Values,
    }

#if GAN_DSL_GENERATOR
    internal enum NetworkOutput
#else
    public enum NetworkOutput
#endif
    {
        Values,
        Logits,
        Categorical,
        /// <summary>The mean of a unit-variance Gaussian: <c>Q(s | h)</c> is the density of the continuous variable s under
        /// N(Q(h), I), and <c>log Q(s | h)</c> = −½‖s − Q(h)‖² − (d/2) log 2π (InfoGAN's continuous codes).</summary>
        Gaussian,
    }

#if GAN_DSL_GENERATOR
    internal enum Optimizer
#else
    public enum Optimizer
#endif
    {
        Adam,
        Sgd,
        /// <summary>Adam with decoupled weight decay (Loshchilov &amp; Hutter 2019): <c>WeightDecay</c> shrinks the weights
        /// directly instead of adding to the gradient.</summary>
        AdamW,
        /// <summary>RMSprop (Hinton's lecture 6e), the optimizer of the original WGAN (Arjovsky et al. 2017): <c>Alpha</c> is
        /// the smoothing constant of the squared-gradient average, <c>Momentum</c> optional.</summary>
        RmsProp,
    }

#if GAN_DSL_GENERATOR
    internal enum UpdateScheme
#else
    public enum UpdateScheme
#endif
    {
        /// <summary>Goodfellow et al. 2014, Algorithm 1: k updates of the discriminators, each on a fresh minibatch, then one of
        /// the generators on another.</summary>
        Alternating,
        /// <summary>Both sides' gradients computed on one minibatch at the same weights and applied together (the original GAN
        /// code's and PacGAN's scheme).</summary>
        Simultaneous,
    }
}
