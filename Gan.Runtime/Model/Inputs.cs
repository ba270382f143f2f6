using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Gan.Runtime;

/// <summary>How generated code feeds several inputs to one network, as in <c>D(x | y)</c>.</summary>
public static class Inputs
{
    /// <summary>Concatenates along dimension 1. Inputs of one rank are joined as they are (vectors by features, images by
    /// channels); inputs of different ranks are flattened to [m, -1] first, so an image and its one-hot label become one
    /// row [m, C·H·W + classes] that the network splits as it needs.</summary>
    public static Tensor Concat(params Tensor[] inputs)
    {
        long rank = inputs[0].dim();
        if (inputs.All(t => t.dim() == rank)) return cat(inputs, 1);
        return cat(inputs.Select(t => t.flatten(1)).ToArray(), 1);
    }

    /// <summary>One number per example times examples of any shape: <paramref name="perExample"/> is [m, 1] (or [m]), and is
    /// viewed as [m, 1, …, 1] to the rank of <paramref name="examples"/>, so ε x scales each image by its own ε (WGAN-GP's
    /// x̂ = ε x + (1 − ε) G(z)).</summary>
    public static Tensor Scale(Tensor perExample, Tensor examples)
    {
        if (perExample.dim() > 2 || perExample.dim() == 2 && perExample.shape[1] != 1 || perExample.shape[0] != examples.shape[0])
            throw new System.ArgumentException($"a number per example is [m, 1], but it is [{string.Join(", ", perExample.shape)}] for examples [{string.Join(", ", examples.shape)}]");
        long[] shape = new long[System.Math.Max(1, (int)examples.dim())];
        shape[0] = perExample.shape[0];
        for (int i = 1; i < shape.Length; i++) shape[i] = 1;
        return perExample.reshape(shape) * examples;
    }
}

/// <summary>How generated code reads a network's output.</summary>
public static class Outputs
{
    /// <summary>The output in float32: the tensor itself when it is float32 (so a float32 step is exactly as without this
    /// call), else a float32 copy, through which autograd casts the gradient back. Under mixed precision
    /// (<see cref="MixedPrecision"/>) a network's last matrix product returns bfloat16; the formula's logs, losses and
    /// means then still run in float32.</summary>
    public static Tensor Float32(Tensor output) =>
        output.dtype is ScalarType.BFloat16 or ScalarType.Float16 ? output.to(ScalarType.Float32) : output;
}

/// <summary>Packing (Lin et al. 2018, PacGAN): a discriminator judges m examples at once, concatenated along their first
/// feature dimension (2-D points: [m·2]; images: m·C channels), real with real and generated with generated.</summary>
public static class Packing
{
    /// <summary>[B, d, …] → [B/m, m·d, …]: consecutive groups of <paramref name="m"/> examples become one.</summary>
    public static Tensor Pack(Tensor examples, int m)
    {
        if (m == 1) return examples;
        long batch = examples.shape[0];
        if (batch % m != 0)
            throw new System.ArgumentException($"Pack = {m}: the discriminator judges groups of {m} examples, but the minibatch has {batch}, which {m} does not divide; choose a batch size that is a multiple of {m}.");
        long[] shape = examples.shape.ToArray();
        shape[0] = batch / m;
        shape[1] *= m;
        return examples.reshape(shape);
    }
}

/// <summary>Weight clipping (Arjovsky et al. 2017, WGAN): after each update every parameter of the player is clamped to [−c, c].</summary>
public static class WeightClipping
{
    public static void Clip(TorchSharp.torch.nn.Module network, double c)
    {
        using var noGrad = no_grad();
        using Scalar low = -c, high = c;   // held through the calls (see Training.Optimizers)
        foreach (var p in network.parameters()) p.clamp_(low, high);
    }
}

/// <summary>What generated code for simultaneous updates asks: the parameters one side's loss is differentiated into.</summary>
public static class Simultaneous
{
    public static System.Collections.Generic.IList<Tensor> Parameters(params TorchSharp.torch.nn.Module[] networks) =>
        networks.SelectMany(n => n.parameters()).Cast<Tensor>().ToList();
}
