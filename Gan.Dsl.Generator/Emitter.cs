using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Gan.Dsl.Generator.Formula;
using Gan.Dsl.Generator.Model;
using Microsoft.CodeAnalysis.CSharp;

namespace Gan.Dsl.Generator
{
    /// <summary>Writes the rest of a [Gan] partial class from its <see cref="ModelSpec"/>: registered networks, one
    /// optimizer per player, TrainStep (the phases the value function implies), Sample, PlayerParameters, Dispose.</summary>
    internal static class Emitter
    {
        private const string ModuleType = "global::TorchSharp.torch.nn.Module<Tensor, Tensor>";
        private static readonly HashSet<string> Reserved = new HashSet<string>(StringComparer.Ordinal)
        {
            "data", "batch", "scope", "loss", "lossValue", "value", "m", "n", "step", "noGrad", "wasTraining", "noise", "torch", "F", "Tensor",
        };

        public static Scope ScopeOf(ModelSpec model)
        {
            var scope = new Scope();
            foreach (DataSpec d in model.Data)
            {
                scope.Names[d.Name] = NameKind.Data;
                if (d.Classes > 0) scope.Categorical.Add(d.Name);
            }
            foreach (NoiseSpec z in model.Noise)
            {
                scope.Names[z.Name] = NameKind.Noise;
                if (z.Distribution == NoiseDistribution.Categorical) scope.Categorical.Add(z.Name);
            }
            foreach (NetworkSpec n in model.Networks)
            {
                scope.Names[n.Name] = NameKind.Network;
                scope.Networks[n.Name] = n;
            }
            return scope;
        }

        /// <summary>The first generator applied to noise variables alone: what Sample(n) runs.</summary>
        public static CallExpr? FindSamplerCall(Expr e, Scope scope)
        {
            switch (e)
            {
                case CallExpr c when scope.Networks.ContainsKey(c.Callee) && !scope.IsMaximizer(c.Callee) && c.Args.Count > 0
                                     && c.Args.All(a => a is NameExpr v && scope.Names.TryGetValue(v.Name, out NameKind k) && k == NameKind.Noise):
                    return c;
                case CallExpr c: return c.Args.Select(a => FindSamplerCall(a, scope)).FirstOrDefault(x => x != null);
                case ExpectationExpr x: return FindSamplerCall(x.Body, scope);
                case UnaryExpr u: return FindSamplerCall(u.Operand, scope);
                case BinaryExpr b: return FindSamplerCall(b.Left, scope) ?? FindSamplerCall(b.Right, scope);
                case NormExpr n: return FindSamplerCall(n.Inner, scope);
                default: return null;
            }
        }

        /// <summary>What Sample(n) runs: the [Sample] expression, else the first generator applied to noise alone in V.</summary>
        public static CallExpr? Sampler(ModelSpec model, Scope scope)
            => model.SampleExpression as CallExpr ?? FindSamplerCall(model.ValueFunction, scope);

        /// <summary>The first network (not a discriminator) applied to one data variable alone, in V or a [Minimize] phase:
        /// what Encode(x) runs (an adversarial autoencoder's Enc(x), an encoder E_z(x)).</summary>
        public static CallExpr? FindEncoderCall(ModelSpec model, Scope scope)
        {
            CallExpr? Find(Expr e) => e switch
            {
                CallExpr c when scope.Networks.ContainsKey(c.Callee) && !scope.IsMaximizer(c.Callee) && c.Args.Count == 1
                                && c.Args[0] is NameExpr v && model.Data.Any(d => d.Name == v.Name && d.Classes == 0) => c,
                CallExpr c => c.Args.Select(Find).FirstOrDefault(x => x != null),
                ExpectationExpr x => Find(x.Body),
                UnaryExpr u => Find(u.Operand),
                BinaryExpr b => Find(b.Left) ?? Find(b.Right),
                NormExpr n => Find(n.Inner),
                _ => null,
            };
            return Find(model.ValueFunction) ?? model.Objectives.Select(o => Find(o.Objective)).FirstOrDefault(x => x != null);
        }

        /// <summary>The players the game's two phases update: the discriminators applied in V, and the generators applied
        /// in V's terms that depend on a generator.</summary>
        private static (NetworkSpec[] Maximizers, NetworkSpec[] Minimizers) GamePlayers(ModelSpec model, Scope scope)
        {
            var applied = new HashSet<string>(StringComparer.Ordinal);
            void Walk(Expr e)
            {
                switch (e)
                {
                    case CallExpr c: if (scope.Networks.ContainsKey(c.Callee)) applied.Add(c.Callee); foreach (Expr a in c.Args) Walk(a); break;
                    case ExpectationExpr x: Walk(x.Body); break;
                    case UnaryExpr u: Walk(u.Operand); break;
                    case BinaryExpr b: Walk(b.Left); Walk(b.Right); break;
                    case NormExpr n: Walk(n.Inner); break;
                }
            }
            Walk(model.ValueFunction);
            return (model.Networks.Where(n => n.Role == PlayerRole.Discriminator && applied.Contains(n.Name)).ToArray(),
                    model.Networks.Where(n => n.Role == PlayerRole.Generator && applied.Contains(n.Name)).ToArray());
        }

        public static string Emit(ModelSpec model, string generatorVersion)
        {
            var scope = ScopeOf(model);
            var w = new IndentedWriter();
            var (maximizers, minimizers) = GamePlayers(model, scope);
            string maxSide = string.Join(", ", maximizers.Select(n => n.Name));
            string minSide = string.Join(", ", minimizers.Select(n => n.Name));
            string maxLoss = "loss_" + string.Join("_", maximizers.Select(n => n.Name));
            string minLoss = "loss_" + string.Join("_", minimizers.Select(n => n.Name));

            w.Line("// <auto-generated/>");
            w.Line($"// Generated by Gan.Dsl.Generator from the [Gan] declaration of {model.ClassName}. Edit the declaration, not this file.");
            w.Line("#nullable enable");
            w.Line("#pragma warning disable CS8981 // the alias 'torch' reads like the TorchSharp code it stands for");
            w.Line();
            IDisposable? namespaceBlock = model.Namespace != null ? w.Block("namespace " + model.Namespace) : null;
            w.Line("using Tensor = global::TorchSharp.torch.Tensor;");
            w.Line("using torch = global::TorchSharp.torch;");
            w.Line("using F = global::TorchSharp.torch.nn.functional;");
            w.Line();
            w.Line("/// <summary>");
            if (model.HasGame)
            {
                w.Line($"/// {Xml(model.ClassName)}: V({string.Join(", ", model.Networks.Select(n => n.Name))}) = {Xml(model.ValueFunctionText)}");
                w.Line($"/// <para>Maximized by {maxSide}, minimized by {minSide}; {model.DiscriminatorSteps} update(s) of {maxSide} per update of {minSide}.");
                w.Line($"/// Generator loss: {(model.GeneratorLoss == GeneratorLossKind.NonSaturating ? "non-saturating (log(1 - D(·)) terms become -log D(·))" : "minimax, as written")}.</para>");
            }
            else
            {
                w.Line($"/// {Xml(model.ClassName)}: {string.Join("; ", model.Objectives.Select(o => $"{Xml(o.Name)}: minimize {Xml(o.Text)} over {string.Join(", ", o.Updates)}"))}.");
            }
            foreach (ObjectiveSpec o in model.HasGame ? model.Objectives : Enumerable.Empty<ObjectiveSpec>())
                w.Line($"/// <para>Before the game, the {Xml(o.Name)} phase: {string.Join(", ", o.Updates)} descend {Xml(o.Text)}.</para>");
            w.Line("/// </summary>");
            w.Line($"[global::System.CodeDom.Compiler.GeneratedCode(\"Gan.Dsl.Generator\", \"{generatorVersion}\")]");
            Condition? condition = ConditionOf(model, scope);
            CallExpr? encoder = FindEncoderCall(model, scope);
            bool reverses = UsesReverse(model);
            string interfaces = "global::Gan.Runtime.IAdversarialModel" + (condition != null ? ", global::Gan.Runtime.IConditionalModel" : "")
                                + (encoder != null ? ", global::Gan.Runtime.IEncoderModel" : "") + (model.EditExpression != null ? ", global::Gan.Runtime.IEditableModel" : "")
                                + (reverses ? ", global::Gan.Runtime.IProgressAware" : "");
            using (w.Block($"{model.Accessibility} partial class {model.ClassName} : global::TorchSharp.torch.nn.Module, {interfaces}"))
            {
                w.Line(model.HasGame ? "/// <summary>The value function as declared.</summary>" : "/// <summary>The objectives as declared (the model has no game).</summary>");
                w.Line($"public const string ValueFunctionText = {Literal(model.HasGame ? model.ValueFunctionText : string.Join("; ", model.Objectives.Select(o => $"minimize {o.Text}")))};");
                w.Line();
                w.Line($"private static readonly string[] s_lossNames = {{ {string.Join(", ", model.Objectives.Select(o => Literal("loss_" + o.Name)).Concat(model.HasGame ? new[] { Literal(maxLoss), Literal(minLoss) } : new string[0]))} }};");
                w.Line($"private static readonly string[] s_dataFields = {{ {string.Join(", ", model.Data.Select(d => Literal(d.Field)))} }};");
                w.Line("private static readonly global::Gan.Runtime.DataVariable[] s_data =");
                w.Line("{");
                foreach (DataSpec d in model.Data)
                    w.Line($"    new global::Gan.Runtime.DataVariable({Literal(d.Name)}, {Literal(d.Field)}, new long[] {{ {string.Join(", ", d.Shape)} }}, global::Gan.Dsl.DataRange.{d.Range}{(d.Classes > 0 ? $", Classes: {d.Classes}" : "")}),");
                w.Line("};");
                w.Line();
                w.Line("private readonly global::TorchSharp.torch.Device _device;");
                foreach (NetworkSpec n in model.Networks) w.Line($"private readonly {ModuleType} _{n.Name};");
                foreach (NetworkSpec n in model.Networks) w.Line($"private readonly global::TorchSharp.torch.optim.Optimizer _optimizer{n.Name};");
                w.Line();
                if (model.HasGame)
                {
                    w.Line($"/// <summary>k: updates of {maxSide} per update of {minSide} (Goodfellow et al. 2014, Algorithm 1).</summary>");
                    w.Line($"public int DiscriminatorSteps {{ get; set; }} = {model.DiscriminatorSteps};");
                    w.Line();
                }
                if (reverses)
                {
                    w.Line("/// <summary>Training progress p, from 0 to 1 (the trainer sets it before each step).</summary>");
                    w.Line("public double Progress { get; set; }");
                    w.Line();
                    w.Line("/// <summary>λ_p = 2 / (1 + exp(-10 p)) - 1: the weight of the reversed gradient, from 0 at the start towards 1 (Ganin & Lempitsky 2015).</summary>");
                    w.Line("public double ReversalWeight => 2.0 / (1.0 + global::System.Math.Exp(-10.0 * Progress)) - 1.0;");
                    w.Line();
                }

                EmitConstructor(w, model);
                w.Line();
                EmitInterfaceMembers(w, model, scope);
                w.Line();
                EmitTrainStep(w, model, scope, maximizers, minimizers);
                w.Line();
                EmitSample(w, model, scope);
                w.Line();
                if (encoder != null)
                {
                    EmitEncode(w, model, encoder);
                    w.Line();
                }
                if (model.EditExpression != null)
                {
                    EmitEdit(w, model, scope);
                    w.Line();
                }
                w.Line("/// <summary>Sets each player's learning rate to its declared value times <paramref name=\"factor\"/> (for schedules).</summary>");
                using (w.Block("public void ScaleLearningRates(double factor)"))
                {
                    foreach (NetworkSpec n in model.Networks)
                        w.Line($"foreach (var group in _optimizer{n.Name}.ParamGroups) group.LearningRate = {Num(n.Optimizer.LearningRate)} * factor;");
                }
                w.Line();
                w.Line("/// <summary>The parameters of one player, by its name in the value function.</summary>");
                using (w.Block("public global::System.Collections.Generic.IEnumerable<Tensor> PlayerParameters(string player)"))
                {
                    using (w.Block("switch (player)"))
                    {
                        foreach (NetworkSpec n in model.Networks) w.Line($"case \"{n.Name}\": return _{n.Name}.parameters();");
                        w.Line($"default: throw new global::System.ArgumentException($\"'{{player}}' is not a player of {model.ClassName} (players: {string.Join(", ", model.Networks.Select(n => n.Name))})\", nameof(player));");
                    }
                }
                w.Line();
                w.Line("/// <summary>Disposes the optimizers' native state with the networks.</summary>");
                using (w.Block("protected override void Dispose(bool disposing)"))
                {
                    using (w.Block("if (disposing)"))
                        foreach (NetworkSpec n in model.Networks) w.Line($"_optimizer{n.Name}.Dispose();");
                    w.Line("base.Dispose(disposing);");
                }
            }
            namespaceBlock?.Dispose();
            string code = w.ToString();
            // A network named F (a feature extractor, F(x)) would hide the usual alias F for torch.nn.functional inside the
            // class: such a model gets the alias "functional" instead.
            if (model.Networks.Any(n => n.Name == "F"))
                code = code.Replace("using F = global::TorchSharp.torch.nn.functional;", "using functional = global::TorchSharp.torch.nn.functional;")
                           .Replace("F.logsigmoid(", "functional.logsigmoid(").Replace("F.one_hot(", "functional.one_hot(").Replace("F.softplus(", "functional.softplus(");
            return code;
        }

        private static void EmitConstructor(IndentedWriter w, ModelSpec model)
        {
            w.Line("/// <summary>Builds the networks (on the CPU, so a seeded run is the same on any device), moves them to");
            w.Line("/// <paramref name=\"device\"/> (default: CUDA when available, else the CPU) and creates one optimizer per player.</summary>");
            using (w.Block($"public {model.ClassName}(global::TorchSharp.torch.Device? device = null) : base(\"{model.ClassName}\")"))
            {
                w.Line("_device = device ?? global::Gan.Runtime.Devices.Default;");
                foreach (NetworkSpec n in model.Networks) w.Line($"_{n.Name} = {n.Name}();");
                foreach (NetworkSpec n in model.Networks) w.Line($"register_module(\"{n.Name}\", _{n.Name});");
                w.Line("global::TorchSharp.ModuleExtensionMethods.to(this, _device);");
                foreach (NetworkSpec n in model.Networks)
                    w.Line($"global::Gan.Runtime.ModelChecks.RequireParameters(\"{model.ClassName}\", \"{n.Name}\", _{n.Name});");
                foreach (NetworkSpec n in model.Networks)
                {
                    OptimizerSpec o = n.Optimizer;
                    if (o.Kind == OptimizerKind.Adam)
                        w.Line($"_optimizer{n.Name} = torch.optim.Adam(_{n.Name}.parameters(), lr: {Num(o.LearningRate)}, beta1: {Num(o.Beta1)}, beta2: {Num(o.Beta2)}, weight_decay: {Num(o.WeightDecay)});");
                    else
                        w.Line($"_optimizer{n.Name} = torch.optim.SGD(_{n.Name}.parameters(), {Num(o.LearningRate)}, momentum: {Num(o.Momentum)}, weight_decay: {Num(o.WeightDecay)});");
                }
            }
        }

        private static void EmitInterfaceMembers(IndentedWriter w, ModelSpec model, Scope scope)
        {
            w.Line($"string global::Gan.Runtime.IAdversarialModel.Name => \"{model.ClassName}\";");
            w.Line("string global::Gan.Runtime.IAdversarialModel.ValueFunction => ValueFunctionText;");
            w.Line("global::TorchSharp.torch.Device global::Gan.Runtime.IAdversarialModel.Device => _device;");
            w.Line("global::System.Collections.Generic.IReadOnlyList<string> global::Gan.Runtime.IAdversarialModel.LossNames => s_lossNames;");
            w.Line("global::System.Collections.Generic.IReadOnlyList<string> global::Gan.Runtime.IAdversarialModel.DataFields => s_dataFields;");
            w.Line("global::System.Collections.Generic.IReadOnlyList<global::Gan.Runtime.DataVariable> global::Gan.Runtime.IAdversarialModel.Data => s_data;");
            w.Line($"global::System.Collections.Generic.IReadOnlyList<string> global::Gan.Runtime.IAdversarialModel.Players => new[] {{ {string.Join(", ", model.Networks.Select(n => Literal(n.Name)))} }};");
            w.Line($"global::System.Collections.Generic.IReadOnlyList<global::TorchSharp.torch.optim.Optimizer> global::Gan.Runtime.IAdversarialModel.Optimizers => new[] {{ {string.Join(", ", model.Networks.Select(n => "_optimizer" + n.Name))} }};");
            CallExpr? sampler = Sampler(model, scope);
            w.Line($"string? global::Gan.Runtime.IAdversarialModel.Sampler => {(sampler != null ? Literal(sampler.Callee) : "null")};");
            w.Line("global::TorchSharp.torch.nn.Module global::Gan.Runtime.IAdversarialModel.Network(string player) => player switch");
            w.Line("{");
            foreach (NetworkSpec n in model.Networks)
                w.Line($"    {Literal(n.Name)} => _{n.Name},");
            w.Line($"    _ => throw new global::System.ArgumentException($\"'{{player}}' is not a player of {model.ClassName} (players: {Players(model.Networks.ToArray())})\", nameof(player)),");
            w.Line("};");
        }

        private static void EmitTrainStep(IndentedWriter w, ModelSpec model, Scope scope, NetworkSpec[] maximizers, NetworkSpec[] minimizers)
        {
            var terms = Semantics.Terms(model.ValueFunction);
            var maxTerms = terms.Where(t => Semantics.Applies(t.Term, scope.IsMaximizer)).ToList();
            var minTerms = terms.Where(t => Semantics.Applies(t.Term, scope.IsMinimizer)).ToList();
            bool nonSaturating = model.GeneratorLoss == GeneratorLossKind.NonSaturating;
            if (nonSaturating)
            {
                int count = 0;
                minTerms = minTerms.Select(t => (t.Sign, Semantics.RewriteNonSaturating(t.Term, scope, ref count))).ToList();
            }
            string maxSide = string.Join(", ", maximizers.Select(n => n.Name));
            string minSide = string.Join(", ", minimizers.Select(n => n.Name));

            const string maxMethod = "StepDiscriminators", minMethod = "StepGenerators";

            if (!model.HasGame)
            {
                w.Line("/// <summary>One training iteration: the [Minimize] phases in declaration order (" + string.Join(", ", model.Objectives.Select(o => o.Name)) + "),");
                w.Line("/// each on a fresh minibatch. Returns each phase's loss.</summary>");
            }
            else if (model.Objectives.Count == 0)
            {
                w.Line("/// <summary>One iteration of the game (Goodfellow et al. 2014, Algorithm 1): <see cref=\"DiscriminatorSteps\"/> updates of " + maxSide + ",");
                w.Line("/// each on a fresh minibatch, then one update of " + minSide + ". Returns the last loss of each side.</summary>");
            }
            else
            {
                w.Line("/// <summary>One training iteration: the [Minimize] phases in declaration order (" + string.Join(", ", model.Objectives.Select(o => o.Name)) + "), then the game");
                w.Line("/// (Goodfellow et al. 2014, Algorithm 1): <see cref=\"DiscriminatorSteps\"/> updates of " + maxSide + ", then one of " + minSide + ";");
                w.Line("/// each update on a fresh minibatch. Returns each phase's last loss.</summary>");
            }
            using (w.Block("public global::Gan.Runtime.StepLosses TrainStep(global::Gan.Runtime.IBatchSource data)"))
            {
                for (int i = 0; i < model.Objectives.Count; i++)
                    w.Line($"float loss{Pascal(model.Objectives[i].Name)} = Step{Pascal(model.Objectives[i].Name)}(data);");
                if (!model.HasGame)
                {
                    w.Line($"return new global::Gan.Runtime.StepLosses(new[] {{ {string.Join(", ", model.Objectives.Select(o => "loss" + Pascal(o.Name)))} }});");
                }
                else
                {
                    w.Line("float lossMax = 0f;");
                    w.Line($"for (int step = 0; step < DiscriminatorSteps; step++) lossMax = {maxMethod}(data);");
                    w.Line($"float lossMin = {minMethod}(data);");
                    w.Line($"return new global::Gan.Runtime.StepLosses(new[] {{ {string.Join("", model.Objectives.Select(o => "loss" + Pascal(o.Name) + ", "))}lossMax, lossMin }});");
                }
            }
            foreach (ObjectiveSpec objective in model.Objectives)
            {
                NetworkSpec[] players = objective.Updates.Select(u => scope.Networks[u]).ToArray();
                var fixedNames = model.Networks.Where(n => !objective.Updates.Contains(n.Name) && Semantics.Applies(objective.Objective, c => c == n.Name)).Select(n => n.Name).ToList();
                w.Line();
                w.Line($"/// <summary>The {Xml(objective.Name)} phase: one update of {Players(players)} descending {Xml(objective.Text)} on a fresh minibatch" +
                       (fixedNames.Count > 0 ? $", {string.Join(", ", fixedNames)} held fixed" : "") + ". Returns the loss.</summary>");
                using (w.Block($"public float Step{Pascal(objective.Name)}(global::Gan.Runtime.IBatchSource data)"))
                {
                    EmitPhase(w, model, scope, Semantics.Terms(objective.Objective), PhaseKind.Objective, players, "loss_" + objective.Name, objective.Text);
                    w.Line("return lossValue;");
                }
            }
            if (!model.HasGame) return;
            w.Line();
            w.Line($"/// <summary>One update of {maxSide}: ascend V on a fresh minibatch, with the output of {minSide} held fixed. Returns the loss (-V).</summary>");
            using (w.Block($"public float {maxMethod}(global::Gan.Runtime.IBatchSource data)"))
            {
                EmitPhase(w, model, scope, maxTerms, PhaseKind.Maximize, maximizers, "loss_" + string.Join("_", maximizers.Select(p => p.Name)), null);
                w.Line("return lossValue;");
            }
            w.Line();
            w.Line($"/// <summary>One update of {minSide}: descend the terms of V that depend on {(minimizers.Length == 1 ? "it" : "them")}. Returns the loss.</summary>");
            using (w.Block($"public float {minMethod}(global::Gan.Runtime.IBatchSource data)"))
            {
                EmitPhase(w, model, scope, minTerms, PhaseKind.Minimize, minimizers, "loss_" + string.Join("_", minimizers.Select(p => p.Name)), null);
                w.Line("return lossValue;");
            }
        }

        private enum PhaseKind { Maximize, Minimize, Objective }

        /// <summary>Whether any formula applies reverse(·): the model then tracks its training progress for λ_p.</summary>
        private static bool UsesReverse(ModelSpec model)
            => Semantics.Applies(model.ValueFunction, n => n == "reverse") || model.Objectives.Any(o => Semantics.Applies(o.Objective, n => n == "reverse"));

        /// <summary>"reconstruction" → "Reconstruction", "E_z" → "E_z".</summary>
        private static string Pascal(string name) => name.Length == 0 ? name : char.ToUpperInvariant(name[0]) + name.Substring(1);

        private static void EmitPhase(IndentedWriter w, ModelSpec model, Scope scope, List<(int Sign, Expr Term)> terms, PhaseKind kind, NetworkSpec[] players,
                                      string lossName, string? objectiveText)
        {
            bool maximizing = kind == PhaseKind.Maximize;
            w.Line("using var scope = torch.NewDisposeScope();");
            var locals = new Locals(scope, model);
            var referenced = new HashSet<string>(StringComparer.Ordinal);
            foreach (var t in terms) CollectNames(t.Term, referenced);

            // Data and noise. A noise variable given a label (p(z | y)) draws with the batch's labels, so the batch is read
            // for them even when the phase's terms do not name the label.
            NoiseSpec[] noise = model.Noise.Where(z => referenced.Contains(z.Name)).ToArray();
            DataSpec[] data = model.Data.Where(d => referenced.Contains(d.Name)).ToArray();
            DataSpec[] givenOnly = model.Data.Where(d => !referenced.Contains(d.Name) && noise.Any(z => z.Given == d.Name)).ToArray();
            if (data.Length > 0 || givenOnly.Length > 0)
            {
                w.Line("var batch = data.Next();");
                foreach (DataSpec d in data)
                {
                    if (d.Classes > 0)
                    {
                        w.Line($"var {locals.Variable(d.Name)} = global::Gan.Runtime.ModelChecks.OneHot(\"{model.ClassName}\", s_data[{model.Data.ToList().IndexOf(d)}], batch[{Literal(d.Field)}]);   // class indices → one-hot");
                        continue;
                    }
                    w.Line($"var {locals.Variable(d.Name)} = batch[{Literal(d.Field)}];");
                    if (d.Shape.Count > 0)
                        w.Line($"global::Gan.Runtime.ModelChecks.RequireShape(\"{model.ClassName}\", s_data[{model.Data.ToList().IndexOf(d)}], {locals.Variable(d.Name)});");
                }
                w.Line(data.Length > 0 ? $"long m = {locals.Variable(data[0].Name)}.shape[0];" : $"long m = batch[{Literal(givenOnly[0].Field)}].shape[0];");
            }
            else
            {
                w.Line("long m = data.BatchSize;");
            }
            foreach (NoiseSpec z in noise)
            {
                if (z.Given == null)
                {
                    w.Line($"var {locals.Variable(z.Name)} = {NoiseExpression(z, "m")};");
                    continue;
                }
                DataSpec label = model.Data.First(d => d.Name == z.Given);
                string labelData = $"\"{model.ClassName}\", s_data[{model.Data.ToList().IndexOf(label)}], batch[{Literal(label.Field)}]";
                w.Line(z.Distribution == NoiseDistribution.GaussianMixture
                    ? $"var {locals.Variable(z.Name)} = global::Gan.Runtime.Priors.GaussianMixture(global::Gan.Runtime.ModelChecks.ClassIndices({labelData}), _device);   // {z.Name} ~ p({z.Name} | {label.Name}): component k for class k"
                    : $"var {locals.Variable(z.Name)} = global::Gan.Runtime.ModelChecks.OneHot({labelData});   // {z.Name} ~ p({z.Name} | {label.Name}): the label itself, one-hot");
            }

            // Network applications, innermost first, each once. Networks this phase does not update run without gradients
            // where their inputs do not depend on a network it updates (in the maximizing phase: the generators).
            var calls = new List<CallExpr>();
            foreach (var t in terms) CollectNetworkCalls(t.Term, scope, calls, locals);
            var updated = new HashSet<string>(players.Select(p => p.Name), StringComparer.Ordinal);
            List<CallExpr> fixedCalls = calls.Where(c => !updated.Contains(c.Callee) && !c.Args.Any(a => Semantics.Applies(a, updated.Contains))).ToList();
            if (fixedCalls.Count > 0)
            {
                foreach (CallExpr c in fixedCalls) w.Line($"Tensor {locals.Call(c)};");
                using (w.Block("using (torch.no_grad())"))
                    foreach (CallExpr c in fixedCalls) w.Line($"{locals.Call(c)} = {NetworkApplication(c, locals)};");
            }
            foreach (CallExpr c in calls.Where(c => !fixedCalls.Contains(c)))
            {
                string comment = scope.IsLogitsDiscriminator(c.Callee) ? $"   // logits: {Printer.Print(c)} = sigmoid({locals.Call(c)})" : "";
                w.Line($"var {locals.Call(c)} = {NetworkApplication(c, locals)};{comment}");
            }

            string sum = Sum(terms, locals);
            string printed = PrintSum(terms);
            bool rewritesLogs = terms.Any(t => ContainsStableLog(t.Term, scope));
            if (kind == PhaseKind.Objective)
            {
                w.Line($"// minimize {objectiveText}");
                if (rewritesLogs) w.Line("// log D(·) is computed as logsigmoid(logits) and log(1 - D(·)) as logsigmoid(-logits): the same values, without overflow.");
                w.Line($"var loss = {sum};");
            }
            else if (maximizing)
            {
                w.Line($"// V{(terms.Count < Semantics.Terms(model.ValueFunction).Count ? $" (its terms that depend on {Players(players)})" : "")} = {printed}");
                if (rewritesLogs) w.Line("// log D(·) is computed as logsigmoid(logits) and log(1 - D(·)) as logsigmoid(-logits): the same values, without overflow.");
                w.Line($"var value = {sum};");
                w.Line("var loss = -value;");
            }
            else
            {
                w.Line($"// {(model.GeneratorLoss == GeneratorLossKind.NonSaturating ? "Non-saturating loss (Goodfellow et al. 2014, §3): log(1 - D(G(·))) is replaced by -log D(G(·)) → " : "Minimax loss, as written: ")}{printed}");
                if (rewritesLogs) w.Line("// log D(·) is computed as logsigmoid(logits) and log(1 - D(·)) as logsigmoid(-logits): the same values, without overflow.");
                w.Line($"var loss = {sum};");
            }
            w.Line("float lossValue = loss.item<float>();");
            w.Line($"global::Gan.Runtime.ModelChecks.RequireFinite(lossValue, {Literal(lossName)});   // before the update: a NaN never reaches the weights");
            foreach (NetworkSpec p in players) w.Line($"_optimizer{p.Name}.zero_grad();");
            w.Line("loss.backward();");
            foreach (NetworkSpec p in players) w.Line($"_optimizer{p.Name}.step();");
        }

        private static void EmitSample(IndentedWriter w, ModelSpec model, Scope scope)
        {
            CallExpr? sampler = Sampler(model, scope);
            string notSupported = $"throw new global::System.NotSupportedException(\"{model.ClassName} has no generator applied to noise alone, so it cannot sample unconditionally.\");";
            string what = sampler != null ? Xml(Printer.Print(sampler)) : "";
            NoiseSpec[] inputs = sampler == null ? new NoiseSpec[0]
                : sampler.Args.Select(a => model.Noise.First(v => v.Name == ((NameExpr)a).Name)).ToArray();

            w.Line("/// <summary>" + (sampler != null ? $"n samples {what} with fresh noise, in evaluation mode and without gradients." : "Not available: no generator is applied to noise alone.") + "</summary>");
            using (w.Block("public Tensor Sample(long n)"))
            {
                if (sampler == null) w.Line(notSupported);
                else
                {
                    w.Line("using var scope = torch.NewDisposeScope();");
                    w.Line("return Generate(SampleNoise(n)).MoveToOuterDisposeScope();");
                }
            }
            w.Line();
            w.Line("/// <summary>" + (sampler != null ? $"Fresh noise for n samples: {string.Join(", ", inputs.Select(z => z.Name))}, by name (for interpolation and editing)." : "Not available: no generator is applied to noise alone.") + "</summary>");
            using (w.Block("public global::Gan.Runtime.Batch SampleNoise(long n)"))
            {
                if (sampler == null) w.Line(notSupported);
                else
                {
                w.Line("var noise = new global::System.Collections.Generic.Dictionary<string, Tensor>();");
                foreach (NoiseSpec z in inputs.Distinct())
                    w.Line($"noise[{Literal(z.Name)}] = {NoiseExpression(z, "n")};");
                w.Line("return new global::Gan.Runtime.Batch(noise);");
                }
            }
            w.Line();
            w.Line("/// <summary>" + (sampler != null ? $"{what} for the given noise, in evaluation mode and without gradients." : "Not available: no generator is applied to noise alone.") + "</summary>");
            using (w.Block("public Tensor Generate(global::Gan.Runtime.Batch noise)"))
            {
                if (sampler == null) { w.Line(notSupported); }
                else
                {
                string g = "_" + sampler.Callee;
                w.Line("using var scope = torch.NewDisposeScope();");
                w.Line("using var noGrad = torch.no_grad();");
                w.Line($"bool wasTraining = {g}.training;");
                w.Line($"{g}.eval();");
                using (w.Block("try"))
                {
                    var locals = new Locals(scope, model);
                    foreach (NoiseSpec z in inputs.Distinct())
                        w.Line($"var {locals.Variable(z.Name)} = noise[{Literal(z.Name)}];");
                    w.Line($"return {NetworkApplication(sampler, locals)}.MoveToOuterDisposeScope();");
                }
                using (w.Block("finally"))
                    w.Line($"{g}.train(wasTraining);");
                }
            }

            Condition? condition = ConditionOf(model, scope);
            if (condition == null) return;
            string c = Literal(condition.Name);
            string chosen = string.Join(", ", condition.Noise.Select(z => Xml(z.Name)));
            w.Line();
            w.Line(condition.Label == null
                ? $"/// <summary>Noise for one sample per class of {Xml(condition.Name)} in <paramref name=\"labels\"/> (class indices, int64): {Xml(condition.Name)} one-hot, the other noise fresh.</summary>"
                : $"/// <summary>Noise for one sample per class of the label {Xml(condition.Name)} in <paramref name=\"labels\"/> (class indices, int64): {chosen} drawn given it, as in a training step, the other noise fresh.</summary>");
            using (w.Block("public global::Gan.Runtime.Batch SampleNoise(Tensor labels)"))
            {
                w.Line("var classes = labels.to(_device);");
                w.Line("return SampleNoise(labels.shape[0])");
                for (int i = 0; i < condition.Noise.Length; i++)
                {
                    NoiseSpec z = condition.Noise[i];
                    string check = $"\"{model.ClassName}\", {c}, {condition.Classes}, classes";
                    string value = z.Distribution == NoiseDistribution.GaussianMixture
                        ? $"global::Gan.Runtime.Priors.GaussianMixture(global::Gan.Runtime.ModelChecks.ClassIndices({check}), _device)"
                        : $"global::Gan.Runtime.ModelChecks.OneHot({check})";
                    w.Line($"    .With({Literal(z.Name)}, {value}){(i == condition.Noise.Length - 1 ? ";" : "")}");
                }
            }
            w.Line();
            w.Line($"/// <summary>One sample {what} per class of {Xml(condition.Name)} in <paramref name=\"labels\"/> (class indices, int64), the other noise fresh,");
            w.Line("/// in evaluation mode and without gradients.</summary>");
            using (w.Block("public Tensor Sample(Tensor labels)"))
            {
                w.Line("using var scope = torch.NewDisposeScope();");
                w.Line("return Generate(SampleNoise(labels)).MoveToOuterDisposeScope();");
            }
            w.Line();
            w.Line($"/// <summary>n samples {what} of one class of {Xml(condition.Name)}.</summary>");
            using (w.Block("public Tensor Sample(long n, long label)"))
            {
                w.Line("using var scope = torch.NewDisposeScope();");
                w.Line("return Sample(torch.full(new long[] { n }, label, dtype: torch.int64, device: _device)).MoveToOuterDisposeScope();");
            }
            w.Line();
            w.Line($"int global::Gan.Runtime.IConditionalModel.Classes => {condition.Classes};");
            w.Line($"string global::Gan.Runtime.IConditionalModel.Condition => {c};");
        }

        private static void EmitEncode(IndentedWriter w, ModelSpec model, CallExpr encoder)
        {
            string input = ((NameExpr)encoder.Args[0]).Name;
            DataSpec data = model.Data.First(d => d.Name == input);
            string g = "_" + encoder.Callee;
            w.Line($"/// <summary>{Xml(Printer.Print(encoder))} for a batch of {Xml(input)} (in its declared range), in evaluation mode and without gradients.</summary>");
            using (w.Block("public Tensor Encode(Tensor x)"))
            {
                w.Line("using var scope = torch.NewDisposeScope();");
                w.Line("using var noGrad = torch.no_grad();");
                if (data.Shape.Count > 0)
                    w.Line($"global::Gan.Runtime.ModelChecks.RequireShape(\"{model.ClassName}\", s_data[{model.Data.ToList().IndexOf(data)}], x);");
                w.Line($"bool wasTraining = {g}.training;");
                w.Line($"{g}.eval();");
                using (w.Block("try"))
                    w.Line($"return {g}.forward(x.to(_device)).MoveToOuterDisposeScope();");
                using (w.Block("finally"))
                    w.Line($"{g}.train(wasTraining);");
            }
            w.Line();
            w.Line($"string global::Gan.Runtime.IEncoderModel.Encoder => {Literal(encoder.Callee)};");
        }

        /// <summary>Edit(x, labels) from [Edit("G(E_z(x) | y′)")]: the data variable is x, the categorical noise variable the
        /// labels one-hot, other noise drawn from its prior; the networks applied run in evaluation mode, without gradients.</summary>
        private static void EmitEdit(IndentedWriter w, ModelSpec model, Scope scope)
        {
            Expr edit = model.EditExpression!;
            var referenced = new HashSet<string>(StringComparer.Ordinal);
            CollectNames(edit, referenced);
            DataSpec image = model.Data.First(d => d.Classes == 0 && referenced.Contains(d.Name));
            NoiseSpec label = model.Noise.First(z => z.Distribution == NoiseDistribution.Categorical && referenced.Contains(z.Name));
            NoiseSpec[] drawn = model.Noise.Where(z => z != label && referenced.Contains(z.Name)).ToArray();
            var locals = new Locals(scope, model, "x", "labels");
            var calls = new List<CallExpr>();
            CollectNetworkCalls(edit, scope, calls, locals);
            NetworkSpec[] applied = model.Networks.Where(n => calls.Any(c => c.Callee == n.Name)).ToArray();
            string name = Literal(model.ClassName);
            w.Line($"/// <summary>{Xml(model.EditText!)} for a batch <paramref name=\"x\"/> of {Xml(image.Name)} (in its declared range) and <paramref name=\"labels\"/>,");
            w.Line($"/// the classes of {Xml(label.Name)} (class indices, int64 [m], one per example){(drawn.Length > 0 ? $"; {string.Join(", ", drawn.Select(z => Xml(z.Name)))} drawn from the prior" : "")};");
            w.Line("/// in evaluation mode and without gradients.</summary>");
            using (w.Block("public Tensor Edit(Tensor x, Tensor labels)"))
            {
                w.Line("using var scope = torch.NewDisposeScope();");
                w.Line("using var noGrad = torch.no_grad();");
                if (image.Shape.Count > 0)
                    w.Line($"global::Gan.Runtime.ModelChecks.RequireShape({name}, s_data[{model.Data.ToList().IndexOf(image)}], x);");
                w.Line($"var {locals.Variable(label.Name)} = global::Gan.Runtime.ModelChecks.OneHot({name}, {Literal(label.Name)}, {label.Size}, labels.to(_device));   // class indices → one-hot");
                w.Line($"global::Gan.Runtime.ModelChecks.RequireLabelCount({name}, {Literal(label.Name)}, labels, x.shape[0]);");
                w.Line($"var {locals.Variable(image.Name)} = x.to(_device);");
                foreach (NoiseSpec z in drawn)
                    w.Line($"var {locals.Variable(z.Name)} = {NoiseExpression(z, "x.shape[0]")};   // {z.Name} ~ its prior");
                foreach (NetworkSpec n in applied) w.Line($"bool wasTraining{n.Name} = _{n.Name}.training;");
                foreach (NetworkSpec n in applied) w.Line($"_{n.Name}.eval();");
                using (w.Block("try"))
                {
                    foreach (CallExpr c in calls) w.Line($"var {locals.Call(c)} = {NetworkApplication(c, locals)};");
                    var (code, _, precedence) = Code(edit, locals);
                    w.Line($"return {(precedence < 4 ? "(" + code + ")" : code)}.MoveToOuterDisposeScope();");
                }
                using (w.Block("finally"))
                    foreach (NetworkSpec n in applied) w.Line($"_{n.Name}.train(wasTraining{n.Name});");
            }
            w.Line();
            w.Line($"string global::Gan.Runtime.IEditableModel.EditFormula => {Literal(model.EditText!)};");
            w.Line($"string global::Gan.Runtime.IEditableModel.EditLabel => {Literal(label.Name)};");
            w.Line($"int global::Gan.Runtime.IEditableModel.EditClasses => {label.Size};");
        }

        /// <summary>What Sample(labels) chooses: a categorical noise variable the sampler reads (its classes), or a label
        /// that noise the sampler reads is given (Given = "y": the noise drawn given the label's classes).</summary>
        /// <param name="Label">The label, when the condition is one; null for a categorical noise variable.</param>
        /// <param name="Noise">The noise variables Sample(labels) sets.</param>
        private sealed record Condition(string Name, int Classes, DataSpec? Label, NoiseSpec[] Noise);

        /// <summary>The condition of Sample(labels), when the sampler reads exactly one: one categorical noise variable not
        /// given a label, or noise given one label.</summary>
        private static Condition? ConditionOf(ModelSpec model, Scope scope)
        {
            CallExpr? sampler = Sampler(model, scope);
            if (sampler == null) return null;
            NoiseSpec[] read = sampler.Args.Select(a => model.Noise.First(v => v.Name == ((NameExpr)a).Name)).Distinct().ToArray();
            var conditions = new List<Condition>();
            foreach (NoiseSpec z in read.Where(z => z.Given == null && z.Distribution == NoiseDistribution.Categorical))
                conditions.Add(new Condition(z.Name, z.Size, null, new[] { z }));
            foreach (var given in read.Where(z => z.Given != null).GroupBy(z => z.Given!))
            {
                DataSpec label = model.Data.First(d => d.Name == given.Key);
                conditions.Add(new Condition(label.Name, label.Classes, label, given.ToArray()));
            }
            return conditions.Count == 1 ? conditions[0] : null;
        }

        private static string Players(NetworkSpec[] players) => string.Join(", ", players.Select(p => p.Name));

        private static string NoiseExpression(NoiseSpec z, string count) => z.Distribution switch
        {
            NoiseDistribution.Normal => $"torch.randn(new long[] {{ {count}, {z.Size} }}, device: _device)",
            NoiseDistribution.Uniform => $"torch.rand(new long[] {{ {count}, {z.Size} }}, device: _device).mul_(2).sub_(1)",
            NoiseDistribution.Categorical => $"F.one_hot(torch.randint(0, {z.Size}, new long[] {{ {count} }}, device: _device), {z.Size}).to(torch.float32)",
            NoiseDistribution.GaussianMixture => $"global::Gan.Runtime.Priors.GaussianMixture({count}, _device)",
            _ => $"global::Gan.Runtime.Priors.SwissRoll({count}, _device)",
        };

        /// <summary>A network applied to its inputs. Several inputs are concatenated along dimension 1: directly when each is
        /// a declared vector (noise, a label, 1-D data), else by <c>Inputs.Concat</c>, which flattens them first when their ranks
        /// differ (an image and its label: [m, 1, 28, 28] and [m, 10] → [m, 794]).</summary>
        private static string NetworkApplication(CallExpr c, Locals locals)
        {
            // C(y | h) with C returning class scores: the network reads h; y is the class asked about.
            var inputs = locals.Scope.IsDensity(c.Callee) ? c.Args.Skip(1).ToList() : c.Args.ToList();
            string args = string.Join(", ", inputs.Select(a => Tensorize(a, locals)));
            string input = inputs.Count == 1 ? args
                : inputs.All(a => IsVector(a, locals.Model)) ? "torch.cat(new[] { " + args + " }, 1)"
                : "global::Gan.Runtime.Inputs.Concat(" + args + ")";
            return $"_{c.Callee}.forward({input})";
        }

        /// <summary>Whether an argument is a declared variable of one dimension per example.</summary>
        private static bool IsVector(Expr e, ModelSpec? model) => model != null && e is NameExpr v
            && (model.Noise.Any(z => z.Name == v.Name) || model.Data.Any(d => d.Name == v.Name && d.Shape.Count == 1));

        private static string Tensorize(Expr e, Locals locals)
        {
            var (code, kind, _) = Code(e, locals);
            return kind == Kind.Tensor ? code : $"torch.tensor({code})";
        }

        private static void CollectNames(Expr e, HashSet<string> names)
        {
            switch (e)
            {
                case NameExpr n: names.Add(n.Name); break;
                case CallExpr c: foreach (Expr a in c.Args) CollectNames(a, names); break;
                case ExpectationExpr x: CollectNames(x.Body, names); break;
                case UnaryExpr u: CollectNames(u.Operand, names); break;
                case BinaryExpr b: CollectNames(b.Left, names); CollectNames(b.Right, names); break;
                case NormExpr n: CollectNames(n.Inner, names); break;
            }
        }

        /// <summary>Network applications in post-order (arguments first), each distinct application once.</summary>
        private static void CollectNetworkCalls(Expr e, Scope scope, List<CallExpr> calls, Locals locals)
        {
            switch (e)
            {
                case CallExpr c:
                    foreach (Expr a in c.Args) CollectNetworkCalls(a, scope, calls, locals);
                    if (scope.Networks.ContainsKey(c.Callee) && !locals.HasCall(c))
                    {
                        locals.Call(c);
                        calls.Add(c);
                    }
                    break;
                case ExpectationExpr x: CollectNetworkCalls(x.Body, scope, calls, locals); break;
                case UnaryExpr u: CollectNetworkCalls(u.Operand, scope, calls, locals); break;
                case BinaryExpr b: CollectNetworkCalls(b.Left, scope, calls, locals); CollectNetworkCalls(b.Right, scope, calls, locals); break;
                case NormExpr n: CollectNetworkCalls(n.Inner, scope, calls, locals); break;
            }
        }

        private static bool ContainsStableLog(Expr e, Scope scope) => e switch
        {
            CallExpr c when c.Callee == "log" && c.Args.Count == 1 && (c.Args[0] is CallExpr d && scope.IsLogitsDiscriminator(d.Callee)
                || (c.Args[0] is BinaryExpr b && b.Op == '-' && b.Left is NumberExpr one && one.Value == 1.0 && b.Right is CallExpr d2 && scope.IsLogitsDiscriminator(d2.Callee))) => true,
            CallExpr c => c.Args.Any(a => ContainsStableLog(a, scope)),
            ExpectationExpr x => ContainsStableLog(x.Body, scope),
            UnaryExpr u => ContainsStableLog(u.Operand, scope),
            BinaryExpr b => ContainsStableLog(b.Left, scope) || ContainsStableLog(b.Right, scope),
            NormExpr n => ContainsStableLog(n.Inner, scope),
            _ => false,
        };

        private static string PrintSum(List<(int Sign, Expr Term)> terms)
        {
            var parts = new List<string>();
            for (int i = 0; i < terms.Count; i++)
            {
                string text = Printer.Print(terms[i].Term);
                if (terms[i].Term is BinaryExpr b && (b.Op == '+' || b.Op == '-')) text = "(" + text + ")";
                parts.Add(i == 0 ? (terms[i].Sign < 0 ? "-" + text : text) : (terms[i].Sign < 0 ? "- " : "+ ") + text);
            }
            return parts.Count == 0 ? "0" : string.Join(" ", parts);
        }

        private static string Sum(List<(int Sign, Expr Term)> terms, Locals locals)
        {
            if (terms.Count == 0) return "torch.zeros(1, device: _device).sum()";
            var parts = new List<string>();
            for (int i = 0; i < terms.Count; i++)
            {
                var (code, kind, precedence) = Code(terms[i].Term, locals);
                if (i == 0)
                {
                    if (terms[i].Sign < 0) code = "-" + (precedence < 3 || code.StartsWith("-", StringComparison.Ordinal) ? "(" + code + ")" : code);
                    if (kind == Kind.Double && terms.Count == 1) code = "torch.tensor(" + code + ")";
                }
                else
                {
                    code = (terms[i].Sign < 0 ? "- " : "+ ") + (precedence <= 1 ? "(" + code + ")" : code);
                }
                parts.Add(code);
            }
            return string.Join(" ", parts);
        }

        private enum Kind { Double, Tensor }

        /// <summary>C# for an expression: its code, whether it is a double or a tensor, and its precedence
        /// (1 additive, 2 multiplicative, 3 unary, 4 primary) for parenthesizing.</summary>
        private static (string Code, Kind Kind, int Precedence) Code(Expr e, Locals locals)
        {
            Scope scope = locals.Scope;
            switch (e)
            {
                case NumberExpr n:
                    return (Num(n.Value), Kind.Double, 4);
                case NameExpr v:
                    return (locals.Variable(v.Name), Kind.Tensor, 4);
                case CallExpr c when c.Callee == "log" && c.Args.Count == 1 && c.Args[0] is CallExpr d && scope.IsCategorical(d.Callee):
                    return ($"global::Gan.Runtime.Likelihood.LogCategorical({locals.Call(d)}, {Tensorize(d.Args[0], locals)})", Kind.Tensor, 4);
                case CallExpr c when scope.IsCategorical(c.Callee):
                    return ($"global::Gan.Runtime.Likelihood.LogCategorical({locals.Call(c)}, {Tensorize(c.Args[0], locals)}).exp()", Kind.Tensor, 4);
                case CallExpr c when c.Callee == "log" && c.Args.Count == 1 && c.Args[0] is CallExpr d && scope.IsGaussian(d.Callee):
                    return ($"global::Gan.Runtime.Likelihood.LogGaussian({locals.Call(d)}, {Tensorize(d.Args[0], locals)})", Kind.Tensor, 4);
                case CallExpr c when scope.IsGaussian(c.Callee):
                    return ($"global::Gan.Runtime.Likelihood.LogGaussian({locals.Call(c)}, {Tensorize(c.Args[0], locals)}).exp()", Kind.Tensor, 4);
                case CallExpr c when c.Callee == "reverse" && c.Args.Count == 1:
                    return ($"global::Gan.Runtime.GradientReversal.Apply({Tensorize(c.Args[0], locals)}, ReversalWeight)", Kind.Tensor, 4);
                case CallExpr c when scope.Networks.ContainsKey(c.Callee):
                    return scope.IsLogitsDiscriminator(c.Callee)
                        ? ($"torch.sigmoid({locals.Call(c)})", Kind.Tensor, 4)
                        : (locals.Call(c), Kind.Tensor, 4);
                case CallExpr c when c.Callee == "log" && c.Args.Count == 1 && c.Args[0] is CallExpr d && scope.IsLogitsDiscriminator(d.Callee):
                    return ($"F.logsigmoid({locals.Call(d)})", Kind.Tensor, 4);
                case CallExpr c when c.Callee == "log" && c.Args.Count == 1 && c.Args[0] is BinaryExpr b && b.Op == '-'
                                     && b.Left is NumberExpr one && one.Value == 1.0 && b.Right is CallExpr d && scope.IsLogitsDiscriminator(d.Callee):
                    return ($"F.logsigmoid(-{locals.Call(d)})", Kind.Tensor, 4);
                case CallExpr c:
                {
                    var (arg, kind, _) = Code(c.Args[0], locals);
                    string tensorFunction = c.Callee switch
                    {
                        "log" => "torch.log", "exp" => "torch.exp", "sigmoid" => "torch.sigmoid", "softplus" => "F.softplus",
                        "sqrt" => "torch.sqrt", "abs" => "torch.abs", _ => throw new InvalidOperationException("unknown function " + c.Callee),
                    };
                    string doubleFunction = c.Callee switch
                    {
                        "log" => "global::System.Math.Log", "exp" => "global::System.Math.Exp", "sqrt" => "global::System.Math.Sqrt",
                        "abs" => "global::System.Math.Abs", "sigmoid" => "1.0 / (1.0 + global::System.Math.Exp(-", "softplus" => "global::System.Math.Log(1.0 + global::System.Math.Exp(",
                        _ => "",
                    };
                    if (kind == Kind.Tensor) return ($"{tensorFunction}({arg})", Kind.Tensor, 4);
                    return c.Callee == "sigmoid" || c.Callee == "softplus"
                        ? ($"({doubleFunction}{arg}))", Kind.Double, 4)
                        : ($"{doubleFunction}({arg})", Kind.Double, 4);
                }
                case ExpectationExpr x:
                {
                    var (body, kind, precedence) = Code(x.Body, locals);
                    return kind == Kind.Tensor ? ((precedence < 4 ? "(" + body + ")" : body) + ".mean()", Kind.Tensor, 4) : (body, kind, precedence);
                }
                case UnaryExpr u:
                {
                    var (operand, kind, precedence) = Code(u.Operand, locals);
                    // "-(-x)", never "--x" (which C# reads as a decrement)
                    return ("-" + (precedence < 3 || operand.StartsWith("-", StringComparison.Ordinal) ? "(" + operand + ")" : operand), kind, 3);
                }
                case BinaryExpr b when b.Op == '^' && b.Left is NormExpr norm && b.Right is NumberExpr two && two.Value == 2.0:
                {
                    // ||a||^2 per sample: the sum of squares, without the square root.
                    var (inner, _, _) = Code(norm.Inner, locals);
                    return ($"({inner}).flatten(1).pow(2).sum(1)", Kind.Tensor, 4);
                }
                case BinaryExpr b when b.Op == '^':
                {
                    var (l, lk, lp) = Code(b.Left, locals);
                    var (r, rk, _) = Code(b.Right, locals);
                    if (lk == Kind.Double && rk == Kind.Double) return ($"global::System.Math.Pow({l}, {r})", Kind.Double, 4);
                    if (lk == Kind.Double) return ($"torch.pow({l}, {r})", Kind.Tensor, 4);
                    return ((lp < 4 ? "(" + l + ")" : l) + $".pow({r})", Kind.Tensor, 4);
                }
                case BinaryExpr b:
                {
                    int precedence = b.Op == '+' || b.Op == '-' ? 1 : 2;
                    var (l, lk, lp) = Code(b.Left, locals);
                    var (r, rk, rp) = Code(b.Right, locals);
                    if (lp < precedence) l = "(" + l + ")";
                    if (rp <= precedence) r = "(" + r + ")";
                    return ($"{l} {b.Op} {r}", lk == Kind.Tensor || rk == Kind.Tensor ? Kind.Tensor : Kind.Double, precedence);
                }
                case NormExpr n:
                {
                    var (inner, _, _) = Code(n.Inner, locals);
                    return ($"({inner}).flatten(1).pow(2).sum(1).sqrt()", Kind.Tensor, 4);
                }
                default:
                    throw new InvalidOperationException("unexpected expression " + e.GetType().Name);
            }
        }

        /// <summary>Names of the locals of one phase: variables by their formula names, network applications by their
        /// text (D(G(z)) → D_G_z), each distinct application once.</summary>
        private sealed class Locals
        {
            private readonly Dictionary<string, string> _calls = new Dictionary<string, string>(StringComparer.Ordinal);
            private readonly HashSet<string> _taken = new HashSet<string>(StringComparer.Ordinal);
            private readonly HashSet<string> _reserved;
            /// <param name="reserved">Names taken in the method besides <see cref="Reserved"/> (its parameters).</param>
            public Locals(Scope scope, ModelSpec? model = null, params string[] reserved)
            {
                Scope = scope;
                Model = model;
                _reserved = new HashSet<string>(reserved, StringComparer.Ordinal);
            }
            public Scope Scope { get; }
            public ModelSpec? Model { get; }

            public string Variable(string name)
            {
                name = Identifier(name);
                string local = Reserved.Contains(name) || _reserved.Contains(name) ? name + "_" : name;
                return SyntaxFacts.GetKeywordKind(local) != SyntaxKind.None ? "@" + local : local;
            }

            public bool HasCall(CallExpr c) => _calls.ContainsKey(Printer.Print(c));

            public string Call(CallExpr c)
            {
                string key = Printer.Print(c);
                if (_calls.TryGetValue(key, out string? existing)) return existing;
                string Part(Expr a) => a switch
                {
                    NameExpr v => Identifier(v.Name),
                    CallExpr inner when Scope.Networks.ContainsKey(inner.Callee) => Call(inner),
                    CallExpr function when function.Args.Count == 1 => function.Callee + "_" + Part(function.Args[0]),   // reverse(F(x)) → reverse_F_x
                    _ => "e",
                };
                string stem = c.Callee + "_" + string.Join("_", c.Args.Select(Part));
                string name = stem;
                for (int i = 2; _taken.Contains(name) || Scope.Names.ContainsKey(name) || Reserved.Contains(name); i++) name = stem + i;
                _taken.Add(name);
                _calls[key] = name;
                return name;
            }
        }

        /// <summary>A formula name as a C# identifier: a prime (y′ or y') becomes "_prime".</summary>
        private static string Identifier(string name) => name.Replace("'", "_prime").Replace("\u2032", "_prime");

        private static string Num(double value)
        {
            string text = value.ToString("R", CultureInfo.InvariantCulture);
            return text.Contains(".") || text.Contains("E") || text.Contains("N") || text.Contains("I") ? text : text + ".0";
        }

        private static string Literal(string text) => SymbolDisplay.FormatLiteral(text, quote: true);

        private static string Xml(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
    }
}
