using Microsoft.CodeAnalysis;

namespace Gan.Dsl.Generator
{
    /// <summary>Every diagnostic the generator reports. Ids are stable; see AnalyzerReleases.Unshipped.md.</summary>
    internal static class DiagnosticDescriptors
    {
        private const string Category = "GanDsl";
        private const string HelpBase = "https://github.com/gandsl/gandsl/blob/main/docs/diagnostics.md#";

        private static DiagnosticDescriptor Make(string id, string title, string message, DiagnosticSeverity severity = DiagnosticSeverity.Error)
            => new DiagnosticDescriptor(id, title, message, Category, severity, isEnabledByDefault: true, helpLinkUri: HelpBase + id.ToLowerInvariant());

        public static readonly DiagnosticDescriptor FormulaSyntax = Make("GAN001",
            "Syntax error in a formula", "Syntax error at column {0} of the formula: {1}");
        public static readonly DiagnosticDescriptor UnknownName = Make("GAN002",
            "Unknown name in a formula", "'{0}' is not a declared network, data or noise variable, nor a known function{1}");
        public static readonly DiagnosticDescriptor WrongArity = Make("GAN003",
            "Wrong number of arguments", "{0} '{1}' {2}");
        public static readonly DiagnosticDescriptor NoMaximizingPlayer = Make("GAN004",
            "No maximizing player", "The value function uses no [Discriminator]: nobody maximizes it, so there is no game");
        public static readonly DiagnosticDescriptor UnusedNetwork = Make("GAN005",
            "Network not used by any formula", "Network '{0}' is declared but no formula ([Minimax], [Minimize] or [Sample]) applies it; it would never be trained",
            DiagnosticSeverity.Warning);
        public static readonly DiagnosticDescriptor NotPartial = Make("GAN006",
            "Model class must be partial", "Class '{0}' has [Gan] but is not partial: the generator cannot add its training code");
        public static readonly DiagnosticDescriptor DuplicateRole = Make("GAN007",
            "Network has more than one role", "'{0}' has more than one of [Generator], [Discriminator] and [Network]: a network plays one role");
        public static readonly DiagnosticDescriptor DuplicateName = Make("GAN008",
            "Name declared twice", "'{0}' is declared more than once (as {1} and as {2}); names in the value function must be unique");
        public static readonly DiagnosticDescriptor MeaninglessOption = Make("GAN009",
            "Option has no effect", "GeneratorLoss = NonSaturating rewrites the logs a generator descends, log(1 - D(u)) and log D(u) where u depends on a generator, and {0} has none; remove the option");
        public static readonly DiagnosticDescriptor InvalidSteps = Make("GAN010",
            "Invalid number of discriminator steps", "DiscriminatorSteps must be at least 1 (got {0})");
        public static readonly DiagnosticDescriptor BadFactory = Make("GAN011",
            "Network factory has the wrong form", "Network '{0}' must be a static method with no parameters returning Module<Tensor, Tensor>: {1}");
        public static readonly DiagnosticDescriptor MissingMinimax = Make("GAN012",
            "No value function", "Class '{0}' has [Gan] but no game or objective: declare [Minimax(\"V\")], [Game(\"L_D\", \"L_G\")] or [Minimize(\"...\")]");
        public static readonly DiagnosticDescriptor InvalidVariable = Make("GAN013",
            "Invalid declaration of a variable or phase", "{0} '{1}': {2}");
        public static readonly DiagnosticDescriptor UnsupportedClass = Make("GAN014",
            "Unsupported model class", "Class '{0}' cannot be a [Gan] model: {1}");
        public static readonly DiagnosticDescriptor NotCallable = Make("GAN015",
            "Not a function or network", "'{0}' is a {1}, not a network or function: it cannot be applied to arguments");
        public static readonly DiagnosticDescriptor NotInExpectation = Make("GAN016",
            "Term outside an expectation", "'{0}' depends on the samples but is not inside an expectation E[...]; a formula's value must be a number");
        public static readonly DiagnosticDescriptor NoMinimizingPlayer = Make("GAN017",
            "No minimizing player", "The value function uses no [Generator]: nobody minimizes it, so there is no game");
        public static readonly DiagnosticDescriptor NoSampler = Make("GAN018",
            "No generator applied to noise alone", "No [Generator] is applied to noise variables alone in the value function, so Sample(n) cannot be generated",
            DiagnosticSeverity.Warning);
        public static readonly DiagnosticDescriptor ImageWithoutRange = Make("GAN019",
            "Image data without a declared range", "Data variable '{0}' has the image shape {1} but no Range: image data sets are scaled to the declared range, " +
            "so declare Range = DataRange.ZeroToOne (sigmoid output) or Range = DataRange.MinusOneToOne (tanh output) to match the generator (a model without a [Generator] may leave it out)",
            DiagnosticSeverity.Warning);
        public static readonly DiagnosticDescriptor BadUpdates = Make("GAN020",
            "Invalid Updates of a [Minimize] phase", "[Minimize(\"{0}\")]: {1}");
        public static readonly DiagnosticDescriptor BadSample = Make("GAN021",
            "Invalid sample expression", "[Sample(\"{0}\")] {1}");
        public static readonly DiagnosticDescriptor GivenNotALabel = Make("GAN022",
            "Noise given something that is not a label", "Given = \"{0}\" of noise variable '{1}' must name a [Label], but {2}");
        public static readonly DiagnosticDescriptor GivenCannotCondition = Make("GAN023",
            "Distribution cannot be given a label", "Noise variable '{0}' has Distribution.{1}, which has no components or classes for a label to choose; " +
            "Given applies to Distribution.GaussianMixture (class k draws from component k) and Distribution.Categorical (the draw is the label)");
        public static readonly DiagnosticDescriptor GivenClassCount = Make("GAN024",
            "Label classes do not match the prior's components", "Label '{0}' has {1} classes, but {2}: Given needs one component or class per class of the label");
        public static readonly DiagnosticDescriptor BadEdit = Make("GAN025",
            "Invalid edit expression", "[Edit(\"{0}\")] {1}");
        public static readonly DiagnosticDescriptor EditWithoutLabel = Make("GAN026",
            "Edit expression has no categorical noise variable", "[Edit(\"{0}\")] reads no categorical noise variable, so there is no label to edit to; " +
            "apply the generator to one declared with Distribution.Categorical, e.g. G(E_z(x) | y′){1}");
        public static readonly DiagnosticDescriptor EditWithTwoLabels = Make("GAN027",
            "Edit expression has more than one categorical noise variable", "[Edit(\"{0}\")] reads the categorical noise variables {1}: Edit(x, labels) sets one, " +
            "so it cannot tell which the labels are; keep one in the expression");
        public static readonly DiagnosticDescriptor BadGradient = Make("GAN028",
            "Invalid gradient", "The gradient '{0}' cannot be taken: {1}");
        public static readonly DiagnosticDescriptor TwoGames = Make("GAN029",
            "Game declared twice", "Class '{0}' declares both [Minimax] and [Game]: a model plays one game; keep [Minimax] for one value function, or [Game] for a loss per side");
        public static readonly DiagnosticDescriptor SideUpdatesNobody = Make("GAN030",
            "A side's loss updates nobody", "The {0}' loss \"{1}\" applies no {2}, so it would update nobody");
        public static readonly DiagnosticDescriptor PlayerWithoutLoss = Make("GAN031",
            "Player that no loss updates", "'{0}' is a {1} applied in the {2}' loss, but the {3}' loss does not apply it, so nothing would train it");
        public static readonly DiagnosticDescriptor ProbabilityOutsideLog = Make("GAN032",
            "A logits discriminator read as a probability outside a log", "'{0}' returns logits, so {1} here is sigmoid of its output, a probability; hinge, Wasserstein and " +
            "least-squares losses read the raw output: declare [Discriminator(Output = DiscriminatorOutput.Values)] (and write sigmoid({1}) where a probability is meant)",
            DiagnosticSeverity.Warning);
        public static readonly DiagnosticDescriptor BadDefinition = Make("GAN033",
            "Invalid definition", "[Define(\"{0}\", ...)]: {1}");
        public static readonly DiagnosticDescriptor BadOption = Make("GAN034",
            "Invalid training option", "The option {0} is not valid: {1}");
        public static readonly DiagnosticDescriptor BadInference = Make("GAN035",
            "Invalid inference", "[Infer(\"{0}\")] {1}");
        public static readonly DiagnosticDescriptor BadDomain = Make("GAN036",
            "Invalid domain classifier", "[Domain(\"{0}\")] {1}");
        public static readonly DiagnosticDescriptor UnusedLearningRate = Make("GAN037",
            "Learning rate never used", "The LearningRate declared for '{0}' is never used: every phase that updates it ({1}) declares a LearningRate of its own",
            DiagnosticSeverity.Warning);
        public static readonly DiagnosticDescriptor InternalError = Make("GAN999",
            "Internal generator error", "The GanDsl generator failed on '{0}': {1}. Please report this with the declaration.");
    }
}
