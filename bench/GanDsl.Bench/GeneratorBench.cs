using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Gan.Dsl.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using static GanDsl.Bench.BenchKit;

namespace GanDsl.Bench;

/// <summary>`generator`: the cost of the source generator in a large project, and proof that it is incremental. Runs
/// Gan.Dsl.Generator's incremental generator through a CSharpGeneratorDriver (as the tests' GeneratorHarness does, with
/// step tracking on) over one compilation holding N distinct [Gan] declarations (names, formulas, shapes, networks,
/// optimizers and k varied) plus an unrelated file. Cold: a new driver and a new compilation of the same syntax trees
/// each run. Incremental: the unrelated file edited, the same driver run again; then one declaration's formula edited.</summary>
public static class GeneratorBench
{
    public static int Run(string[] args)
    {
        int models = IntArg(args, "--models", 200), runs = IntArg(args, "--runs", 9);
        ImmutableArray<MetadataReference> references = References();
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var trees = Enumerable.Range(0, models)
            .Select(i => CSharpSyntaxTree.ParseText(Declaration(i), parse, path: $"Models/Model{i:D3}.cs"))
            .Append(CSharpSyntaxTree.ParseText(Unrelated(0), parse, path: "Other/Unrelated.cs"))
            .ToList();
        CSharpCompilation Compile(IEnumerable<SyntaxTree> t) => CSharpCompilation.Create("GeneratorBench", t, references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        GeneratorDriver NewDriver() => CSharpGeneratorDriver.Create(new[] { new GanGenerator().AsSourceGenerator() }, parseOptions: parse,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

        // First run: JIT of the compiler and the generator; also checks that every declaration is valid and the output compiles.
        var clock = Stopwatch.StartNew();
        GeneratorDriver driver = NewDriver().RunGeneratorsAndUpdateCompilation(Compile(trees), out Compilation output, out var diagnostics);
        double firstSeconds = clock.Elapsed.TotalSeconds;
        GeneratorRunResult first = driver.GetRunResult().Results.Single();
        if (first.Exception != null) throw new InvalidOperationException("the generator threw", first.Exception);
        var ganErrors = diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        clock.Restart();
        var compileErrors = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        double compileSeconds = clock.Elapsed.TotalSeconds;
        foreach (Diagnostic e in ganErrors.Concat(compileErrors).Take(10)) Console.Error.WriteLine(e);
        if (first.GeneratedSources.Length != models || ganErrors.Count > 0 || compileErrors.Count > 0)
        {
            Console.Error.WriteLine($"expected {models} generated files and no errors; got {first.GeneratedSources.Length} files, " +
                                    $"{ganErrors.Count} generator errors, {compileErrors.Count} compile errors");
            return 1;
        }
        long generatedChars = first.GeneratedSources.Sum(s => (long)s.SourceText.Length);

        // Cold runs: a new driver over a new compilation (no semantic caches) each time.
        var cold = new List<double>();
        for (int r = 0; r < runs; r++)
        {
            CSharpCompilation input = Compile(trees);
            clock.Restart();
            NewDriver().RunGeneratorsAndUpdateCompilation(input, out _, out _);
            cold.Add(clock.Elapsed.TotalSeconds);
        }

        // Incremental: edit the unrelated file, re-run the same driver (each edit a new version of that file).
        CSharpCompilation current = Compile(trees);
        driver = NewDriver().RunGeneratorsAndUpdateCompilation(current, out _, out _);
        var rerun = new List<double>();
        GeneratorRunResult? firstRerun = null;
        bool allCached = true;
        for (int r = 1; r <= runs; r++)
        {
            SyntaxTree old = current.SyntaxTrees.Single(t => t.FilePath == "Other/Unrelated.cs");
            current = current.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(Unrelated(r), parse, path: "Other/Unrelated.cs"));
            clock.Restart();
            driver = driver.RunGeneratorsAndUpdateCompilation(current, out _, out _);
            rerun.Add(clock.Elapsed.TotalSeconds);
            GeneratorRunResult result = driver.GetRunResult().Results.Single();
            firstRerun ??= result;
            allCached &= Reasons(result).All(kv => kv.Value.Keys.All(k => k is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged));
        }

        // Contrast: edit one declaration's formula (k changed) and re-run the same driver.
        SyntaxTree model7 = current.SyntaxTrees.Single(t => t.FilePath == "Models/Model007.cs");
        current = current.ReplaceSyntaxTree(model7, CSharpSyntaxTree.ParseText(Declaration(7, edited: true), parse, path: "Models/Model007.cs"));
        clock.Restart();
        driver = driver.RunGeneratorsAndUpdateCompilation(current, out _, out _);
        double editSeconds = clock.Elapsed.TotalSeconds;
        GeneratorRunResult afterEdit = driver.GetRunResult().Results.Single();

        var lines = new List<string>
        {
            Header($"GanDsl source generator benchmark, {models} [Gan] declarations + 1 unrelated file", torchThreads: false) +
            $", Roslyn {typeof(CSharpCompilation).Assembly.GetName().Version}, step tracking on, median of {runs} runs",
            "",
            "| run | median ms | min–max ms |",
            "|---|---:|---:|",
            $"| first run in the process (JIT included) | {F(firstSeconds * 1e3, "F0")} | — |",
            $"| cold: new driver, new compilation | {F(Median(cold) * 1e3, "F1")} | {F(cold.Min() * 1e3, "F1")}–{F(cold.Max() * 1e3, "F1")} |",
            $"| same driver after an edit of the unrelated file | {F(Median(rerun) * 1e3, "F2")} | {F(rerun.Min() * 1e3, "F2")}–{F(rerun.Max() * 1e3, "F2")} |",
            $"| same driver after an edit of one declaration's formula | {F(editSeconds * 1e3, "F2")} | — |",
            "",
            $"Output: {models} files, {generatedChars / 1024.0:F0} KiB of C#, 0 generator errors; the output compilation has 0 errors (checked in {F(compileSeconds, "F1")} s).",
            "",
            "Run reasons of the tracked steps (outputs per reason):",
            "",
            "| step | after the unrelated edit (first re-run) | after the formula edit of Model007 |",
            "|---|---|---|",
        };
        var before = Reasons(firstRerun!.Value);
        var after = Reasons(afterEdit);
        string[] order = { TrackingNames.ParseModel, TrackingNames.Analysis, TrackingNames.Diagnostics, TrackingNames.Plan, "SourceOutput" };
        foreach (string step in order.Where(s => before.ContainsKey(s) || after.ContainsKey(s)))
            lines.Add($"| {step} | {Describe(before, step)} | {Describe(after, step)} |");
        lines.Add("");
        lines.Add($"Every re-run after an unrelated edit ({runs}) had only Cached/Unchanged outputs: {(allCached ? "yes" : "NO")}.");
        return Emit(lines, args);
    }

    /// <summary>For each tracked step and each source output: how many outputs ran for each reason.</summary>
    private static Dictionary<string, Dictionary<IncrementalStepRunReason, int>> Reasons(GeneratorRunResult result)
    {
        var steps = result.TrackedSteps.Select(kv => (Name: kv.Key, Steps: kv.Value))
            .Concat(result.TrackedOutputSteps.Select(kv => (Name: kv.Key, Steps: kv.Value)));
        var table = new Dictionary<string, Dictionary<IncrementalStepRunReason, int>>();
        foreach (var (name, runs) in steps)
        {
            if (!IsOurs(name)) continue;
            var counts = runs.SelectMany(s => s.Outputs).GroupBy(o => o.Reason).ToDictionary(g => g.Key, g => g.Count());
            table[name] = counts;
        }
        return table;
    }

    private static bool IsOurs(string name) =>
        name is TrackingNames.ParseModel or TrackingNames.Analysis or TrackingNames.Diagnostics or TrackingNames.Plan || name == "SourceOutput";

    private static string Describe(Dictionary<string, Dictionary<IncrementalStepRunReason, int>> table, string step) =>
        table.TryGetValue(step, out var counts) && counts.Count > 0
            ? string.Join(", ", counts.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key} {kv.Value}"))
            : "—";

    private static ImmutableArray<MetadataReference> References()
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator).ToList();
        paths.Add(typeof(TorchSharp.torch).Assembly.Location);
        paths.Add(typeof(Gan.Dsl.GanAttribute).Assembly.Location);
        paths.Add(typeof(Gan.Runtime.IAdversarialModel).Assembly.Location);
        return paths.Distinct().Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
    }

    private static string Unrelated(int version) =>
        $"namespace Other {{ public static class Unrelated {{ public static int Version => {version}; }} }}";

    private static readonly string[] Formulas =
    {
        "E[log D(x)] + E[log(1 - D(G(z)))]",
        "E_{x~p_data}[log D(x)] + E_{z~p_z}[log(1 − D(G(z)))]",
        "E[log(D(x))] + {c} * E[log(1 - D(G(z)))]",
        "𝔼_x[log D(x)] + {c} * E_z[log(1 − D(G(z)))] + {d} * E[log(1 - D(G(z)))]",
    };

    /// <summary>The i-th model: its own name, formula (with its own constants), data shape, noise, networks, optimizers and k.</summary>
    private static string Declaration(int i, bool edited = false)
    {
        string c = (0.5 + i / 1000.0).ToString("0.000", System.Globalization.CultureInfo.InvariantCulture);
        string dd = (1.5 - i / 1000.0).ToString("0.000", System.Globalization.CultureInfo.InvariantCulture);
        string formula = Formulas[i % Formulas.Length].Replace("{c}", c).Replace("{d}", dd);
        int noise = 2 + i % 97;
        int hidden = 16 + 8 * (i % 13);
        bool image = i % 3 == 0;
        string data = image
            ? $"[Data(\"x\", Shape = \"1x{8 + 4 * (i % 6)}x{8 + 4 * (i % 6)}\", Range = DataRange.{(i % 2 == 0 ? "MinusOneToOne" : "ZeroToOne")})]"
            : $"[Data(\"x\", Shape = \"{2 + i % 5}\")]";
        int side = 8 + 4 * (i % 6), dim = 2 + i % 5;
        string g = image
            ? $"Nets.MlpGenerator({noise}, new[] {{ {hidden}, {hidden * 2} }}, new long[] {{ 1, {side}, {side} }}, Activation.{(i % 2 == 0 ? "Tanh" : "Sigmoid")})"
            : $"Nets.Mlp({noise}, {hidden}, {hidden}, {dim})";
        string d = image
            ? $"Nets.MaxoutDiscriminator(new long[] {{ 1, {side}, {side} }}, units: {hidden}, pieces: {2 + i % 4})"
            : $"Nets.Mlp({dim}, {hidden}, 1)";
        int k = edited ? 5 : 1 + i % 3;
        string loss = i % 2 == 0 ? "NonSaturating" : "Minimax";
        string opt = i % 4 == 3 ? "Optimizer = Optimizer.Sgd, Momentum = 0.5, " : "";
        string lr = (1e-4 * (1 + i % 10)).ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture);
        return $$"""
            using Gan.Dsl;
            using Gan.Runtime.Nets;
            using TorchSharp;
            using static TorchSharp.torch;

            namespace Bench.Models.Group{{i / 50}};

            /// <summary>Benchmark model {{i}}.</summary>
            [Gan]
            {{data}}
            [Noise("z", Distribution.{{(i % 5 == 0 ? "Uniform" : "Normal")}}, {{noise}})]
            [Minimax("{{formula}}", DiscriminatorSteps = {{k}}, GeneratorLoss = GeneratorLoss.{{loss}})]
            public partial class Model{{i:D3}}
            {
                [Generator({{opt}}LearningRate = {{lr}})]
                static nn.Module<Tensor, Tensor> G() => {{g}};

                [Discriminator({{opt}}LearningRate = {{lr}})]
                static nn.Module<Tensor, Tensor> D() => {{d}};
            }
            """;
    }
}
