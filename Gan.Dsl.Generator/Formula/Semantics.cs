using System;
using System.Collections.Generic;
using System.Linq;
using Gan.Dsl.Generator.Model;
using Microsoft.CodeAnalysis;

namespace Gan.Dsl.Generator.Formula
{
    /// <summary>What a name in a formula is: a data variable, a noise variable, a network, or a variable defined by a
    /// <c>[Define]</c> (computed in each phase that reads it).</summary>
    internal enum NameKind { Data, Noise, Network, Defined }

    /// <summary>What the formula may refer to. The parser builds it once, as it reads the declaration; the analysis uses it
    /// and the plan carries it to the emitter. It compares by content, so a plan that holds it stays equatable.</summary>
    internal sealed class Scope : IEquatable<Scope>
    {
        public Dictionary<string, NameKind> Names { get; } = new Dictionary<string, NameKind>(StringComparer.Ordinal);
        public Dictionary<string, NetworkSpec> Networks { get; } = new Dictionary<string, NetworkSpec>(StringComparer.Ordinal);
        /// <summary>Labels and categorical noise variables: what C(y | h) may ask the probability of.</summary>
        public HashSet<string> Categorical { get; } = new HashSet<string>(StringComparer.Ordinal);
        /// <summary>The [Define] variables and their expressions, in declaration order.</summary>
        public Dictionary<string, Expr> Definitions { get; } = new Dictionary<string, Expr>(StringComparer.Ordinal);

        public bool IsMaximizer(string name) => Networks.TryGetValue(name, out var n) && n.Role == PlayerRole.Discriminator;
        public bool IsMinimizer(string name) => Networks.TryGetValue(name, out var n) && n.Role == PlayerRole.Generator;
        /// <summary>A network returning logits (a discriminator by default): N(·) in the formula is sigmoid of its output.</summary>
        public bool IsLogitsDiscriminator(string name) => Networks.TryGetValue(name, out var n) && n.Output == NetworkOutputKind.Logits;
        /// <summary>A network whose N(·) in the formula is a probability: it returns logits or a probability.</summary>
        public bool IsProbability(string name) => Networks.TryGetValue(name, out var n) && n.Output is NetworkOutputKind.Logits or NetworkOutputKind.Probability;
        /// <summary>A network returning class scores: C(y | h) is the probability of class y, softmax(C(h))[y].</summary>
        public bool IsCategorical(string name) => Networks.TryGetValue(name, out var n) && n.Output == NetworkOutputKind.Categorical;
        /// <summary>A network returning a Gaussian mean: Q(s | h) is the density of s under N(Q(h), I).</summary>
        public bool IsGaussian(string name) => Networks.TryGetValue(name, out var n) && n.Output == NetworkOutputKind.Gaussian;
        /// <summary>A network returning a distribution over a variable named as its first argument: N(v | input).</summary>
        public bool IsDensity(string name) => IsCategorical(name) || IsGaussian(name);

        public bool Equals(Scope? other)
            => other is not null && (ReferenceEquals(this, other)
               || Names.Count == other.Names.Count && Names.All(p => other.Names.TryGetValue(p.Key, out NameKind k) && k == p.Value)
                  && Networks.Count == other.Networks.Count && Networks.All(p => other.Networks.TryGetValue(p.Key, out NetworkSpec? n) && n == p.Value)
                  && Categorical.SetEquals(other.Categorical)
                  && Definitions.Count == other.Definitions.Count && Definitions.All(p => other.Definitions.TryGetValue(p.Key, out Expr? d) && d == p.Value));

        public override bool Equals(object? obj) => Equals(obj as Scope);

        public override int GetHashCode()
        {
            int hash = Names.Count * 31 + Networks.Count;
            foreach (var p in Names) hash ^= StringComparer.Ordinal.GetHashCode(p.Key) * 17 + (int)p.Value;   // order-free
            return hash;
        }
    }

    /// <summary>A problem found in the formula, with its span in the formula text.</summary>
    internal sealed record FormulaProblem(DiagnosticDescriptor Descriptor, int Start, int Length, string[] Arguments);

    /// <summary>Type-checks a parsed value function against the declaration.</summary>
    internal static class Semantics
    {
        private enum ValueKind { Constant = 0, Scalar = 1, PerSample = 2 }

        public static List<FormulaProblem> Check(Expr root, Scope scope, out HashSet<string> usedNetworks)
        {
            var problems = new List<FormulaProblem>();
            var used = new HashSet<string>(StringComparer.Ordinal);
            var arities = new Dictionary<string, int>(StringComparer.Ordinal);
            ValueKind kind = Visit(root, scope, problems, used, arities);
            if (kind == ValueKind.PerSample)
            {
                foreach (var (_, term) in Terms(root))
                    if (Visit(term, scope, new List<FormulaProblem>(), new HashSet<string>(), new Dictionary<string, int>()) == ValueKind.PerSample)
                        problems.Add(new FormulaProblem(DiagnosticDescriptors.NotInExpectation, term.Start, term.End - term.Start, new[] { "term" }));
            }
            usedNetworks = used;
            return problems;
        }

        private static ValueKind Visit(Expr e, Scope scope, List<FormulaProblem> problems, HashSet<string> used, Dictionary<string, int> arities)
        {
            switch (e)
            {
                case NumberExpr _:
                    return ValueKind.Constant;
                case NameExpr name:
                    if (scope.Names.TryGetValue(name.Name, out NameKind k))
                    {
                        if (k != NameKind.Network) return ValueKind.PerSample;
                        used.Add(name.Name);
                        problems.Add(Problem(DiagnosticDescriptors.WrongArity, name.Start, name.End,
                            "Network", name.Name, $"must be applied to its input, e.g. {name.Name}(x)"));
                        return ValueKind.PerSample;
                    }
                    if (FormulaParser.Functions.TryGetValue(name.Name, out int wanted))
                    {
                        problems.Add(Problem(DiagnosticDescriptors.WrongArity, name.Start, name.End, "Function", name.Name, $"takes {wanted} argument{(wanted == 1 ? "" : "s")} but is given none"));
                        return ValueKind.Constant;
                    }
                    problems.Add(Problem(DiagnosticDescriptors.UnknownName, name.Start, name.End, name.Name, Suggestion(name.Name, scope, callable: false)));
                    return ValueKind.PerSample;
                case CallExpr call:
                {
                    var argKinds = call.Args.Select(a => Visit(a, scope, problems, used, arities)).ToList();
                    ValueKind widest = argKinds.Count == 0 ? ValueKind.Constant : argKinds.Max();
                    if (FormulaParser.Functions.TryGetValue(call.Callee, out int arity))
                    {
                        if (call.Args.Count != arity)
                            problems.Add(Problem(DiagnosticDescriptors.WrongArity, call.Start, call.End,
                                "Function", call.Callee, $"takes {arity} argument{(arity == 1 ? "" : "s")} but is given {call.Args.Count}"));
                        return widest;
                    }
                    if (scope.Names.TryGetValue(call.Callee, out NameKind calleeKind))
                    {
                        if (calleeKind != NameKind.Network)
                        {
                            problems.Add(Problem(DiagnosticDescriptors.NotCallable, call.Start, call.CalleeEnd, call.Callee, calleeKind == NameKind.Data ? "data variable" : "noise variable"));
                            return ValueKind.PerSample;
                        }
                        used.Add(call.Callee);
                        if (call.Args.SelectMany(Tree.Descendants).OfType<GradientExpr>().FirstOrDefault() is GradientExpr inner)
                            problems.Add(Problem(DiagnosticDescriptors.BadGradient, inner.Start, inner.End, Printer.Print(inner),
                                $"it is an input of {call.Callee}; a gradient is a term of a loss (||∇_x D(x)||^2), not what a network reads"));
                        if (scope.IsCategorical(call.Callee) && (call.Args.Count < 2 || !(call.Args[0] is NameExpr asked && scope.Categorical.Contains(asked.Name))))
                            problems.Add(Problem(DiagnosticDescriptors.WrongArity, call.Start, call.End,
                                "Network", call.Callee, $"returns class scores, so it is applied as {call.Callee}(y | input): the probability of a label or categorical noise variable y given its input"));
                        else if (scope.IsGaussian(call.Callee) && (call.Args.Count < 2 || !(call.Args[0] is NameExpr v && scope.Names.TryGetValue(v.Name, out NameKind vk) && vk != NameKind.Network && !scope.Categorical.Contains(v.Name))))
                            problems.Add(Problem(DiagnosticDescriptors.WrongArity, call.Start, call.End,
                                "Network", call.Callee, $"returns a Gaussian mean, so it is applied as {call.Callee}(s | input): the density of a continuous variable s given its input"));
                        else if (call.Args.Count == 0)
                            problems.Add(Problem(DiagnosticDescriptors.WrongArity, call.Start, call.End, "Network", call.Callee, $"is applied to no input; give it at least one, e.g. {call.Callee}(x)"));
                        else if (arities.TryGetValue(call.Callee, out int seen) && seen != call.Args.Count)
                            problems.Add(Problem(DiagnosticDescriptors.WrongArity, call.Start, call.End,
                                "Network", call.Callee, $"is applied to {call.Args.Count} input{(call.Args.Count == 1 ? "" : "s")} here but to {seen} elsewhere; its inputs are concatenated, so every use must give the same number"));
                        else arities[call.Callee] = call.Args.Count;
                        return ValueKind.PerSample;
                    }
                    problems.Add(Problem(DiagnosticDescriptors.UnknownName, call.Start, call.CalleeEnd, call.Callee, Suggestion(call.Callee, scope, callable: true)));
                    return ValueKind.PerSample;
                }
                case ExpectationExpr ex:
                    Visit(ex.Body, scope, problems, used, arities);
                    if (ex.Subscript != null)
                    {
                        // E_x[...] / E_{z~p(z)}[...]: the subscript documents the sampled variable; check the name if it is one.
                        string variable = new string(ex.Subscript.TakeWhile(c => char.IsLetterOrDigit(c) || c == '_').ToArray());
                        if (variable.Length > 0 && !scope.Names.ContainsKey(variable))
                            problems.Add(Problem(DiagnosticDescriptors.UnknownName, ex.Start, ex.Start + 1 + Math.Max(1, ex.Subscript.Length), variable, " (in the subscript of E)"));
                    }
                    return ValueKind.Scalar;
                case UnaryExpr u:
                    return Visit(u.Operand, scope, problems, used, arities);
                case BinaryExpr b:
                {
                    ValueKind l = Visit(b.Left, scope, problems, used, arities);
                    ValueKind r = Visit(b.Right, scope, problems, used, arities);
                    return l > r ? l : r;
                }
                case NormExpr n:
                    return Visit(n.Inner, scope, problems, used, arities);
                case GradientExpr g:
                {
                    ValueKind body = Visit(g.Body, scope, problems, used, arities);
                    int before = problems.Count;
                    ValueKind variable = Visit(g.Variable, scope, problems, used, arities);
                    if (problems.Count > before) return ValueKind.PerSample;
                    string? wrong = null;
                    if (g.Variable is NameExpr v)
                    {
                        if (scope.Categorical.Contains(v.Name)) wrong = $"'{v.Name}' is a label or categorical code, a one-hot class, which has no gradient to take";
                        else if (!Tree.Descendants(g.Body).OfType<NameExpr>().Any(n => n.Name == v.Name))
                            wrong = $"the expression does not read '{v.Name}', so its gradient with respect to it is zero";
                    }
                    else if (g.Variable is CallExpr c && scope.Networks.ContainsKey(c.Callee) && !scope.IsDensity(c.Callee))
                    {
                        string key = Printer.Key(c);
                        if (!Tree.Descendants(g.Body).OfType<CallExpr>().Any(d => !ReferenceEquals(d, c) && Printer.Key(d) == key))
                            wrong = $"the expression does not apply {Printer.Print(c)}, so its gradient with respect to it is zero";
                    }
                    else wrong = "the gradient is taken with respect to a variable (∇_x) or a network's output in the expression (∇_{G(z)}), not " + Printer.Print(g.Variable);
                    if (wrong == null && body != ValueKind.PerSample)
                        wrong = "the expression does not depend on the examples, so its gradient is zero";
                    if (wrong != null)
                        problems.Add(Problem(DiagnosticDescriptors.BadGradient, g.Start, g.End, Printer.Print(g), wrong));
                    return ValueKind.PerSample;
                }
                default:
                    return ValueKind.Constant;
            }
        }

        private static FormulaProblem Problem(DiagnosticDescriptor descriptor, int start, int end, params string[] args)
            => new FormulaProblem(descriptor, start, Math.Max(1, end - start), args);

        /// <summary>The closest declared name of the right kind: networks and functions where something is applied,
        /// variables elsewhere.</summary>
        private static string Suggestion(string name, Scope scope, bool callable)
        {
            string? best = null;
            int bestDistance = int.MaxValue;
            var candidates = callable
                ? scope.Networks.Keys.Concat(FormulaParser.Functions.Keys)
                : scope.Names.Where(n => n.Value != NameKind.Network).Select(n => n.Key);
            foreach (string candidate in candidates)
            {
                int d = Distance(name, candidate);
                if (d < bestDistance) { bestDistance = d; best = candidate; }
            }
            return best != null && bestDistance <= Math.Max(1, name.Length / 2) ? $"; did you mean '{best}'?" : "";
        }

        private static int Distance(string a, string b)
        {
            var d = new int[a.Length + 1, b.Length + 1];
            for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
            for (int j = 0; j <= b.Length; j++) d[0, j] = j;
            for (int i = 1; i <= a.Length; i++)
                for (int j = 1; j <= b.Length; j++)
                    d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            return d[a.Length, b.Length];
        }

        /// <summary>The additive terms of an expression with their signs: a − (b + c) → (+a), (−b), (−c).</summary>
        public static List<(int Sign, Expr Term)> Terms(Expr e)
        {
            var terms = new List<(int, Expr)>();
            void Walk(Expr x, int sign)
            {
                if (x is BinaryExpr b && (b.Op == '+' || b.Op == '-'))
                {
                    Walk(b.Left, sign);
                    Walk(b.Right, b.Op == '+' ? sign : -sign);
                }
                else if (x is UnaryExpr u && u.Op == '-') Walk(u.Operand, -sign);
                else terms.Add((sign, x));
            }
            Walk(e, 1);
            return terms;
        }
    }
}
