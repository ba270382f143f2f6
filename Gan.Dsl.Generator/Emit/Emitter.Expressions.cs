using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Gan.Dsl.Generator.Analysis;
using Gan.Dsl.Generator.Formula;
using Gan.Dsl.Generator.Model;
using Microsoft.CodeAnalysis.CSharp;

namespace Gan.Dsl.Generator
{
    /// <summary>Formulas as TorchSharp expressions: network applications and their inputs, sums of terms, the stable logs, the names of a phase's locals, and literals, numbers and XML text.</summary>
    internal static partial class Emitter
    {
        /// <summary>A network applied to its inputs. Several inputs are joined by the one helper, <c>Inputs.Concat</c>, along
        /// dimension 1: as they are when their ranks agree (vectors by features), flattened first when they differ (an image
        /// and its label: [m, 1, 28, 28] and [m, 10] → [m, 794]). In a training phase the output is read through
        /// <c>Outputs.Float32</c>: the tensor itself in float32 training, a float32 copy under mixed precision, so that what
        /// the formula does with it (logs, losses, their means) is computed in float32.</summary>
        private static string NetworkApplication(CallExpr c, Locals locals)
        {
            // C(y | h) with C returning class scores: the network reads h; y is the class asked about.
            var inputs = locals.Scope.IsDensity(c.Callee) ? c.Args.Skip(1).ToList() : c.Args.ToList();
            string args = string.Join(", ", inputs.Select(a => Tensorize(a, locals)));
            string input = inputs.Count == 1 ? args : $"{TypeNames.Inputs}.Concat(" + args + ")";
            // Packing (PacGAN): a discriminator reading examples (not another discriminator's output) judges groups of them.
            if (locals.Float32Outputs && locals.Model is { Pack: > 1 } packed && locals.Scope.IsMaximizer(c.Callee) && !c.Args.Any(a => Tree.Applies(Formula.Definitions.Expand(a, locals.Scope), locals.Scope.IsMaximizer)))
                input = $"{TypeNames.Packing}.Pack({input}, {packed.Pack})";
            string forward = $"_{c.Callee}.forward({input})";
            return locals.Float32Outputs ? $"{TypeNames.Outputs}.Float32({forward})" : forward;
        }

        private static string Tensorize(Expr e, Locals locals)
        {
            var (code, kind, _) = Code(e, locals);
            return kind == Kind.Tensor ? code : $"torch.tensor({code})";
        }

        /// <summary>The comment that says which logs of a phase are computed stably, naming the networks whose logits they read
        /// (N, with the names, for several); null when none is.</summary>
        private static string? StableLogComment(PhasePlan phase)
        {
            string[] networks = phase.StableLogs.Where(s => s.OfNetwork).Select(s => ((CallExpr)s.Logits).Callee).Distinct().ToArray();
            string n = networks.Length == 1 ? networks[0] : "N";
            string which = networks.Length > 1 ? $" (N = {string.Join(", ", networks)})" : "";
            return (phase.StableNetworkLogs, phase.StableSigmoidLogs) switch
            {
                (true, true) => $"// log {n}(·) of a network returning logits{which} is computed as logsigmoid(logits), log(1 - {n}(·)) as logsigmoid(-logits), log sigmoid(u) as logsigmoid(u)\n" +
                                "// and log(1 - sigmoid(u)) as logsigmoid(-u): the same values, without overflow.",
                (true, false) => $"// log {n}(·){which} is computed as logsigmoid(logits) and log(1 - {n}(·)) as logsigmoid(-logits): the same values, without overflow.",
                (false, true) => "// log sigmoid(u) is computed as logsigmoid(u) and log(1 - sigmoid(u)) as logsigmoid(-u): the same values, without overflow.",
                _ => null,
            };
        }

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
                    return ($"{TypeNames.Likelihood}.LogCategorical({locals.Call(d)}, {Tensorize(d.Args[0], locals)})", Kind.Tensor, 4);
                case CallExpr c when scope.IsCategorical(c.Callee):
                    return ($"{TypeNames.Likelihood}.LogCategorical({locals.Call(c)}, {Tensorize(c.Args[0], locals)}).exp()", Kind.Tensor, 4);
                case CallExpr c when c.Callee == "log" && c.Args.Count == 1 && c.Args[0] is CallExpr d && scope.IsGaussian(d.Callee):
                    return ($"{TypeNames.Likelihood}.LogGaussian({locals.Call(d)}, {Tensorize(d.Args[0], locals)})", Kind.Tensor, 4);
                case CallExpr c when scope.IsGaussian(c.Callee):
                    return ($"{TypeNames.Likelihood}.LogGaussian({locals.Call(c)}, {Tensorize(c.Args[0], locals)}).exp()", Kind.Tensor, 4);
                case CallExpr c when c.Callee == "reverse" && c.Args.Count == 1:
                    return ($"{TypeNames.GradientReversal}.Apply({Tensorize(c.Args[0], locals)}, ReversalWeight)", Kind.Tensor, 4);
                case CallExpr c when scope.Networks.ContainsKey(c.Callee):
                    return scope.IsLogitsDiscriminator(c.Callee)
                        ? ($"torch.sigmoid({locals.Call(c)})", Kind.Tensor, 4)
                        : (locals.Call(c), Kind.Tensor, 4);
                case CallExpr c when locals.StableLog(c) is { } stable:
                {
                    // log sigmoid(u) = logsigmoid(u), log(1 - sigmoid(u)) = logsigmoid(-u): finite for any u in float32.
                    var (logits, kind, precedence) = stable.OfNetwork ? (locals.Call((CallExpr)stable.Logits), Kind.Tensor, 4) : Code(stable.Logits, locals);
                    if (kind == Kind.Tensor)
                        return ($"{locals.Functional}.logsigmoid({(stable.Negated ? "-" + (precedence < 3 || logits.StartsWith("-", StringComparison.Ordinal) ? "(" + logits + ")" : logits) : logits)})", Kind.Tensor, 4);
                    return Function(c, locals);
                }
                case CallExpr c:
                    return Function(c, locals);
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
                    var (inner, _, innerPrecedence) = Code(norm.Inner, locals);
                    return ($"{(innerPrecedence < 4 ? "(" + inner + ")" : inner)}.flatten(1).pow(2).sum(1)", Kind.Tensor, 4);
                }
                case GradientExpr g:
                    return (locals.Gradient(g), Kind.Tensor, 4);
                case BinaryExpr b when b.Op == '*' && (PerExampleScalar(b.Left, locals) != PerExampleScalar(b.Right, locals)):
                {
                    // A number per example (ε ~ U[0, 1] of size 1, or an expression of it) times an example of any shape: ε x with
                    // x an image scales each image by its own ε.
                    bool leftScalar = PerExampleScalar(b.Left, locals);
                    var (scalar, _, _) = Code(leftScalar ? b.Left : b.Right, locals);
                    var (other, otherKind, _) = Code(leftScalar ? b.Right : b.Left, locals);
                    if (otherKind == Kind.Double) return ($"{scalar} * {other}", Kind.Tensor, 2);
                    return ($"{TypeNames.Inputs}.Scale({scalar}, {other})", Kind.Tensor, 4);
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
                    var (inner, _, innerPrecedence) = Code(n.Inner, locals);
                    return ($"{(innerPrecedence < 4 ? "(" + inner + ")" : inner)}.flatten(1).pow(2).sum(1).sqrt()", Kind.Tensor, 4);
                }
                default:
                    throw new InvalidOperationException("unexpected expression " + e.GetType().Name);
            }
        }

        /// <summary>Whether an expression is one number per example: it reads only noise variables of size 1 (and data of shape 1,
        /// and definitions that are such numbers), and applies no network.</summary>
        private static bool PerExampleScalar(Expr e, Locals locals)
        {
            bool reads = false;
            foreach (Expr x in Tree.Descendants(e))
            {
                if (x is CallExpr c && !FormulaParser.Functions.ContainsKey(c.Callee)) return false;
                if (x is ExpectationExpr || x is GradientExpr || x is NormExpr) return false;
                if (x is NameExpr n)
                {
                    reads = true;
                    if (locals.Model == null) return false;
                    bool scalar = locals.Model.Noise.Any(z => z.Name == n.Name && z.Size == 1 && z.Distribution is not (Distribution.Categorical))
                                  || locals.Model.Data.Any(d => d.Name == n.Name && d.Classes == 0 && d.Shape.Count == 1 && d.Shape[0] == 1)
                                  || locals.Scope.Definitions.TryGetValue(n.Name, out Expr? definition) && PerExampleScalar(definition, locals);
                    if (!scalar) return false;
                }
            }
            return reads;
        }

        /// <summary>One of the formula's functions applied to a tensor or a number, computed as written.</summary>
        private static (string Code, Kind Kind, int Precedence) Function(CallExpr c, Locals locals)
        {
            if (c.Args.Count > 1 || c.Callee == "relu") return Piecewise(c, locals);
                var (arg, kind, _) = Code(c.Args[0], locals);
                string tensorFunction = c.Callee switch
                {
                    "log" => "torch.log", "exp" => "torch.exp", "sigmoid" => "torch.sigmoid", "softplus" => locals.Functional + ".softplus",
                    "sqrt" => "torch.sqrt", "abs" => "torch.abs", _ => throw new InvalidOperationException("unknown function " + c.Callee),
                };
                string doubleFunction = c.Callee switch
                {
                    "log" => "global::System.Math.Log", "exp" => "global::System.Math.Exp", "sqrt" => "global::System.Math.Sqrt",
                    "abs" => "global::System.Math.Abs", "sigmoid" => "1.0 / (1.0 + global::System.Math.Exp(-", "softplus" => "global::System.Math.Log(1.0 + global::System.Math.Exp(",
                    _ => "",
                };
                if (kind == Kind.Tensor) return ($"{tensorFunction}({arg})", Kind.Tensor, 4);
                // "(1.0 / (1.0 + Math.Exp(-" and "(Math.Log(1.0 + Math.Exp(" open three parentheses around the argument
                return c.Callee == "sigmoid" || c.Callee == "softplus"
                    ? ($"({doubleFunction}{arg})))", Kind.Double, 4)
                    : ($"{doubleFunction}({arg})", Kind.Double, 4);
        }

        /// <summary>relu, max, min and clamp: tensors through torch's element-wise functions (relu(u) = max(u, 0)), numbers
        /// through System.Math.</summary>
        private static (string Code, Kind Kind, int Precedence) Piecewise(CallExpr c, Locals locals)
        {
            var args = c.Args.Select(a => Code(a, locals)).ToArray();
            string Primary((string Code, Kind Kind, int Precedence) a) => a.Precedence < 4 ? "(" + a.Code + ")" : a.Code;
            string Tensor((string Code, Kind Kind, int Precedence) a) => a.Kind == Kind.Tensor ? a.Code : $"torch.tensor({a.Code}, device: _device)";
            switch (c.Callee)
            {
                case "relu":
                    return args[0].Kind == Kind.Tensor ? ($"{locals.Functional}.relu({args[0].Code})", Kind.Tensor, 4) : ($"global::System.Math.Max({args[0].Code}, 0.0)", Kind.Double, 4);
                case "max":
                case "min":
                {
                    string math = c.Callee == "max" ? "global::System.Math.Max" : "global::System.Math.Min";
                    if (args[0].Kind == Kind.Double && args[1].Kind == Kind.Double) return ($"{math}({args[0].Code}, {args[1].Code})", Kind.Double, 4);
                    // max(u, 1) = u.clamp_min(1): a bound that is a number clamps the tensor.
                    string clamp = c.Callee == "max" ? "clamp_min" : "clamp_max";
                    if (args[1].Kind == Kind.Double) return ($"{Primary(args[0])}.{clamp}({args[1].Code})", Kind.Tensor, 4);
                    if (args[0].Kind == Kind.Double) return ($"{Primary(args[1])}.{clamp}({args[0].Code})", Kind.Tensor, 4);
                    return ($"torch.{(c.Callee == "max" ? "maximum" : "minimum")}({args[0].Code}, {args[1].Code})", Kind.Tensor, 4);
                }
                default:   // clamp(u, lo, hi)
                    if (args.All(a => a.Kind == Kind.Double))
                        return ($"global::System.Math.Min(global::System.Math.Max({args[0].Code}, {args[1].Code}), {args[2].Code})", Kind.Double, 4);
                    if (args[1].Kind == Kind.Double && args[2].Kind == Kind.Double)
                        return ($"{Primary(args[0])}.clamp({args[1].Code}, {args[2].Code})", Kind.Tensor, 4);
                    return ($"torch.minimum(torch.maximum({Tensor(args[0])}, {Tensor(args[1])}), {Tensor(args[2])})", Kind.Tensor, 4);
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
            /// <summary>Whether network outputs are read through <c>Outputs.Float32</c> (training phases, which may run under
            /// mixed precision; not sampling, editing or encoding).</summary>
            public bool Float32Outputs { get; init; }
            /// <summary>The logs the analysis decided to compute as log-sigmoids (a phase's; none elsewhere).</summary>
            public EquatableArray<StableLogPlan> StableLogs { get; init; } = EquatableArray<StableLogPlan>.Empty;

            public StableLogPlan? StableLog(CallExpr log)
            {
                foreach (StableLogPlan s in StableLogs)
                    if (s.Log == log) return s;
                return null;
            }
            /// <summary>The alias of torch.nn.functional in this file.</summary>
            public string Functional => Model != null ? FunctionalAlias(Model) : "F";
            public ModelSpec? Model { get; }

            public string Variable(string name)
            {
                name = Identifier(name);
                string local = Reserved.Contains(name) || _reserved.Contains(name) ? name + "_" : name;
                return SyntaxFacts.GetKeywordKind(local) != SyntaxKind.None ? "@" + local : local;
            }

            public bool HasCall(CallExpr c) => _calls.ContainsKey(Printer.Key(c));

            /// <summary>The local holding a gradient: grad_ and what is differentiated (∇_x̂ D(x̂) → grad_D_x_hat).</summary>
            public string Gradient(GradientExpr g)
            {
                string key = "∇" + Printer.Key(g);
                if (_calls.TryGetValue(key, out string? existing)) return existing;
                string stem = "grad_" + (g.Body is CallExpr c && Scope.Networks.ContainsKey(c.Callee) ? Call(c) : g.Variable is NameExpr v ? Identifier(v.Name) : "e");
                string name = stem;
                for (int i = 2; _taken.Contains(name) || Scope.Names.ContainsKey(name) || Reserved.Contains(name); i++) name = stem + i;
                _taken.Add(name);
                _calls[key] = name;
                return name;
            }

            public string Call(CallExpr c)
            {
                string key = Printer.Key(c);
                if (_calls.TryGetValue(key, out string? existing)) return existing;
                // Named after what it holds: the network and its inputs, a nested application by its chain of networks down to
                // a single input (D(G(z)) → D_G_z, Dd(reverse(F(x_t))) → Dd_reverse_F_x_t), not by every variable below it
                // (Q(c | T(G(z, c, s))) → Q_c_T_G, not Q_c_T_G_z_c_s).
                string Part(Expr a) => a switch
                {
                    NameExpr v => Identifier(v.Name),
                    CallExpr inner when Scope.Networks.ContainsKey(inner.Callee) => inner.Callee + (inner.Args.Count == 1 ? "_" + Part(inner.Args[0]) : ""),
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
        private static string Identifier(string name)
        {
            var b = new System.Text.StringBuilder();
            foreach (char c in name)
                b.Append(c switch
                {
                    '\'' or '\u2032' => "_prime",
                    '\u0302' => "_hat",      // x̂
                    '\u0303' => "_tilde",    // x̃
                    '\u0304' => "_bar",      // x̄
                    '\u0307' => "_dot",      // ẋ
                    _ when Formula.Lexer.IsMark(c) => "_",
                    _ => c.ToString(),
                });
            return b.ToString();
        }

        private static string Num(double value)
        {
            string text = value.ToString("R", CultureInfo.InvariantCulture);
            return text.Contains(".") || text.Contains("E") || text.Contains("N") || text.Contains("I") ? text : text + ".0";
        }

        private static string Literal(string text) => SymbolDisplay.FormatLiteral(text, quote: true);

        private static string Xml(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
    }
}
