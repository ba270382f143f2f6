using System;
using System.IO;
using System.Linq;
using Gan.Cli;
using Gan.Runtime;
using GanDsl.Samples.Catalog;
using Shouldly;
using Xunit;

namespace GanDsl.Tests.Runtime;

/// <summary>The registry the generated module initializers fill, and the folders runs go to without --out.</summary>
public class ModelRegistryTests
{
    [Fact]
    public void Every_catalog_model_is_registered_with_its_declared_defaults()
    {
        var entries = ModelCatalog.Entries;
        entries.Count.ShouldBe(44);
        entries[0].Name.ShouldBe("goodfellow2014");
        entries.Select(e => e.Name).Distinct().Count().ShouldBe(entries.Count);
        ModelDescriptor pacgan = ModelCatalog.Find("PACGAN4");   // names are case-insensitive
        (pacgan.DefaultDataSet, pacgan.DefaultBatchSize, pacgan.DefaultSteps, pacgan.LearningRateSchedule).ShouldBe(("grid", 400, 50000, "constant"));
        ModelDescriptor longGan = ModelCatalog.Find("goodfellow2014-mnist-paper-long");
        (longGan.DefaultDataSet, longGan.DefaultBatchSize, longGan.DefaultSteps, longGan.LearningRateSchedule).ShouldBe(("mnist", 100, 250000, "decay:1.000004"));
        ModelDescriptor cgan = ModelCatalog.Find("cgan-paper-d-dropout");
        (cgan.DefaultDataSet, cgan.DefaultBatchSize, cgan.DefaultSteps, cgan.LearningRateSchedule).ShouldBe(("mnist", 100, 30000, "decay:1.00004"));
        entries.Select(e => e.Name).ToList().IndexOf("cgan-paper-d-dropout").ShouldBe(entries.Select(e => e.Name).ToList().IndexOf("cgan-paper") + 1);
        ModelDescriptor toy = ModelCatalog.Find("wgan-gp-toy");
        (toy.DefaultDataSet, toy.DefaultBatchSize, toy.DefaultSteps, toy.LearningRateSchedule).ShouldBe(("ring", 256, 100000, "constant"));
        ModelDescriptor clipped = ModelCatalog.Find("wgan-toy");
        (clipped.DefaultDataSet, clipped.DefaultBatchSize, clipped.DefaultSteps, clipped.LearningRateSchedule).ShouldBe(("ring", 256, 100000, "constant"));
        ModelDescriptor aae = ModelCatalog.Find("aae-dropout");   // the reproduction's 200 epochs of 590 batches, constant rates
        (aae.DefaultDataSet, aae.DefaultBatchSize, aae.DefaultSteps, aae.LearningRateSchedule).ShouldBe(("mnist", 100, 118000, "constant"));
        ModelDescriptor twoAdams = ModelCatalog.Find("aae-dropout-two-adams");
        (twoAdams.DefaultDataSet, twoAdams.DefaultBatchSize, twoAdams.DefaultSteps, twoAdams.LearningRateSchedule).ShouldBe(("mnist", 100, 118000, "constant"));
        twoAdams.HyperParameters["reconstruction.learning_rate"].ShouldBe(2e-4);
        ModelDescriptor ring = ModelCatalog.Find("goodfellow2014");   // nothing declared: the runtime's defaults for 2-D data
        (ring.DefaultDataSet, ring.DefaultBatchSize, ring.DefaultSteps, ring.ReadsImages).ShouldBe(("ring", 256, 20000, false));
        ModelCatalog.Find("dcgan").ReadsImages.ShouldBeTrue();
        ModelCatalog.Find("target-only-digits").DefaultDataSet.ShouldBe("digits-target");   // the alias the catalog registers
        ModelCatalog.Find("target-only-digits-paper").DefaultDataSet.ShouldBe("mnist-m-target");
        using IAdversarialModel model = ModelCatalog.Find("dcgan").Create(TorchSharp.torch.CPU);
        model.Name.ShouldBe("Dcgan");
    }

    [Fact]
    public void Models_declared_in_the_test_assembly_register_too()
    {
        // the test assembly's own [Gan] classes (Training/LossTestModels.cs and others) registered themselves when it loaded
        ModelRegistry.All.ShouldContain(m => m.Type.Assembly == typeof(ModelRegistryTests).Assembly);
    }

    [Fact]
    public void An_unknown_name_lists_the_known_ones() =>
        Should.Throw<ArgumentException>(() => ModelRegistry.Find("no-such-gan")).Message.ShouldContain("Known models: aae, aae-2d");

    [Fact]
    public void Two_models_of_one_name_are_reported_with_both_types()
    {
        ModelDescriptor a = ModelCatalog.Find("dcgan");
        ModelRegistry.Register(a with { Name = "twice-registered", Type = typeof(int) });
        ModelRegistry.Register(a with { Name = "twice-registered", Type = typeof(long) });
        Should.Throw<ArgumentException>(() => ModelRegistry.Find("twice-registered")).Message.ShouldContain("System.Int32 and System.Int64");
    }

    [Fact]
    public void A_second_run_does_not_overwrite_the_first_and_resume_finds_the_latest()
    {
        string runs = Path.Combine(Path.GetTempPath(), "gandsl-runs-" + Guid.NewGuid().ToString("N"));
        try
        {
            RunFolders.Default(runs, "my-gan", resume: false).ShouldBe(Path.Combine(runs, "my-gan"));
            Should.Throw<FileNotFoundException>(() => RunFolders.Default(runs, "my-gan", resume: true)).Message.ShouldContain("--resume: no run of my-gan");
            Directory.CreateDirectory(Path.Combine(runs, "my-gan"));
            RunFolders.Default(runs, "my-gan", resume: false).ShouldBe(Path.Combine(runs, "my-gan"));   // an empty folder holds no run
            File.WriteAllText(Path.Combine(runs, "my-gan", "checkpoint.ckpt"), "");
            RunFolders.Default(runs, "my-gan", resume: false).ShouldBe(Path.Combine(runs, "my-gan-2"));
            RunFolders.Default(runs, "my-gan", resume: true).ShouldBe(Path.Combine(runs, "my-gan"));
            Directory.CreateDirectory(Path.Combine(runs, "my-gan-2"));
            File.WriteAllText(Path.Combine(runs, "my-gan-2", "metrics.json"), "{}");
            RunFolders.Default(runs, "my-gan", resume: false).ShouldBe(Path.Combine(runs, "my-gan-3"));
            RunFolders.Default(runs, "my-gan", resume: true).ShouldBe(Path.Combine(runs, "my-gan"));   // my-gan-2 has no checkpoint
            File.WriteAllText(Path.Combine(runs, "my-gan-2", "checkpoint.ckpt"), "");
            RunFolders.Default(runs, "my-gan", resume: true).ShouldBe(Path.Combine(runs, "my-gan-2"));
        }
        finally { if (Directory.Exists(runs)) Directory.Delete(runs, recursive: true); }
    }
}

/// <summary>What a model declares against what a data set provides, checked before anything is loaded.</summary>
public class DataSetMatchTests
{
    [Fact]
    public void Each_catalog_model_fits_its_default_data_set()
    {
        foreach (ModelDescriptor m in ModelCatalog.Entries)
            DataSets.Mismatch(m, m.DefaultDataSet).ShouldBeNull(m.Name);
    }

    [Fact]
    public void A_model_that_cannot_read_a_data_set_is_told_why_and_what_fits()
    {
        string why = DataSets.Mismatch(ModelCatalog.Find("dcgan"), "ring")!;
        why.ShouldBe("dcgan declares x of shape 1x28x28, but ring provides 2-D points: x has the shape 1x28x28, not 2. Data sets that fit it: mnist, fashion-mnist.");
        DataSets.Mismatch(ModelCatalog.Find("goodfellow2014"), "moons")!.ShouldContain("its source's labels would be unused");
        DataSets.Mismatch(ModelCatalog.Find("cgan"), "digits")!.ShouldContain("x has the shape 1x28x28, not 3x28x28");
        DataSets.Mismatch(ModelCatalog.Find("dann-moons"), "ring")!.ShouldContain("it declares 2 example variables");
        DataSets.Fitting(ModelCatalog.Find("dann-digits")).ShouldBe(new[] { "digits", "digits-target" });   // declared in [0, 1]
        DataSets.Fitting(ModelCatalog.Find("dann-digits-paper")).ShouldBe(new[] { "digits", "digits-target", "mnist-m", "mnist-m-target" });
        DataSets.Mismatch(ModelCatalog.Find("dann-digits"), "mnist-m")!.ShouldContain("x is declared in the range ZeroToOne, but mnist-m gives pixels minus their mean");
        Should.Throw<ArgumentException>(() => TrainCommand.Run(new TrainSettings("dcgan", "ring", 1, 8, 0, "cpu", Path.GetTempPath(), 10, 0), TextWriter.Null))
            .Message.ShouldStartWith("dcgan declares x of shape 1x28x28");
    }
}
