using System.Globalization;
using System.Linq;

namespace Gan.Dsl.Generator.Formula
{
    /// <summary>Prints a formula back in the paper's notation, with only the parentheses it needs.
    /// Used in the emitted comments and as the key that identifies repeated sub-expressions.</summary>
    internal static class Printer
    {
        public static string Print(Expr e) => Print(e, 0);

        private static int Precedence(Expr e) => e switch
        {
            BinaryExpr b when b.Op == '+' || b.Op == '-' => 1,
            BinaryExpr b when b.Op == '*' || b.Op == '/' => 2,
            UnaryExpr _ => 3,
            BinaryExpr b when b.Op == '^' => 4,
            CallExpr c when !c.Parenthesized => 4,
            _ => 5,
        };

        private static string Print(Expr e, int context)
        {
            string text = e switch
            {
                NumberExpr n => n.Value.ToString("R", CultureInfo.InvariantCulture),
                NameExpr n => n.Name,
                CallExpr c when !c.Parenthesized && c.Args.Count == 1 => c.Callee + " " + Print(c.Args[0], 5),
                CallExpr c => c.Callee + "(" + string.Join(", ", c.Args.Select(a => Print(a, 0))) + ")",
                ExpectationExpr x => "E[" + Print(x.Body, 0) + "]",
                NormExpr n => "||" + Print(n.Inner, 0) + "||",
                UnaryExpr u => "-" + Print(u.Operand, 3),
                BinaryExpr b when b.Op == '^' => Print(b.Left, 5) + "^" + Print(b.Right, 4),
                BinaryExpr b => Print(b.Left, Precedence(b)) + " " + b.Op + " " + Print(b.Right, Precedence(b) + 1),
                _ => "?",
            };
            return Precedence(e) < context ? "(" + text + ")" : text;
        }
    }
}
