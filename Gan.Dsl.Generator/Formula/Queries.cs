using System.Linq;
using Gan.Dsl.Generator.Model;

namespace Gan.Dsl.Generator.Formula
{
    /// <summary>The questions the parser's checks and the code writer both ask of a declaration, answered in one place.</summary>
    internal static class Queries
    {
        /// <summary>The first network that is not a discriminator applied to noise variables alone (pre-order): what
        /// Sample(n) runs when the declaration has no [Sample].</summary>
        public static CallExpr? FindSamplerCall(Expr e, Scope scope)
            => Tree.Find<CallExpr>(e, c => scope.Networks.ContainsKey(c.Callee) && !scope.IsMaximizer(c.Callee) && c.Args.Count > 0
                                          && c.Args.All(a => a is NameExpr v && scope.Names.TryGetValue(v.Name, out NameKind k) && k == NameKind.Noise));

        /// <summary>The first network (not a discriminator) applied to one data variable alone, in V or a [Minimize] phase:
        /// what Encode(x) runs (an adversarial autoencoder's Enc(x), an encoder E_z(x)).</summary>
        public static CallExpr? FindEncoderCall(ModelSpec model, Scope scope)
        {
            CallExpr? Find(Expr e) => Tree.Find<CallExpr>(e, c => scope.Networks.ContainsKey(c.Callee) && !scope.IsMaximizer(c.Callee) && c.Args.Count == 1
                                                                 && c.Args[0] is NameExpr v && model.Data.Any(d => d.Name == v.Name && d.Classes == 0));
            return Find(model.ValueFunction) ?? model.Objectives.Select(o => Find(o.Objective)).FirstOrDefault(x => x != null);
        }
    }
}
