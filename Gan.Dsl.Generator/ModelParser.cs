using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Gan.Dsl.Generator.Analysis;
using Gan.Dsl.Generator.Formula;
using Gan.Dsl.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Gan.Dsl.Generator
{
    /// <summary>The first stage: reads one [Gan] class into a <see cref="ModelSpec"/>, the <see cref="Scope"/> of its
    /// names and its diagnostics (the declaration checked against itself: names, types, formulas, spans).</summary>
    internal static class ModelParser
    {
        public const string GanAttribute = "Gan.Dsl.GanAttribute";
        private const string DataAttribute = "Gan.Dsl.DataAttribute";
        private const string NoiseAttribute = "Gan.Dsl.NoiseAttribute";
        private const string LabelAttribute = "Gan.Dsl.LabelAttribute";
        private const string MinimaxAttribute = "Gan.Dsl.MinimaxAttribute";
        private const string MinimizeAttribute = "Gan.Dsl.MinimizeAttribute";
        private const string GameAttribute = "Gan.Dsl.GameAttribute";
        private const string DefineAttribute = "Gan.Dsl.DefineAttribute";
        private const string SampleAttribute = "Gan.Dsl.SampleAttribute";
        private const string EditAttribute = "Gan.Dsl.EditAttribute";
        private const string InferAttribute = "Gan.Dsl.InferAttribute";
        private const string DomainAttribute = "Gan.Dsl.DomainAttribute";
        private const string NetworkAttribute = "Gan.Dsl.NetworkAttribute";
        private const string GeneratorAttribute = "Gan.Dsl.GeneratorAttribute";
        private const string DiscriminatorAttribute = "Gan.Dsl.DiscriminatorAttribute";
        private const string NotAName = "not a valid name; use a letter followed by letters, digits or '_'";
        private const string ModuleOfTensor = "TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>";

        /// <summary>Reads the declaration of <paramref name="context"/>'s class. The generator hands the result to the analysis
        /// (<see cref="Analysis.ModelAnalyzer"/>) in the next step, with the scope built here.</summary>
        public static Reading Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
            => new Reader((ClassDeclarationSyntax)context.TargetNode, (INamedTypeSymbol)context.TargetSymbol, cancellationToken).Read()
                with { Tree = context.TargetNode.SyntaxTree };

        /// <summary>Reading one declaration, step by step; the fields are what the steps share.</summary>
        private sealed class Reader
        {
            private readonly ClassDeclarationSyntax classSyntax;
            private readonly INamedTypeSymbol symbol;
            private readonly CancellationToken cancellationToken;
            private readonly List<DiagnosticInfo> diagnostics = new List<DiagnosticInfo>();
            private readonly List<DiagnosticInfo> imagesWithoutRange = new List<DiagnosticInfo>();
            private readonly LocationInfo? classLocation;
            private bool fatal;
            private readonly Scope scope = new Scope();
            private readonly Dictionary<string, string> declaredAs = new Dictionary<string, string>(StringComparer.Ordinal);
            private readonly List<DataSpec> data = new List<DataSpec>();
            private readonly List<NoiseSpec> noise = new List<NoiseSpec>();
            private AttributeData? minimax, game, sample, edit;
            private readonly List<AttributeData> defines = new List<AttributeData>();
            private readonly List<DefinitionSpec> definitions = new List<DefinitionSpec>();
            private GameLossesSpec? losses;
            private string valueText = "";
            private LocationInfo? samplerSite;
            private UpdateScheme scheme;
            private int pack = 1;
            private RegistrationSpec? registration;
            private readonly List<AttributeData> minimizes = new List<AttributeData>();
            private readonly List<(int Noise, string Label, LocationInfo? Where)> givens = new List<(int Noise, string Label, LocationInfo? Where)>();
            private readonly List<NetworkSpec> networks = new List<NetworkSpec>();
            private readonly Dictionary<string, LocationInfo?> networkLocations = new Dictionary<string, LocationInfo?>(StringComparer.Ordinal);
            private readonly Dictionary<string, AttributeData> networkAttributes = new Dictionary<string, AttributeData>(StringComparer.Ordinal);
            private bool hasGame;
            private AttributeSyntax? minimaxSyntax;
            private LocationInfo? minimaxLocation;
            private string formula = "";
            private int steps;
            private bool lossDeclared;
            private GeneratorLoss generatorLoss;
            private SyntaxToken? literal;
            private Expr valueFunction = null!;
            private HashSet<string> used = new HashSet<string>(StringComparer.Ordinal);
            private HashSet<string> usedInGame = new HashSet<string>(StringComparer.Ordinal);
            private readonly List<ObjectiveSpec> objectives = new List<ObjectiveSpec>();
            private Expr? sampleExpression;
            private string? sampleText;
            private Expr? editExpression;
            private string? editText;
            private readonly List<AttributeData> infers = new List<AttributeData>();
            private AttributeData? domain;
            private readonly List<ReadoutSpec> inferences = new List<ReadoutSpec>();
            private ReadoutSpec? domainReadout;

            public Reader(ClassDeclarationSyntax classSyntax, INamedTypeSymbol symbol, CancellationToken cancellationToken)
            {
                this.classSyntax = classSyntax;
                this.symbol = symbol;
                this.cancellationToken = cancellationToken;
                classLocation = LocationInfo.From(classSyntax.Identifier);
            }

            /// <summary>The steps in order; a step that cannot go on without what failed ends the reading.</summary>
            public Reading Read()
            {
                CheckClass();
                ReadAttributes();
                CheckGivens();
                ReadNetworks();
                ReadDefinitions();
                if (minimax == null && game == null && minimizes.Count == 0)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MissingMinimax, classLocation, symbol.Name));
                    return Refused();
                }
                if (minimax != null && game != null)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TwoGames,
                        LocationInfo.From(game.ApplicationSyntaxReference?.GetSyntax(cancellationToken)) ?? classLocation, symbol.Name));
                    return Refused();
                }
                if (!(game != null ? ReadLosses() : ReadGame())) return Refused();
                ReadPhases();
                ReadSample();
                ReadEdit();
                ReadInferences();
                ReadDomain();
                CheckUses();
                return Build();
            }

            /// <summary>The class itself: partial, at namespace level, not generic, static or abstract, no base class (GAN006, GAN014).</summary>
            private void CheckClass()
            {
                if (!classSyntax.Modifiers.Any(SyntaxKind.PartialKeyword))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotPartial, classLocation, symbol.Name));
                    fatal = true;
                }
                if (symbol.ContainingType != null)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedClass, classLocation, symbol.Name, "nested classes are not supported; declare it at namespace level"));
                    fatal = true;
                }
                if (symbol.IsGenericType)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedClass, classLocation, symbol.Name, "generic classes are not supported"));
                    fatal = true;
                }
                if (symbol.IsStatic || symbol.IsAbstract)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedClass, classLocation, symbol.Name, "it must be a non-static, non-abstract class"));
                    fatal = true;
                }
                if (symbol.BaseType != null && symbol.BaseType.SpecialType != SpecialType.System_Object)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedClass, classLocation, symbol.Name,
                        $"it derives from {symbol.BaseType.ToDisplayString()}, but the generator makes it a TorchSharp Module; remove the base class"));
                    fatal = true;
                }
            }

            /// <summary>Records a name, or reports GAN008 when it is declared already.</summary>
            private bool Declare(string name, string what, LocationInfo? where)
            {
                if (declaredAs.TryGetValue(name, out string? previous))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DuplicateName, where, name, previous, what));
                    fatal = true;
                    return false;
                }
                declaredAs[name] = what;
                return true;
            }

            /// <summary>The class's attributes in source order: data, labels and noise (declared as names), and the formulas, kept for later steps.</summary>
            private void ReadAttributes()
            {
                foreach (AttributeData attribute in symbol.GetAttributes())
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    string? name = attribute.AttributeClass?.ToDisplayString();
                    LocationInfo? where = LocationInfo.From(attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken));
                    if (name == GanAttribute)
                    {
                        ReadRegistration(attribute, where);
                        continue;
                    }
                    if (name == DataAttribute)
                    {
                        string variable = attribute.ConstructorArguments.Length > 0 ? attribute.ConstructorArguments[0].Value as string ?? "" : "";
                        if (!IsValidName(variable))
                        {
                            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidVariable, where, "Data variable", variable, NotAName));
                            fatal = true;
                            continue;
                        }
                        string shapeText = NamedString(attribute, "Shape") ?? "";
                        string field = NamedString(attribute, "Field") ?? variable;
                        int[]? shape = ParseShape(shapeText);
                        if (shape == null)
                        {
                            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidVariable, where, "Data variable", variable,
                                $"Shape \"{shapeText}\" is not a list of positive sizes such as \"2\" or \"1x28x28\""));
                            fatal = true;
                            continue;
                        }
                        if (Declare(variable, "a data variable", where))
                        {
                            var range = NamedEnum(attribute, "Range", DataRange.Unspecified);
                            if (shape.Length == 3 && range == DataRange.Unspecified)
                                imagesWithoutRange.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ImageWithoutRange, where, variable, shapeText));
                            data.Add(new DataSpec(variable, field, new EquatableArray<int>(shape), range));
                            scope.Names[variable] = NameKind.Data;
                        }
                    }
                    else if (name == LabelAttribute)
                    {
                        string variable = attribute.ConstructorArguments.Length > 0 ? attribute.ConstructorArguments[0].Value as string ?? "" : "";
                        int classes = attribute.ConstructorArguments.Length > 1 && attribute.ConstructorArguments[1].Value is int c ? c : 0;
                        if (!IsValidName(variable) || classes < 2)
                        {
                            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidVariable, where, "Label", variable,
                                !IsValidName(variable) ? NotAName : $"it must have at least 2 classes (got {classes})"));
                            fatal = true;
                            continue;
                        }
                        if (Declare(variable, "a label", where))
                        {
                            data.Add(new DataSpec(variable, NamedString(attribute, "Field") ?? variable, new EquatableArray<int>(new[] { classes }), DataRange.Unspecified, classes));
                            scope.Names[variable] = NameKind.Data;
                            scope.Categorical.Add(variable);
                        }
                    }
                    else if (name == NoiseAttribute)
                    {
                        string variable = attribute.ConstructorArguments.Length > 0 ? attribute.ConstructorArguments[0].Value as string ?? "" : "";
                        int distributionValue = attribute.ConstructorArguments.Length > 1 && attribute.ConstructorArguments[1].Value is int d ? d : -1;
                        var distribution = (Distribution)distributionValue;
                        int size = attribute.ConstructorArguments.Length > 2 && attribute.ConstructorArguments[2].Value is int s ? s : 0;
                        bool known = Enum.IsDefined(typeof(Distribution), distribution);
                        bool plane = distribution is Distribution.GaussianMixture or Distribution.SwissRoll;
                        if (!IsValidName(variable) || size <= 0 || !known || (distribution == Distribution.Categorical && size < 2) || (plane && size != Distributions.PlaneDimensions))
                        {
                            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidVariable, where,
                                known && distribution == Distribution.Categorical ? "Categorical noise variable" : "Noise variable", variable,
                                !IsValidName(variable) ? NotAName
                                : size <= 0 ? $"its size must be positive (got {size})"
                                : !known ? "its distribution is not one of Gan.Dsl.Distribution's"
                                : distribution == Distribution.Categorical ? $"it must have at least 2 classes (got {size})"
                                : $"the {distribution} prior is 2-D, so its size must be {Distributions.PlaneDimensions} (got {size})"));
                            fatal = true;
                            continue;
                        }
                        string? given = Named(attribute, "Given") is { IsNull: false } ? NamedString(attribute, "Given") ?? "" : null;
                        double scale = NamedDouble(attribute, "Scale") ?? 1.0;
                        string? badScale = !(scale > 0) || double.IsInfinity(scale) ? "it must be a positive number (the half-width of a uniform draw, the standard deviation of a normal one)"
                            : scale != 1.0 && distribution is not (Distribution.Normal or Distribution.Uniform) ? $"only Normal and Uniform draws have a scale, and '{variable}' is {distribution}"
                            : null;
                        if (badScale != null)
                        {
                            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BadOption,
                                NamedArgumentLocation(attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax, "Scale") ?? where,
                                $"Scale = {scale.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}", badScale));
                            fatal = true;
                            continue;
                        }
                        if (Declare(variable, "a noise variable", where))
                        {
                            if (given != null)
                                givens.Add((noise.Count, given, NamedArgumentLocation(attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax, "Given") ?? where));
                            noise.Add(new NoiseSpec(variable, distribution, size, given, scale));
                            scope.Names[variable] = NameKind.Noise;
                            if (distribution == Distribution.Categorical) scope.Categorical.Add(variable);
                        }
                    }
                    else if (name == MinimaxAttribute)
                    {
                        minimax = attribute;
                    }
                    else if (name == GameAttribute)
                    {
                        game = attribute;
                    }
                    else if (name == DefineAttribute)
                    {
                        defines.Add(attribute);
                    }
                    else if (name == MinimizeAttribute)
                    {
                        minimizes.Add(attribute);
                    }
                    else if (name == SampleAttribute)
                    {
                        sample = attribute;
                    }
                    else if (name == EditAttribute)
                    {
                        edit = attribute;
                    }
                    else if (name == InferAttribute)
                    {
                        infers.Add(attribute);
                    }
                    else if (name == DomainAttribute)
                    {
                        domain = attribute;
                    }
                }
            }

            /// <summary>Given = "y": the [Label] whose classes choose a prior's component (a mixture) or class (a categorical draw) (GAN022-GAN024).</summary>
            private void CheckGivens()
            {
                foreach (var (index, label, givenWhere) in givens)
                {
                    NoiseSpec z = noise[index];
                    bool fine = true;
                    if (z.Distribution is not (Distribution.GaussianMixture or Distribution.Categorical))
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.GivenCannotCondition, givenWhere, z.Name, z.Distribution.ToString()));
                        fine = false;
                    }
                    DataSpec? target = data.FirstOrDefault(d => d.Name == label && d.Classes > 0);
                    if (target == null)
                    {
                        string[] labels = data.Where(d => d.Classes > 0).Select(d => d.Name).ToArray();
                        string what = declaredAs.TryGetValue(label, out string? kind) ? $"'{label}' is {kind}" : $"'{label}' is not declared";
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.GivenNotALabel, givenWhere, label, z.Name,
                            what + (labels.Length > 0 ? $" (labels: {string.Join(", ", labels)})" : "; declare one with [Label(\"y\", classes)]")));
                        fine = false;
                    }
                    int components = z.Distribution == Distribution.GaussianMixture ? Distributions.MixtureComponents : z.Size;
                    if (fine && target!.Classes != components)
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.GivenClassCount, givenWhere, label, target.Classes.ToString(),
                            z.Distribution == Distribution.GaussianMixture
                                ? $"the GaussianMixture prior of '{z.Name}' has {Distributions.MixtureComponents} components"
                                : $"the categorical noise variable '{z.Name}' has {z.Size} classes"));
                        fine = false;
                    }
                    fatal |= !fine;
                }
            }

            /// <summary>Networks: methods with a role attribute, in source order (GAN007, GAN011).</summary>
            private void ReadNetworks()
            {
                foreach (ISymbol member in symbol.GetMembers())
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (member is not IMethodSymbol method) continue;
                    AttributeData? generator = null, discriminator = null, plain = null;
                    foreach (AttributeData attribute in method.GetAttributes())
                    {
                        string? name = attribute.AttributeClass?.ToDisplayString();
                        if (name == GeneratorAttribute) generator = attribute;
                        else if (name == DiscriminatorAttribute) discriminator = attribute;
                        else if (name == NetworkAttribute) plain = attribute;
                    }
                    if (generator == null && discriminator == null && plain == null) continue;
                    LocationInfo? where = method.Locations.Length > 0 ? LocationInfo.From(method.Locations[0]) : classLocation;
                    if ((generator != null ? 1 : 0) + (discriminator != null ? 1 : 0) + (plain != null ? 1 : 0) > 1)
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DuplicateRole, where, method.Name));
                        fatal = true;
                        continue;
                    }
                    string? problem = !method.IsStatic ? "it is not static"
                        : method.Parameters.Length != 0 ? "it has parameters"
                        : method.IsGenericMethod ? "it is generic"
                        : !ReturnsModuleOfTensor(method.ReturnType) ? $"it returns {method.ReturnType.ToDisplayString()}"
                        : null;
                    if (problem != null)
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BadFactory, where, method.Name, problem));
                        fatal = true;
                        continue;
                    }
                    AttributeData role = generator ?? discriminator ?? plain!;
                    double clip = NamedDouble(role, "WeightClip") ?? 0.0;
                    if (clip < 0 || double.IsNaN(clip))
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BadOption,
                            NamedArgumentLocation(role.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax, "WeightClip") ?? where,
                            $"WeightClip = {clip}", "weights are clipped to [−c, c], so c must be positive (0: no clipping)"));
                        fatal = true;
                    }
                    AttributeSyntax? roleSyntax = role.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
                    Optimizer kind = NamedEnum(role, "Optimizer", Optimizer.Adam);
                    double? finalMomentum = NamedDouble(role, "FinalMomentum") is double fm && !double.IsNaN(fm) ? fm : null;
                    if (finalMomentum is double final)
                    {
                        string? why = kind is not (Optimizer.Sgd or Optimizer.RmsProp) ? $"only SGD and RMSprop have a momentum, and {method.Name}'s optimizer is {kind}"
                            : !(final >= 0 && final < 1) ? "a momentum lies in [0, 1)"
                            : null;
                        if (why != null)
                        {
                            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BadOption, NamedArgumentLocation(roleSyntax, "FinalMomentum") ?? where,
                                $"FinalMomentum = {final.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}", why));
                            fatal = true;
                        }
                    }
                    int finalMomentumSteps = NamedInt(role, "FinalMomentumSteps") ?? 0;
                    if (finalMomentumSteps != 0)
                    {
                        string? why = finalMomentumSteps < 0 ? "the momentum rises over that many updates, so it must be positive (0: over the whole run)"
                            : finalMomentum is null ? "it is the length of the rise to FinalMomentum, which is not set"
                            : null;
                        if (why != null)
                        {
                            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BadOption, NamedArgumentLocation(roleSyntax, "FinalMomentumSteps") ?? where,
                                $"FinalMomentumSteps = {finalMomentumSteps}", why));
                            fatal = true;
                        }
                    }
                    bool biasFromData = generator != null && (NamedBool(role, "OutputBiasFromData") ?? false);
                    if (biasFromData && !data.Any(d => d.Classes == 0 && d.Range != DataRange.Unspecified))
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BadOption, NamedArgumentLocation(roleSyntax, "OutputBiasFromData") ?? where,
                            "OutputBiasFromData = true", "the bias inverts the output activation at the data's mean, so a [Data] variable needs Range = ZeroToOne or MinusOneToOne"));
                        fatal = true;
                    }
                    var optimizer = new OptimizerSpec(
                        kind,
                        NamedDouble(role, "LearningRate") ?? 2e-4,
                        NamedDouble(role, "Beta1") ?? 0.5,
                        NamedDouble(role, "Beta2") ?? 0.999,
                        NamedDouble(role, "Momentum") ?? 0.0,
                        NamedDouble(role, "WeightDecay") ?? 0.0,
                        NamedDouble(role, "Alpha") ?? 0.99,
                        finalMomentum,
                        finalMomentumSteps);
                    var spec = new NetworkSpec(method.Name, generator != null ? PlayerRole.Generator : discriminator != null ? PlayerRole.Discriminator : PlayerRole.Network, optimizer,
                        generator != null ? NetworkOutputKind.Values
                        : discriminator != null ? NamedEnum(role, "Output", DiscriminatorOutput.Logits) switch
                        {
                            DiscriminatorOutput.Probability => NetworkOutputKind.Probability,
                            DiscriminatorOutput.Values => NetworkOutputKind.Values,
                            _ => NetworkOutputKind.Logits,
                        }
                        : NamedEnum(role, "Output", NetworkOutput.Values) switch
                        {
                            NetworkOutput.Logits => NetworkOutputKind.Logits,
                            NetworkOutput.Categorical => NetworkOutputKind.Categorical,
                            NetworkOutput.Gaussian => NetworkOutputKind.Gaussian,
                            _ => NetworkOutputKind.Values,
                        }, NamedBool(role, "SpectralNorm") ?? false, clip, biasFromData);
                    if (Declare(method.Name, generator != null ? "a generator" : discriminator != null ? "a discriminator" : "a network", where))
                    {
                        networks.Add(spec);
                        networkLocations[method.Name] = where;
                        networkAttributes[method.Name] = role;
                        scope.Names[method.Name] = NameKind.Network;
                        scope.Networks[method.Name] = spec;
                    }
                }
            }

            /// <summary>[Minimax]: its options and the value function, parsed and checked (GAN001-GAN003, GAN010, GAN015, GAN016). Without [Minimax] the model is its [Minimize] phases alone. False when the formula cannot be read.</summary>
            private bool ReadGame()
            {
                // Without [Minimax] the model is its [Minimize] phases alone (e.g. domain-adversarial training, where a gradient
                // reversal inside one objective plays the game).
                hasGame = minimax != null;

                minimaxSyntax = minimax?.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
                minimaxLocation = LocationInfo.From(minimaxSyntax) ?? classLocation;
                formula = minimax != null && minimax.ConstructorArguments.Length > 0 ? minimax.ConstructorArguments[0].Value as string ?? "" : "";
                lossDeclared = minimax != null && Named(minimax, "GeneratorLoss") != null;
                generatorLoss = minimax != null ? NamedEnum(minimax, "GeneratorLoss", GeneratorLoss.NonSaturating) : GeneratorLoss.NonSaturating;
                steps = 1;
                if (minimax != null) ReadGameOptions(minimax);

                literal = FormulaLiteral(minimaxSyntax);

                FormulaError? syntaxError = null;
                Expr? parsedValue = hasGame ? FormulaParser.Parse(formula, out syntaxError) : new NumberExpr(0, "0", 0, 0);
                if (parsedValue == null)
                {
                    FormulaError error = syntaxError ?? new FormulaError("unreadable formula", 0, formula.Length);
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.FormulaSyntax, FormulaLocation(error.Start, Math.Max(1, error.Length)), (error.Start + 1).ToString(), error.Message));
                    return false;
                }

                valueFunction = parsedValue;
                valueText = formula;
                List<FormulaProblem> problems = Semantics.Check(valueFunction, scope, out used);
                used.UnionWith(Definitions.Applied(valueFunction, scope));
                foreach (FormulaProblem p in problems)
                {
                    diagnostics.Add(new DiagnosticInfo(p.Descriptor, FormulaLocation(p.Start, p.Length), new EquatableArray<string>(p.Arguments)));
                    if (p.Descriptor.DefaultSeverity == DiagnosticSeverity.Error) fatal = true;
                }
                usedInGame = new HashSet<string>(used, StringComparer.Ordinal);
                return true;
            }

            private LocationInfo? FormulaLocation(int start, int length) => FormulaSpan(literal, formula, start, length) ?? minimaxLocation;

            /// <summary>A formula of the declaration, parsed and checked, its diagnostics at their characters in
            /// <paramref name="source"/> (or at <paramref name="fallback"/>). Null when it cannot be read; <paramref name="bad"/>
            /// when it has an error; <paramref name="applied"/> holds the networks it applies, through definitions too.</summary>
            private Expr? CheckedFormula(string text, SyntaxToken? source, LocationInfo? fallback, out HashSet<string> applied, out bool bad, bool perExample = false)
            {
                bad = true;
                applied = new HashSet<string>(StringComparer.Ordinal);
                LocationInfo? At(int start, int length) => FormulaSpan(source, text, start, length) ?? fallback;
                Expr? parsed = FormulaParser.Parse(text, out FormulaError? error);
                if (parsed == null)
                {
                    FormulaError e = error ?? new FormulaError("unreadable formula", 0, text.Length);
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.FormulaSyntax, At(e.Start, Math.Max(1, e.Length)), (e.Start + 1).ToString(), e.Message));
                    return null;
                }
                bad = false;
                foreach (FormulaProblem p in Semantics.Check(parsed, scope, out applied))
                {
                    if (perExample && p.Descriptor == DiagnosticDescriptors.NotInExpectation) continue;
                    diagnostics.Add(new DiagnosticInfo(p.Descriptor, At(p.Start, p.Length), new EquatableArray<string>(p.Arguments)));
                    if (p.Descriptor.DefaultSeverity == DiagnosticSeverity.Error) bad = true;
                }
                applied.UnionWith(Definitions.Applied(parsed, scope));
                return parsed;
            }

            /// <summary>[Define("x̂", "ε x + (1 - ε) G(z)")]: each a name (GAN013, GAN008) and a per-example expression over what is
            /// declared before it (GAN001-GAN003, GAN015, GAN028), in source order.</summary>
            private void ReadDefinitions()
            {
                foreach (AttributeData attribute in defines)
                {
                    var syntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
                    LocationInfo? where = LocationInfo.From(syntax) ?? classLocation;
                    string name = attribute.ConstructorArguments.Length > 0 ? attribute.ConstructorArguments[0].Value as string ?? "" : "";
                    string text = attribute.ConstructorArguments.Length > 1 ? attribute.ConstructorArguments[1].Value as string ?? "" : "";
                    if (!IsValidName(name))
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidVariable, where, "Definition", name, NotAName));
                        fatal = true;
                        continue;
                    }
                    SyntaxToken? source = FormulaLiteral(syntax, 1, "expression");
                    Expr? expression = CheckedFormula(text, source, where, out HashSet<string> applied, out bool badDefinition, perExample: true);
                    if (expression == null || badDefinition)
                    {
                        // Declared all the same, so that the formulas reading it get no second diagnostic.
                        if (Declare(name, "a definition", where)) scope.Names[name] = NameKind.Defined;
                        fatal = true;
                        continue;
                    }
                    if (Tree.Descendants(expression).Any(e => e is GradientExpr))
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BadDefinition, where, name,
                            "its expression takes a gradient; take it in the loss, where the definition is used (∇_x̂ D(x̂))"));
                        fatal = true;
                        continue;
                    }
                    if (Tree.Descendants(expression).Any(e => e is ExpectationExpr))
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BadDefinition, where, name,
                            "its expression is per example, so it has no expectation E[...]; take the expectation where the definition is used"));
                        fatal = true;
                        continue;
                    }
                    if (!Tree.Descendants(expression).Any(e => e is NameExpr || e is CallExpr c && scope.Networks.ContainsKey(c.Callee)))
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BadDefinition, where, name,
                            "its expression reads no variable, so it is a number; write the number where it is used"));
                        fatal = true;
                        continue;
                    }
                    if (!Declare(name, "a definition", where)) continue;
                    scope.Names[name] = NameKind.Defined;
                    scope.Definitions[name] = expression;
                    definitions.Add(new DefinitionSpec(name, text, expression));
                }
            }

            /// <summary>[Game(discriminatorLoss, generatorLoss)]: each side's loss parsed and checked (GAN001-GAN003, GAN010,
            /// GAN015, GAN016, GAN028); a side whose loss applies none of its players (GAN030), a player only the other side's
            /// loss applies (GAN031), a logits discriminator read as a probability outside a log (GAN032, a warning).</summary>
            private bool ReadLosses()
            {
                hasGame = true;
                AttributeData g = game!;
                minimaxSyntax = g.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
                minimaxLocation = LocationInfo.From(minimaxSyntax) ?? classLocation;
                lossDeclared = false;
                generatorLoss = GeneratorLoss.Minimax;   // each loss as written
                ReadGameOptions(g);
                string dText = g.ConstructorArguments.Length > 0 ? g.ConstructorArguments[0].Value as string ?? "" : "";
                string gText = g.ConstructorArguments.Length > 1 ? g.ConstructorArguments[1].Value as string ?? "" : "";
                SyntaxToken? dLiteral = FormulaLiteral(minimaxSyntax, 0, "discriminatorLoss"), gLiteral = FormulaLiteral(minimaxSyntax, 1, "generatorLoss");
                Expr? dLoss = CheckedFormula(dText, dLiteral, minimaxLocation, out HashSet<string> dApplied, out bool dBad);
                Expr? gLoss = CheckedFormula(gText, gLiteral, minimaxLocation, out HashSet<string> gApplied, out bool gBad);
                if (dBad) dLoss = null;
                if (gBad) gLoss = null;
                used.UnionWith(dApplied);
                used.UnionWith(gApplied);
                usedInGame = new HashSet<string>(used, StringComparer.Ordinal);
                // Where the whole of each loss is: for the diagnostics about a side, and GAN018.
                LocationInfo? dWhole = FormulaSpan(dLiteral, dText, 0, dText.Length) ?? minimaxLocation;
                LocationInfo? gWhole = FormulaSpan(gLiteral, gText, 0, gText.Length) ?? minimaxLocation;
                formula = dText;
                literal = dLiteral;
                samplerSite = gWhole;
                if (dLoss == null || gLoss == null) { fatal = true; return false; }

                if (!networks.Any(n => n.Role == PlayerRole.Discriminator && dApplied.Contains(n.Name)))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SideUpdatesNobody, dWhole, "discriminators", dText, "[Discriminator]"));
                    fatal = true;
                }
                if (!networks.Any(n => n.Role == PlayerRole.Generator && gApplied.Contains(n.Name)))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SideUpdatesNobody, gWhole, "generators", gText, "[Generator]"));
                    fatal = true;
                }
                foreach (NetworkSpec n in networks)
                {
                    if (n.Role == PlayerRole.Discriminator && gApplied.Contains(n.Name) && !dApplied.Contains(n.Name))
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.PlayerWithoutLoss, networkLocations[n.Name], n.Name, "discriminator", "generators", "discriminators"));
                        fatal = true;
                    }
                    if (n.Role == PlayerRole.Generator && dApplied.Contains(n.Name) && !gApplied.Contains(n.Name))
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.PlayerWithoutLoss, networkLocations[n.Name], n.Name, "generator", "discriminators", "generators"));
                        fatal = true;
                    }
                }
                WarnProbabilities(dLoss, dText, dLiteral);
                WarnProbabilities(gLoss, gText, gLiteral);

                string[]? dExtra = SideUpdates(g, "DiscriminatorUpdates", dApplied, "discriminators'"), gExtra = SideUpdates(g, "GeneratorUpdates", gApplied, "generators'");
                if (dExtra == null || gExtra == null) { fatal = true; return false; }
                losses = new GameLossesSpec(dText, dLoss, gText, gLoss, dExtra.ToEquatableArray(), gExtra.ToEquatableArray());
                valueFunction = new BinaryExpr('+', dLoss, gLoss, 0, 0);
                valueText = $"L_D = {dText}; L_G = {gText}";
                return true;
            }

            /// <summary>The options every game has, [Minimax] or [Game]: k (GAN010), its update scheme and packing (GAN034).</summary>
            /// <summary>[Game(DiscriminatorUpdates = "...")] or GeneratorUpdates: the [Network]s a side's step also updates, each
            /// declared, not a player of either side, and applied by that side's loss (GAN034 at the option otherwise); null when bad.</summary>
            private string[]? SideUpdates(AttributeData attribute, string option, HashSet<string> applied, string side)
            {
                string? text = NamedString(attribute, option);
                if (text == null) return new string[0];
                LocationInfo? where = NamedArgumentLocation(minimaxSyntax, option) ?? minimaxLocation;
                string[] names = text.Split(',').Select(u => u.Trim()).Where(u => u.Length > 0).Distinct(StringComparer.Ordinal).ToArray();
                string? why = names.Length == 0 ? "it names no network"
                    : names.Select(u => !scope.Networks.TryGetValue(u, out NetworkSpec? n) ? $"'{u}' is not a declared network"
                        : n.Role != PlayerRole.Network ? $"'{u}' is a [{n.Role}], a player of the game, which its own side's loss updates already; name [Network]s here"
                        : !applied.Contains(u) ? $"the {side} loss never applies '{u}', so its gradient would be zero"
                        : null).FirstOrDefault(w => w != null);
                if (why == null) return names;
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BadOption, where, $"{option} = \"{text}\"", why));
                return null;
            }

            private void ReadGameOptions(AttributeData attribute)
            {
                steps = NamedInt(attribute, "DiscriminatorSteps") ?? 1;
                if (steps < 1)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidSteps, NamedArgumentLocation(minimaxSyntax, "DiscriminatorSteps") ?? minimaxLocation, steps.ToString()));
                    fatal = true;
                }
                scheme = NamedEnum(attribute, "Scheme", UpdateScheme.Alternating);
                pack = NamedInt(attribute, "Pack") ?? 1;
                if (pack < 1)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BadOption, NamedArgumentLocation(minimaxSyntax, "Pack") ?? minimaxLocation,
                        $"Pack = {pack}", "the discriminators judge groups of Pack examples, so it must be at least 1 (1: no packing)"));
                    fatal = true;
                }
                if (scheme == UpdateScheme.Simultaneous && steps > 1)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BadOption, NamedArgumentLocation(minimaxSyntax, "Scheme") ?? minimaxLocation,
                        "Scheme = UpdateScheme.Simultaneous", $"simultaneous updates take one step of each side on one minibatch, so DiscriminatorSteps must be 1 (got {steps})"));
                    fatal = true;
                }
            }

            /// <summary>GAN032: a discriminator returning logits applied outside log D(·) and log(1 - D(·)) in a loss, where D(·)
            /// means a probability, which the losses of a [Game] rarely want; once per network and loss.</summary>
            private void WarnProbabilities(Expr loss, string text, SyntaxToken? source)
            {
                var stableLogits = new HashSet<Expr>(ReferenceComparer<Expr>.Instance);
                foreach (CallExpr c in Tree.Descendants(loss).OfType<CallExpr>())
                    if (Rewrites.StableLog(c, scope) is { OfNetwork: true } s) stableLogits.Add(s.Logits);
                var warned = new HashSet<string>(StringComparer.Ordinal);
                foreach (CallExpr c in Tree.Descendants(loss).OfType<CallExpr>())
                    if (scope.IsMaximizer(c.Callee) && scope.IsLogitsDiscriminator(c.Callee) && !stableLogits.Contains(c) && warned.Add(c.Callee))
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ProbabilityOutsideLog,
                            FormulaSpan(source, text, c.Start, c.End - c.Start) ?? minimaxLocation, c.Callee, Printer.Print(c)));
            }


            /// <summary>[Minimize] phases: each formula checked like the value function, with its own spans (GAN020, phase names).</summary>
            private void ReadPhases()
            {
                var phaseNames = new HashSet<string>(StringComparer.Ordinal);
                foreach (AttributeData attribute in minimizes)
                {
                    var syntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
                    LocationInfo? attributeLocation = LocationInfo.From(syntax) ?? classLocation;
                    string text = attribute.ConstructorArguments.Length > 0 ? attribute.ConstructorArguments[0].Value as string ?? "" : "";
                    Expr? objective = CheckedFormula(text, FormulaLiteral(syntax), attributeLocation, out HashSet<string> applied, out bool objectiveFatal);
                    if (objective == null)
                    {
                        fatal = true;
                        continue;
                    }
                    used.UnionWith(applied);
                    string? updatesText = NamedString(attribute, "Updates");
                    LocationInfo? updatesLocation = NamedArgumentLocation(syntax, "Updates") ?? attributeLocation;
                    string[] updates = updatesText != null
                        ? updatesText.Split(',').Select(u => u.Trim()).Where(u => u.Length > 0).ToArray()
                        : networks.Where(n => applied.Contains(n.Name) && n.Role != PlayerRole.Discriminator).Select(n => n.Name).ToArray();
                    foreach (string u in updates.Where(u => !applied.Contains(u)))
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BadUpdates, updatesLocation, text,
                            scope.Networks.ContainsKey(u) ? $"Updates names '{u}', but this objective never applies it, so its gradient would be zero"
                                                          : $"Updates names '{u}', which is not a declared network"));
                        objectiveFatal = true;
                    }
                    if (!objectiveFatal && updates.Length == 0)
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BadUpdates, updatesLocation, text,
                            "this objective updates no network: it applies only discriminators; name the networks it trains with Updates = \"...\""));
                        objectiveFatal = true;
                    }
                    string phase = NamedString(attribute, "Name") ?? string.Join("_", updates);
                    if (!objectiveFatal && (!IsValidName(phase) || phase.Contains('\'') || phase.Contains('\u2032') || !phaseNames.Add(phase)))
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidVariable, NamedArgumentLocation(syntax, "Name") ?? attributeLocation, "Phase", phase,
                            phaseNames.Contains(phase) && IsValidName(phase) ? "another [Minimize] phase has this name; give each a distinct Name" : NotAName));
                        objectiveFatal = true;
                    }
                    double? rate = NamedDouble(attribute, "LearningRate") is double r && !double.IsNaN(r) ? r : null;
                    if (rate is double declared && !(declared > 0 && !double.IsInfinity(declared)))
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BadOption, NamedArgumentLocation(syntax, "LearningRate") ?? attributeLocation,
                            $"LearningRate = {declared.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}",
                            "a phase's learning rate must be a positive number (leave it out to step the networks with their own optimizers)"));
                        objectiveFatal = true;
                    }
                    fatal |= objectiveFatal;
                    if (!objectiveFatal) objectives.Add(new ObjectiveSpec(phase, text, objective, updates.ToEquatableArray(), rate));
                }
                if (!fatal) CheckUnusedRates();
            }

            /// <summary>GAN037: a network's declared LearningRate that no update uses, because every phase that updates it steps it
            /// with an optimizer of the phase's own (MinimizeAttribute.LearningRate).</summary>
            private void CheckUnusedRates()
            {
                foreach (NetworkSpec n in networks)
                {
                    ObjectiveSpec[] updating = objectives.Where(o => o.Updates.Contains(n.Name)).ToArray();
                    bool gameUpdates = hasGame && usedInGame.Contains(n.Name);   // a step of the game uses its own optimizer
                    if (gameUpdates || updating.Length == 0 || updating.Any(o => o.LearningRate == null)) continue;
                    if (!networkAttributes.TryGetValue(n.Name, out AttributeData? role) || NamedDouble(role, "LearningRate") == null) continue;
                    var roleSyntax = role.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnusedLearningRate, NamedArgumentLocation(roleSyntax, "LearningRate") ?? networkLocations[n.Name],
                        n.Name, string.Join(", ", updating.Select(o => o.Name))));
                }
            }

            /// <summary>[Sample("Dec(z)")]: a network (not a discriminator) applied to noise variables alone (GAN021).</summary>
            private void ReadSample()
            {
                if (sample != null)
                {
                    var syntax = sample.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
                    LocationInfo? sampleLocation = LocationInfo.From(syntax) ?? classLocation;
                    sampleText = sample.ConstructorArguments.Length > 0 ? sample.ConstructorArguments[0].Value as string ?? "" : "";
                    Expr? parsed = FormulaParser.Parse(sampleText, out FormulaError? sampleError);
                    bool noiseOnly = parsed is CallExpr call && scope.Networks.TryGetValue(call.Callee, out NetworkSpec? sampler) && sampler.Role != PlayerRole.Discriminator
                                     && call.Args.Count > 0 && call.Args.All(a => a is NameExpr v && scope.Names.TryGetValue(v.Name, out NameKind k) && k == NameKind.Noise);
                    if (!noiseOnly)
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BadSample, sampleLocation, sampleText,
                            parsed == null ? $"has a syntax error: {sampleError?.Message}"
                                           : "must apply one network that is not a discriminator to noise variables alone, e.g. Dec(z)"));
                        fatal = true;
                    }
                    else
                    {
                        sampleExpression = parsed;
                        used.Add(((CallExpr)parsed!).Callee);
                    }
                }
            }

            /// <summary>[Edit("G(E_z(x) | y′)")]: a network applied to one data variable, the one categorical noise variable (the requested label) and other noise (drawn from its prior). It trains nothing, so it does not count as a use.</summary>
            private void ReadEdit()
            {
                if (edit != null)
                {
                    var syntax = edit.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
                    LocationInfo? editLocation = LocationInfo.From(syntax) ?? classLocation;
                    editText = edit.ConstructorArguments.Length > 0 ? edit.ConstructorArguments[0].Value as string ?? "" : "";
                    SyntaxToken? editLiteral = FormulaLiteral(syntax);
                    string text = editText;
                    LocationInfo? EditLocation(int start, int length) => FormulaSpan(editLiteral, text, start, length) ?? editLocation;
                    LocationInfo? wholeEdit = editLiteral is SyntaxToken token ? LocationInfo.From(token) : editLocation;
                    editExpression = ParseEdit(editText, scope, data, noise, diagnostics, EditLocation, wholeEdit);
                    if (editExpression == null) fatal = true;
                }
            }

            /// <summary>[Infer("C(y | F(x))")], each: a density network applied as N(v | input) to one data variable through networks
            /// (GAN035), one per variable. They train nothing, so they do not count as uses.</summary>
            private void ReadInferences()
            {
                var seen = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (AttributeData infer in infers)
                {
                    var (text, expression, at, whole) = ReadReadout(infer);
                    Expr? parsed = ParseReadout(text, infer: true, scope, data, noise, diagnostics, at, whole);
                    if (parsed is CallExpr root && root.Args[0] is NameExpr variable)
                    {
                        if (seen.TryGetValue(variable.Name, out string? first))
                        {
                            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BadInference, at(variable.Start, variable.End - variable.Start), text,
                                $"infers '{variable.Name}' a second time (the first: {first}); declare one [Infer] per variable"));
                            parsed = null;
                        }
                        else seen[variable.Name] = text;
                    }
                    if (parsed == null) { fatal = true; continue; }
                    inferences.Add(new ReadoutSpec(text, parsed));
                }
            }

            /// <summary>[Domain("Dd(F(x))")]: a network whose output is a probability applied to one data variable through networks,
            /// in a model with a second data variable, the other domain (GAN036).</summary>
            private void ReadDomain()
            {
                if (domain == null) return;
                var (text, _, at, whole) = ReadReadout(domain);
                Expr? parsed = ParseReadout(text, infer: false, scope, data, noise, diagnostics, at, whole);
                if (parsed == null) { fatal = true; return; }
                string source = data.First(d => d.Classes == 0 && Tree.Names(parsed).Contains(d.Name)).Name;
                if (!data.Any(d => d.Classes == 0 && d.Name != source))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BadDomain, whole, text,
                        $"tells '{source}' from another domain, but the model declares no other data variable; declare the other domain's examples, e.g. [Data(\"x_t\", ...)]"));
                    fatal = true;
                    return;
                }
                domainReadout = new ReadoutSpec(text, parsed);
            }

            /// <summary>The expression of an [Infer] or [Domain], and where its parts are in the source.</summary>
            private (string Text, SyntaxToken? Literal, Func<int, int, LocationInfo?> At, LocationInfo? Whole) ReadReadout(AttributeData attribute)
            {
                var syntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
                LocationInfo? location = LocationInfo.From(syntax) ?? classLocation;
                string text = attribute.ConstructorArguments.Length > 0 ? attribute.ConstructorArguments[0].Value as string ?? "" : "";
                SyntaxToken? token = FormulaLiteral(syntax);
                LocationInfo? At(int start, int length) => FormulaSpan(token, text, start, length) ?? location;
                return (text, token, At, token is SyntaxToken t ? LocationInfo.From(t) : location);
            }

            /// <summary>What the formulas use: unused networks (GAN005) and the game's two sides (GAN004, GAN017). What the
            /// game's rewrites and sampler make of them (GAN009, GAN018) is the analysis's to find.</summary>
            private void CheckUses()
            {
                if (hasGame && pack > 1)
                {
                    // A packed discriminator's output has one row per group; another network reading it (InfoGAN's Q(c | T(·)))
                    // would pair rows with examples that are not theirs.
                    CallExpr? reader = Tree.Descendants(Definitions.Expand(valueFunction, scope)).OfType<CallExpr>()
                        .FirstOrDefault(c => scope.Networks.ContainsKey(c.Callee) && !scope.IsMaximizer(c.Callee) && c.Args.Any(a => Tree.Applies(a, scope.IsMaximizer)));
                    if (reader != null)
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BadOption, NamedArgumentLocation(minimaxSyntax, "Pack") ?? minimaxLocation,
                            $"Pack = {pack}", $"{Printer.Print(reader)} reads a discriminator's output, which packing gives one row per group of {pack} examples; packing needs the discriminators to be the game's only judges"));
                        fatal = true;
                    }
                }
                foreach (NetworkSpec network in networks)
                    if (!used.Contains(network.Name))
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnusedNetwork, networkLocations[network.Name], network.Name));

                if (hasGame && losses == null && !networks.Any(n => n.Role == PlayerRole.Discriminator && usedInGame.Contains(n.Name)))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoMaximizingPlayer, FormulaLocation(0, formula.Length)));
                    fatal = true;
                }
                if (hasGame && losses == null && !networks.Any(n => n.Role == PlayerRole.Generator && usedInGame.Contains(n.Name)))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoMinimizingPlayer, FormulaLocation(0, formula.Length)));
                    fatal = true;
                }

            }

            /// <summary>[Gan(Name = ..., Description = ..., Data = ..., BatchSize = ..., Steps = ..., LearningRateSchedule = ...)]: the
            /// model's name and defaults on the command line. A name must be one word of letters, digits, '-', '_' or '.'; sizes
            /// positive; the schedule one the runtime knows (GAN034).</summary>
            private void ReadRegistration(AttributeData attribute, LocationInfo? where)
            {
                var syntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
                string cliName = NamedString(attribute, "Name") ?? CommandLineName(symbol.Name);
                if (cliName.Length == 0 || !cliName.All(c => char.IsLetterOrDigit(c) || c == '-' || c == '_' || c == '.'))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BadOption, NamedArgumentLocation(syntax, "Name") ?? where,
                        $"Name = \"{cliName}\"", "the command line's name of a model is one word of letters, digits, '-', '_' or '.'"));
                    fatal = true;
                }
                int batch = NamedInt(attribute, "BatchSize") ?? 0, length = NamedInt(attribute, "Steps") ?? 0;
                foreach ((string option, int value) in new[] { ("BatchSize", batch), ("Steps", length) })
                {
                    if (value >= 0) continue;
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BadOption, NamedArgumentLocation(syntax, option) ?? where,
                        $"{option} = {value}", "it must be positive (or 0 for the runtime's default)"));
                    fatal = true;
                }
                string? schedule = NamedString(attribute, "LearningRateSchedule");
                if (schedule != null && schedule != "constant" && schedule != "linear" && schedule != "ganin" && !IsDecaySchedule(schedule))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BadOption, NamedArgumentLocation(syntax, "LearningRateSchedule") ?? where,
                        $"LearningRateSchedule = \"{schedule}\"", "the schedules are constant, linear, ganin and decay:F (the rate divided by F ≥ 1 after every update, e.g. decay:1.000004)"));
                    fatal = true;
                }
                registration = new RegistrationSpec(cliName, NamedString(attribute, "Description"), NamedString(attribute, "Data"), batch, length, schedule);
            }

            /// <summary>The model, when nothing fatal was found.</summary>
            private Reading Refused() => new Reading(null, scope, null, diagnostics.ToEquatableArray());

            private Reading Build()
            {
                // An image's range matters where a generator's output must match it; a model that only reads images (a
                // domain-adversarial classifier on mean-subtracted inputs) may leave it undeclared.
                if (networks.Any(n => n.Role == PlayerRole.Generator)) diagnostics.AddRange(imagesWithoutRange);
                if (fatal) return Refused();

                string? ns = symbol.ContainingNamespace.IsGlobalNamespace ? null : symbol.ContainingNamespace.ToDisplayString();
                string accessibility = symbol.DeclaredAccessibility == Accessibility.Public ? "public" : "internal";
                var model = new ModelSpec(ns, symbol.Name, accessibility, data.ToEquatableArray(), noise.ToEquatableArray(), networks.ToEquatableArray(),
                    valueText, valueFunction, steps, generatorLoss, objectives.ToEquatableArray(), sampleExpression, sampleText, hasGame, editExpression, editText,
                    losses, definitions.ToEquatableArray(), scheme, pack, registration, inferences.ToEquatableArray(), domainReadout);
                var sites = new AnalysisSites(samplerSite ?? FormulaLocation(0, formula.Length), NamedArgumentLocation(minimaxSyntax, "GeneratorLoss") ?? minimaxLocation, lossDeclared);
                return new Reading(model, scope, sites, diagnostics.ToEquatableArray());
            }
        }

        /// <summary>The names an expression computed per example without gradients reads ([Edit], [Infer], [Domain]), in
        /// reading order; what such a computation cannot hold is refused at its characters through <paramref name="refuse"/>:
        /// an expectation, reverse(·), a gradient, or a network returning a distribution (<paramref name="density"/> says why).
        /// <paramref name="verb"/> and <paramref name="noun"/> name the declaration in the messages ("edits", "an edit").</summary>
        private static List<NameExpr> PerExampleNames(IEnumerable<Expr> roots, Scope scope, Func<int, int, LocationInfo?> at, Action<LocationInfo?, string> refuse,
                                                      string verb, string noun, Func<CallExpr, string> density)
        {
            var names = new List<NameExpr>();
            void Walk(Expr e)
            {
                switch (e)
                {
                    case NameExpr v: names.Add(v); return;
                    case ExpectationExpr x:
                        refuse(at(x.Start, x.End - x.Start), $"{verb} each example on its own: an expectation E[...] has no place in it");
                        return;
                    case CallExpr c when c.Callee == "reverse":
                        refuse(at(c.Start, c.CalleeEnd - c.Start), $"applies reverse(·), which only changes gradients, and {noun} computes none");
                        return;
                    case GradientExpr g:
                        refuse(at(g.Start, g.End - g.Start), $"takes a gradient, and {noun} computes none");
                        return;
                    case CallExpr c when scope.IsDensity(c.Callee):
                        refuse(at(c.Start, c.CalleeEnd - c.Start), density(c));
                        return;
                }
                foreach (Expr child in Tree.Children(e)) Walk(child);
            }
            foreach (Expr root in roots) Walk(root);
            return names;
        }

        /// <summary>Checks an [Edit] expression: it parses (GAN001), its names are declared and applied rightly (GAN002, GAN003,
        /// GAN015), it is a network that is not a discriminator applied to one data variable (not a label), noise variables and
        /// network applications, with no expectation, density network or reverse(·) (GAN025), and it reads exactly one
        /// categorical noise variable (GAN026, GAN027). Returns the expression, or null when it is refused.</summary>
        private static Expr? ParseEdit(string text, Scope scope, List<DataSpec> data, List<NoiseSpec> noise, List<DiagnosticInfo> diagnostics,
                                       Func<int, int, LocationInfo?> at, LocationInfo? whole)
        {
            Expr? parsed = FormulaParser.Parse(text, out FormulaError? error);
            if (parsed == null)
            {
                FormulaError e = error ?? new FormulaError("unreadable formula", 0, text.Length);
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.FormulaSyntax, at(e.Start, Math.Max(1, e.Length)), (e.Start + 1).ToString(), e.Message));
                return null;
            }
            bool refused = false;
            foreach (FormulaProblem p in Semantics.Check(parsed, scope, out _))
            {
                if (p.Descriptor == DiagnosticDescriptors.NotInExpectation) continue;   // an edit is per example, not a number
                diagnostics.Add(new DiagnosticInfo(p.Descriptor, at(p.Start, p.Length), new EquatableArray<string>(p.Arguments)));
                if (p.Descriptor.DefaultSeverity == DiagnosticSeverity.Error) refused = true;
            }
            if (refused) return null;

            void Refuse(LocationInfo? where, string message)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BadEdit, where, text, message));
                refused = true;
            }
            if (!(parsed is CallExpr root && scope.Networks.TryGetValue(root.Callee, out NetworkSpec? editor) && editor.Role != PlayerRole.Discriminator && !scope.IsDensity(root.Callee)))
            {
                Refuse(whole, "must apply a network that is not a discriminator, e.g. G(E_z(x) | y′): its output is the edited example");
                return null;
            }

            // Each part of the expression, in reading order.
            List<NameExpr> names = PerExampleNames(new[] { parsed }, scope, at, Refuse, "edits", "an edit",
                c => $"applies '{c.Callee}', which returns a distribution (it is applied as {c.Callee}(v | input)), not an input to edit with");

            string? image = null;
            foreach (NameExpr v in names)
            {
                DataSpec? d = data.FirstOrDefault(x => x.Name == v.Name);
                if (d == null) continue;
                if (d.Classes > 0)
                    Refuse(at(v.Start, v.End - v.Start), $"reads the label '{v.Name}', which an edit is not given; the requested label is a categorical noise variable, e.g. y′");
                else if (image == null) image = v.Name;
                else if (v.Name != image)
                    Refuse(at(v.Start, v.End - v.Start), $"reads the data variables '{image}' and '{v.Name}', but Edit(x, labels) is given one");
            }
            if (!refused && image == null)
                Refuse(whole, "reads no data variable, so there is nothing to edit; apply it to the data, e.g. G(E_z(x) | y′)");

            var categorical = names.Where(v => noise.Any(z => z.Name == v.Name && z.Distribution == Distribution.Categorical)).ToList();
            string[] distinct = categorical.Select(v => v.Name).Distinct().ToArray();
            if (distinct.Length == 0)
            {
                string[] declared = noise.Where(z => z.Distribution == Distribution.Categorical).Select(z => z.Name).ToArray();
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.EditWithoutLabel, whole, text,
                    declared.Length > 0 ? $" (declared: {string.Join(", ", declared)})" : "; declare one with [Noise(\"y′\", Distribution.Categorical, classes)]"));
                refused = true;
            }
            else if (distinct.Length > 1)
            {
                NameExpr second = categorical.First(v => v.Name == distinct[1]);
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.EditWithTwoLabels, at(second.Start, second.End - second.Start), text,
                    string.Join(" and ", distinct.Select(n => $"'{n}'"))));
                refused = true;
            }
            return refused ? null : parsed;
        }

        /// <summary>Checks an [Infer] (<paramref name="infer"/>) or [Domain] expression: it parses (GAN001), its names are declared and
        /// applied rightly (GAN002, GAN003, GAN015). An [Infer] applies a network with categorical or Gaussian output as
        /// N(v | input), v a [Label] or noise variable; a [Domain] applies a network whose output is a probability. Its input
        /// reads one data variable (not a label) through networks alone: no noise, expectation, gradient or reverse(·) (GAN035,
        /// GAN036). Returns the expression, or null when it is refused.</summary>
        private static Expr? ParseReadout(string text, bool infer, Scope scope, List<DataSpec> data, List<NoiseSpec> noise, List<DiagnosticInfo> diagnostics,
                                          Func<int, int, LocationInfo?> at, LocationInfo? whole)
        {
            Expr? parsed = FormulaParser.Parse(text, out FormulaError? error);
            if (parsed == null)
            {
                FormulaError e = error ?? new FormulaError("unreadable formula", 0, text.Length);
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.FormulaSyntax, at(e.Start, Math.Max(1, e.Length)), (e.Start + 1).ToString(), e.Message));
                return null;
            }
            bool refused = false;
            foreach (FormulaProblem p in Semantics.Check(parsed, scope, out _))
            {
                if (p.Descriptor == DiagnosticDescriptors.NotInExpectation) continue;   // a readout is per example, not a number
                diagnostics.Add(new DiagnosticInfo(p.Descriptor, at(p.Start, p.Length), new EquatableArray<string>(p.Arguments)));
                if (p.Descriptor.DefaultSeverity == DiagnosticSeverity.Error) refused = true;
            }
            if (refused) return null;

            DiagnosticDescriptor bad = infer ? DiagnosticDescriptors.BadInference : DiagnosticDescriptors.BadDomain;
            void Refuse(LocationInfo? where, string message)
            {
                diagnostics.Add(DiagnosticInfo.Create(bad, where, text, message));
                refused = true;
            }
            IEnumerable<Expr> inputs;
            if (infer)
            {
                if (!(parsed is CallExpr root && scope.IsDensity(root.Callee)))
                {
                    Refuse(whole, "must apply a network with Output = NetworkOutput.Categorical or Gaussian as N(v | input), e.g. C(y | F(x)): the distribution of v given the data");
                    return null;
                }
                var variable = (NameExpr)root.Args[0];   // Semantics has checked the form N(v | input)
                if (!data.Any(d => d.Name == variable.Name && d.Classes > 0) && !noise.Any(z => z.Name == variable.Name))
                {
                    Refuse(at(variable.Start, variable.End - variable.Start), $"infers '{variable.Name}', which is neither a [Label] nor a noise variable");
                    return null;
                }
                inputs = root.Args.Skip(1);
            }
            else
            {
                if (!(parsed is CallExpr root && scope.IsProbability(root.Callee)))
                {
                    Refuse(whole, "must apply a network whose output is a probability (Output = NetworkOutput.Logits, or a discriminator), e.g. Dd(F(x)): the probability that an example comes from the domain of x");
                    return null;
                }
                inputs = root.Args;
            }

            List<NameExpr> names = PerExampleNames(inputs, scope, at, Refuse, "reads", "a readout",
                c => $"applies '{c.Callee}', which returns a distribution, to compute an input");

            string? example = null;
            NameExpr? drawn = names.FirstOrDefault(v => noise.Any(z => z.Name == v.Name));
            if (drawn != null)   // the first is enough to say what is wrong
                Refuse(at(drawn.Start, drawn.End - drawn.Start), $"reads the noise variable '{drawn.Name}', but it is given data alone");
            foreach (NameExpr v in names)
            {
                if (noise.Any(z => z.Name == v.Name)) continue;
                DataSpec? d = data.FirstOrDefault(x => x.Name == v.Name);
                if (d == null) continue;
                if (d.Classes > 0)
                    Refuse(at(v.Start, v.End - v.Start), $"reads the label '{v.Name}', which it is not given: it reads examples alone");
                else if (example == null) example = v.Name;
                else if (v.Name != example)
                    Refuse(at(v.Start, v.End - v.Start), $"reads the data variables '{example}' and '{v.Name}', but it is given one batch");
            }
            if (!refused && example == null)
                Refuse(whole, infer ? "reads no data variable; apply it to the data, e.g. C(y | F(x))" : "reads no data variable; apply it to the data, e.g. Dd(F(x))");
            return refused ? null : parsed;
        }

        private static bool ReturnsModuleOfTensor(ITypeSymbol type)
        {
            for (ITypeSymbol? t = type; t != null; t = t.BaseType)
                if (t.ToDisplayString() == ModuleOfTensor) return true;
            return false;
        }

        /// <summary>A letter or '_', then letters, digits, '_' or accents (x̂), then optional primes (y′ or y').</summary>
        /// <summary>decay:F with F ≥ 1 (the runtime's Trainer.DecayFactor reads the same form).</summary>
        private static bool IsDecaySchedule(string schedule) =>
            schedule.StartsWith("decay:", StringComparison.Ordinal)
            && double.TryParse(schedule.Substring(6), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double f)
            && f >= 1 && !double.IsInfinity(f);

        private static bool IsValidName(string name)
        {
            string stem = name.TrimEnd('\'', '\u2032');
            return stem.Length > 0 && (char.IsLetter(stem[0]) || stem[0] == '_') && stem.All(c => char.IsLetterOrDigit(c) || c == '_' || Formula.Lexer.IsMark(c)) && stem != "E";
        }

        private static int[]? ParseShape(string text)
        {
            if (string.IsNullOrWhiteSpace(text)) return Array.Empty<int>();
            var sizes = new List<int>();
            foreach (string part in text.Split('x', 'X', '×', ','))
            {
                if (!int.TryParse(part.Trim(), out int size) || size <= 0) return null;
                sizes.Add(size);
            }
            return sizes.ToArray();
        }

        /// <summary>The command-line name of a class: its words in lower case joined by hyphens (<c>MyWganGp</c> → <c>my-wgan-gp</c>).</summary>
        internal static string CommandLineName(string className)
        {
            var text = new System.Text.StringBuilder();
            for (int i = 0; i < className.Length; i++)
            {
                char c = className[i];
                bool boundary = i > 0 && char.IsUpper(c)
                                && (char.IsLower(className[i - 1]) || (i + 1 < className.Length && char.IsLower(className[i + 1]) && char.IsUpper(className[i - 1])));
                if (boundary) text.Append('-');
                text.Append(char.ToLowerInvariant(c));
            }
            return text.ToString().Replace('_', '-');
        }

        private static TypedConstant? Named(AttributeData attribute, string name)
        {
            foreach (var pair in attribute.NamedArguments)
                if (pair.Key == name) return pair.Value;
            return null;
        }
        private static string? NamedString(AttributeData a, string name) => Named(a, name)?.Value as string;
        private static int? NamedInt(AttributeData a, string name) => Named(a, name)?.Value is int i ? i : null;
        private static bool? NamedBool(AttributeData a, string name) => Named(a, name)?.Value is bool b ? b : null;
        /// <summary>An enum argument read as Gan.Dsl's own enum type (an undefined value falls back to the default).</summary>
        private static T NamedEnum<T>(AttributeData a, string name, T fallback) where T : struct, Enum
            => Named(a, name)?.Value is int i && Enum.IsDefined(typeof(T), i) ? (T)(object)i : fallback;
        private static double? NamedDouble(AttributeData a, string name) => Named(a, name)?.Value switch
        {
            double d => d,
            float f => f,
            int i => i,
            _ => null,
        };

        private static LocationInfo? NamedArgumentLocation(AttributeSyntax? syntax, string name)
        {
            AttributeArgumentSyntax? argument = syntax?.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == name);
            return LocationInfo.From(argument);
        }

        /// <summary>The string literal of an attribute's constructor argument: the <paramref name="index"/>-th positional one, or the
        /// one written with its parameter's name (<c>generatorLoss: "..."</c>).</summary>
        private static SyntaxToken? FormulaLiteral(AttributeSyntax? syntax, int index = 0, string? parameter = null)
        {
            var arguments = syntax?.ArgumentList?.Arguments.Where(a => a.NameEquals == null).ToList();
            if (arguments == null) return null;
            AttributeArgumentSyntax? argument = parameter != null ? arguments.FirstOrDefault(a => a.NameColon?.Name.Identifier.ValueText == parameter) : null;
            if (argument == null && index < arguments.Count && arguments.Take(index + 1).All(a => a.NameColon == null)) argument = arguments[index];
            if (argument?.Expression is LiteralExpressionSyntax literal && literal.IsKind(SyntaxKind.StringLiteralExpression)) return literal.Token;
            return null;
        }

        /// <summary>Maps a span of the formula's value to the source, inside the string literal, when the literal's text
        /// is its value verbatim (no escapes); otherwise the whole literal.</summary>
        private static LocationInfo? FormulaSpan(SyntaxToken? literal, string formula, int start, int length)
        {
            if (literal is not SyntaxToken token) return null;
            string text = token.Text;
            int prefix = text.StartsWith("@\"", StringComparison.Ordinal) ? 2 : text.TakeWhile(c => c == '"').Count();
            bool verbatimCopy = prefix > 0 && text.Length >= prefix * 2 && string.CompareOrdinal(text, prefix, formula, 0, formula.Length) == 0
                                && text.Length - prefix - formula.Length == (text[0] == '@' ? 1 : prefix);
            if (!verbatimCopy) return LocationInfo.From(token);
            start = Math.Max(0, Math.Min(start, formula.Length));
            length = Math.Max(0, Math.Min(length, formula.Length - start));
            if (formula.Length == 0) return LocationInfo.From(token);
            if (length == 0) { start = Math.Max(0, formula.Length - 1); length = 1; }
            return LocationInfo.FromTokenPart(token, prefix + start, length);
        }
    }
}
