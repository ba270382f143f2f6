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
    /// product     := unary (('*' | '/') unary)*
    /// unary       := ('-' | '+') unary | power
    /// power       := application ('^' unary)?
    /// application := FUNCTION primary          (the paper's "log D(x)"; FUNCTION is log, exp, ...)
    ///              | primary
    /// primary     := NUMBER | '(' sum ')' | '||' sum '||' | expectation | NAME | NAME '(' sum ((',' | '|') sum)* ')'
    /// expectation := 'E' ('_' NAME | '_{' ... '}')? '[' sum ']'
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
                error = new FormulaError("the value function is empty", 0, text.Length);
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
            while (Current.Kind == TokenKind.Star || Current.Kind == TokenKind.Slash)
            {
                char op = Advance().Kind == TokenKind.Star ? '*' : '/';
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
            if (t.Kind == TokenKind.Identifier && Functions.ContainsKey(t.Text) && Peek(1).Kind != TokenKind.LParen && StartsPrimary(Peek(1).Kind))
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
            => kind == TokenKind.Identifier || kind == TokenKind.Number || kind == TokenKind.DoubleBar;

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
                    return new NormExpr(inner, t.Start, close.End);
                }
                case TokenKind.Identifier:
                    return ParseNameOrCallOrExpectation();
                case TokenKind.End:
                    throw Error("the formula ends where an expression was expected");
                default:
                    throw Error($"expected a number, a name, '(' or E[...] but found {t}");
            }
        }

        private Expr ParseNameOrCallOrExpectation()
        {
            Token name = Advance();
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
