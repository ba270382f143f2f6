using System;
using System.Diagnostics;

namespace Gan.Dsl
{
    /// <summary>Marks a <c>partial</c> class as an adversarial model. The generator writes the rest of the class:
    /// the networks as registered submodules, one optimizer per player, <c>TrainStep</c> and <c>Sample</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, Inherited = false)]
    [Conditional("GAN_DSL_KEEP_ATTRIBUTES")]
    public sealed class GanAttribute : Attribute
    {
        /// <summary>The model's name on the command line (<c>gan train --model NAME</c>); default: the class name in
        /// lower-case words joined by hyphens (<c>MyWganGp</c> → <c>my-wgan-gp</c>).</summary>
        public string? Name { get; set; }
        /// <summary>One line for <c>gan list</c>: the paper, what is special about the model.</summary>
        public string? Description { get; set; }
        /// <summary>The data set it trains on by default (<c>ring</c>, <c>grid</c>, <c>mnist</c>, <c>fashion-mnist</c>, <c>moons</c>,
        /// <c>digits</c>); default: <c>ring</c> for 2-D data, <c>mnist</c> for 28×28 images.</summary>
        public string? Data { get; set; }
        /// <summary>The default minibatch size (the paper's); 0: the runtime's (256 for 2-D data, 64 for images).</summary>
        public int BatchSize { get; set; }
        /// <summary>The default number of generator steps; 0: the runtime's (20,000 for 2-D data, 5,000 for images).</summary>
        public int Steps { get; set; }
        /// <summary>The default learning-rate schedule: <c>constant</c>, <c>linear</c> or <c>ganin</c>; default: linear.</summary>
        public string? LearningRateSchedule { get; set; }
    }

    /// <summary>A variable drawn from the data: <c>[Data("x", Shape = "2")]</c>. A batch provides it under the
    /// name <see cref="Field"/> (the datasets of Gan.Runtime provide <c>x</c>, and <c>y</c> for labels).</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    [Conditional("GAN_DSL_KEEP_ATTRIBUTES")]
    public sealed class DataAttribute : Attribute
    {
        public DataAttribute(string name) { Name = name; }
        public string Name { get; }
        /// <summary>Shape of one example, e.g. <c>"2"</c> or <c>"1x28x28"</c>.</summary>
        public string Shape { get; set; } = "";
        /// <summary>The batch field this variable reads; defaults to the variable's name.</summary>
        public string? Field { get; set; }
        /// <summary>The range the values are scaled to, which should be the range the generator's output activation
        /// produces (tanh: <see cref="DataRange.MinusOneToOne"/>, sigmoid: <see cref="DataRange.ZeroToOne"/>). Image data
        /// sets require it; the runtime scales pixels to it and maps samples back to [0, 1] for pictures and metrics.</summary>
        public DataRange Range { get; set; } = DataRange.Unspecified;
    }

    /// <summary>A class label drawn from the data: <c>[Label("y", 10)]</c>. A batch provides it under <see cref="Field"/>
    /// (default: the variable's name) as class indices (int64, one per example, 0 ≤ y &lt; classes); in the value function
    /// it is the one-hot vector, so <c>D(x | y)</c> reads the image and its label (Mirza &amp; Osindero 2014).</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    [Conditional("GAN_DSL_KEEP_ATTRIBUTES")]
    public sealed class LabelAttribute : Attribute
    {
        public LabelAttribute(string name, int classes) { Name = name; Classes = classes; }
        public string Name { get; }
        /// <summary>The number of classes.</summary>
        public int Classes { get; }
        /// <summary>The batch field this variable reads; defaults to the variable's name.</summary>
        public string? Field { get; set; }
    }

    /// <summary>A noise (prior) variable: <c>[Noise("z", Distribution.Normal, 100)]</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    [Conditional("GAN_DSL_KEEP_ATTRIBUTES")]
    public sealed class NoiseAttribute : Attribute
    {
        public NoiseAttribute(string name, Distribution distribution, int size) { Name = name; Distribution = distribution; Size = size; }
        public string Name { get; }
        public Distribution Distribution { get; }
        public int Size { get; }
        /// <summary>A <c>[Label]</c> that chooses the draw's component or class: p(z | y). In a training step the batch's
        /// labels choose it (<see cref="Distribution.GaussianMixture"/>: class k draws from component k, so the label needs
        /// 10 classes; <see cref="Distribution.Categorical"/>: the draw is the label itself, one-hot, so the sizes agree);
        /// outside a step (<c>SampleNoise(n)</c>) it is drawn uniformly, and <c>Sample(labels)</c> chooses it. The
        /// adversarial autoencoder's label-conditioned mixture prior (Makhzani et al. 2015, §2.3, Fig. 4):
        /// <c>[Noise("z", Distribution.GaussianMixture, 2, Given = "y")]</c>.</summary>
        public string? Given { get; set; }
        /// <summary>The draw's scale: <see cref="Distribution.Uniform"/> on [−Scale, Scale], <see cref="Distribution.Normal"/>
        /// with standard deviation Scale (default 1). Goodfellow et al. 2014 draw z uniformly on [−√3, √3] (unit variance):
        /// <c>Scale = 1.7320508075688772</c>.</summary>
        public double Scale { get; set; } = 1;
    }

    /// <summary>The value function V(D, G) of the game, written as the paper writes it, e.g.
    /// <c>"E[log D(x)] + E[log(1 - D(G(z)))]"</c>. Discriminators maximize it; generators minimize it.</summary>
    [AttributeUsage(AttributeTargets.Class, Inherited = false)]
    [Conditional("GAN_DSL_KEEP_ATTRIBUTES")]
    public sealed class MinimaxAttribute : Attribute
    {
        public MinimaxAttribute(string valueFunction) { ValueFunction = valueFunction; }
        public string ValueFunction { get; }
        /// <summary>k: updates of the maximizing players per update of the minimizing players (Algorithm 1).</summary>
        public int DiscriminatorSteps { get; set; } = 1;
        /// <summary>Which loss the generator descends.</summary>
        public GeneratorLoss GeneratorLoss { get; set; } = GeneratorLoss.NonSaturating;
        /// <summary>Alternating updates (Algorithm 1), or simultaneous: both sides' gradients from one minibatch, applied together.</summary>
        public UpdateScheme Scheme { get; set; } = UpdateScheme.Alternating;
        /// <summary>Packing (Lin et al. 2018, PacGAN): the discriminators judge groups of this many examples, concatenated (real
        /// with real, generated with generated); a minibatch of B examples gives B / Pack judgments. 1: none.</summary>
        public int Pack { get; set; } = 1;
    }

    /// <summary>A game in which each side descends a loss of its own, as the papers since 2016 write them: the discriminators
    /// descend <see cref="DiscriminatorLoss"/>, the generators <see cref="GeneratorLoss"/>. The hinge loss (Lim &amp; Ye 2017;
    /// Miyato et al. 2018): <c>[Game("E[relu(1 - D(x))] + E[relu(1 + D(G(z)))]", "-E[D(G(z))]")]</c>; WGAN-GP (Gulrajani et al.
    /// 2017): <c>[Game("E[D(G(z))] - E[D(x)] + 10 E[(||∇_x̂ D(x̂)||_2 - 1)^2]", "-E[D(G(z))]", DiscriminatorSteps = 5)]</c> with
    /// <c>[Define("x̂", "ε x + (1 - ε) G(z)")]</c>. Each loss is used as written: no rewrite changes it. For a game with one
    /// value function, use <see cref="MinimaxAttribute"/>.</summary>
    [AttributeUsage(AttributeTargets.Class, Inherited = false)]
    [Conditional("GAN_DSL_KEEP_ATTRIBUTES")]
    public sealed class GameAttribute : Attribute
    {
        public GameAttribute(string discriminatorLoss, string generatorLoss) { DiscriminatorLoss = discriminatorLoss; GeneratorLoss = generatorLoss; }
        /// <summary>L_D: what the discriminators (every [Discriminator] it applies) descend.</summary>
        public string DiscriminatorLoss { get; }
        /// <summary>L_G: what the generators (every [Generator] it applies) descend.</summary>
        public string GeneratorLoss { get; }
        /// <summary>k: updates of the discriminators per update of the generators (n_critic = 5 for the Wasserstein games).</summary>
        public int DiscriminatorSteps { get; set; } = 1;
        /// <summary>Alternating updates, or simultaneous: both sides' gradients from one minibatch, applied together.</summary>
        public UpdateScheme Scheme { get; set; } = UpdateScheme.Alternating;
        /// <summary>Packing (Lin et al. 2018, PacGAN): the discriminators judge groups of this many examples, concatenated (real
        /// with real, generated with generated); a minibatch of B examples gives B / Pack judgments. 1: none.</summary>
        public int Pack { get; set; } = 1;
        /// <summary>[Network]s (neither side's players) that the discriminators' step also updates, descending L_D with them,
        /// comma-separated: InfoGAN's recognition heads, trained in D's step on D's loss minus the mutual information
        /// (Chen et al. 2016's code): <c>DiscriminatorUpdates = "Q, Qs"</c>. L_D must apply each of them.</summary>
        public string? DiscriminatorUpdates { get; set; }
        /// <summary>[Network]s that the generators' step also updates, descending L_G with them (comma-separated); L_G must apply each.</summary>
        public string? GeneratorUpdates { get; set; }
    }

    /// <summary>A variable computed from others in each phase that reads it, as a paper's algorithm defines one:
    /// <c>[Define("x̂", "ε x + (1 - ε) G(z)")]</c> (WGAN-GP's points between data and samples, with
    /// <c>[Noise("ε", Distribution.UnitInterval, 1)]</c>: a per-example number scales every feature of an example). Its
    /// expression is in the formula language, per example (no expectation needed), and may read the variables, networks and
    /// definitions declared before it.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    [Conditional("GAN_DSL_KEEP_ATTRIBUTES")]
    public sealed class DefineAttribute : Attribute
    {
        public DefineAttribute(string name, string expression) { Name = name; Expression = expression; }
        public string Name { get; }
        public string Expression { get; }
    }

    /// <summary>Another objective, descended in a phase of its own before the game's phases on every training step:
    /// <c>[Minimize("E[||x - Dec(Enc(x))||^2]", Name = "reconstruction")]</c> (the reconstruction phase of an adversarial
    /// autoencoder), <c>[Minimize("E[||E_z(G(z | y′)) - z||^2]", Updates = "E_z")]</c> (an encoder trained on generated pairs).</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    [Conditional("GAN_DSL_KEEP_ATTRIBUTES")]
    public sealed class MinimizeAttribute : Attribute
    {
        public MinimizeAttribute(string objective) { Objective = objective; }
        public string Objective { get; }
        /// <summary>The phase's name: its step method is <c>Step</c> + Name and its loss <c>loss_</c> + name. Default: the players it updates.</summary>
        public string? Name { get; set; }
        /// <summary>The networks this phase updates, comma-separated; the others it applies are held fixed. Default: every
        /// network it applies except the discriminators.</summary>
        public string? Updates { get; set; }
        /// <summary>The phase's own learning rate: each network it updates is stepped, in this phase, by an optimizer of its
        /// own, of the network's declared kind and settings at this rate, whose state (Adam's moments, a momentum buffer) is
        /// kept apart from the optimizer the network's other phases share: an adversarial autoencoder's encoder at 2e-4 in
        /// the reconstruction and 1e-4 in the regularization (Makhzani et al. 2015). Learning-rate schedules scale it like
        /// the players' rates. NaN (the default): the networks' own optimizers.</summary>
        public double LearningRate { get; set; } = double.NaN;
    }

    /// <summary>What <c>Sample(n)</c> draws, when the value function does not show it: <c>[Sample("Dec(z)")]</c> (a decoder
    /// applied to the prior). A network applied to noise variables alone.</summary>
    [AttributeUsage(AttributeTargets.Class, Inherited = false)]
    [Conditional("GAN_DSL_KEEP_ATTRIBUTES")]
    public sealed class SampleAttribute : Attribute
    {
        public SampleAttribute(string expression) { Expression = expression; }
        public string Expression { get; }
    }

    /// <summary>How an image is edited: <c>[Edit("G(E_z(x) | y′)")]</c> (an invertible conditional GAN, Perarnau et al. 2016).
    /// One expression in the formula language: a network (not a discriminator) applied to one data variable (the image to
    /// edit), noise variables and network applications. The one categorical noise variable in it is the requested label
    /// (class indices, one-hot); any other noise variable is drawn from its prior. The generator emits
    /// <c>Edit(x, labels)</c> and implements <c>Gan.Runtime.IEditableModel</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, Inherited = false)]
    [Conditional("GAN_DSL_KEEP_ATTRIBUTES")]
    public sealed class EditAttribute : Attribute
    {
        public EditAttribute(string expression) { Expression = expression; }
        public string Expression { get; }
    }

    /// <summary>What a network says about a declared variable, given the data: <c>[Infer("C(y | F(x))")]</c> (a label classifier on
    /// a feature extractor), <c>[Infer("Q(c | T(x))")]</c> (InfoGAN's recognition network for a categorical code, on the
    /// discriminator's trunk), <c>[Infer("Qs(s | T(x))")]</c> (a continuous code). Written as the objectives write the network:
    /// a network with <c>Output = NetworkOutput.Categorical</c> or <c>Gaussian</c> applied as N(v | input), where v is a
    /// <c>[Label]</c> or a noise variable and the input reads one data variable through networks alone. It trains nothing.
    /// The generator emits <c>Infer_v(x)</c> (class probabilities, or the Gaussian's mean) and implements
    /// <c>Gan.Runtime.IInferenceModel</c>, through which the evaluation finds it: classifier accuracy, code accuracy.</summary>
    [AttributeUsage(AttributeTargets.Class, Inherited = false, AllowMultiple = true)]
    [Conditional("GAN_DSL_KEEP_ATTRIBUTES")]
    public sealed class InferAttribute : Attribute
    {
        public InferAttribute(string expression) { Expression = expression; }
        public string Expression { get; }
    }

    /// <summary>How the domain of an example is told, in domain adaptation: <c>[Domain("Dd(F(x))")]</c> (the domain classifier of
    /// Ganin &amp; Lempitsky 2015 on the feature extractor). One expression: a network whose output is a probability (logits,
    /// <c>Output = NetworkOutput.Logits</c>, or a discriminator) applied to one data variable through networks alone; its value
    /// is the probability that an example comes from that variable's domain rather than the other declared data variable's.
    /// The generator emits <c>DomainProbability(x)</c> and implements <c>Gan.Runtime.IDomainModel</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, Inherited = false)]
    [Conditional("GAN_DSL_KEEP_ATTRIBUTES")]
    public sealed class DomainAttribute : Attribute
    {
        public DomainAttribute(string expression) { Expression = expression; }
        public string Expression { get; }
    }

    /// <summary>Settings shared by every player (network) attribute: its optimizer.</summary>
    public abstract class PlayerAttribute : Attribute
    {
        public Optimizer Optimizer { get; set; } = Optimizer.Adam;
        public double LearningRate { get; set; } = 2e-4;
        public double Beta1 { get; set; } = 0.5;
        public double Beta2 { get; set; } = 0.999;
        /// <summary>SGD and RMSprop.</summary>
        public double Momentum { get; set; }
        /// <summary>SGD and RMSprop: the momentum rises linearly from <see cref="Momentum"/> to this value over the run
        /// (Goodfellow et al. 2014: 0.5 to 0.7 over 250 epochs). NaN (the default): constant momentum.</summary>
        public double FinalMomentum { get; set; } = double.NaN;
        /// <summary>With <see cref="FinalMomentum"/>: the number of updates over which the momentum rises, after which it
        /// stays at <see cref="FinalMomentum"/> (pylearn2's <c>MomentumAdjustor</c>, which saturates at an epoch: Goodfellow
        /// et al. 2014 reach 0.7 after 250 epochs, 125,000 updates of 100 on their 50,000 digits). 0 (the default): over the
        /// whole run. A fixed number does not depend on the run's length, so such a run can be extended with <c>--resume</c>.</summary>
        public int FinalMomentumSteps { get; set; }
        /// <summary>RMSprop only: the smoothing constant of the average of squared gradients.</summary>
        public double Alpha { get; set; } = 0.99;
        /// <summary>L2 penalty added to the gradient (Adam, SGD, RMSprop); decoupled weight decay for AdamW.</summary>
        public double WeightDecay { get; set; }
        /// <summary>Spectral normalization (Miyato et al. 2018) of every Linear and convolution layer of the network (built as
        /// a Sequential, as <c>Gan.Runtime.Nets</c> builds them; for other modules wrap layers with <c>Nets.SpectralNorm</c>).</summary>
        public bool SpectralNorm { get; set; }
        /// <summary>Weight clipping (Arjovsky et al. 2017): after each update of this player every parameter is clamped to
        /// [−WeightClip, WeightClip] (the original WGAN: 0.01, with RMSprop). 0: none.</summary>
        public double WeightClip { get; set; }
    }

    /// <summary>A generator: a static parameterless method returning the network (a TorchSharp
    /// <c>Module&lt;Tensor, Tensor&gt;</c>). It minimizes the value function.</summary>
    [AttributeUsage(AttributeTargets.Method, Inherited = false)]
    [Conditional("GAN_DSL_KEEP_ATTRIBUTES")]
    public sealed class GeneratorAttribute : PlayerAttribute
    {
        /// <summary>The bias of the network's last Linear layer starts at the inverse of the output activation at the mean
        /// training example (logit for data in [0, 1], atanh for [−1, 1]), so that the generator starts near the mean image
        /// (Goodfellow et al. 2014, pylearn2's <c>init_sigmoid_bias_from_marginals</c>). The runtime sets it before the first step.</summary>
        public bool OutputBiasFromData { get; set; }
    }

    /// <summary>A discriminator. It maximizes the value function.</summary>
    [AttributeUsage(AttributeTargets.Method, Inherited = false)]
    [Conditional("GAN_DSL_KEEP_ATTRIBUTES")]
    public sealed class DiscriminatorAttribute : PlayerAttribute
    {
        /// <summary>What the module returns. With <see cref="DiscriminatorOutput.Logits"/> (the default) D(·) in the
        /// formula means sigmoid(logits), and the generator rewrites log D and log(1 - D) into stable logsigmoid forms.</summary>
        public DiscriminatorOutput Output { get; set; } = DiscriminatorOutput.Logits;
    }

    /// <summary>A network on neither side of the game (an encoder, a classifier): only the <c>[Minimize]</c> phases that
    /// apply it train it.</summary>
    [AttributeUsage(AttributeTargets.Method, Inherited = false)]
    [Conditional("GAN_DSL_KEEP_ATTRIBUTES")]
    public sealed class NetworkAttribute : PlayerAttribute
    {
        /// <summary>What the module returns: values used as they are (the default), <see cref="NetworkOutput.Logits"/> of a
        /// probability (then N(·) in a formula means sigmoid, and log N(·) is computed stably), or
        /// <see cref="NetworkOutput.Categorical"/> class scores (then <c>C(y | h)</c> is the probability softmax(C(h))[y] of the
        /// class y, a label or categorical noise variable, and <c>log C(y | h)</c> is computed as a log-softmax).</summary>
        public NetworkOutput Output { get; set; } = NetworkOutput.Values;
    }
}
