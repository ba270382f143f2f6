using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Gan.Dsl.Generator.Model
{
    /// <summary>Where a diagnostic points, as a value (a <see cref="Location"/> would pin the compilation).</summary>
    internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
    {
        public Location ToLocation() => Location.Create(FilePath, Span, LineSpan);

        public static LocationInfo? From(SyntaxNode? node) => node is null ? null : From(node.GetLocation());
        public static LocationInfo? From(SyntaxToken token) => From(token.GetLocation());

        public static LocationInfo? From(Location location)
        {
            if (location.SourceTree is null) return null;
            return new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);
        }

        /// <summary>A sub-span of a token, for errors inside a string literal.</summary>
        public static LocationInfo? FromTokenPart(SyntaxToken token, int offsetInToken, int length)
        {
            SyntaxTree? tree = token.SyntaxTree;
            if (tree is null) return null;
            var span = new TextSpan(token.SpanStart + offsetInToken, length);
            return new LocationInfo(tree.FilePath, span, tree.GetLineSpan(span).Span);
        }
    }

    internal sealed record DiagnosticInfo(DiagnosticDescriptor Descriptor, LocationInfo? Location, EquatableArray<string> Arguments)
    {
        public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] arguments)
            => new DiagnosticInfo(descriptor, location, new EquatableArray<string>(arguments));

        public Diagnostic ToDiagnostic() => Diagnostic.Create(Descriptor, Location?.ToLocation() ?? Microsoft.CodeAnalysis.Location.None, Arguments.ToArray<object>());
    }

    internal static class DiagnosticInfoExtensions
    {
        public static object[] ToArray<T>(this EquatableArray<string> items)
        {
            var result = new object[items.Count];
            for (int i = 0; i < items.Count; i++) result[i] = items[i];
            return result;
        }
    }

    /// <summary>The result of parsing one declaration: a model (when it is good enough to emit) and diagnostics.</summary>
    internal sealed record ParseResult(ModelSpec? Model, EquatableArray<DiagnosticInfo> Diagnostics);
}
