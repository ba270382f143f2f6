using System.Linq;
using System.Text;
using Gan.Dsl.Generator.Formula;

namespace Gan.Dsl.Generator.Analysis
{
    /// <summary>A plan in words, one decision a line, in the declaration's notation: what a plan-level test compares
    /// (without emitting code) and what a person reads to see what the analysis decided.</summary>
    public static class PlanText
    {
        /// <summary>Describes a plan (the output of the generator's <c>Plan</c> step); anything else is refused.</summary>
        public static string Describe(object plan)
        {
            var p = (ModelPlan)plan;
            var b = new StringBuilder();
            if (p.Spec.HasGame) b.Append("game: max ").Append(string.Join(", ", p.Maximizers)).Append("; min ").Append(string.Join(", ", p.Minimizers)).Append('\n');
            foreach (PhasePlan phase in p.Phases)
            {
                b.Append(phase.Method).Append(" (").Append(phase.Kind).Append(", ").Append(phase.LossName).Append("): updates ").Append(string.Join(", ", phase.Updates));
                if (phase.Fixed.Count > 0) b.Append("; fixed ").Append(string.Join(", ", phase.Fixed));
                b.Append('\n');
                b.Append("  reads ").Append(phase.DataReads.Count > 0 ? string.Join(", ", phase.DataReads) : "-");
                if (phase.GivenLabels.Count > 0) b.Append(" (for given draws: ").Append(string.Join(", ", phase.GivenLabels)).Append(')');
                b.Append("; draws ").Append(phase.NoiseDraws.Count > 0 ? string.Join(", ", phase.NoiseDraws) : "-").Append('\n');
                b.Append("  calls ").Append(string.Join(", ", phase.Calls.Select(c => Printer.Print(c.Call) + (c.NoGrad ? " [no_grad]" : "")))).Append('\n');
                b.Append("  loss ").Append(phase.Kind == PhaseKind.Maximize ? "-(" : "")
                 .Append(string.Join(" ", phase.Loss.Select((t, i) => (t.Sign < 0 ? "- " : i == 0 ? "" : "+ ") + Printer.Print(t.Term))))
                 .Append(phase.Kind == PhaseKind.Maximize ? ")" : "")
                 .Append(phase.Partial ? " (V's terms that depend on its players)" : "")
                 .Append(phase.StableNetworkLogs ? " [stable logs of logits]" : "")
                 .Append(phase.StableSigmoidLogs ? " [stable log-sigmoid]" : "").Append('\n');
            }
            if (p.Simultaneous != null)
                b.Append("simultaneous: ").Append(p.Simultaneous.Method).Append(" computes both sides' losses on one minibatch; calls ")
                 .Append(string.Join(", ", p.Simultaneous.Calls.Select(c => Printer.Print(c.Call) + (c.NoGrad ? " [no_grad]" : "")))).Append('\n');
            if (p.Spec.Pack > 1) b.Append("pack: the discriminators judge groups of ").Append(p.Spec.Pack).Append('\n');
            b.Append("sample: ").Append(p.Sampler != null ? Printer.Print(p.Sampler) : "-").Append('\n');
            b.Append("encode: ").Append(p.Encoder != null ? Printer.Print(p.Encoder) : "-").Append('\n');
            b.Append("condition: ").Append(p.Condition == null ? "-"
                : p.Condition.Label != null ? $"label {p.Condition.Name} ({p.Condition.Classes} classes) chooses {string.Join(", ", p.Condition.Noise)}"
                : $"{p.Condition.Name} ({p.Condition.Classes} classes)").Append('\n');
            if (p.Edit != null)
                b.Append("edit: ").Append(p.Edit.Text).Append(": x is ").Append(p.Edit.Image).Append(", labels set ").Append(p.Edit.Label)
                 .Append(p.Edit.Drawn.Count > 0 ? ", draws " + string.Join(", ", p.Edit.Drawn) : "")
                 .Append("; calls ").Append(string.Join(", ", p.Edit.Calls.Select(Printer.Print))).Append('\n');
            foreach (ReadoutPlan r in p.Inferences)
                b.Append("infer: ").Append(r.Text).Append(": ").Append(r.Variable).Append(r.Classes > 0 ? $" ({r.Classes} classes)" : $" ({r.Size} values, the mean)")
                 .Append(" from ").Append(r.Input).Append("; calls ").Append(string.Join(", ", r.Calls.Select(Printer.Print))).Append('\n');
            if (p.Domain != null)
                b.Append("domain: ").Append(p.Domain.Text).Append(": the probability of ").Append(p.Domain.Input).Append("'s domain; calls ")
                 .Append(string.Join(", ", p.Domain.Calls.Select(Printer.Print))).Append('\n');
            if (p.Reverses) b.Append("tracks progress (reverse)\n");
            b.Append("functional: ").Append(p.Functional).Append('\n');
            return b.ToString();
        }
    }
}
