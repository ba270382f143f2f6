using System;
using System.IO;
using System.Linq;
using Shouldly;
using Xunit;

namespace GanDsl.Tests.Generator;

/// <summary>The emitted code of each catalog entry (samples/GanDsl.Samples/Catalog), approved by a person: the declaration
/// is read from the file itself, so the snapshot is of exactly what `gan train --model ...` runs.</summary>
public class CatalogSnapshotTests
{
    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "GanDsl.sln"))) return dir.FullName;
        throw new InvalidOperationException("GanDsl.sln not found above " + AppContext.BaseDirectory);
    }

    [Theory]
    [InlineData("ConditionalGan")]
    [InlineData("AdversarialAutoencoder")]
    [InlineData("DomainAdversarial")]
    [InlineData("InvertibleConditionalGan")]
    [InlineData("InfoGan")]
    [InlineData("ModernLosses")]
    [InlineData("ModernLossesImages")]
    [InlineData("PacGan")]
    [InlineData("Goodfellow2014MnistPaper")]
    [InlineData("ConditionalGanPaper")]
    [InlineData("InfoGanPaper")]
    public void Catalog_entry(string file)
    {
        string source = File.ReadAllText(Path.Combine(RepositoryRoot(), "samples", "GanDsl.Samples", "Catalog", file + ".cs"));
        GeneratorHarness.Run run = GeneratorHarness.Generate(source);
        run.GeneratorDiagnostics.ShouldBeEmpty();
        run.OutputErrors.ShouldBeEmpty();
        // A file may declare several models: their sources in the order of their file names.
        string generated = string.Join("\n", run.Result.GeneratedSources.OrderBy(g => g.HintName, StringComparer.Ordinal).Select(g => g.SourceText.ToString()));
        GeneratorHarness.ScrubVersion(generated)
            .ShouldMatchApproved(b => b.SubFolder("Snapshots").WithDiscriminator(file).LocateTestMethodUsingAttribute<TheoryAttribute>().NoDiff());
    }
}
