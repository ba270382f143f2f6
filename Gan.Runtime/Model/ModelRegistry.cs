using System;
using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

namespace Gan.Runtime;

/// <summary>A declared model as the command line sees it: its name, how to build it, and its defaults. The generator emits
/// one for every <c>[Gan]</c> class of an assembly and registers it (<see cref="ModelRegistry"/>) when the assembly loads.</summary>
/// <param name="Name">The name <c>gan train --model</c> takes.</param>
/// <param name="Type">The declared class.</param>
/// <param name="Create">Builds the model on a device.</param>
public sealed record ModelDescriptor(string Name, Type Type, Func<Device, IAdversarialModel> Create)
{
    /// <summary>One line for <c>gan list</c>.</summary>
    public string Description { get; init; } = "";
    /// <summary>The declared data variables (what the data set must provide), as the model reports them.</summary>
    public IReadOnlyList<DataVariable> Variables { get; init; } = Array.Empty<DataVariable>();
    /// <summary>The data set it trains on by default as declared, or null for the runtime's choice from the declared data.</summary>
    public string? DataSet { get; init; }
    /// <summary>The declared default minibatch size, or null for the runtime's.</summary>
    public int? BatchSize { get; init; }
    /// <summary>The declared default number of generator steps, or null for the runtime's.</summary>
    public int? Steps { get; init; }
    /// <summary>The declared default learning-rate schedule, or null for linear.</summary>
    public string? LearningRateSchedule { get; init; }

    /// <summary>What the declaration sets (the game's options, the noise, each player's optimizer and options), as a run records it.</summary>
    public IReadOnlyDictionary<string, object> HyperParameters { get; init; } = new Dictionary<string, object>();

    /// <summary>Whether the model reads images (a data variable of shape C×H×W), rather than points.</summary>
    public bool ReadsImages => Variables.Any(v => v.Classes == 0 && v.Shape.Length == 3);

    /// <summary>The data set <c>train</c> uses without <c>--data</c>: the declared one, else mnist for images and ring for points.</summary>
    public string DefaultDataSet => DataSet ?? (ReadsImages ? "mnist" : "ring");
    /// <summary>The minibatch size without <c>--batch-size</c>: the declared one, else 64 for images (DCGAN's) and 256 for points (PacGAN's).</summary>
    public int DefaultBatchSize => BatchSize ?? (ReadsImages ? 64 : 256);
    /// <summary>The generator steps without <c>--steps</c>: the declared number, else 5,000 for images and 20,000 for points.</summary>
    public int DefaultSteps => Steps ?? (ReadsImages ? 5000 : 20000);
}

/// <summary>The models the command line can train: every <c>[Gan]</c> class of the assemblies loaded so far, registered by the
/// code the generator emits (a module initializer per assembly), and any the application adds itself (an alias with other
/// defaults, say).</summary>
public static class ModelRegistry
{
    private static readonly object Gate = new();
    private static readonly List<ModelDescriptor> Models = new();

    /// <summary>Adds a model. A second model of the same name is kept too; <see cref="Find"/> then reports both.</summary>
    public static void Register(ModelDescriptor model)
    {
        ArgumentNullException.ThrowIfNull(model);
        lock (Gate)
        {
            if (Models.Any(m => m.Type == model.Type && m.Name == model.Name)) return;   // an assembly's initializer runs once; a repeat call is harmless
            Models.Add(model);
        }
    }

    /// <summary>The registered models, in registration order.</summary>
    public static IReadOnlyList<ModelDescriptor> All
    {
        get { lock (Gate) return Models.ToArray(); }
    }

    /// <summary>The model of that name (case-insensitive); an <see cref="ArgumentException"/> naming the known ones otherwise,
    /// or both types when two assemblies declare the same name.</summary>
    public static ModelDescriptor Find(string name)
    {
        ModelDescriptor[] all = All.ToArray();
        ModelDescriptor[] found = all.Where(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase)).ToArray();
        if (found.Length == 1) return found[0];
        if (found.Length > 1)
            throw new ArgumentException($"Two models are named '{name}': {string.Join(" and ", found.Select(m => m.Type.FullName))}. " +
                                        "Give one another name with [Gan(Name = \"...\")].");
        throw new ArgumentException(all.Length == 0
            ? $"Unknown model '{name}': no [Gan] model is registered (declare one on a partial class with [Gan] in this application's project)."
            : $"Unknown model '{name}'. Known models: {string.Join(", ", all.Select(m => m.Name).Distinct().Order(StringComparer.Ordinal))}.");
    }
}
