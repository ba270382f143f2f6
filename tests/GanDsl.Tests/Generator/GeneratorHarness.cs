using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Gan.Dsl.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace GanDsl.Tests.Generator;

/// <summary>Runs the generator on source text in a real compilation (framework + TorchSharp + Gan.Dsl + Gan.Runtime).</summary>
public static class GeneratorHarness
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator).ToList();
        paths.Add(typeof(TorchSharp.torch).Assembly.Location);
        paths.Add(typeof(Gan.Dsl.GanAttribute).Assembly.Location);
        paths.Add(typeof(Gan.Runtime.IAdversarialModel).Assembly.Location);
        return paths.Distinct().Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
    });

    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    public sealed record Run(
        CSharpCompilation Input,
        Compilation Output,
        GeneratorDriver Driver,
        GeneratorRunResult Result,
        IReadOnlyList<Diagnostic> GeneratorDiagnostics,
        IReadOnlyList<Diagnostic> OutputErrors)
    {
        public string GeneratedSource => Result.GeneratedSources.Single().SourceText.ToString();
        public IEnumerable<Diagnostic> Gan(string id) => GeneratorDiagnostics.Where(d => d.Id == id);
    }

    public static CSharpCompilation Compile(params string[] sources) => CSharpCompilation.Create(
        "GeneratorTestInput",
        sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: i == 0 ? "Model.cs" : $"Other{i}.cs")),
        References.Value,
        new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static Run Generate(params string[] sources) => Generate(Compile(sources));

    public static Run Generate(CSharpCompilation input, GeneratorDriver? driver = null)
    {
        driver ??= CSharpGeneratorDriver.Create(
            new[] { new GanGenerator().AsSourceGenerator() },
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
        driver = driver.RunGeneratorsAndUpdateCompilation(input, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
        GeneratorRunResult result = driver.GetRunResult().Results.Single();
        if (result.Exception != null) throw new InvalidOperationException("The generator threw into the compiler", result.Exception);
        var errors = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        return new Run(input, output, driver, result, diagnostics, errors);
    }

    /// <summary>A declaration of the original GAN with the given pieces replaced.</summary>
    public static string Declaration(
        string formula = "E[log D(x)] + E[log(1 - D(G(z)))]",
        string minimaxOptions = "",
        string variables = "[Data(\"x\", Shape = \"2\")]\n[Noise(\"z\", Distribution.Normal, 2)]",
        string networks = "[Generator] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(2, 16, 2);\n    [Discriminator] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(2, 16, 1);",
        string classModifiers = "public partial",
        string className = "TestGan",
        bool withMinimax = true)
    {
        string minimax = withMinimax ? $"[Minimax(\"{formula}\"{(minimaxOptions.Length > 0 ? ", " + minimaxOptions : "")})]" : "";
        return $$"""
            using Gan.Dsl;
            using Gan.Runtime.Nets;
            using TorchSharp;
            using static TorchSharp.torch;

            namespace Tests.Models;

            [Gan]
            {{variables}}
            {{minimax}}
            {{classModifiers}} class {{className}}
            {
                {{networks}}
            }
            """;
    }

    /// <summary>Replaces the generator's version in emitted code so snapshots do not change with it.</summary>
    public static string ScrubVersion(string source) => source.Replace($"\"{GanGenerator.VersionForTests}\"", "\"<version>\"");
}
