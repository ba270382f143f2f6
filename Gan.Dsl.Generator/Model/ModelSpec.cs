using Gan.Dsl.Generator.Formula;

namespace Gan.Dsl.Generator.Model
{
    // Everything the emitter needs, as equatable values: no symbols, syntax nodes, locations or compilations.

    internal enum PlayerRole { Generator, Discriminator, Network }
    // Optimizer, Distribution, GeneratorLoss and DataRange are Gan.Dsl's own enums (Enums.cs, linked into this assembly).
    /// <summary>What a network's output means in the formula: logits of a probability (D(·) = sigmoid), a probability,
    /// plain values, or class scores (C(y | h) = softmax(C(h))[y]).</summary>
    internal enum NetworkOutputKind { Logits, Probability, Values, Categorical, Gaussian }

    internal sealed record OptimizerSpec(Optimizer Kind, double LearningRate, double Beta1, double Beta2, double Momentum, double WeightDecay, double Alpha = 0.99, double? FinalMomentum = null, int FinalMomentumSteps = 0);

    /// <param name="SpectralNorm">Whether its Linear and convolution layers are spectrally normalized.</param>
    /// <param name="WeightClip">c of weight clipping to [−c, c] after each of its updates; 0 for none.</param>
    internal sealed record NetworkSpec(string Name, PlayerRole Role, OptimizerSpec Optimizer, NetworkOutputKind Output, bool SpectralNorm = false, double WeightClip = 0, bool OutputBiasFromData = false);

    /// <param name="Classes">A class label ([Label]): its number of classes, and the formula sees it one-hot; else 0.</param>
    internal sealed record DataSpec(string Name, string Field, EquatableArray<int> Shape, DataRange Range, int Classes = 0);

    /// <param name="Given">The [Label] whose classes choose the draw's component or class in a training step (Given = "y"); else null.</param>
    /// <param name="Scale">Uniform: the half-width; Normal: the standard deviation (1 by default).</param>
    internal sealed record NoiseSpec(string Name, Distribution Distribution, int Size, string? Given = null, double Scale = 1);

    /// <summary>A [Minimize] phase: its name (for the step method and loss), the formula, and the networks it updates.</summary>
    /// <param name="LearningRate">The phase's own rate (MinimizeAttribute.LearningRate): its networks are stepped by optimizers of
    /// the phase's own at this rate; null: by the networks' own optimizers.</param>
    internal sealed record ObjectiveSpec(string Name, string Text, Expr Objective, EquatableArray<string> Updates, double? LearningRate = null);

    /// <summary>A [Game] with a loss per side: what the discriminators descend and what the generators descend, as declared.</summary>
    /// <param name="DiscriminatorUpdates">[Network]s the discriminators' step also updates (GameAttribute.DiscriminatorUpdates).</param>
    /// <param name="GeneratorUpdates">[Network]s the generators' step also updates.</param>
    internal sealed record GameLossesSpec(string DiscriminatorText, Expr Discriminator, string GeneratorText, Expr Generator,
                                          EquatableArray<string> DiscriminatorUpdates = default, EquatableArray<string> GeneratorUpdates = default);

    /// <summary>A [Define]: a variable computed from its expression in each phase that reads it.</summary>
    internal sealed record DefinitionSpec(string Name, string Text, Expr Expression);

    /// <summary>An [Infer] or a [Domain]: the expression as declared and parsed.</summary>
    internal sealed record ReadoutSpec(string Text, Expr Expression);

    /// <summary>What [Gan(...)] says for the command line: the model's name there and its defaults (null / 0: the runtime's).</summary>
    internal sealed record RegistrationSpec(string Name, string? Description, string? Data, int BatchSize, int Steps, string? LearningRateSchedule);

    /// <param name="ValueFunction">The [Minimax] value function; for a [Game], its two losses joined by + (what the game applies, for
    /// the questions asked of the whole game: its players, its sampler).</param>
    /// <param name="Losses">The [Game]'s losses, one per side; null for a [Minimax] game or none.</param>
    internal sealed record ModelSpec(
        string? Namespace,
        string ClassName,
        string Accessibility,
        EquatableArray<DataSpec> Data,
        EquatableArray<NoiseSpec> Noise,
        EquatableArray<NetworkSpec> Networks,
        string ValueFunctionText,
        Expr ValueFunction,
        int DiscriminatorSteps,
        GeneratorLoss GeneratorLoss,
        EquatableArray<ObjectiveSpec> Objectives,
        Expr? SampleExpression,
        string? SampleText,
        bool HasGame,
        Expr? EditExpression = null,
        string? EditText = null,
        GameLossesSpec? Losses = null,
        EquatableArray<DefinitionSpec> Definitions = default,
        UpdateScheme Scheme = UpdateScheme.Alternating,
        int Pack = 1,
        RegistrationSpec? Registration = null,
        EquatableArray<ReadoutSpec> Inferences = default,
        ReadoutSpec? Domain = null);
}
