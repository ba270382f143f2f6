using System;
using System.Collections.Generic;
using System.Linq;
using Gan.Cli;
using Gan.Runtime;

namespace GanDsl.Samples.Catalog;

/// <summary>The catalog: the models declared in this assembly, as the generator registered them ([Gan(Name = ...)] on each
/// class), in the order of the seed and the papers, plus one entry that trains a declared model on other data.</summary>
public static class ModelCatalog
{
    /// <summary>The catalog's order for `gan list`: the seed's models first, as its lectures take them.</summary>
    private static readonly string[] Order =
    {
        "goodfellow2014", "goodfellow2014-minimax", "lsgan-ring", "hinge-ring", "wgan-gp-ring", "wgan-ring", "hinge-sn-ring", "pacgan4",
        "pacgan-baseline", "rsgan", "ragan", "r1-ring", "goodfellow2014-mnist", "goodfellow2014-mnist-paper", "dcgan", "wgan-gp", "hinge-sn", "r1", "lsgan", "cgan", "cgan-paper", "cgan-paper-d-dropout", "icgan",
        "infogan", "infogan-paper", "infogan-code", "aae", "aae-dropout", "aae-2d", "aae-mixture", "aae-labelled-mixture", "aae-swissroll", "dann-moons", "dann-digits", "source-only-digits",
        "target-only-digits", "dann-digits-paper", "source-only-digits-paper", "target-only-digits-paper", "source-only-moons",
    };

    static ModelCatalog()
    {
        // The ceiling of dann-digits: the source-only classifier trained on the labelled target instead.
        ModelRegistry.Register(ModelRegistry.Find("source-only-digits") with
        {
            Name = "target-only-digits", DataSet = "digits-target",
            Description = "The digits classifier trained on the labelled target (the ceiling of dann-digits)",
        });
        // The ceiling of dann-digits-paper: trained on the labelled MNIST-M.
        ModelRegistry.Register(ModelRegistry.Find("source-only-digits-paper") with
        {
            Name = "target-only-digits-paper", DataSet = "mnist-m-target",
            Description = "The classifier of dann-digits-paper trained on the labelled target (its ceiling)",
        });
    }

    /// <summary>What Program.cs gives the command line: `train` without --model trains goodfellow2014.</summary>
    public static GanCommandLine.CommandLineSettings CommandLine => new() { DefaultModel = "goodfellow2014", Models = Entries, ModelAssemblies = new[] { typeof(ModelCatalog).Assembly } };

    /// <summary>The catalog's models, in <see cref="Order"/>.</summary>
    public static IReadOnlyList<ModelDescriptor> Entries =>
        ModelRegistry.All.Where(m => m.Type.Assembly == typeof(ModelCatalog).Assembly)
            .OrderBy(m => Array.IndexOf(Order, m.Name) is int i && i >= 0 ? i : int.MaxValue).ToArray();

    /// <summary>A catalog model by name (case-insensitive); an ArgumentException listing the known ones otherwise.</summary>
    public static ModelDescriptor Find(string name) => ModelRegistry.Find(name);
}
