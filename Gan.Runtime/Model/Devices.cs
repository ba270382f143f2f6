using System;
using TorchSharp;
using static TorchSharp.torch;

namespace Gan.Runtime;

/// <summary>Device choice: CUDA when available, else the CPU; or what the user asks for, with a clear error.</summary>
public static class Devices
{
    /// <summary>CUDA when available, else the CPU.</summary>
    public static Device Default => cuda.is_available() ? CUDA : CPU;

    /// <summary>Parses <c>auto</c>, <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</summary>
    public static Device Resolve(string? name)
    {
        string requested = (name ?? "auto").Trim().ToLowerInvariant();
        if (requested is "" or "auto") return Default;
        if (requested == "cpu") return CPU;
        if (requested == "cuda" || requested.StartsWith("cuda:", StringComparison.Ordinal))
        {
            if (!cuda.is_available())
                throw new InvalidOperationException(
                    $"--device {requested} was asked for, but CUDA is not available here: this build uses TorchSharp's " +
                    "CPU libtorch (build with -p:GanDslTorchBackend=cuda on a machine with an NVIDIA GPU) or no GPU is visible. " +
                    "Use --device cpu or --device auto.");
            return new Device(requested);
        }
        throw new ArgumentException($"Unknown device '{name}': use auto, cpu, cuda or cuda:N.");
    }
}

/// <summary>Checks the generated constructors run on the networks the user's factories return.</summary>
public static class ModelChecks
{
    public static void RequireParameters(string model, string player, nn.Module network)
    {
        long count = 0;
        foreach (var p in network.parameters()) count += p.numel();
        if (count == 0)
            throw new InvalidOperationException(
                $"{model}: player '{player}' has no parameters (its factory returned {network.GetType().Name} with none), so its optimizer would have nothing to train. " +
                "Return a network with trainable layers.");
    }

    /// <summary>Called by generated steps on each batch field with a declared shape: the batch must be
    /// [m, ...declared shape], or the error says what was declared and what arrived.</summary>
    public static void RequireShape(string model, DataVariable variable, Tensor value)
    {
        long[] shape = value.shape;
        bool ok = shape.Length == variable.Shape.Length + 1;
        for (int i = 0; ok && i < variable.Shape.Length; i++) ok = shape[i + 1] == variable.Shape[i];
        if (!ok)
            throw new InvalidOperationException(
                $"{model}: data variable '{variable.Name}' is declared with Shape = \"{variable.ShapeText}\", so a batch of its field '{variable.Field}' " +
                $"must have shape [m, {string.Join(", ", variable.Shape)}], but it has shape [{string.Join(", ", shape)}]. " +
                "Fix the declaration or the data source.");
    }

    /// <summary>Called by generated steps on each <c>[Label]</c> field: class indices (an integer tensor [m], each in
    /// [0, classes)) become one-hot float32 rows [m, classes]; anything else is refused with what arrived.</summary>
    public static Tensor OneHot(string model, DataVariable variable, Tensor labels)
        => OneHot(model, variable.Name, variable.Classes, labels, $" (batch field '{variable.Field}')");

    /// <summary>Class indices for a categorical variable (a label or a categorical noise code) as one-hot rows.</summary>
    public static Tensor OneHot(string model, string variable, int classes, Tensor labels) => OneHot(model, variable, classes, labels, "");

    /// <summary>Called by generated steps for a prior given a <c>[Label]</c> (<c>[Noise(..., Given = "y")]</c>): the batch's
    /// class indices, checked like <see cref="OneHot(string, DataVariable, Tensor)"/>, as int64 [m].</summary>
    public static Tensor ClassIndices(string model, DataVariable variable, Tensor labels)
        => ClassIndices(model, variable.Name, variable.Classes, labels, $" (batch field '{variable.Field}')");

    /// <summary>Class indices for a label-conditioned prior (<c>Sample(labels)</c>), checked, as int64 [m].</summary>
    public static Tensor ClassIndices(string model, string variable, int classes, Tensor labels) => ClassIndices(model, variable, classes, labels, "");

    private static Tensor OneHot(string model, string variable, int classes, Tensor labels, string where)
        => nn.functional.one_hot(ClassIndices(model, variable, classes, labels, where), classes).to(ScalarType.Float32);

    private static Tensor ClassIndices(string model, string variable, int classes, Tensor labels, string where)
    {
        bool integral = labels.dtype is ScalarType.Int64 or ScalarType.Int32 or ScalarType.Int16 or ScalarType.Int8 or ScalarType.Byte;
        if (!integral || labels.dim() != 1)
            throw new InvalidOperationException(
                $"{model}: '{variable}'{where} takes class indices, an integer tensor of shape [m], but got {labels.dtype} of shape [{string.Join(", ", labels.shape)}].");
        if (labels.numel() > 0)
        {
            long min = labels.min().item<long>(), max = labels.max().item<long>();
            if (min < 0 || max >= classes)
                throw new InvalidOperationException(
                    $"{model}: '{variable}'{where} has {classes} classes (0 to {classes - 1}), but a batch holds class {(min < 0 ? min : max)}.");
        }
        return labels.to(ScalarType.Int64);
    }

    /// <summary>Called by generated <c>Edit(x, labels)</c>: one label per example.</summary>
    public static void RequireLabelCount(string model, string variable, Tensor labels, long examples)
    {
        if (labels.dim() == 1 && labels.shape[0] != examples)
            throw new InvalidOperationException(
                $"{model}: Edit takes one class index of '{variable}' per example, but got {labels.shape[0]} labels for {examples} examples.");
    }

    /// <summary>Called by generated steps before each update, so a NaN or infinite loss never reaches the weights.</summary>
    public static void RequireFinite(float loss, string lossName)
    {
        if (float.IsNaN(loss) || float.IsInfinity(loss)) throw new Training.NonFiniteLossException(0, lossName, loss);
    }
}
