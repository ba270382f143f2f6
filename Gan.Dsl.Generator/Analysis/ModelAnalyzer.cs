using System;
using System.Collections.Generic;
using System.Linq;
using Gan.Dsl.Generator.Formula;
using Gan.Dsl.Generator.Model;

namespace Gan.Dsl.Generator.Analysis
{
    /// <summary>The analysis stage: turns a parsed declaration (<see cref="ModelSpec"/>) into the <see cref="ModelPlan"/>
    /// the emitter lays out. Every decision is made here, once: the players of the game and their sides, each phase's
    /// reads, draws, network applications (and which run under no_grad) and loss after the rewrites, the sampler, the
    /// encoder and the condition.</summary>
    internal static class ModelAnalyzer
    {
        public const string MaximizeMethod = "StepDiscriminators", MinimizeMethod = "StepGenerators";

        /// <summary>The plan of <paramref name="model"/>, whose names <paramref name="scope"/> holds (the parser built it as it
        /// read the declaration). What the analysis finds wrong is added to <paramref name="diagnostics"/> at
        /// <paramref name="sites"/>: the generator-loss option that changes nothing (GAN009, then no plan) and a game with
        /// nothing to sample from (GAN018, a warning).</summary>
        public static ModelPlan? Analyze(ModelSpec model, Scope scope, AnalysisSites sites, List<DiagnosticInfo> diagnostics)
        {
            HashSet<string> Applied(Expr e) => new HashSet<string>(Tree.Descendants(Definitions.Expand(e, scope)).OfType<CallExpr>().Select(c => c.Callee), StringComparer.Ordinal);
            // A [Minimax] game's sides are the discriminators and generators V applies; a [Game]'s, those its side's loss applies.
            var applied = Applied(model.ValueFunction);
            HashSet<string> maxApplied = model.Losses != null ? Applied(model.Losses.Discriminator) : applied;
            HashSet<string> minApplied = model.Losses != null ? Applied(model.Losses.Generator) : applied;
            string[] maximizers = model.HasGame ? model.Networks.Where(n => n.Role == PlayerRole.Discriminator && maxApplied.Contains(n.Name)).Select(n => n.Name).ToArray() : new string[0];
            string[] minimizers = model.HasGame ? model.Networks.Where(n => n.Role == PlayerRole.Generator && minApplied.Contains(n.Name)).Select(n => n.Name).ToArray() : new string[0];

            var phases = new List<PhasePlan>();
            foreach (ObjectiveSpec o in model.Objectives)
                phases.Add(Phase(model, scope, "Step" + Pascal(o.Name), PhaseKind.Objective, "loss_" + o.Name, o.Text, o.Updates.ToArray(),
                    Semantics.Terms(o.Objective), partial: false));
            CallExpr? sampler = model.SampleExpression as CallExpr;
            if (model.Losses is GameLossesSpec losses)
            {
                // Each side's step updates its players and the [Network]s the declaration adds to it (DiscriminatorUpdates, GeneratorUpdates).
                phases.Add(Phase(model, scope, MaximizeMethod, PhaseKind.DiscriminatorsLoss, "loss_" + string.Join("_", maximizers), null,
                    maximizers.Concat(losses.DiscriminatorUpdates).ToArray(), Semantics.Terms(losses.Discriminator), partial: false));
                phases.Add(Phase(model, scope, MinimizeMethod, PhaseKind.GeneratorsLoss, "loss_" + string.Join("_", minimizers), null,
                    minimizers.Concat(losses.GeneratorUpdates).ToArray(), Semantics.Terms(losses.Generator), partial: false));
            }
            else if (model.HasGame)
            {
                var terms = Semantics.Terms(model.ValueFunction);
                var maxTerms = terms.Where(t => Tree.Applies(t.Term, scope.IsMaximizer)).ToList();
                var minTerms = terms.Where(t => Tree.Applies(t.Term, scope.IsMinimizer)).ToList();
                if (model.GeneratorLoss == GeneratorLoss.NonSaturating)
                {
                    int rewrites = 0;
                    minTerms = minTerms.SelectMany(t =>
                    {
                        Expr rewritten = Rewrites.NonSaturating(t.Term, scope, out int count, t.Sign);
                        rewrites += count;
                        return Semantics.Terms(rewritten).Select(r => (t.Sign * r.Sign, r.Term));
                    }).ToList();
                    if (sites.GeneratorLossDeclared && rewrites == 0)
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MeaninglessOption, sites.GeneratorLossOption, $"the value function \"{model.ValueFunctionText}\""));
                        return null;
                    }
                }
                phases.Add(Phase(model, scope, MaximizeMethod, PhaseKind.Maximize, "loss_" + string.Join("_", maximizers), null, maximizers, maxTerms,
                    partial: maxTerms.Count < terms.Count));
                phases.Add(Phase(model, scope, MinimizeMethod, PhaseKind.Minimize, "loss_" + string.Join("_", minimizers), null, minimizers, minTerms, partial: false));
            }
            if (model.HasGame)
            {
                // Either game: what Sample(n) runs when [Sample] does not say (its value function holds both losses of a [Game]).
                sampler ??= Queries.FindSamplerCall(model.ValueFunction, scope);
                if (sampler == null && model.SampleExpression == null) diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoSampler, sites.Formula));
            }

            PhasePlan? simultaneous = null;
            if (model.HasGame && model.Scheme == UpdateScheme.Simultaneous)
            {
                PhasePlan max = phases[phases.Count - 2], min = phases[phases.Count - 1];
                simultaneous = Phase(model, scope, "StepSimultaneous", PhaseKind.Simultaneous, "loss", null, max.Updates.Concat(min.Updates).ToArray(),
                    max.Loss.Concat(min.Loss).Select(t => (t.Sign, t.Term)).ToList(), partial: false);
            }
            return new ModelPlan(model, scope, maximizers.ToEquatableArray(), minimizers.ToEquatableArray(), phases.ToEquatableArray(), sampler,
                Queries.FindEncoderCall(model, scope), ConditionOf(model, sampler), EditOf(model, scope),
                Tree.Applies(model.ValueFunction, n => n == "reverse") || model.Objectives.Any(o => Tree.Applies(o.Objective, n => n == "reverse")),
                FunctionalAlias(model), simultaneous,
                model.Inferences.Select(i => ReadoutOf(model, scope, i, infer: true)).ToEquatableArray(),
                model.Domain is ReadoutSpec domain ? ReadoutOf(model, scope, domain, infer: false) : null);
        }

        /// <summary>What an [Infer] or the [Domain] reads and applies (the parser has checked the form and that one data variable is read).</summary>
        private static ReadoutPlan ReadoutOf(ModelSpec model, Scope scope, ReadoutSpec readout, bool infer)
        {
            var root = (CallExpr)readout.Expression;
            var referenced = new HashSet<string>((infer ? root.Args.Skip(1) : root.Args).SelectMany(Tree.Names), StringComparer.Ordinal);
            string input = model.Data.First(d => d.Classes == 0 && referenced.Contains(d.Name)).Name;
            string? variable = infer ? ((NameExpr)root.Args[0]).Name : null;
            int classes = 0, size = 1;
            if (variable != null)
            {
                DataSpec? label = model.Data.FirstOrDefault(d => d.Name == variable && d.Classes > 0);
                NoiseSpec? z = model.Noise.FirstOrDefault(n => n.Name == variable);
                classes = label?.Classes ?? (z is { Distribution: Distribution.Categorical } ? z.Size : 0);
                size = label?.Classes ?? z?.Size ?? 1;
            }
            var seen = new HashSet<string>(StringComparer.Ordinal);
            CallExpr[] calls = Tree.PostOrder(root).OfType<CallExpr>().Where(c => scope.Networks.ContainsKey(c.Callee) && seen.Add(Printer.Key(c))).ToArray();
            return new ReadoutPlan(root, readout.Text, input, variable, classes, size, calls.ToEquatableArray());
        }

        private static PhasePlan Phase(ModelSpec model, Scope scope, string method, PhaseKind kind, string lossName, string? text, string[] updates,
                                       List<(int Sign, Expr Term)> terms, bool partial)
        {
            // The [Define] variables the terms read, each after those it reads; what they read counts as read by the phase.
            string[] needed = terms.SelectMany(t => Definitions.Needed(t.Term, scope)).Distinct().ToArray();
            var referenced = new HashSet<string>(terms.SelectMany(t => Tree.Names(t.Term)).Concat(needed.SelectMany(n => Tree.Names(scope.Definitions[n]))), StringComparer.Ordinal);
            // A noise variable given a label (p(z | y)) draws with the batch's labels, so the batch is read for them even
            // when the phase's terms do not name the label.
            NoiseSpec[] noise = model.Noise.Where(z => referenced.Contains(z.Name)).ToArray();
            string[] data = model.Data.Where(d => referenced.Contains(d.Name)).Select(d => d.Name).ToArray();
            string[] givenOnly = model.Data.Where(d => !referenced.Contains(d.Name) && noise.Any(z => z.Given == d.Name)).Select(d => d.Name).ToArray();

            // Network applications, innermost first, each once; a definition's before the applications that read it. Networks
            // the phase does not update run without gradients where their inputs do not depend on a network it updates (in the
            // maximizing phase: the generators).
            var updated = new HashSet<string>(updates, StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var calls = new List<CallPlan>();
            var defined = new List<DefinitionPlan>();
            var gradients = new List<GradientExpr>();
            // What a gradient is taken with respect to: an application whose input depends on it must keep its graph (not
            // run under no_grad), or the gradient would not reach it.
            var differentiated = new HashSet<string>(terms.SelectMany(t => Tree.Descendants(Definitions.Expand(t.Term, scope))).OfType<GradientExpr>()
                .Select(g => Printer.Key(Definitions.Expand(g.Variable, scope))), StringComparer.Ordinal);
            bool OnGradientPath(Expr argument) => differentiated.Count > 0
                && Tree.Descendants(Definitions.Expand(argument, scope)).Any(d => (d is NameExpr || d is CallExpr) && differentiated.Contains(Printer.Key(d)));
            void Collect(Expr e)
            {
                foreach (Expr x in Tree.PostOrder(e))
                {
                    if (x is NameExpr n && scope.Definitions.TryGetValue(n.Name, out Expr? definition) && !defined.Any(d => d.Name == n.Name))
                    {
                        Collect(definition);
                        if (!defined.Any(d => d.Name == n.Name)) defined.Add(new DefinitionPlan(n.Name, definition, calls.Count));
                    }
                    else if (x is CallExpr c && scope.Networks.ContainsKey(c.Callee) && seen.Add(Printer.Key(c)))
                        calls.Add(new CallPlan(c, !updated.Contains(c.Callee) && !c.Args.Any(a => Tree.Applies(Definitions.Expand(a, scope), updated.Contains) || OnGradientPath(a)),
                            Definitions.Needed(c, scope).Count > 0));
                    else if (x is GradientExpr g && !gradients.Any(h => Printer.Key(h) == Printer.Key(g)))
                        gradients.Add(g);
                }
            }
            foreach (var t in terms) Collect(t.Term);
            string[] fixedNetworks = model.Networks.Where(n => !updated.Contains(n.Name) && calls.Any(c => c.Call.Callee == n.Name)).Select(n => n.Name).ToArray();

            // The logs computed as log-sigmoids (Rewrites.StableLog), each distinct one once.
            var stable = new List<StableLogPlan>();
            foreach (Expr e in terms.Select(t => t.Term).Concat(defined.Select(d => d.Expression)))
                foreach (CallExpr c in Tree.Descendants(e).OfType<CallExpr>())
                    if (Rewrites.StableLog(c, scope) is { } s && !stable.Any(p => p.Log == c))
                        stable.Add(new StableLogPlan(c, s.Logits, s.Negated, s.OfNetwork));
            return new PhasePlan(method, kind, lossName, text, updates.ToEquatableArray(), fixedNetworks.ToEquatableArray(), data.ToEquatableArray(),
                givenOnly.ToEquatableArray(), noise.Select(z => z.Name).ToEquatableArray(), calls.ToEquatableArray(),
                terms.Select(t => new TermPlan(t.Sign, t.Term)).ToEquatableArray(), stable.ToEquatableArray(), partial,
                defined.ToEquatableArray(), gradients.ToEquatableArray());
        }

        /// <summary>The condition of Sample(labels), when the sampler reads exactly one: one categorical noise variable not
        /// given a label, or noise given one label.</summary>
        private static ConditionPlan? ConditionOf(ModelSpec model, CallExpr? sampler)
        {
            if (sampler == null) return null;
            NoiseSpec[] read = sampler.Args.Select(a => model.Noise.First(v => v.Name == ((NameExpr)a).Name)).Distinct().ToArray();
            var conditions = new List<ConditionPlan>();
            foreach (NoiseSpec z in read.Where(z => z.Given == null && z.Distribution == Distribution.Categorical))
                conditions.Add(new ConditionPlan(z.Name, z.Size, null, new[] { z.Name }.ToEquatableArray()));
            foreach (var given in read.Where(z => z.Given != null).GroupBy(z => z.Given!))
            {
                DataSpec label = model.Data.First(d => d.Name == given.Key);
                conditions.Add(new ConditionPlan(label.Name, label.Classes, label.Name, given.Select(z => z.Name).ToEquatableArray()));
            }
            return conditions.Count == 1 ? conditions[0] : null;
        }

        /// <summary>What Edit(x, labels) reads, sets, draws and applies (the parser has checked there is one data variable and
        /// one categorical noise variable).</summary>
        private static EditPlan? EditOf(ModelSpec model, Scope scope)
        {
            if (model.EditExpression is not Expr edit) return null;
            var referenced = new HashSet<string>(Tree.Names(edit), StringComparer.Ordinal);
            string image = model.Data.First(d => d.Classes == 0 && referenced.Contains(d.Name)).Name;
            string label = model.Noise.First(z => z.Distribution == Distribution.Categorical && referenced.Contains(z.Name)).Name;
            string[] drawn = model.Noise.Where(z => z.Name != label && referenced.Contains(z.Name)).Select(z => z.Name).ToArray();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            CallExpr[] calls = Tree.PostOrder(edit).OfType<CallExpr>().Where(c => scope.Networks.ContainsKey(c.Callee) && seen.Add(Printer.Key(c))).ToArray();
            return new EditPlan(edit, model.EditText ?? "", image, label, drawn.ToEquatableArray(), calls.ToEquatableArray());
        }

        /// <summary>The alias of torch.nn.functional: F, or "functional" when a network is named F (a feature extractor F(x)),
        /// whose field and factory would hide the alias inside the class.</summary>
        public static string FunctionalAlias(ModelSpec model) => model.Networks.Any(n => n.Name == "F") ? "functional" : "F";

        /// <summary>"reconstruction" → "Reconstruction", "E_z" → "E_z".</summary>
        public static string Pascal(string name) => name.Length == 0 ? name : char.ToUpperInvariant(name[0]) + name.Substring(1);
    }
}
