using System.Linq;
using Gan.Dsl.Generator.Analysis;
using Gan.Dsl.Generator.Formula;
using Gan.Dsl.Generator.Model;

namespace Gan.Dsl.Generator
{
    /// <summary>The constructor (networks, device, optimizers) and the IAdversarialModel members.</summary>
    internal static partial class Emitter
    {
        private static void EmitConstructor(IndentedWriter w, ModelSpec model)
        {
            w.Line("/// <summary>Builds the networks (on the CPU, so a seeded run is the same on any device), moves them to");
            if (PhaseOptimizers(model).Length == 0)
                w.Line("/// <paramref name=\"device\"/> (default: CUDA when available, else the CPU) and creates one optimizer per player.</summary>");
            else
            {
                w.Line("/// <paramref name=\"device\"/> (default: CUDA when available, else the CPU) and creates one optimizer per player, and one per network");
                w.Line("/// of each phase that declares a learning rate of its own.</summary>");
            }
            using (w.Block($"public {model.ClassName}({TypeNames.Device}? device = null) : base(\"{model.ClassName}\")"))
            {
                w.Line($"_device = device ?? {TypeNames.Devices}.Default;");
                foreach (NetworkSpec n in model.Networks)
                    w.Line(n.SpectralNorm
                        ? $"_{n.Name} = {TypeNames.SpectralNorm}.Apply({n.Name}(), \"{n.Name}\");   // spectral normalization of every Linear and convolution layer (Miyato et al. 2018)"
                        : $"_{n.Name} = {n.Name}();");
                foreach (NetworkSpec n in model.Networks) w.Line($"register_module(\"{n.Name}\", _{n.Name});");
                w.Line($"{TypeNames.ModuleExtensions}.to(this, _device);");
                foreach (NetworkSpec n in model.Networks)
                    w.Line($"{TypeNames.ModelChecks}.RequireParameters(\"{model.ClassName}\", \"{n.Name}\", _{n.Name});");
                foreach (NetworkSpec n in model.Networks)
                    w.Line($"_optimizer{n.Name} = {OptimizerConstruction($"_{n.Name}.parameters()", n.Optimizer)}");
                foreach (PhaseOptimizer p in PhaseOptimizers(model))
                    w.Line($"{p.Field} = {OptimizerConstruction($"_{p.Network.Name}.parameters()", p.Optimizer)}   // {p.Network.Name} in the {p.Phase} phase: a state of its own, at its rate");
                w.Line($"_optimizers = new[] {{ {string.Join(", ", model.Networks.Select(n => "_optimizer" + n.Name).Concat(PhaseOptimizers(model).Select(p => p.Field)))} }};");
            }
        }

        /// <summary>The optimizer's construction, a statement (TorchSharp's optimizers through Gan.Runtime's).</summary>
        private static string OptimizerConstruction(string parameters, OptimizerSpec o) => o.Kind switch
        {
            Optimizer.Sgd => $"{TypeNames.Optimizers}.Sgd({parameters}, {Num(o.LearningRate)}, momentum: {Num(o.Momentum)}, weight_decay: {Num(o.WeightDecay)});",
            Optimizer.AdamW => $"{TypeNames.Optimizers}.AdamW({parameters}, lr: {Num(o.LearningRate)}, beta1: {Num(o.Beta1)}, beta2: {Num(o.Beta2)}, weight_decay: {Num(o.WeightDecay)});",
            Optimizer.RmsProp => $"{TypeNames.Optimizers}.RmsProp({parameters}, lr: {Num(o.LearningRate)}, alpha: {Num(o.Alpha)}, weight_decay: {Num(o.WeightDecay)}, momentum: {Num(o.Momentum)});",
            _ => $"{TypeNames.Optimizers}.Adam({parameters}, lr: {Num(o.LearningRate)}, beta1: {Num(o.Beta1)}, beta2: {Num(o.Beta2)}, weight_decay: {Num(o.WeightDecay)});",
        };

        /// <summary>An optimizer of a [Minimize] phase that declares a LearningRate of its own: one per network the phase updates,
        /// the network's kind and settings at the phase's rate, with a state of its own (field <paramref name="Field"/>).</summary>
        private sealed record PhaseOptimizer(string Field, NetworkSpec Network, OptimizerSpec Optimizer, string Phase);

        /// <summary>The phases' own optimizers, in declaration order (after the networks' in the checkpointed list, so a model
        /// without them keeps its checkpoint layout).</summary>
        private static PhaseOptimizer[] PhaseOptimizers(ModelSpec model) =>
            model.Objectives.Where(o => o.LearningRate != null)
                .SelectMany(o => o.Updates.Select(u => model.Networks.First(n => n.Name == u))
                    .Select(n => new PhaseOptimizer(PhaseOptimizerField(n.Name, o), n, n.Optimizer with { LearningRate = o.LearningRate!.Value }, o.Name)))
                .ToArray();

        private static string PhaseOptimizerField(string network, ObjectiveSpec phase) => $"_optimizer{network}In{ModelAnalyzer.Pascal(phase.Name)}";

        /// <summary>The optimizer that steps <paramref name="network"/> in <paramref name="phase"/> (null: a phase of the game).</summary>
        private static string OptimizerField(string network, ObjectiveSpec? phase) =>
            phase?.LearningRate != null ? PhaseOptimizerField(network, phase) : "_optimizer" + network;

        private static void EmitInterfaceMembers(IndentedWriter w, ModelPlan plan)
        {
            ModelSpec model = plan.Spec;
            w.Line($"string {TypeNames.IAdversarialModel}.Name => \"{model.ClassName}\";");
            w.Line($"string {TypeNames.IAdversarialModel}.ValueFunction => ValueFunctionText;");
            w.Line($"{TypeNames.Device} {TypeNames.IAdversarialModel}.Device => _device;");
            w.Line($"global::System.Collections.Generic.IReadOnlyList<string> {TypeNames.IAdversarialModel}.LossNames => s_lossNames;");
            w.Line($"global::System.Collections.Generic.IReadOnlyList<string> {TypeNames.IAdversarialModel}.DataFields => s_dataFields;");
            w.Line($"global::System.Collections.Generic.IReadOnlyList<{TypeNames.DataVariable}> {TypeNames.IAdversarialModel}.Data => s_data;");
            w.Line($"global::System.Collections.Generic.IReadOnlyList<string> {TypeNames.IAdversarialModel}.Players => s_players;");
            w.Line($"global::System.Collections.Generic.IReadOnlyList<{TypeNames.Optimizer}> {TypeNames.IAdversarialModel}.Optimizers => _optimizers;");
            CallExpr? sampler = plan.Sampler;
            w.Line($"string? {TypeNames.IAdversarialModel}.Sampler => {(sampler != null ? Literal(sampler.Callee) : "null")};");
            w.Line($"{TypeNames.Module} {TypeNames.IAdversarialModel}.Network(string player) => player switch");
            w.Line("{");
            foreach (NetworkSpec n in model.Networks)
                w.Line($"    {Literal(n.Name)} => _{n.Name},");
            w.Line($"    _ => throw new global::System.ArgumentException($\"'{{player}}' is not a player of {model.ClassName} (players: {Players(model.Networks.ToArray())})\", nameof(player)),");
            w.Line("};");
        }
    }
}
