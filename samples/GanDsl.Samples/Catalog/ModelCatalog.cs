using System;
using System.Collections.Generic;
using System.Linq;
using Gan.Runtime;
using static TorchSharp.torch;

namespace GanDsl.Samples.Catalog;

/// <summary>The declared models the `gan` command can train, by name.</summary>
public static class ModelCatalog
{
    public sealed record Entry(string Name, string Paper, Func<Device, IAdversarialModel> Create);

    public static IReadOnlyList<Entry> Entries { get; } = new[]
    {
        new Entry("goodfellow2014", "Goodfellow et al. 2014, Generative Adversarial Nets (MLPs, k = 1, non-saturating G loss)", d => new Goodfellow2014(d)),
        new Entry("goodfellow2014-minimax", "The same game with the minimax generator loss, as written", d => new Goodfellow2014Minimax(d)),
    };

    public static Entry Find(string name) =>
        Entries.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"Unknown model '{name}'. Known models: {string.Join(", ", Entries.Select(e => e.Name))}.");
}
