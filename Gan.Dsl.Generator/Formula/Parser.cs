using System;
using System.Collections.Generic;
using System.Globalization;
using Gan.Dsl.Generator.Model;

namespace Gan.Dsl.Generator.Formula
{
    /// <summary>
    /// Recursive-descent parser of value functions.
    /// <code>
    /// formula     := sum END
    /// sum         := product (('+' | '-') product)*
    /// product     := unary (('*' | '/')? unary)*      (juxtaposition multiplies: "10 E[...]", "ε x", "(1 - ε) G(z)")
    /// unary       := ('-' | '+') unary | power
    /// power       := application ('^' unary)?
    /// application := FUNCTION primary          (the paper's "log D(x)"; FUNCTION is log, exp, ...)
    ///              | primary
    /// primary     := NUMBER | '(' sum ')' | '||' sum '||' '_2'? | expectation | gradient | NAME | NAME '(' sum ((',' | '|') sum)* ')'
    /// expectation := 'E' ('_' NAME | '_{' ... '}')? '[' sum ']'
    /// gradient    := ('∇' | 'grad') ('_' NAME | '_{' sum '}') application      (∇_x D(x), ∇_{G(z)} D(G(z)))
    /// </code>
    /// Never throws: every failure is a <see cref="FormulaError"/> with a span.
    /// </summary>
    internal sealed class FormulaParser
    {
        /// <summary>Functions that may be applied without parentheses, as papers write them.</summary>
        public static readonly IReadOnlyDictionary<string, int> Functions = new Dictionary<string, int>
        {
            ["log"] = 1, ["exp"] = 1, ["sigmoid"] = 1, ["softplus"] = 1, ["sqrt"] = 1, ["abs"] = 1,
            // gradient reversal (Ganin & Lempitsky 2015): the identity forward, the gradient times -λ_p backward
            ["reverse"] = 1,
            // the hinge, Wasserstein and least-squares losses (Lim & Ye 2017, Miyato et al. 2018, Arjovsky et al. 2017)
            ["relu"] = 1, ["max"] = 2, ["min"] = 2, ["clamp"] = 3,
        };

        private const int MaxDepth = 64;
        private readonly string _text;
        private readonly List<Token> _tokens;
        private int _position;
        private int _depth;

        private FormulaParser(string text, List<Token> tokens) { _text = text; _tokens = tokens; }

        public static Expr? Parse(string text, out FormulaError? error)
        {
            List<Token> tokens = Lexer.Tokenize(text, out error);
            if (error != null) return null;
            if (tokens.Count == 1)
            {
                error = new FormulaError("the formula is empty: a side with no loss, an objective with nothing to minimize", 0, text.Length);
                return null;
            }
            var parser = new FormulaParser(text, tokens);
            try
            {
                Expr expr = parser.ParseSum();
                if (parser.Current.Kind != TokenKind.End) throw parser.Error($"unexpected {parser.Current} after a complete expression");
                return expr;
            }
            catch (ParseException e)
            {
                error = e.Error;
                return null;
            }
        }

        private sealed class ParseException : Exception
        {
            public ParseException(FormulaError error) : base(error.Message) { Error = error; }
            public FormulaError Error { get; }
        }

        private Token Current => _tokens[_position];
        private Token Peek(int ahead) => _tokens[Math.Min(_position + ahead, _tokens.Count - 1)];
        private Token Advance() => _tokens[_position++];

        private ParseException Error(string message) => Error(message, Current);
        private static ParseException Error(string message, Token at)
            => new ParseException(new FormulaError(message, at.Start, Math.Max(1, at.End - at.Start)));

        private Token Expect(TokenKind kind, string what)
        {
            if (Current.Kind != kind) throw Error($"expected {what} but found {Current}");
            return Advance();
        }

        private void Enter()
        {
            if (++_depth > MaxDepth) throw Error($"the formula nests more than {MaxDepth} levels deep");
        }

        private Expr ParseSum()
        {
            Enter();
            Expr left = ParseProduct();
            while (Current.Kind == TokenKind.Plus || Current.Kind == TokenKind.Minus)
            {
                char op = Advance().Kind == TokenKind.Plus ? '+' : '-';
                Expr right = ParseProduct();
                left = new BinaryExpr(op, left, right, left.Start, right.End);
            }
            _depth--;
            return left;
        }

        private Expr ParseProduct()
        {
            Expr left = ParseUnary();
            while (true)
            {
                char op;
                if (Current.Kind == TokenKind.Star || Current.Kind == TokenKind.Slash) op = Advance().Kind == TokenKind.Star ? '*' : '/';
                // Juxtaposition, as papers write a product: "10 E[...]", "γ/2 E[...]", "ε x", "(1 - ε) G(z)". Not before '||',
                // which may close a norm, nor before a sign, which is a sum.
                else if (Current.Kind is TokenKind.Number or TokenKind.Identifier or TokenKind.LParen or TokenKind.Nabla) op = '*';
                else break;
                Expr right = ParseUnary();
                left = new BinaryExpr(op, left, right, left.Start, right.End);
            }
            return left;
        }

        private Expr ParseUnary()
        {
            if (Current.Kind == TokenKind.Minus || Current.Kind == TokenKind.Plus)
            {
                Enter();
                Token op = Advance();
                Expr operand = ParseUnary();
                _depth--;
                return op.Kind == TokenKind.Plus ? operand : new UnaryExpr('-', operand, op.Start, operand.End);
            }
            return ParsePower();
        }

        private Expr ParsePower()
        {
            Expr basis = ParseApplication();
            if (Current.Kind != TokenKind.Caret) return basis;
            Advance();
            Enter();
            Expr exponent = ParseUnary();
            _depth--;
            return new BinaryExpr('^', basis, exponent, basis.Start, exponent.End);
        }

        private Expr ParseApplication()
        {
            Token t = Current;
            // "log D(x)": a known function followed by something other than '(' takes the next primary.
            if (t.Kind == TokenKind.Identifier && Functions.TryGetValue(t.Text, out int arity) && arity == 1 && Peek(1).Kind != TokenKind.LParen && StartsPrimary(Peek(1).Kind))
            {
                Enter();
                Advance();
                Expr argument = ParseApplication();
                _depth--;
                return new CallExpr(t.Text, t.End, new EquatableArray<Expr>(new[] { argument }), false, t.Start, argument.End);
            }
            return ParsePrimary();
        }

        private static bool StartsPrimary(TokenKind kind)
            => kind == TokenKind.Identifier || kind == TokenKind.Number || kind == TokenKind.DoubleBar || kind == TokenKind.Nabla;

        private Expr ParsePrimary()
        {
            Token t = Current;
            switch (t.Kind)
            {
                case TokenKind.Number:
                    Advance();
                    return new NumberExpr(double.Parse(t.Text, NumberStyles.Float, CultureInfo.InvariantCulture), t.Text, t.Start, t.End);
                case TokenKind.LParen:
                {
                    Advance();
                    Expr inner = ParseSum();
                    Expect(TokenKind.RParen, "')' to close the '(' at column " + (t.Start + 1));
                    return inner;
                }
                case TokenKind.DoubleBar:
                {
                    Advance();
                    Expr inner = ParseSum();
                    Token close = Expect(TokenKind.DoubleBar, "'||' to close the norm opened at column " + (t.Start + 1));
                    int end = close.End;
                    // ||·||_2, as papers mark the Euclidean norm; no other norm is known.
                    if (Current.Kind == TokenKind.Identifier && Current.Text.StartsWith("_", StringComparison.Ordinal) && Current.Start == close.End)
                    {
                        if (Current.Text != "_2") throw Error($"only the Euclidean norm ||·||_2 is known, not ||·||{Current.Text}");
                        end = Advance().End;
                    }
                    return new NormExpr(inner, t.Start, end);
                }
                case TokenKind.Nabla:
                    Advance();
                    return ParseGradient(t, null);
                case TokenKind.Identifier:
                    return ParseNameOrCallOrExpectation();
                case TokenKind.End:
                    throw Error("the formula ends where an expression was expected");
                default:
                    throw Error($"expected a number, a name, '(' or E[...] but found {t}");
            }
        }

        /// <summary>The rest of a gradient after ∇ or grad: its subscript (what is differentiated with respect to), then the
        /// expression differentiated. <paramref name="subscript"/>: null when the subscript follows as tokens (∇_x, ∇_{G(z)}),
        /// empty when the '_' was read with grad and a '{' follows (grad_{G(z)}), else the name the identifier carried (grad_x).</summary>
        private Expr ParseGradient(Token start, string? subscript)
        {
            Enter();
            Expr variable;
            if (!string.IsNullOrEmpty(subscript))
            {
                variable = new NameExpr(subscript!, start.End - subscript!.Length, start.End);
            }
            else
            {
                if (subscript == null)
                {
                    Token next = Current;
                    if (next.Kind != TokenKind.Identifier || !next.Text.StartsWith("_", StringComparison.Ordinal) || next.Start != start.End)
                        throw Error($"expected '_' and the variable after '{start.Text}', as in ∇_x D(x), but found {Current}");
                    Advance();
                    subscript = next.Text.Substring(1);
                }
                if (subscript.Length == 0)
                {
                    Token open = Expect(TokenKind.LBrace, "'{' or a name after the '_' of the gradient");
                    variable = ParseSum();
                    Expect(TokenKind.RBrace, "'}' to close the subscript opened at column " + (open.Start + 1));
                }
                else variable = new NameExpr(subscript, _tokens[_position - 1].Start + 1, _tokens[_position - 1].End);
            }
            if (!StartsPrimary(Current.Kind) && Current.Kind != TokenKind.LParen)
                throw Error($"expected the expression to differentiate after the gradient's subscript, as in ∇_x D(x), but found {Current}");
            Expr body = ParseApplication();
            _depth--;
            return new GradientExpr(variable, body, start.Start, body.End);
        }

        private Expr ParseNameOrCallOrExpectation()
        {
            Token name = Advance();
            // The gradient in ASCII: grad_x D(x), grad_{G(z)} D(G(z)).
            if (name.Text == "grad_" && Current.Kind == TokenKind.LBrace) return ParseGradient(name, "");
            if (name.Text.StartsWith("grad_", StringComparison.Ordinal) && name.Text.Length > 5 && Current.Kind is TokenKind.Identifier or TokenKind.Nabla or TokenKind.DoubleBar)
                return ParseGradient(name, name.Text.Substring(5));
            // Expectation: E[...], E_x[...], E_{x~p}[...]. A network may be called E or E_z: E(x) is a call.
            if (name.Text == "E" || name.Text.StartsWith("E_", StringComparison.Ordinal))
            {
                string? subscript = name.Text.Length > 2 ? name.Text.Substring(2) : null;
                if (name.Text == "E_" || (name.Text == "E" && Current.Kind == TokenKind.Identifier && Current.Text == "_"))
                {
                    if (name.Text == "E") Advance();
                    Token open = Expect(TokenKind.LBrace, "'{' after 'E_'");
                    int depth = 1;
                    while (depth > 0)
                    {
                        if (Current.Kind == TokenKind.End) throw Error("the subscript of E opened at column " + (open.Start + 1) + " is not closed with '}'");
                        if (Current.Kind == TokenKind.LBrace) depth++;
                        if (Current.Kind == TokenKind.RBrace) depth--;
                        Advance();
                    }
                    subscript = _text.Substring(open.End, _tokens[_position - 1].Start - open.End).Trim();
                    if (Current.Kind != TokenKind.LBracket) throw Error($"expected '[' after the subscript of E but found {Current}");
                }
                if (Current.Kind == TokenKind.LBracket)
                {
                    Token open = Advance();
                    Expr body = ParseSum();
                    Token close = Expect(TokenKind.RBracket, "']' to close the E[ opened at column " + (open.Start + 1));
                    return new ExpectationExpr(body, subscript, name.Start, close.End);
                }
            }
            if (Current.Kind == TokenKind.LParen)
            {
                Token open = Advance();
                var args = new List<Expr>();
                if (Current.Kind == TokenKind.RParen)
                {
                    Token emptyClose = Advance();
                    return new CallExpr(name.Text, name.End, EquatableArray<Expr>.Empty, true, name.Start, emptyClose.End);
                }
                args.Add(ParseSum());
                // D(x | y), as papers write a conditional network, is D(x, y): its inputs are concatenated. The bar is kept
                // for printing.
                var separators = new System.Text.StringBuilder();
                while (Current.Kind == TokenKind.Comma || Current.Kind == TokenKind.Bar)
                {
                    separators.Append(Advance().Kind == TokenKind.Bar ? '|' : ',');
                    args.Add(ParseSum());
                }
                Token close = Expect(TokenKind.RParen, "')', ',' or '|' in the arguments of " + name.Text + " opened at column " + (open.Start + 1));
                string written = separators.ToString();
                return new CallExpr(name.Text, name.End, new EquatableArray<Expr>(args), true, name.Start, close.End, written.IndexOf('|') >= 0 ? written : "");
            }
            return new NameExpr(name.Text, name.Start, name.End);
        }
    }
}
