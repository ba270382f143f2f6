using System.Collections.Generic;
using System.Globalization;

namespace Gan.Dsl.Generator.Formula
{
    internal enum TokenKind { Number, Identifier, LParen, RParen, LBracket, RBracket, LBrace, RBrace, Comma, Plus, Minus, Star, Slash, Caret, Tilde, Bar, DoubleBar, Nabla, End }

    internal readonly struct Token
    {
        public Token(TokenKind kind, string text, int start, int end) { Kind = kind; Text = text; Start = start; End = end; }
        public TokenKind Kind { get; }
        public string Text { get; }
        public int Start { get; }
        public int End { get; }
        public override string ToString() => Kind == TokenKind.End ? "end of formula" : "'" + Text + "'";
    }

    /// <summary>Splits a formula into tokens. Accepts the typographic forms papers use: − (minus), · and × (times),
    /// ‖ (norm bars), 𝔼 (expectation), ∇ (gradient), and names with accents (x̂, x̃: a letter and a combining mark).</summary>
    internal static class Lexer
    {
        public static List<Token> Tokenize(string text, out FormulaError? error)
        {
            var tokens = new List<Token>();
            error = null;
            int i = 0;
            while (i < text.Length)
            {
                char c = text[i];
                if (char.IsWhiteSpace(c)) { i++; continue; }
                int start = i;
                if (char.IsDigit(c) || (c == '.' && i + 1 < text.Length && char.IsDigit(text[i + 1])))
                {
                    while (i < text.Length && (char.IsDigit(text[i]) || text[i] == '.')) i++;
                    if (i < text.Length && (text[i] == 'e' || text[i] == 'E') && i + 1 < text.Length
                        && (char.IsDigit(text[i + 1]) || ((text[i + 1] == '-' || text[i + 1] == '+') && i + 2 < text.Length && char.IsDigit(text[i + 2]))))
                    {
                        i += 2;
                        while (i < text.Length && char.IsDigit(text[i])) i++;
                    }
                    string number = text.Substring(start, i - start);
                    if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                    {
                        error = new FormulaError($"'{number}' is not a number", start, i - start);
                        return tokens;
                    }
                    tokens.Add(new Token(TokenKind.Number, number, start, i));
                    continue;
                }
                if (char.IsLetter(c) || c == '_')
                {
                    while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_' || IsMark(text[i]))) i++;
                    // y′ and y' (a prime, as papers mark a resampled variable) belong to the name
                    while (i < text.Length && (text[i] == '\'' || text[i] == '\u2032')) i++;
                    tokens.Add(new Token(TokenKind.Identifier, text.Substring(start, i - start), start, i));
                    continue;
                }
                // 𝔼 (U+1D53C) is a surrogate pair: read it as the identifier E.
                if (char.IsHighSurrogate(c) && i + 1 < text.Length && text.Substring(i, 2) == "\U0001D53C")
                {
                    i += 2;
                    while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_')) i++;
                    tokens.Add(new Token(TokenKind.Identifier, "E" + text.Substring(start + 2, i - start - 2), start, i));
                    continue;
                }
                TokenKind kind;
                int length = 1;
                switch (c)
                {
                    case '(': kind = TokenKind.LParen; break;
                    case ')': kind = TokenKind.RParen; break;
                    case '[': kind = TokenKind.LBracket; break;
                    case ']': kind = TokenKind.RBracket; break;
                    case '{': kind = TokenKind.LBrace; break;
                    case '}': kind = TokenKind.RBrace; break;
                    case ',': kind = TokenKind.Comma; break;
                    case '+': kind = TokenKind.Plus; break;
                    case '-': case '\u2212': kind = TokenKind.Minus; break;
                    case '*': case '\u00B7': case '\u00D7': kind = TokenKind.Star; break;
                    case '/': kind = TokenKind.Slash; break;
                    case '^': kind = TokenKind.Caret; break;
                    case '~': kind = TokenKind.Tilde; break;
                    case '\u2016': kind = TokenKind.DoubleBar; break;
                    case '\u2207': kind = TokenKind.Nabla; break;
                    case '|':
                        if (i + 1 < text.Length && text[i + 1] == '|') { kind = TokenKind.DoubleBar; length = 2; }
                        else kind = TokenKind.Bar;
                        break;
                    default:
                        error = new FormulaError($"unexpected character '{c}'", start, 1);
                        return tokens;
                }
                i += length;
                tokens.Add(new Token(kind, text.Substring(start, length), start, i));
            }
            tokens.Add(new Token(TokenKind.End, "", text.Length, text.Length));
            return tokens;
        }

        /// <summary>A combining mark (the hat of x̂, the tilde of x̃): part of the name it follows.</summary>
        public static bool IsMark(char c) => CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark;
    }
}
