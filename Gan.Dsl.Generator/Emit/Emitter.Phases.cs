using System.Linq;
using Gan.Dsl.Generator.Analysis;
using Gan.Dsl.Generator.Formula;
using Gan.Dsl.Generator.Model;

namespace Gan.Dsl.Generator
{
    /// <summary>TrainStep and one step method per phase of the plan: reads, draws, network applications, the loss and the update.</summary>
    internal static partial class Emitter
    {
        private static void EmitTrainStep(IndentedWriter w, ModelPlan plan, Scope scope)
        {
            ModelSpec model = plan.Spec;
            string maxSide = string.Join(", ", plan.Maximizers);
            string minSide = string.Join(", ", plan.Minimizers);
            const string maxMethod = ModelAnalyzer.MaximizeMethod, minMethod = ModelAnalyzer.MinimizeMethod;

            if (!model.HasGame)
            {
                w.Line("/// <summary>One training iteration: the [Minimize] phases in declaration order (" + string.Join(", ", model.Objectives.Select(o => o.Name)) + "),");
                w.Line("/// each on a fresh minibatch. Returns each phase's loss.</summary>");
            }
            else if (plan.Simultaneous != null)
            {
                w.Line((model.Objectives.Count > 0 ? "/// <summary>One training iteration: the [Minimize] phases in declaration order (" + string.Join(", ", model.Objectives.Select(o => o.Name)) + "), then the game" : "/// <summary>One iteration of the game") +
                       " with simultaneous updates: " + maxSide + " and " + minSide);
                w.Line("/// take one step each from the same minibatch and weights. Returns each phase's loss.</summary>");
            }
            else if (model.Objectives.Count == 0 && model.Losses != null)
            {
                w.Line("/// <summary>One iteration of the game: <see cref=\"DiscriminatorSteps\"/> updates of " + maxSide + " descending L_D,");
                w.Line("/// each on a fresh minibatch, then one update of " + minSide + " descending L_G. Returns the last loss of each side.</summary>");
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
            using (w.Block($"public {TypeNames.StepLosses} TrainStep({TypeNames.IBatchSource} data)"))
            {
                for (int i = 0; i < model.Objectives.Count; i++)
                    w.Line($"float loss{ModelAnalyzer.Pascal(model.Objectives[i].Name)} = Step{ModelAnalyzer.Pascal(model.Objectives[i].Name)}(data);");
                if (!model.HasGame)
                {
                    w.Line($"return new {TypeNames.StepLosses}(new[] {{ {string.Join(", ", model.Objectives.Select(o => "loss" + ModelAnalyzer.Pascal(o.Name)))} }});");
                }
                else
                {
                    if (plan.Simultaneous != null)
                    {
                        w.Line($"var (lossMax, lossMin) = {plan.Simultaneous.Method}(data);   // simultaneous updates");
                    }
                    else
                    {
                        w.Line("float lossMax = 0f;");
                        w.Line($"for (int step = 0; step < DiscriminatorSteps; step++) lossMax = {maxMethod}(data);");
                        w.Line($"float lossMin = {minMethod}(data);");
                    }
                    w.Line($"return new {TypeNames.StepLosses}(new[] {{ {string.Join("", model.Objectives.Select(o => "loss" + ModelAnalyzer.Pascal(o.Name) + ", "))}lossMax, lossMin }});");
                }
            }
            foreach (PhasePlan phase in plan.Phases)
            {
                w.Line();
                ObjectiveSpec? objective = phase.Kind == PhaseKind.Objective ? model.Objectives.First(o => "Step" + ModelAnalyzer.Pascal(o.Name) == phase.Method) : null;
                if (objective != null)
                {
                    w.Line($"/// <summary>The {Xml(objective.Name)} phase: one update of {string.Join(", ", phase.Updates)} descending {Xml(objective.Text)} on a fresh minibatch" +
                           (phase.Fixed.Count > 0 ? $", {string.Join(", ", phase.Fixed)} held fixed" : "") +
                           (objective.LearningRate is double rate ? $", with optimizers of the phase's own at rate {Num(rate)}" : "") + ". Returns the loss.</summary>");
                }
                else if (phase.Kind == PhaseKind.DiscriminatorsLoss)
                    w.Line($"/// <summary>One update of {string.Join(", ", phase.Updates)}: descend L_D = {Xml(model.Losses!.DiscriminatorText)} on a fresh minibatch, with the output of {minSide} held fixed. Returns the loss.</summary>");
                else if (phase.Kind == PhaseKind.GeneratorsLoss)
                    w.Line($"/// <summary>One update of {string.Join(", ", phase.Updates)}: descend L_G = {Xml(model.Losses!.GeneratorText)} on a fresh minibatch. Returns the loss.</summary>");
                else if (phase.Kind == PhaseKind.Maximize)
                    w.Line($"/// <summary>One update of {maxSide}: ascend V on a fresh minibatch, with the output of {minSide} held fixed. Returns the loss (-V).</summary>");
                else
                    w.Line($"/// <summary>One update of {minSide}: descend the terms of V that depend on {(plan.Minimizers.Count == 1 ? "it" : "them")}. Returns the loss.</summary>");
                using (w.Block($"public float {phase.Method}({TypeNames.IBatchSource} data)"))
                {
                    EmitPhase(w, model, scope, phase, objective);
                    w.Line("return lossValue;");
                }
            }
            if (plan.Simultaneous != null) EmitSimultaneous(w, plan, scope);
        }

        /// <param name="objective">The [Minimize] the phase descends; null for a phase of the game.</param>
        private static void EmitPhase(IndentedWriter w, ModelSpec model, Scope scope, PhasePlan phase, ObjectiveSpec? objective)
        {
            NetworkSpec[] players = phase.Updates.Select(u => scope.Networks[u]).ToArray();
            Locals locals = EmitPrelude(w, model, scope, phase);
            EmitLoss(w, model, scope, phase, locals, "");
            w.Line("float lossValue = loss.item<float>();");
            w.Line($"{TypeNames.ModelChecks}.RequireFinite(lossValue, {Literal(phase.LossName)});   // before the update: a NaN never reaches the weights");
            foreach (NetworkSpec p in players) w.Line($"{OptimizerField(p.Name, objective)}.zero_grad();");
            w.Line("loss.backward();");
            foreach (NetworkSpec p in players) w.Line($"{OptimizerField(p.Name, objective)}.step();");
            EmitClipping(w, players);
        }

        /// <summary>Weight clipping of the players that declare it, after their update (Arjovsky et al. 2017).</summary>
        private static void EmitClipping(IndentedWriter w, NetworkSpec[] players)
        {
            foreach (NetworkSpec p in players.Where(p => p.WeightClip > 0))
                w.Line($"{TypeNames.WeightClipping}.Clip(_{p.Name}, {Num(p.WeightClip)});   // every weight of {p.Name} clamped to [-{Num(p.WeightClip)}, {Num(p.WeightClip)}] (Arjovsky et al. 2017)");
        }

        /// <summary>Simultaneous updates: both sides' losses on one minibatch, each side's gradient from its own loss only
        /// (backward with inputs), both applied together.</summary>
        private static void EmitSimultaneous(IndentedWriter w, ModelPlan plan, Scope scope)
        {
            ModelSpec model = plan.Spec;
            PhasePlan merged = plan.Simultaneous!;
            PhasePlan max = plan.Phases[plan.Phases.Count - 2], min = plan.Phases[plan.Phases.Count - 1];
            NetworkSpec[] maxPlayers = max.Updates.Select(u => scope.Networks[u]).ToArray(), minPlayers = min.Updates.Select(u => scope.Networks[u]).ToArray();
            w.Line();
            w.Line($"/// <summary>Simultaneous updates: the losses of {Players(maxPlayers)} and of {Players(minPlayers)} on one minibatch at the same weights, each side's");
            w.Line("/// gradient from its own loss, applied together. Returns both losses.</summary>");
            using (w.Block($"public (float Max, float Min) {merged.Method}({TypeNames.IBatchSource} data)"))
            {
                Locals locals = EmitPrelude(w, model, scope, merged);
                EmitLoss(w, model, scope, max, locals, "Max");
                EmitLoss(w, model, scope, min, locals, "Min");
                w.Line("float lossValueMax = lossMax.item<float>(), lossValueMin = lossMin.item<float>();");
                w.Line($"{TypeNames.ModelChecks}.RequireFinite(lossValueMax, {Literal(max.LossName)});   // before the update: a NaN never reaches the weights");
                w.Line($"{TypeNames.ModelChecks}.RequireFinite(lossValueMin, {Literal(min.LossName)});");
                foreach (NetworkSpec p in maxPlayers.Concat(minPlayers)) w.Line($"_optimizer{p.Name}.zero_grad();");
                w.Line($"lossMax.backward(retain_graph: true, inputs: {TypeNames.Simultaneous}.Parameters({string.Join(", ", maxPlayers.Select(p => "_" + p.Name))}));   // into {Players(maxPlayers)} only");
                w.Line($"lossMin.backward(inputs: {TypeNames.Simultaneous}.Parameters({string.Join(", ", minPlayers.Select(p => "_" + p.Name))}));   // into {Players(minPlayers)} only");
                foreach (NetworkSpec p in maxPlayers.Concat(minPlayers)) w.Line($"_optimizer{p.Name}.step();");
                EmitClipping(w, maxPlayers.Concat(minPlayers).ToArray());
                w.Line("return (lossValueMax, lossValueMin);");
            }
        }

        /// <summary>What a phase computes before its loss: reads, draws, network applications, definitions and gradients.</summary>
        private static Locals EmitPrelude(IndentedWriter w, ModelSpec model, Scope scope, PhasePlan phase)
        {
            w.Line("using var scope = torch.NewDisposeScope();");
            var locals = new Locals(scope, model) { StableLogs = phase.StableLogs, Float32Outputs = true };
            NoiseSpec[] noise = phase.NoiseDraws.Select(n => model.Noise.First(z => z.Name == n)).ToArray();
            DataSpec[] data = phase.DataReads.Select(n => model.Data.First(d => d.Name == n)).ToArray();
            DataSpec[] givenOnly = phase.GivenLabels.Select(n => model.Data.First(d => d.Name == n)).ToArray();
            bool drawsByCount = noise.Any(z => z.Given == null);   // m, the minibatch size, only where noise is drawn from its prior
            if (data.Length > 0 || givenOnly.Length > 0)
            {
                w.Line("var batch = data.Next();");
                foreach (DataSpec d in data)
                {
                    if (d.Classes > 0)
                    {
                        w.Line($"var {locals.Variable(d.Name)} = {TypeNames.ModelChecks}.OneHot(\"{model.ClassName}\", s_data[{model.Data.ToList().IndexOf(d)}], batch[{Literal(d.Field)}]);   // class indices → one-hot");
                        continue;
                    }
                    w.Line(phase.Differentiates(new NameExpr(d.Name, 0, 0))
                        ? $"var {locals.Variable(d.Name)} = batch[{Literal(d.Field)}].detach().requires_grad_(true);   // a gradient is taken with respect to {d.Name}"
                        : $"var {locals.Variable(d.Name)} = batch[{Literal(d.Field)}];");
                    if (d.Shape.Count > 0)
                        w.Line($"{TypeNames.ModelChecks}.RequireShape(\"{model.ClassName}\", s_data[{model.Data.ToList().IndexOf(d)}], {locals.Variable(d.Name)});");
                }
                if (drawsByCount)
                    w.Line(data.Length > 0 ? $"long m = {locals.Variable(data[0].Name)}.shape[0];" : $"long m = batch[{Literal(givenOnly[0].Field)}].shape[0];");
            }
            else if (drawsByCount)
            {
                w.Line("long m = data.BatchSize;");
            }
            foreach (NoiseSpec z in noise)
            {
                if (z.Given == null)
                {
                    w.Line(phase.Differentiates(new NameExpr(z.Name, 0, 0))
                        ? $"var {locals.Variable(z.Name)} = {NoiseExpression(z, "m", model)}.requires_grad_(true);   // a gradient is taken with respect to {z.Name}"
                        : $"var {locals.Variable(z.Name)} = {NoiseExpression(z, "m", model)};");
                    continue;
                }
                DataSpec label = model.Data.First(d => d.Name == z.Given);
                string labelData = $"\"{model.ClassName}\", s_data[{model.Data.ToList().IndexOf(label)}], batch[{Literal(label.Field)}]";
                w.Line(z.Distribution == Distribution.GaussianMixture
                    ? $"var {locals.Variable(z.Name)} = {TypeNames.Priors}.GaussianMixture({TypeNames.ModelChecks}.ClassIndices({labelData}), _device);   // {z.Name} ~ p({z.Name} | {label.Name}): component k for class k"
                    : $"var {locals.Variable(z.Name)} = {TypeNames.ModelChecks}.OneHot({labelData});   // {z.Name} ~ p({z.Name} | {label.Name}): the label itself, one-hot");
            }

            // Network applications, innermost first, each once; those the plan holds fixed under no_grad first. Applications that
            // read a [Define] variable come after it, in the order the plan gives.
            foreach (CallPlan c in phase.Calls) locals.Call(c.Call);   // names in computation order
            CallExpr[] fixedCalls = phase.Calls.Where(c => c.NoGrad && !c.ReadsDefinition).Select(c => c.Call).ToArray();
            if (fixedCalls.Length > 0)
            {
                foreach (CallExpr c in fixedCalls) w.Line($"Tensor {locals.Call(c)};");
                using (w.Block("using (torch.no_grad())"))
                    foreach (CallExpr c in fixedCalls) w.Line($"{locals.Call(c)} = {NetworkApplication(c, locals)};");
                foreach (CallExpr c in fixedCalls.Where(phase.Differentiates))
                    w.Line($"{locals.Call(c)}.requires_grad_(true);   // a gradient is taken with respect to {Printer.Print(c)}");
            }
            void EmitCall(CallPlan plan)
            {
                CallExpr c = plan.Call;
                if (plan.NoGrad)
                {
                    w.Line($"Tensor {locals.Call(c)};");
                    using (w.Block("using (torch.no_grad())")) w.Line($"{locals.Call(c)} = {NetworkApplication(c, locals)};");
                    if (phase.Differentiates(c)) w.Line($"{locals.Call(c)}.requires_grad_(true);   // a gradient is taken with respect to {Printer.Print(c)}");
                    return;
                }
                string comment = scope.IsLogitsDiscriminator(c.Callee) ? $"   // logits: {Printer.Print(c)} = sigmoid({locals.Call(c)})" : "";
                w.Line($"var {locals.Call(c)} = {NetworkApplication(c, locals)};{comment}");
            }
            foreach (CallPlan c in phase.Calls.Where(c => !c.NoGrad && !c.ReadsDefinition)) EmitCall(c);
            int emitted = 0;
            void EmitDefinitions(int upTo)
            {
                for (; emitted < phase.Definitions.Count && phase.Definitions[emitted].After <= upTo; emitted++)
                {
                    DefinitionPlan d = phase.Definitions[emitted];
                    var (code, _, _) = Code(d.Expression, locals);
                    bool differentiated = phase.Differentiates(new NameExpr(d.Name, 0, 0));
                    w.Line($"var {locals.Variable(d.Name)} = {(differentiated ? $"({code}).requires_grad_(true)" : code)};   // {d.Name} = {Printer.Print(d.Expression)}");
                }
            }
            for (int i = 0; i < phase.Calls.Count; i++)
            {
                if (!phase.Calls[i].ReadsDefinition) continue;
                EmitDefinitions(i);
                EmitCall(phase.Calls[i]);
            }
            EmitDefinitions(int.MaxValue);
            // Gradients with respect to a network's input, kept in the graph (create_graph) so that the loss can be descended.
            foreach (GradientExpr g in phase.Gradients)
            {
                var (body, _, precedence) = Code(g.Body, locals);
                var (variable, _, _) = Code(g.Variable, locals);
                w.Line($"var {locals.Gradient(g)} = torch.autograd.grad(new[] {{ {(precedence < 4 ? "(" + body + ")" : body)}.sum() }}, new[] {{ {variable} }}, retain_graph: true, create_graph: true)[0];   // {Printer.Print(g)}, per example");
            }
            return locals;
        }

        /// <summary>The phase's loss, as loss + <paramref name="suffix"/> (a maximizing phase's value as value + suffix).</summary>
        private static void EmitLoss(IndentedWriter w, ModelSpec model, Scope scope, PhasePlan phase, Locals locals, string suffix)
        {
            var terms = phase.Loss.Select(t => (t.Sign, t.Term)).ToList();
            PhaseKind kind = phase.Kind;
            NetworkSpec[] players = phase.Updates.Select(u => scope.Networks[u]).ToArray();
            string loss = "loss" + suffix, value = "value" + suffix;
            string sum = Sum(terms, locals);
            string printed = PrintSum(terms);
            string? stableComment = StableLogComment(phase);
            if (kind is PhaseKind.DiscriminatorsLoss or PhaseKind.GeneratorsLoss)
            {
                w.Line($"// {(kind == PhaseKind.DiscriminatorsLoss ? "L_D" : "L_G")} = {printed}");
                if (stableComment != null) w.Lines(stableComment);
                w.Line($"var {loss} = {sum};");
            }
            else if (kind == PhaseKind.Objective)
            {
                w.Line($"// minimize {phase.Text}");
                if (stableComment != null) w.Lines(stableComment);
                w.Line($"var {loss} = {sum};");
            }
            else if (kind == PhaseKind.Maximize)
            {
                w.Line($"// V{(phase.Partial ? $" (its terms that depend on {Players(players)})" : "")} = {printed}");
                if (stableComment != null) w.Lines(stableComment);
                w.Line($"var {value} = {sum};");
                w.Line($"var {loss} = -{value};");
            }
            else
            {
                w.Line($"// {(model.GeneratorLoss == GeneratorLoss.NonSaturating ? $"Non-saturating loss (Goodfellow et al. 2014, §3): log(1 - D(u)) becomes -log D(u) and log D(u) becomes -log(1 - D(u)) where {Players(players)} {(players.Length == 1 ? "acts" : "act")} through u → " : "Minimax loss, as written: ")}{printed}");
                if (stableComment != null) w.Lines(stableComment);
                w.Line($"var {loss} = {sum};");
            }
        }
    }
}
