using System;
using System.Collections.Generic;
using System.Linq;
using Gan.Dsl.Generator.Analysis;
using Gan.Dsl.Generator.Formula;
using Gan.Dsl.Generator.Model;

namespace Gan.Dsl.Generator
{
    /// <summary>Sample, SampleNoise, Generate and the conditional overloads; Encode; Edit.</summary>
    internal static partial class Emitter
    {
        private static void EmitSample(IndentedWriter w, ModelPlan plan, Scope scope)
        {
            ModelSpec model = plan.Spec;
            CallExpr? sampler = plan.Sampler;
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
                    w.Line("return GenerateInCallerScope(SampleNoise(n)).MoveToOuterDisposeScope();");
                }
            }
            w.Line();
            w.Line("/// <summary>" + (sampler != null ? $"Fresh noise for n samples: {string.Join(", ", inputs.Select(z => z.Name))}, by name (for interpolation and editing)." : "Not available: no generator is applied to noise alone.") + "</summary>");
            using (w.Block($"public {TypeNames.Batch} SampleNoise(long n)"))
            {
                if (sampler == null) w.Line(notSupported);
                else
                {
                w.Line("var noise = new global::System.Collections.Generic.Dictionary<string, Tensor>();");
                foreach (NoiseSpec z in inputs.Distinct())
                    w.Line($"noise[{Literal(z.Name)}] = {NoiseExpression(z, "n", model)};");
                w.Line($"return new {TypeNames.Batch}(noise);");
                }
            }
            w.Line();
            w.Line("/// <summary>" + (sampler != null ? $"{what} for the given noise, in evaluation mode and without gradients." : "Not available: no generator is applied to noise alone.") + "</summary>");
            using (w.Block($"public Tensor Generate({TypeNames.Batch} noise)"))
            {
                if (sampler == null) { w.Line(notSupported); }
                else
                {
                    w.Line("using var scope = torch.NewDisposeScope();");
                    w.Line("return GenerateInCallerScope(noise).MoveToOuterDisposeScope();");
                }
            }
            if (sampler != null)
            {
                // One dispose scope a public call: Sample and Generate open it, this does the work inside it.
                string g = "_" + sampler.Callee;
                w.Line();
                w.Line($"/// <summary>{what} for the given noise, in evaluation mode and without gradients; its tensors belong to the caller's dispose scope.</summary>");
                using (w.Block($"private Tensor GenerateInCallerScope({TypeNames.Batch} noise)"))
                {
                    w.Line("using var noGrad = torch.no_grad();");
                    w.Line($"bool wasTraining = {g}.training;");
                    w.Line($"{g}.eval();");
                    using (w.Block("try"))
                    {
                        var locals = new Locals(scope, model);
                        foreach (NoiseSpec z in inputs.Distinct())
                            w.Line($"var {locals.Variable(z.Name)} = noise[{Literal(z.Name)}];");
                        // A network returning logits means sigmoid(logits) in the formulas, and so in its samples.
                        w.Line(scope.IsLogitsDiscriminator(sampler.Callee)
                            ? $"return torch.sigmoid({NetworkApplication(sampler, locals)});   // logits: {Printer.Print(sampler)} = sigmoid(logits)"
                            : $"return {NetworkApplication(sampler, locals)};");
                    }
                    using (w.Block("finally"))
                        w.Line($"{g}.train(wasTraining);");
                }
            }

            ConditionPlan? condition = plan.Condition;
            if (condition == null) return;
            NoiseSpec[] conditioned = condition.Noise.Select(n => model.Noise.First(z => z.Name == n)).ToArray();
            string c = Literal(condition.Name);
            string chosen = string.Join(", ", conditioned.Select(z => Xml(z.Name)));
            w.Line();
            w.Line(condition.Label == null
                ? $"/// <summary>Noise for one sample per class of {Xml(condition.Name)} in <paramref name=\"labels\"/> (class indices, int64): {Xml(condition.Name)} one-hot, the other noise fresh.</summary>"
                : $"/// <summary>Noise for one sample per class of the label {Xml(condition.Name)} in <paramref name=\"labels\"/> (class indices, int64): {chosen} drawn given it, as in a training step, the other noise fresh.</summary>");
            using (w.Block($"public {TypeNames.Batch} SampleNoise(Tensor labels)"))
            {
                w.Line("var classes = labels.to(_device);");
                w.Line("return SampleNoise(labels.shape[0])");
                for (int i = 0; i < conditioned.Length; i++)
                {
                    NoiseSpec z = conditioned[i];
                    string check = $"\"{model.ClassName}\", {c}, {condition.Classes}, classes";
                    string value = z.Distribution == Distribution.GaussianMixture
                        ? $"{TypeNames.Priors}.GaussianMixture({TypeNames.ModelChecks}.ClassIndices({check}), _device)"
                        : $"{TypeNames.ModelChecks}.OneHot({check})";
                    w.Line($"    .With({Literal(z.Name)}, {value}){(i == conditioned.Length - 1 ? ";" : "")}");
                }
            }
            w.Line();
            w.Line($"/// <summary>One sample {what} per class of {Xml(condition.Name)} in <paramref name=\"labels\"/> (class indices, int64), the other noise fresh,");
            w.Line("/// in evaluation mode and without gradients.</summary>");
            using (w.Block("public Tensor Sample(Tensor labels)"))
            {
                w.Line("using var scope = torch.NewDisposeScope();");
                w.Line("return GenerateInCallerScope(SampleNoise(labels)).MoveToOuterDisposeScope();");
            }
            w.Line();
            w.Line($"/// <summary>n samples {what} of one class of {Xml(condition.Name)}.</summary>");
            using (w.Block("public Tensor Sample(long n, long label)"))
            {
                w.Line("using var scope = torch.NewDisposeScope();");
                w.Line("var labels = torch.full(new long[] { n }, label, dtype: torch.int64, device: _device);");
                w.Line("return GenerateInCallerScope(SampleNoise(labels)).MoveToOuterDisposeScope();");
            }
            w.Line();
            w.Line($"int {TypeNames.IConditionalModel}.Classes => {condition.Classes};");
            w.Line($"string {TypeNames.IConditionalModel}.Condition => {c};");
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
                    w.Line($"{TypeNames.ModelChecks}.RequireShape(\"{model.ClassName}\", s_data[{model.Data.ToList().IndexOf(data)}], x);");
                w.Line($"bool wasTraining = {g}.training;");
                w.Line($"{g}.eval();");
                using (w.Block("try"))
                    w.Line($"return {g}.forward(x.to(_device)).MoveToOuterDisposeScope();");
                using (w.Block("finally"))
                    w.Line($"{g}.train(wasTraining);");
            }
            w.Line();
            w.Line($"string {TypeNames.IEncoderModel}.Encoder => {Literal(encoder.Callee)};");
        }

        /// <summary>Edit(x, labels) from [Edit("G(E_z(x) | y′)")]: the data variable is x, the categorical noise variable the
        /// labels one-hot, other noise drawn from its prior; the networks applied run in evaluation mode, without gradients.</summary>
        private static void EmitEdit(IndentedWriter w, ModelPlan plan, Scope scope)
        {
            ModelSpec model = plan.Spec;
            EditPlan editPlan = plan.Edit!;
            Expr edit = editPlan.Expression;
            DataSpec image = model.Data.First(d => d.Name == editPlan.Image);
            NoiseSpec label = model.Noise.First(z => z.Name == editPlan.Label);
            NoiseSpec[] drawn = editPlan.Drawn.Select(n => model.Noise.First(z => z.Name == n)).ToArray();
            var locals = new Locals(scope, model, "x", "labels");
            CallExpr[] calls = editPlan.Calls.ToArray();
            foreach (CallExpr c in calls) locals.Call(c);   // names in computation order
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
                    w.Line($"{TypeNames.ModelChecks}.RequireShape({name}, s_data[{model.Data.ToList().IndexOf(image)}], x);");
                w.Line($"var {locals.Variable(label.Name)} = {TypeNames.ModelChecks}.OneHot({name}, {Literal(label.Name)}, {label.Size}, labels.to(_device));   // class indices → one-hot");
                w.Line($"{TypeNames.ModelChecks}.RequireLabelCount({name}, {Literal(label.Name)}, labels, x.shape[0]);");
                w.Line($"var {locals.Variable(image.Name)} = x.to(_device);");
                foreach (NoiseSpec z in drawn)
                    w.Line($"var {locals.Variable(z.Name)} = {NoiseExpression(z, "x.shape[0]", model)};   // {z.Name} ~ its prior");
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
            w.Line($"string {TypeNames.IEditableModel}.EditFormula => {Literal(model.EditText!)};");
            w.Line($"string {TypeNames.IEditableModel}.EditLabel => {Literal(label.Name)};");
            w.Line($"int {TypeNames.IEditableModel}.EditClasses => {label.Size};");
        }

        /// <summary>Infer_v(x) for each [Infer("N(v | input)")]: the input's networks applied to x, then N; class probabilities
        /// (softmax of N's scores) or the Gaussian's mean (N's output); and the members of IInferenceModel.</summary>
        private static void EmitInferences(IndentedWriter w, ModelPlan plan, Scope scope)
        {
            ModelSpec model = plan.Spec;
            foreach (ReadoutPlan r in plan.Inferences)
            {
                DataSpec input = model.Data.First(d => d.Name == r.Input);
                string what = r.Classes > 0 ? $"the probabilities of the {r.Classes} classes of {Xml(r.Variable!)}, [m, {r.Classes}]"
                                            : $"the mean of {Xml(r.Variable!)}, [m, {r.Size}]";
                w.Line($"/// <summary>{Xml(r.Text)}: {what}, for a batch <paramref name=\"x\"/> of {Xml(input.Name)} (in its declared range);");
                w.Line("/// in evaluation mode and without gradients.</summary>");
                using (w.Block($"public Tensor {InferMethod(r)}(Tensor x)"))
                {
                    var locals = new Locals(scope, model, "x");
                    EmitReadoutPrelude(w, model, r, locals);
                    var root = (CallExpr)r.Expression;
                    using (w.Block("try"))
                    {
                        foreach (CallExpr c in r.Calls) w.Line($"var {locals.Call(c)} = {NetworkApplication(c, locals)};");
                        string result = locals.Call(root);
                        w.Line(r.Classes > 0 ? $"return {locals.Functional}.softmax({result}, 1).MoveToOuterDisposeScope();   // {root.Callee}'s class scores → probabilities"
                                             : $"return {result}.MoveToOuterDisposeScope();   // {root.Callee}'s output is the Gaussian's mean");
                    }
                    EmitRestore(w, model, r);
                }
                w.Line();
            }
            w.Line($"private static readonly {TypeNames.Inference}[] s_inferences =");
            w.Line("{");
            foreach (ReadoutPlan r in plan.Inferences)
                w.Line($"    new {TypeNames.Inference}({Literal(r.Text)}, {Literal(r.Variable!)}, {Literal(r.Input)}, IsLabel: {(model.Data.Any(d => d.Name == r.Variable && d.Classes > 0) ? "true" : "false")}, Classes: {r.Classes}, Size: {r.Size}),");
            w.Line("};");
            w.Line();
            w.Line($"global::System.Collections.Generic.IReadOnlyList<{TypeNames.Inference}> {TypeNames.IInferenceModel}.Inferences => s_inferences;");
            w.Line();
            w.Line($"Tensor {TypeNames.IInferenceModel}.Infer(string variable, Tensor x) => variable switch");
            w.Line("{");
            foreach (ReadoutPlan r in plan.Inferences)
                w.Line($"    {Literal(r.Variable!)} => {InferMethod(r)}(x),");
            w.Line($"    _ => throw new global::System.ArgumentException($\"{model.ClassName} infers {string.Join(", ", plan.Inferences.Select(r => r.Variable))}, not '{{variable}}'.\", nameof(variable)),");
            w.Line("};");
        }

        /// <summary>DomainProbability(x) from [Domain("Dd(F(x))")]: the probability that each example comes from the domain of the
        /// data variable it reads; and the members of IDomainModel.</summary>
        private static void EmitDomain(IndentedWriter w, ModelPlan plan, Scope scope)
        {
            ModelSpec model = plan.Spec;
            ReadoutPlan r = plan.Domain!;
            w.Line($"/// <summary>{Xml(r.Text)}: the probability [m] that each example of the batch <paramref name=\"x\"/> (in its declared range)");
            w.Line($"/// comes from the domain of {Xml(r.Input)}; in evaluation mode and without gradients.</summary>");
            using (w.Block("public Tensor DomainProbability(Tensor x)"))
            {
                var locals = new Locals(scope, model, "x");
                EmitReadoutPrelude(w, model, r, locals);
                using (w.Block("try"))
                {
                    foreach (CallExpr c in r.Calls) w.Line($"var {locals.Call(c)} = {NetworkApplication(c, locals)};");
                    var (code, _, _) = Code(r.Expression, locals);
                    w.Line($"return {code}.reshape(-1).MoveToOuterDisposeScope();");
                }
                EmitRestore(w, model, r);
            }
            w.Line();
            w.Line($"string {TypeNames.IDomainModel}.DomainFormula => {Literal(r.Text)};");
            w.Line($"string {TypeNames.IDomainModel}.DomainInput => {Literal(r.Input)};");
        }

        private static string InferMethod(ReadoutPlan r) => "Infer_" + Identifier(r.Variable!);

        /// <summary>The start of a readout: no gradients, the input checked and moved to the device, the networks it applies in
        /// evaluation mode (their flags kept for <see cref="EmitRestore"/>).</summary>
        private static void EmitReadoutPrelude(IndentedWriter w, ModelSpec model, ReadoutPlan r, Locals locals)
        {
            DataSpec input = model.Data.First(d => d.Name == r.Input);
            foreach (CallExpr c in r.Calls) locals.Call(c);   // names in computation order
            w.Line("using var scope = torch.NewDisposeScope();");
            w.Line("using var noGrad = torch.no_grad();");
            if (input.Shape.Count > 0)
                w.Line($"{TypeNames.ModelChecks}.RequireShape({Literal(model.ClassName)}, s_data[{model.Data.ToList().IndexOf(input)}], x);");
            w.Line($"var {locals.Variable(input.Name)} = x.to(_device);");
            NetworkSpec[] applied = model.Networks.Where(n => r.Calls.Any(c => c.Callee == n.Name)).ToArray();
            foreach (NetworkSpec n in applied) w.Line($"bool wasTraining{n.Name} = _{n.Name}.training;");
            foreach (NetworkSpec n in applied) w.Line($"_{n.Name}.eval();");
        }

        private static void EmitRestore(IndentedWriter w, ModelSpec model, ReadoutPlan r)
        {
            using (w.Block("finally"))
                foreach (NetworkSpec n in model.Networks.Where(n => r.Calls.Any(c => c.Callee == n.Name)))
                    w.Line($"_{n.Name}.train(wasTraining{n.Name});");
        }
    }
}
