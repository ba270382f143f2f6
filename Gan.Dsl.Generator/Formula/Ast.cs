using Gan.Dsl.Generator.Model;

namespace Gan.Dsl.Generator.Formula
{
    // The value function's syntax tree. Spans are [Start, End) offsets into the formula text, kept so that
    // diagnostics can point at the exact characters inside the string literal. Records compare by value.

    internal abstract record Expr(int Start, int End);

    /// <summary>A number literal: <c>1</c>, <c>0.5</c>, <c>1e-3</c>.</summary>
    internal sealed record NumberExpr(double Value, string Text, int Start, int End) : Expr(Start, End);

    /// <summary>A bare name: a data or noise variable (<c>x</c>, <c>z</c>).</summary>
    internal sealed record NameExpr(string Name, int Start, int End) : Expr(Start, End);

    /// <summary>An application: a network <c>D(x)</c>, <c>D(x, y)</c>, or a function <c>log D(x)</c>, <c>exp(...)</c>.
    /// <see cref="Parenthesized"/> is false for the paper's <c>log D(x)</c> form. <see cref="Separators"/> holds what was
    /// written between the arguments, one character each (',' or the paper's conditioning bar '|', as in <c>D(x | y)</c>):
    /// the inputs are concatenated either way, and the comments print them as declared. Empty means commas.</summary>
    internal sealed record CallExpr(string Callee, int CalleeEnd, EquatableArray<Expr> Args, bool Parenthesized, int Start, int End, string Separators = "") : Expr(Start, End);

    /// <summary><c>E[body]</c>, <c>E_x[body]</c> or <c>E_{x~p_data}[body]</c>: the mean over the minibatch.</summary>
    internal sealed record ExpectationExpr(Expr Body, string? Subscript, int Start, int End) : Expr(Start, End);

    internal sealed record UnaryExpr(char Op, Expr Operand, int Start, int End) : Expr(Start, End);

    /// <summary>Binary arithmetic: + - * / ^.</summary>
    internal sealed record BinaryExpr(char Op, Expr Left, Expr Right, int Start, int End) : Expr(Start, End);

    /// <summary>The Euclidean norm of each sample: <c>||a - b||</c> (or with ‖).</summary>
    internal sealed record NormExpr(Expr Inner, int Start, int End) : Expr(Start, End);

    /// <summary>The gradient of <see cref="Body"/> with respect to <see cref="Variable"/>, for each example: <c>∇_x D(x)</c>,
    /// <c>∇_x̂ D(x̂)</c>, <c>∇_{G(z)} D(G(z))</c> (or <c>grad_x D(x)</c>). The variable is a data, noise or defined variable, or
    /// a network application inside the body; the value has its shape (so <c>||∇_x D(x)||</c> is each example's norm).
    /// Computed with <c>torch.autograd.grad(..., create_graph: true)</c>, so a loss that contains it can be descended.</summary>
    internal sealed record GradientExpr(Expr Variable, Expr Body, int Start, int End) : Expr(Start, End);

    /// <summary>A parse error: message and the span it concerns.</summary>
    internal sealed record FormulaError(string Message, int Start, int Length);
}
