using System.Linq;
using Microsoft.CodeAnalysis;
using Shouldly;
using Xunit;
using static GanDsl.Tests.Generator.DiagnosticTests;

namespace GanDsl.Tests.Generator;

/// <summary>[Gan(Name = ..., ...)]: the model's entry for the command line, registered by a module initializer the generator
/// emits, and the diagnostics of bad values (GAN034 at the argument).</summary>
public class RegistrationTests
{
    private static string WithGan(string ganArguments) =>
        GeneratorHarness.Declaration().Replace("[Gan]", $"[Gan({ganArguments})]");

    [Fact]
    public void Declared_name_and_defaults_are_emitted_into_the_registration()
    {
        var run = GeneratorHarness.Generate(WithGan("Name = \"my-gan\", Description = \"mine\", Data = \"grid\", BatchSize = 100, Steps = 300, LearningRateSchedule = \"constant\""));
        run.OutputErrors.ShouldBeEmpty();
        string source = run.GeneratedSource;
        source.ShouldContain("[global::System.Runtime.CompilerServices.ModuleInitializer]");
        source.ShouldContain("new global::Gan.Runtime.ModelDescriptor(\"my-gan\", typeof(TestGan), static device => new TestGan(device))");
        foreach (string line in new[] { "Description = \"mine\",", "Variables = s_data,", "DataSet = \"grid\",", "BatchSize = 100,", "Steps = 300,", "LearningRateSchedule = \"constant\"," })
            source.ShouldContain(line);
    }

    [Theory]
    [InlineData("TestGan", "test-gan")]
    [InlineData("MyWganGp", "my-wgan-gp")]
    [InlineData("DCGANMnist", "dcgan-mnist")]
    [InlineData("Gan2D", "gan2d")]
    [InlineData("lower_case", "lower-case")]
    public void Without_a_name_the_class_name_in_kebab_case(string className, string expected)
    {
        var run = GeneratorHarness.Generate(GeneratorHarness.Declaration(className: className));
        run.OutputErrors.ShouldBeEmpty();
        run.GeneratedSource.ShouldContain($"ModelDescriptor(\"{expected}\", typeof({className})");
        run.GeneratedSource.ShouldNotContain("DataSet =");   // the runtime's default from the declared data
    }

    [Fact]
    public void A_name_with_a_space_is_GAN034_at_the_name() =>
        Expect(WithGan("Name = \"my gan\""), "GAN034", "Name = \"my gan\"").GetMessage().ShouldContain("one word");

    [Fact]
    public void A_negative_batch_is_GAN034_at_it() =>
        Expect(WithGan("BatchSize = -4"), "GAN034", "BatchSize = -4").GetMessage().ShouldContain("must be positive");

    [Fact]
    public void An_unknown_schedule_is_GAN034_at_it() =>
        Expect(WithGan("LearningRateSchedule = \"cosine\""), "GAN034", "LearningRateSchedule = \"cosine\"").GetMessage().ShouldContain("constant, linear, ganin and decay:F");
}
