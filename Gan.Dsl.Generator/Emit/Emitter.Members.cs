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
            w.Line("/// <paramref name=\"device\"/> (default: CUDA when available, else the CPU) and creates one optimizer per player.</summary>");
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
                {
                    OptimizerSpec o = n.Optimizer;
                    string parameters = $"_{n.Name}.parameters()";
                    w.Line($"_optimizer{n.Name} = " + o.Kind switch
                    {
                        Optimizer.Sgd => $"{TypeNames.Optimizers}.Sgd({parameters}, {Num(o.LearningRate)}, momentum: {Num(o.Momentum)}, weight_decay: {Num(o.WeightDecay)});",
                        Optimizer.AdamW => $"{TypeNames.Optimizers}.AdamW({parameters}, lr: {Num(o.LearningRate)}, beta1: {Num(o.Beta1)}, beta2: {Num(o.Beta2)}, weight_decay: {Num(o.WeightDecay)});",
                        Optimizer.RmsProp => $"{TypeNames.Optimizers}.RmsProp({parameters}, lr: {Num(o.LearningRate)}, alpha: {Num(o.Alpha)}, weight_decay: {Num(o.WeightDecay)}, momentum: {Num(o.Momentum)});",
                        _ => $"{TypeNames.Optimizers}.Adam({parameters}, lr: {Num(o.LearningRate)}, beta1: {Num(o.Beta1)}, beta2: {Num(o.Beta2)}, weight_decay: {Num(o.WeightDecay)});",
                    });
                }
                w.Line($"_optimizers = new[] {{ {string.Join(", ", model.Networks.Select(n => "_optimizer" + n.Name))} }};");
            }
        }

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
