using System;
using System.Collections.Generic;
using System.Linq;
using Gan.Dsl;
using Gan.Runtime;

namespace Gan.Cli;

/// <summary>The data sets `gan train --data` knows, each with what it provides, matched against what a model declares
/// (its [Data] shapes, its [Label], a second data variable as the target domain) before anything is loaded, so that a
/// model that cannot read a data set is told why instead of failing at its first step. The batch fields follow the
/// declaration: a 2-D model's data variable may be called anything.</summary>
public static class DataSets
{
    /// <summary>What one data set provides.</summary>
    /// <param name="Names">The --data names that give it.</param>
    /// <param name="Shape">The shape of one example.</param>
    /// <param name="Classes">Its labels' class count; 0 when it has no labels.</param>
    /// <param name="Domains">1, or 2 for a labelled source and an unlabelled target of the same shape.</param>
    /// <param name="What">In words, for the messages.</param>
    /// <param name="Ranges">The declared ranges its examples can be read with as they are given; null when the data set is
    /// scaled to whatever range the model declares (the image data sets).</param>
    /// <param name="RangeText">What <paramref name="Ranges"/> means, for the messages.</param>
    private sealed record Kind(string[] Names, long[] Shape, int Classes, int Domains, string What, DataRange[]? Ranges = null, string RangeText = "");

    private static readonly Kind[] Kinds =
    {
        new(new[] { "ring", "grid" }, new long[] { 2 }, 0, 1, "2-D points"),
        new(new[] { "mnist", "fashion-mnist" }, new long[] { 1, 28, 28 }, 10, 1, "1x28x28 images with 10 classes of labels"),
        new(new[] { "moons" }, new long[] { 2 }, 2, 2, "2-D points with 2 classes of labels, and a target domain of 2-D points"),
        new(new[] { "digits", "digits-target" }, new long[] { 3, 28, 28 }, 10, 2, "3x28x28 digits with 10 classes of labels, and a target domain of 3x28x28 digits",
            new[] { DataRange.Unspecified, DataRange.ZeroToOne }, "pixels in [0, 1]"),
        new(new[] { "mnist-m", "mnist-m-target" }, new long[] { 3, 28, 28 }, 10, 2, "3x28x28 digits with 10 classes of labels, and a target domain of 3x28x28 digits",
            new[] { DataRange.Unspecified }, "pixels minus their mean, about −0.4 to 0.7 (declare the variable without a Range)"),
    };

    /// <summary>The names <c>--data</c> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = Kinds.SelectMany(k => k.Names).ToArray();

    /// <summary>The model's data variables that hold examples (not labels).</summary>
    public static DataVariable[] Examples(IReadOnlyList<DataVariable> declared) => declared.Where(v => v.Classes == 0).ToArray();

    /// <summary>The model's [Label], or null.</summary>
    public static DataVariable? Label(IReadOnlyList<DataVariable> declared) => declared.FirstOrDefault(v => v.Classes > 0);

    /// <summary>Why <paramref name="model"/> cannot be trained on <paramref name="data"/>, or null when it can.</summary>
    public static string? Mismatch(ModelDescriptor model, string data)
    {
        Kind? kind = Kinds.FirstOrDefault(k => k.Names.Contains(data));
        if (kind is null) return $"Unknown data set '{data}'. Known data sets: {string.Join(", ", Names)}.";
        if (model.Variables.Count == 0) return null;   // a model that reports no declaration: its run will tell
        if (Reason(model.Variables, kind, data) is not string why) return null;
        IReadOnlyList<string> fitting = Fitting(model);
        return $"{model.Name} declares {Describe(model.Variables)}, but {data} provides {kind.What}: {why}." +
               (fitting.Count > 0 ? $" Data sets that fit it: {string.Join(", ", fitting)}." : "");
    }

    /// <summary>Throws an <see cref="ArgumentException"/> with <see cref="Mismatch"/> when the model cannot read the data set.</summary>
    public static void Check(ModelDescriptor model, string data)
    {
        if (Mismatch(model, data) is string why) throw new ArgumentException(why);
    }

    /// <summary>The data sets the model can be trained on.</summary>
    public static IReadOnlyList<string> Fitting(ModelDescriptor model) =>
        Kinds.SelectMany(k => k.Names.Where(n => Reason(model.Variables, k, n) is null)).ToArray();

    private static string? Reason(IReadOnlyList<DataVariable> declared, Kind kind, string data)
    {
        DataVariable[] examples = Examples(declared);
        DataVariable? label = Label(declared);
        if (examples.Length == 0) return "it declares no example data";
        if (examples.Length > kind.Domains)
            return $"it declares {examples.Length} example variables and {data} gives {(kind.Domains == 1 ? "one" : "a source and a target")}";
        foreach (DataVariable v in examples)
            if (v.Shape.Length > 0 && !v.Shape.SequenceEqual(kind.Shape))
                return $"{v.Name} has the shape {v.ShapeText}, not {string.Join("x", kind.Shape)}";
        if (kind.Ranges is not null && examples.FirstOrDefault(v => !kind.Ranges.Contains(v.Range)) is { } outOfRange)
            return $"{outOfRange.Name} is declared in the range {outOfRange.Range}, but {data} gives {kind.RangeText}";
        if (label is not null && kind.Classes == 0) return $"it has no labels for {label.Name}";
        if (label is not null && label.Classes != kind.Classes) return $"{label.Name} has {label.Classes} classes, {data}'s labels {kind.Classes}";
        if (kind.Domains == 2 && label is null) return "its source's labels would be unused (declare [Label(...)] for them)";
        return null;
    }

    private static string Describe(IReadOnlyList<DataVariable> declared) =>
        string.Join(" and ", declared.Select(v => v.Classes > 0 ? $"a label {v.Name} with {v.Classes} classes" : $"{v.Name} of shape {(v.ShapeText.Length > 0 ? v.ShapeText : "(any)")}"));
}
