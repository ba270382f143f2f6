using System;
using System.Collections.Generic;
using System.Linq;
using Gan.Dsl.Generator.Model;

namespace Gan.Dsl.Generator.Formula
{
    /// <summary>The one walker over formula trees: every question the generator asks of a formula (which networks it
    /// applies, which names it reads, where the sampler is, which logs can be computed stably) is a query over
    /// <see cref="Descendants"/>, and every rewrite goes through <see cref="Rewrite"/>. A new kind of
    /// <see cref="Expr"/> needs a case in <see cref="Children"/> and <see cref="WithChildren"/> only.</summary>
    internal static class Tree
    {
        /// <summary>The direct sub-expressions, left to right.</summary>
        public static IReadOnlyList<Expr> Children(Expr e) => e switch
        {
            CallExpr c => c.Args,
            ExpectationExpr x => new[] { x.Body },
            UnaryExpr u => new[] { u.Operand },
            BinaryExpr b => new[] { b.Left, b.Right },
            NormExpr n => new[] { n.Inner },
            GradientExpr g => new[] { g.Variable, g.Body },
            _ => Array.Empty<Expr>(),
        };

        /// <summary>The same node with new children (in the order <see cref="Children"/> gives them).</summary>
        public static Expr WithChildren(Expr e, IReadOnlyList<Expr> children) => e switch
        {
            CallExpr c => c with { Args = new EquatableArray<Expr>(children.ToArray()) },
            ExpectationExpr x => x with { Body = children[0] },
            UnaryExpr u => u with { Operand = children[0] },
            BinaryExpr b => b with { Left = children[0], Right = children[1] },
            NormExpr n => n with { Inner = children[0] },
            GradientExpr g => g with { Variable = children[0], Body = children[1] },
            _ => e,
        };

        /// <summary>The expression and everything under it, in pre-order (a node before its children, left to right).</summary>
        public static IEnumerable<Expr> Descendants(Expr e)
        {
            var stack = new Stack<Expr>();
            stack.Push(e);
            while (stack.Count > 0)
            {
                Expr current = stack.Pop();
                yield return current;
                IReadOnlyList<Expr> children = Children(current);
                for (int i = children.Count - 1; i >= 0; i--) stack.Push(children[i]);
            }
        }

        /// <summary>Everything under the expression in post-order (children first, left to right, then the node).</summary>
        public static IEnumerable<Expr> PostOrder(Expr e)
        {
            foreach (Expr child in Children(e))
                foreach (Expr d in PostOrder(child))
                    yield return d;
            yield return e;
        }

        /// <summary>The first node in pre-order that satisfies <paramref name="predicate"/>, or null.</summary>
        public static T? Find<T>(Expr e, Func<T, bool> predicate) where T : Expr
            => Descendants(e).OfType<T>().FirstOrDefault(predicate);

        /// <summary>Whether some application of a callee satisfying <paramref name="callee"/> occurs in the expression.</summary>
        public static bool Applies(Expr e, Func<string, bool> callee) => Descendants(e).OfType<CallExpr>().Any(c => callee(c.Callee));

        /// <summary>The names read (variables), each once, in reading order.</summary>
        public static IEnumerable<string> Names(Expr e) => Descendants(e).OfType<NameExpr>().Select(n => n.Name).Distinct();

        /// <summary>Rewrites bottom-up: each node's children are rewritten first, then <paramref name="rule"/> is offered the
        /// node with its new children and returns a replacement, or null to keep it.</summary>
        public static Expr Rewrite(Expr e, Func<Expr, Expr?> rule)
        {
            IReadOnlyList<Expr> children = Children(e);
            Expr rebuilt = e;
            if (children.Count > 0)
            {
                var rewritten = new Expr[children.Count];
                bool changed = false;
                for (int i = 0; i < children.Count; i++)
                {
                    rewritten[i] = Rewrite(children[i], rule);
                    changed |= !ReferenceEquals(rewritten[i], children[i]);
                }
                if (changed) rebuilt = WithChildren(e, rewritten);
            }
            return rule(rebuilt) ?? rebuilt;
        }
    }
}
