using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Gan.Dsl.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Gan.Dsl.Testing;

/// <summary>What the GanDsl generator made of some sources: the emitted files, its diagnostics (GANxxx), and the errors of
/// the compilation with the emitted code in it.</summary>
/// <param name="Files">The emitted files: hint name (e.g. <c>MyNamespace.MyGan.g.cs</c>) and source, in hint-name order.</param>
/// <param name="Diagnostics">The generator's diagnostics, each with its id, message and location in the sources.</param>
/// <param name="CompilationErrors">Errors of the compilation after generation (the declaration's own, or emitted code that does not compile).</param>
public sealed record GeneratorOutput(IReadOnlyList<(string HintName, string Source)> Files, IReadOnlyList<Diagnostic> Diagnostics,
                                     IReadOnlyList<Diagnostic> CompilationErrors)
{
    /// <summary>The emitted code of the one model in the sources (an InvalidOperationException when there are none or several:
    /// use <see cref="For"/>).</summary>
    public string Source => Files.Count == 1 ? Files[0].Source
        : throw new InvalidOperationException(Files.Count == 0
            ? $"The generator emitted nothing{(Diagnostics.Count > 0 ? ": " + string.Join("; ", Diagnostics.Select(d => d.ToString())) : " (no [Gan] class in the sources)")}."
            : $"The generator emitted {Files.Count} files ({string.Join(", ", Files.Select(f => f.HintName))}): use For(className).");

    /// <summary>The emitted code of the model class <paramref name="className"/>.</summary>
    public string For(string className) =>
        Files.FirstOrDefault(f => f.HintName == className + ".g.cs" || f.HintName.EndsWith("." + className + ".g.cs", StringComparison.Ordinal)).Source
        ?? throw new ArgumentException($"No emitted file for {className} (emitted: {string.Join(", ", Files.Select(f => f.HintName))}).", nameof(className));

    /// <summary>The source with the generator's version in <c>[GeneratedCode]</c> replaced by <c>&lt;version&gt;</c>, so that an
    /// approved snapshot does not change when GanDsl is updated and nothing else is.</summary>
    public string SourceWithoutVersion => GeneratedModels.ScrubVersion(Source);
}

/// <summary>Runs the GanDsl generator in a test, on a declaration compiled against the assemblies the test process can load
/// (the framework, TorchSharp, GanDsl's): <c>GeneratedModels.FromFiles("MyGan.cs").SourceWithoutVersion.ShouldMatchApproved()</c>.</summary>
public static class GeneratedModels
{
    /// <summary>The version the generator writes into <c>[GeneratedCode]</c>.</summary>
    public static string GeneratorVersion => GanGenerator.VersionForTests;

    /// <summary>The references a declaration compiles against: the process's trusted platform assemblies (the framework and the
    /// test project's dependencies) and the assemblies already loaded.</summary>
    public static ImmutableArray<MetadataReference> References => LazyReferences.Value;

    private static readonly Lazy<ImmutableArray<MetadataReference>> LazyReferences = new(() =>
    {
        var paths = ((AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string) ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).ToList();
        paths.AddRange(AppDomain.CurrentDomain.GetAssemblies().Where(a => !a.IsDynamic && a.Location.Length > 0).Select(a => a.Location));
        return paths.Distinct(StringComparer.Ordinal).Where(File.Exists)
            .GroupBy(Path.GetFileName, StringComparer.OrdinalIgnoreCase).Select(g => g.First())   // one copy of each assembly
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
    });

    /// <summary>The generator on source texts (the first is the declaration; others may hold what it uses).</summary>
    public static GeneratorOutput Generate(params string[] sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        CSharpCompilation input = CSharpCompilation.Create("GanDslDeclaration",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, parse, path: i == 0 ? "Model.cs" : $"Source{i}.cs")),
            References, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        return Generate(input);
    }

    /// <summary>The generator on source files, e.g. the model's file in the project under test.</summary>
    public static GeneratorOutput FromFiles(params string[] paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        CSharpCompilation input = CSharpCompilation.Create("GanDslDeclaration",
            paths.Select(p => CSharpSyntaxTree.ParseText(File.ReadAllText(p), parse, path: p)),
            References, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        return Generate(input);
    }

    /// <summary>The generator on a compilation of the caller's own making.</summary>
    public static GeneratorOutput Generate(CSharpCompilation input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { new GanGenerator().AsSourceGenerator() },
            parseOptions: input.SyntaxTrees.FirstOrDefault()?.Options as CSharpParseOptions);
        driver = driver.RunGeneratorsAndUpdateCompilation(input, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
        GeneratorRunResult result = driver.GetRunResult().Results.Single();
        if (result.Exception != null) throw new InvalidOperationException("The GanDsl generator threw", result.Exception);
        var files = result.GeneratedSources.OrderBy(g => g.HintName, StringComparer.Ordinal).Select(g => (g.HintName, g.SourceText.ToString())).ToList();
        var errors = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        return new GeneratorOutput(files, diagnostics, errors);
    }

    /// <summary><paramref name="source"/> with the generator's version replaced by <c>&lt;version&gt;</c>.</summary>
    public static string ScrubVersion(string source) => source.Replace($"\"{GeneratorVersion}\"", "\"<version>\"", StringComparison.Ordinal);
}
