using System;
using System.Collections.Generic;
using System.Linq;
using Gan.Dsl.Generator.Model;

namespace Gan.Dsl.Generator.Formula
{
    /// <summary>The rewrites the generator applies to formulas, each a rule over <see cref="Tree.Rewrite"/> or a pattern
    /// the code writer asks about. They hold for any formula, not only for the catalog's shapes.</summary>
    internal static class Rewrites
    {
        /// <summary>The non-saturating loss of the minimizing players (Goodfellow et al. 2014, §3), for every minimizing
        /// player alike. D is a maximizing network whose output is a probability (logits or a probability), u an input
        /// through which a minimizing player acts (u applies a generator):
        /// <list type="bullet">
        /// <item><c>log(1 - D(u))</c> becomes <c>-log D(u)</c> (a generator's samples, u = G(z));</item>
        /// <item><c>log D(u)</c> becomes <c>-log(1 - D(u))</c> (an encoder's pairs in BiGAN/ALI, u = (x, E(x))).</item>
        /// </list>
        /// Either way the minimizing player descends the log-probability that D judges its input the other side's, which
        /// has the same fixed point as the minimax loss and does not saturate when D wins. Only logs that the minimizing players
        /// descend are rewritten: where the log's sign in the loss (<paramref name="polarity"/> for the whole formula, times
        /// the signs of the sums, negations and numeric factors around it) is positive. <c>E[-t]</c> made by the rewrite
        /// reads (and is computed) as <c>-E[t]</c>. Returns the rewritten formula; <paramref name="count"/> is the number of
        /// logs rewritten.</summary>
        public static Expr NonSaturating(Expr formula, Scope scope, out int count, int polarity = 1)
        {
            int rewritten = 0;
            Expr result = Rewrite(formula, polarity);
            count = rewritten;
            return result;

            // Only a log the minimizing players descend is rewritten: one whose sign in the loss is known and positive. A log
            // already negated (-log D(G(z)), the non-saturating loss written out) or inside another function is left as written.
            Expr Rewrite(Expr e, int sign)
            {
                if (sign > 0 && e is CallExpr log && IsLog(log))
                {
                    if (OneMinus(log.Args[0]) is CallExpr d && IsJudgedPlay(d, scope))
                        return Negated(Log(log, d, parenthesized: false));
                    if (log.Args[0] is CallExpr d2 && IsJudgedPlay(d2, scope))
                        return Negated(Log(log, new BinaryExpr('-', new NumberExpr(1, "1", d2.Start, d2.Start), d2, d2.Start, d2.End), parenthesized: true));
                }
                IReadOnlyList<Expr> children = Tree.Children(e);
                if (children.Count == 0) return e;
                var next = new Expr[children.Count];
                bool changed = false;
                for (int i = 0; i < children.Count; i++)
                {
                    next[i] = Rewrite(children[i], sign * Polarity(e, i));
                    changed |= !ReferenceEquals(next[i], children[i]);
                }
                if (!changed) return e;
                Expr rebuilt = Tree.WithChildren(e, next);
                // E[-log D(u)] made by the rewrite reads (and is computed) as -E[log D(u)].
                if (rebuilt is ExpectationExpr x && x.Body is UnaryExpr inner && inner.Op == '-' && !ReferenceEquals(inner, children[0]) && children[0] is CallExpr)
                    return new UnaryExpr('-', x with { Body = inner.Operand }, x.Start, x.End);
                return rebuilt;
            }

            Expr Negated(Expr e)
            {
                rewritten++;
                return new UnaryExpr('-', e, e.Start, e.End);
            }
        }

        /// <summary>The sign a child's value carries into its parent's: 1 (same), -1 (negated) or 0 (not known: inside a
        /// function, a norm, a power, a product with something other than a number).</summary>
        private static int Polarity(Expr parent, int child) => parent switch
        {
            ExpectationExpr _ => 1,
            UnaryExpr u when u.Op == '-' => -1,
            BinaryExpr b when b.Op == '+' => 1,
            BinaryExpr b when b.Op == '-' => child == 0 ? 1 : -1,
            BinaryExpr b when b.Op == '*' => Math.Sign((child == 0 ? b.Right : b.Left) is NumberExpr n ? n.Value : 0),
            BinaryExpr b when b.Op == '/' && child == 0 => Math.Sign(b.Right is NumberExpr n ? n.Value : 0),
            _ => 0,
        };

        private static CallExpr Log(CallExpr original, Expr argument, bool parenthesized)
            => new CallExpr("log", original.CalleeEnd, new EquatableArray<Expr>(new[] { argument }), parenthesized, original.Start, original.End);

        /// <summary>D(u) with D a maximizing network judging by probability and u applying a minimizing player.</summary>
        private static bool IsJudgedPlay(CallExpr d, Scope scope)
            => scope.IsMaximizer(d.Callee) && scope.IsProbability(d.Callee) && d.Args.Any(a => Tree.Applies(a, scope.IsMinimizer));

        public static bool IsLog(CallExpr c) => c.Callee == "log" && c.Args.Count == 1;

        /// <summary>The <c>t</c> of <c>1 - t</c>, or null.</summary>
        public static Expr? OneMinus(Expr e) => e is BinaryExpr b && b.Op == '-' && b.Left is NumberExpr one && one.Value == 1.0 ? b.Right : null;

        /// <summary>What a log can be computed stably as, for the code writer:
        /// <list type="bullet">
        /// <item><c>log sigmoid(u)</c> → <c>logsigmoid(u)</c> and <c>log(1 - sigmoid(u))</c> → <c>logsigmoid(-u)</c>, for any u;</item>
        /// <item><c>log N(·)</c> → <c>logsigmoid(logits)</c> and <c>log(1 - N(·))</c> → <c>logsigmoid(-logits)</c> for a network N that returns logits.</item>
        /// </list>
        /// Returns the logits the log-sigmoid reads and whether they are negated, or null when the log is computed as written.</summary>
        public static (Expr Logits, bool Negated, bool OfNetwork)? StableLog(CallExpr log, Scope scope)
        {
            if (!IsLog(log)) return null;
            Expr argument = log.Args[0];
            bool negated = false;
            if (OneMinus(argument) is Expr complement)
            {
                argument = complement;
                negated = true;
            }
            if (argument is CallExpr sigmoid && sigmoid.Callee == "sigmoid" && sigmoid.Args.Count == 1) return (sigmoid.Args[0], negated, false);
            if (argument is CallExpr network && scope.IsLogitsDiscriminator(network.Callee)) return (network, negated, true);
            return null;
        }
    }
}
