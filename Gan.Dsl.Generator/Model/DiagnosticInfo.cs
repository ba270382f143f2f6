using System.Collections.Generic;
using Gan.Dsl.Generator.Analysis;
using Gan.Dsl.Generator.Formula;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Gan.Dsl.Generator.Model
{
    /// <summary>Where a diagnostic points, as a value (a <see cref="Location"/> would pin the compilation).</summary>
    internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
    {
        /// <summary>A location in <paramref name="tree"/> when it is this file: a source location, which <c>#pragma warning
        /// disable</c>, <c>[SuppressMessage]</c> and .editorconfig severities apply to. <c>Location.Create(path, span, lines)</c>
        /// would make an external-file location, which the compiler never checks against the file's pragmas
        /// (dotnet/roslyn#68291). Elsewhere (a part of a partial class in another file), the external location.</summary>
        public Location ToLocation(SyntaxTree? tree)
            => tree != null && tree.FilePath == FilePath && Span.End <= tree.Length ? Location.Create(tree, Span) : Location.Create(FilePath, Span, LineSpan);

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

        public Diagnostic ToDiagnostic(SyntaxTree? tree) => Diagnostic.Create(Descriptor, Location?.ToLocation(tree) ?? Microsoft.CodeAnalysis.Location.None, Arguments.ToArray<object>());
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

    /// <summary>What reading one declaration gives the analysis: the model (null when something fatal was found), the
    /// scope of its names, where the analysis reports, the diagnostics so far, and the declaration's syntax tree (only for
    /// reporting at source locations; it compares by reference, so an edit elsewhere keeps the reading equal). Equatable:
    /// an edit elsewhere re-runs the reading (Roslyn re-runs the attribute transform on every compilation) but not the
    /// analysis after it.</summary>
    internal sealed record Reading(ModelSpec? Model, Scope Scope, AnalysisSites? Sites, EquatableArray<DiagnosticInfo> Diagnostics, SyntaxTree? Tree = null);

    /// <summary>The result of reading and analysing one declaration: the plan (when the declaration is good enough to
    /// emit) and the diagnostics of both stages.
    /// <para><see cref="Tree"/> is the declaration's syntax tree, kept only so that diagnostics are reported at source
    /// locations (see <see cref="LocationInfo.ToLocation"/>); it compares by reference, so an edit elsewhere (which keeps
    /// this file's tree) leaves the result equal and its steps cached. The plan never holds it.</para></summary>
    internal sealed record ParseResult(ModelPlan? Plan, EquatableArray<DiagnosticInfo> Diagnostics, SyntaxTree? Tree = null);

    /// <summary>A declaration's diagnostics with the tree they are reported in.</summary>
    internal sealed record TreeDiagnostics(EquatableArray<DiagnosticInfo> Items, SyntaxTree? Tree);
}
