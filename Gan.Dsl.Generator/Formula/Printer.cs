using System.Globalization;
using System.Linq;

namespace Gan.Dsl.Generator.Formula
{
    /// <summary>Prints a formula back in the paper's notation (the declaration's: its conditioning bars too), with only the parentheses it needs.
    /// Used in the emitted comments and as the key that identifies repeated sub-expressions.</summary>
    internal static class Printer
    {
        public static string Print(Expr e) => Print(e, 0, bars: true);

        /// <summary>The key that identifies a sub-expression: its text with every argument separator a comma, so that
        /// <c>D(x | y)</c> and <c>D(x, y)</c> (the same inputs, concatenated) are one application.</summary>
        public static string Key(Expr e) => Print(e, 0, bars: false);

        private static int Precedence(Expr e) => e switch
        {
            BinaryExpr b when b.Op == '+' || b.Op == '-' => 1,
            BinaryExpr b when b.Op == '*' || b.Op == '/' => 2,
            UnaryExpr _ => 3,
            BinaryExpr b when b.Op == '^' => 4,
            CallExpr c when !c.Parenthesized => 4,
            GradientExpr _ => 4,
            _ => 5,
        };

        /// <summary>What stands before argument <paramref name="i"/>: nothing before the first, then ", " or, where the
        /// declaration wrote a bar and bars are printed, " | ".</summary>
        private static string Separator(CallExpr c, int i, bool bars)
            => i == 0 ? "" : bars && i - 1 < c.Separators.Length && c.Separators[i - 1] == '|' ? " | " : ", ";

        private static string Print(Expr e, int context, bool bars)
        {
            string text = e switch
            {
                NumberExpr n => n.Value.ToString("R", CultureInfo.InvariantCulture),
                NameExpr n => n.Name,
                CallExpr c when !c.Parenthesized && c.Args.Count == 1 => c.Callee + " " + Print(c.Args[0], 5, bars),
                CallExpr c => c.Callee + "(" + string.Concat(c.Args.Select((a, i) => Separator(c, i, bars) + Print(a, 0, bars))) + ")",
                ExpectationExpr x => "E[" + Print(x.Body, 0, bars) + "]",
                NormExpr n => "||" + Print(n.Inner, 0, bars) + "||",
                GradientExpr g => "∇_" + (g.Variable is NameExpr v ? v.Name : "{" + Print(g.Variable, 0, bars) + "}") + " " + Print(g.Body, 5, bars),
                UnaryExpr u => "-" + Print(u.Operand, 3, bars),
                BinaryExpr b when b.Op == '^' => Print(b.Left, 5, bars) + "^" + Print(b.Right, 4, bars),
                BinaryExpr b => Print(b.Left, Precedence(b), bars) + " " + b.Op + " " + Print(b.Right, Precedence(b) + 1, bars),
                _ => "?",
            };
            return Precedence(e) < context ? "(" + text + ")" : text;
        }
    }
}
