using System;
using System.IO;
using System.Linq;
using Gan.Dsl.Testing;
using Shouldly;
using Xunit;

namespace GanDsl.Tests.Generator;

/// <summary>GanDsl.Testing, the helper a user snapshot-tests their own model with: the same generator as the build's, on a
/// declaration's text or file, with its diagnostics.</summary>
public class GeneratedModelsTests
{
    private static string CatalogFile(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            string path = Path.Combine(dir.FullName, "samples", "GanDsl.Samples", "Catalog", name);
            if (File.Exists(path)) return path;
        }
        throw new FileNotFoundException(name);
    }

    [Fact]
    public void A_declarations_file_gives_what_the_build_emits()
    {
        string file = CatalogFile("Goodfellow2014.cs");
        GeneratorOutput output = GeneratedModels.FromFiles(file);
        output.Diagnostics.ShouldBeEmpty();
        output.CompilationErrors.ShouldBeEmpty();
        output.Files.Single().HintName.ShouldBe("GanDsl.Samples.Catalog.Goodfellow2014.g.cs");
        output.Source.ShouldBe(GeneratorHarness.Generate(File.ReadAllText(file)).GeneratedSource);
        output.For("Goodfellow2014").ShouldBe(output.Source);
        output.SourceWithoutVersion.ShouldContain("[global::System.CodeDom.Compiler.GeneratedCode(\"Gan.Dsl.Generator\", \"<version>\")]");
        output.SourceWithoutVersion.ShouldNotContain(GeneratedModels.GeneratorVersion);
    }

    [Fact]
    public void The_README_example_approves_a_models_training_code_with_Shouldly() =>
        // What a user writes in their own test project (the approved file sits beside this test).
        GeneratedModels.FromFiles(CatalogFile("Dcgan.cs")).SourceWithoutVersion.ShouldMatchApproved(c => c.SubFolder("Snapshots").NoDiff());

    [Fact]
    public void A_bad_declaration_gives_its_diagnostics_with_their_places_and_no_source()
    {
        string source = GeneratorHarness.Declaration(formula: "E[log D(x)] + E[log(1 - D(H(z)))]");
        GeneratorOutput output = GeneratedModels.Generate(source);
        var d = output.Diagnostics.Single(x => x.Id == "GAN002");
        source.Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length).ShouldBe("H");
        output.Files.ShouldBeEmpty();
        Should.Throw<InvalidOperationException>(() => output.Source).Message.ShouldContain("GAN002");
    }

    [Fact]
    public void Two_models_are_told_apart_by_class_name()
    {
        GeneratorOutput output = GeneratedModels.Generate(
            GeneratorHarness.Declaration(className: "First"),
            GeneratorHarness.Declaration(className: "Second").Replace("namespace Tests.Models;", "namespace Tests.Others;"));
        output.Files.Select(f => f.HintName).ShouldBe(new[] { "Tests.Models.First.g.cs", "Tests.Others.Second.g.cs" });
        Should.Throw<InvalidOperationException>(() => output.Source).Message.ShouldContain("use For(className)");
        output.For("Second").ShouldContain("partial class Second");
    }
}
