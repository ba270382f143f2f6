using System;
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Gan.Runtime.Nets;

public enum Activation { Identity, ReLU, LeakyReLU, Tanh, Sigmoid }

/// <summary>The standard catalog of networks. Any method returning a <c>Module&lt;Tensor, Tensor&gt;</c> works as well.</summary>
public static class Nets
{
    /// <summary>A multilayer perceptron over the given sizes (input, hidden..., output), ReLU between layers, no output activation.</summary>
    public static Module<Tensor, Tensor> Mlp(params int[] sizes) => Mlp(sizes, Activation.ReLU, Activation.Identity);

    /// <summary>A multilayer perceptron with the given hidden and output activations.</summary>
    public static Module<Tensor, Tensor> Mlp(int[] sizes, Activation hidden, Activation output = Activation.Identity)
    {
        if (sizes is null || sizes.Length < 2) throw new ArgumentException("Mlp needs at least an input and an output size.", nameof(sizes));
        foreach (int size in sizes)
            if (size <= 0) throw new ArgumentException($"Mlp sizes must be positive (got {string.Join(", ", sizes)}).", nameof(sizes));
        var layers = new List<(string, Module<Tensor, Tensor>)>();
        for (int i = 0; i + 1 < sizes.Length; i++)
        {
            layers.Add(($"linear{i}", Linear(sizes[i], sizes[i + 1])));
            Activation act = i + 2 < sizes.Length ? hidden : output;
            Module<Tensor, Tensor>? module = Make(act);
            if (module != null) layers.Add(($"{act.ToString().ToLowerInvariant()}{i}", module));
        }
        return Sequential(layers);
    }

    private static Module<Tensor, Tensor>? Make(Activation activation) => activation switch
    {
        Activation.Identity => null,
        Activation.ReLU => ReLU(),
        Activation.LeakyReLU => LeakyReLU(0.2),
        Activation.Tanh => Tanh(),
        Activation.Sigmoid => Sigmoid(),
        _ => throw new ArgumentOutOfRangeException(nameof(activation)),
    };
}
