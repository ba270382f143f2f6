using System;
using System.Collections.Generic;
using System.Linq;

namespace Gan.Dsl.Generator.Formula
{
    /// <summary>The questions asked of the [Define] variables a formula reads: which it needs (with those they read, each
    /// after what it reads), what they apply, and the formula with them written out.</summary>
    internal static class Definitions
    {
        /// <summary>The defined variables <paramref name="e"/> reads, directly or through other definitions, each after the
        /// definitions its expression reads.</summary>
        public static List<string> Needed(Expr e, Scope scope)
        {
            var order = new List<string>();
            void Visit(Expr x)
            {
                foreach (string name in Tree.Names(x))
                    if (scope.Definitions.TryGetValue(name, out Expr? definition) && !order.Contains(name))
                    {
                        Visit(definition);
                        if (!order.Contains(name)) order.Add(name);
                    }
            }
            Visit(e);
            return order;
        }

        /// <summary>The networks the definitions that <paramref name="e"/> reads apply.</summary>
        public static IEnumerable<string> Applied(Expr e, Scope scope)
            => Needed(e, scope).SelectMany(n => Tree.Descendants(scope.Definitions[n]).OfType<CallExpr>())
                               .Where(c => scope.Networks.ContainsKey(c.Callee)).Select(c => c.Callee).Distinct();

        /// <summary>The expression with each defined variable replaced by its expression (for the questions about what it
        /// depends on; the code computes a definition once, as a local).</summary>
        public static Expr Expand(Expr e, Scope scope)
            => scope.Definitions.Count == 0 ? e
             : Tree.Rewrite(e, x => x is NameExpr n && scope.Definitions.TryGetValue(n.Name, out Expr? d) ? Expand(d, scope) : null);
    }
}
