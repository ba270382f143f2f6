using System.Linq;
using Gan.Dsl.Generator.Formula;
using Gan.Dsl.Generator.Model;

namespace Gan.Dsl.Generator.Analysis
{
    // The analysis stage's output: every decision about a model, as equatable values, so that the emitter only lays
    // it out. ModelAnalyzer makes it from a ModelSpec and the parser's Scope; nothing here is computed again by the emitter.

    /// <summary>Maximize and Minimize: the two sides of a [Minimax] game (V ascended, V's terms descended); DiscriminatorsLoss and
    /// GeneratorsLoss: the two sides of a [Game], each descending its own loss; Objective: a [Minimize] phase.</summary>
    internal enum PhaseKind { Maximize, Minimize, Objective, DiscriminatorsLoss, GeneratorsLoss, Simultaneous }

    /// <summary>One network application of a phase, in the order it is computed (arguments first), each distinct
    /// application once; <see cref="NoGrad"/> when the phase updates neither the network nor anything its input depends on.</summary>
    /// <param name="ReadsDefinition">Whether its inputs read a [Define] variable (then it is computed after that definition).</param>
    internal sealed record CallPlan(CallExpr Call, bool NoGrad, bool ReadsDefinition = false);

    /// <summary>A [Define] variable a phase computes, after the first <see cref="After"/> of the phase's calls (those it reads).</summary>
    internal sealed record DefinitionPlan(string Name, Expr Expression, int After);

    /// <summary>A log the phase computes stably: <see cref="Log"/> (as it appears in the loss) is
    /// <c>logsigmoid(Logits)</c>, or <c>logsigmoid(-Logits)</c> when <see cref="Negated"/>; <see cref="OfNetwork"/> when
    /// the logits are a network's output (<c>log D(·)</c> of a network returning logits), else the argument of a
    /// <c>sigmoid</c> written in the formula.</summary>
    internal sealed record StableLogPlan(CallExpr Log, Expr Logits, bool Negated, bool OfNetwork);

    /// <summary>One additive term of a phase's loss, after every rewrite.</summary>
    internal sealed record TermPlan(int Sign, Expr Term);

    /// <summary>One update: what it reads and draws, the networks it applies, the loss it descends, who it updates.</summary>
    /// <param name="Method">The step method: StepDiscriminators, StepGenerators, or Step + the phase's name.</param>
    /// <param name="Text">The [Minimize] formula as declared; null for the game's two phases.</param>
    /// <param name="Fixed">Networks the phase applies but does not update.</param>
    /// <param name="DataReads">Data variables read from the batch.</param>
    /// <param name="GivenLabels">Labels read only because noise drawn in the phase is given them.</param>
    /// <param name="NoiseDraws">Noise variables drawn, in declaration order.</param>
    /// <param name="StableLogs">The logs of <see cref="Loss"/> computed as log-sigmoids, each once.</param>
    /// <param name="Loss">The loss: for a maximizing phase the terms of V it ascends (the loss is their negation).</param>
    /// <param name="Partial">A maximizing phase that keeps only some of V's terms (those that depend on its players).</param>
    internal sealed record PhasePlan(
        string Method,
        PhaseKind Kind,
        string LossName,
        string? Text,
        EquatableArray<string> Updates,
        EquatableArray<string> Fixed,
        EquatableArray<string> DataReads,
        EquatableArray<string> GivenLabels,
        EquatableArray<string> NoiseDraws,
        EquatableArray<CallPlan> Calls,
        EquatableArray<TermPlan> Loss,
        EquatableArray<StableLogPlan> StableLogs,
        bool Partial,
        EquatableArray<DefinitionPlan> Definitions = default,
        EquatableArray<GradientExpr> Gradients = default)
    {
        /// <summary>Whether the phase takes a gradient with respect to <paramref name="variable"/> (a name or a network
        /// application): then it is made to require gradients where it is computed.</summary>
        public bool Differentiates(Expr variable)
            => Gradients.Any(g => Printer.Key(g.Variable) == Printer.Key(variable));

        /// <summary>Whether a log of a network's logits is computed stably.</summary>
        public bool StableNetworkLogs => StableLogs.Any(s => s.OfNetwork);
        /// <summary>Whether a log of a written sigmoid is computed stably.</summary>
        public bool StableSigmoidLogs => StableLogs.Any(s => !s.OfNetwork);
    }

    /// <summary>What Sample(labels) chooses: a categorical noise variable the sampler reads, or a label that noise the
    /// sampler reads is given (Label is then its name).</summary>
    internal sealed record ConditionPlan(string Name, int Classes, string? Label, EquatableArray<string> Noise);

    /// <summary>Edit(x, labels): the expression, the data variable x stands for, the categorical noise variable the labels
    /// set, the other noise drawn from its prior, and the network applications in computation order.</summary>
    internal sealed record EditPlan(Expr Expression, string Text, string Image, string Label, EquatableArray<string> Drawn, EquatableArray<CallExpr> Calls);

    /// <summary>An [Infer] or the [Domain]: the expression, the data variable it reads, the variable inferred (null for the
    /// domain), its classes (0: a continuous variable, read as the Gaussian's mean; for the domain 0), and the network
    /// applications in computation order (the last is the expression's network).</summary>
    internal sealed record ReadoutPlan(Expr Expression, string Text, string Input, string? Variable, int Classes, int Size, EquatableArray<CallExpr> Calls);

    /// <param name="Phases">In the order TrainStep runs them: the [Minimize] phases, then the maximizing and minimizing phases of the game.</param>
    /// <param name="Sampler">What Sample(n) runs; null when nothing samples.</param>
    /// <param name="Encoder">What Encode(x) runs; null when no network is applied to data alone.</param>
    /// <param name="Reverses">Whether a formula applies reverse(·) (the model then tracks its progress for λ_p).</param>
    /// <param name="Simultaneous">For a game with simultaneous updates: one step computing both sides' losses (its terms are both
    /// sides', for what it reads, draws and applies; the sides' phases keep each loss).</param>
    /// <param name="Functional">The alias of torch.nn.functional in the emitted file.</param>
    /// <param name="Scope">What the formulas' names are (built by the parser), for the code writer's questions about names.</param>
    internal sealed record ModelPlan(
        ModelSpec Spec,
        Scope Scope,
        EquatableArray<string> Maximizers,
        EquatableArray<string> Minimizers,
        EquatableArray<PhasePlan> Phases,
        CallExpr? Sampler,
        CallExpr? Encoder,
        ConditionPlan? Condition,
        EditPlan? Edit,
        bool Reverses,
        string Functional,
        PhasePlan? Simultaneous = null,
        EquatableArray<ReadoutPlan> Inferences = default,
        ReadoutPlan? Domain = null);
}
