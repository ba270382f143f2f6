using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Gan.Runtime.Nets;

/// <summary>Spectral normalization (Miyato et al. 2018): a linear or convolution layer whose weight is divided by its largest
/// singular value σ(W), estimated by power iteration. The layer keeps its weight as its parameter (the optimizer updates
/// it); the vectors u and v of the iteration are buffers, so checkpoints carry them and a resumed run continues the same
/// estimate. In training mode each forward first does <see cref="Iterations"/> steps (v ← Wᵀu/‖Wᵀu‖, u ← Wv/‖Wv‖) without
/// gradients, then σ = uᵀWv with gradients through W, as PyTorch's <c>spectral_norm</c> does; in evaluation mode the stored u
/// and v are used as they are. A convolution's weight is read as a matrix of its output channels by everything else (the
/// input channels for a transposed convolution).</summary>
public sealed class SpectralNorm : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> _layer;
    // The buffers are read by name: moving the module to a device replaces the registered tensors.
    private Tensor U => get_buffer("u")!;
    private Tensor V => get_buffer("v")!;
    private readonly bool _transposed;

    /// <summary>Power-iteration steps per training forward (1, as in the paper).</summary>
    public int Iterations { get; }

    private const double Epsilon = 1e-12;

    public SpectralNorm(nn.Module<Tensor, Tensor> layer, int iterations = 1) : base("SpectralNorm")
    {
        if (iterations < 1) throw new ArgumentException($"SpectralNorm needs at least one power iteration (got {iterations}).", nameof(iterations));
        Tensor weight = layer switch
        {
            Linear l => l.weight,
            Convolution c => c.weight,
            _ => throw new ArgumentException($"SpectralNorm applies to Linear and convolution layers, not {layer.GetType().Name}.", nameof(layer)),
        };
        if (layer is Convolution conv && conv.padding_mode != PaddingModes.Zeros)
            throw new ArgumentException($"SpectralNorm supports convolutions with zero padding, not {conv.padding_mode}.", nameof(layer));
        _layer = layer;
        _transposed = layer is Convolution { transposed: true };
        Iterations = iterations;
        (long rows, long columns) = MatrixShape(weight);
        Tensor u, v;
        using (no_grad())
        {
            u = nn.functional.normalize(randn(new[] { rows }, dtype: weight.dtype, device: weight.device), 2, 0, Epsilon);
            v = nn.functional.normalize(randn(new[] { columns }, dtype: weight.dtype, device: weight.device), 2, 0, Epsilon);
        }
        register_module("layer", layer);
        register_buffer("u", u);
        register_buffer("v", v);
    }

    /// <summary>The wrapped layer (its weight is the unnormalized W).</summary>
    public nn.Module<Tensor, Tensor> Layer => _layer;

    private Tensor RawWeight => _layer is Linear l ? l.weight : ((Convolution)_layer).weight;

    private (long Rows, long Columns) MatrixShape(Tensor weight)
    {
        long rows = _transposed ? weight.shape[1] : weight.shape[0];
        return (rows, weight.numel() / rows);
    }

    private Tensor Matrix(Tensor weight) => _transposed ? weight.transpose(0, 1).reshape(weight.shape[1], -1) : weight.reshape(weight.shape[0], -1);

    /// <summary>σ(W) as the power iteration currently estimates it, uᵀWv (with gradients through W).</summary>
    public Tensor Sigma()
    {
        Tensor w = Matrix(RawWeight);
        // Copies of u and v: a second forward in the same step updates the buffers in place, and autograd must still see
        // the vectors this σ was computed with.
        return U.clone().dot(w.mv(V.clone()));
    }

    /// <summary>W / σ(W), after the power iteration's steps when training.</summary>
    public Tensor NormalizedWeight()
    {
        Tensor weight = RawWeight;
        if (training)
        {
            using var noGrad = no_grad();
            Tensor w = Matrix(weight).detach();
            for (int i = 0; i < Iterations; i++)
            {
                Tensor u = U, v = V;
                v.copy_(nn.functional.normalize(w.t().mv(u), 2, 0, Epsilon));
                u.copy_(nn.functional.normalize(w.mv(v), 2, 0, Epsilon));
            }
        }
        return weight / Sigma();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        Tensor weight = NormalizedWeight();
        Tensor output = _layer switch
        {
            Linear l => nn.functional.linear(input, weight, l.bias),
            Conv1d c => nn.functional.conv1d(input, weight, c.bias, c.stride[0], c.padding?[0] ?? 0, c.dilation[0], c.groups),
            Conv2d c => nn.functional.conv2d(input, weight, c.bias, c.stride, c.padding ?? new long[] { 0, 0 }, c.dilation, c.groups),
            ConvTranspose2d c => nn.functional.conv_transpose2d(input, weight, c.bias, c.stride, c.padding ?? new long[] { 0, 0 }, c.output_padding, c.dilation, c.groups),
            _ => throw new NotSupportedException($"SpectralNorm cannot apply {_layer.GetType().Name}."),
        };
        return output.MoveToOuterDisposeScope();
    }

    /// <summary>Every Linear and convolution layer of <paramref name="network"/> spectrally normalized: the network itself
    /// when it is such a layer, else a copy of its Sequential structure (same names, the same layer objects) with those
    /// layers wrapped. A layer inside a module of another kind cannot be replaced from outside; wrap it with
    /// <see cref="Nets.SpectralNorm"/> where the network is built.</summary>
    public static nn.Module<Tensor, Tensor> Apply(nn.Module<Tensor, Tensor> network, string? owner = null)
    {
        switch (network)
        {
            case SpectralNorm:
                return network;
            case Linear or Conv1d or Conv2d or ConvTranspose2d:
                return new SpectralNorm(network);
            case TorchSharp.Modules.Sequential sequential:
            {
                var children = sequential.named_children().ToList();
                var rebuilt = new List<(string, nn.Module<Tensor, Tensor>)>();
                foreach (var (name, child) in children)
                {
                    if (child is not nn.Module<Tensor, Tensor> layer)
                        throw new ArgumentException($"{Owner(owner)}: the Sequential child '{name}' is a {child.GetType().Name}, which SpectralNorm = true cannot rebuild.");
                    rebuilt.Add((name, Apply(layer, owner)));
                }
                return nn.Sequential(rebuilt);
            }
            default:
                if (network.modules().Any(m => m is Linear or Convolution && m is not SpectralNorm) && !network.modules().Any(m => m is SpectralNorm))
                    throw new ArgumentException($"{Owner(owner)}: SpectralNorm = true rewrites the Linear and convolution layers of Sequential networks, but a {network.GetType().Name} " +
                        "holds layers it cannot replace; wrap them with Nets.SpectralNorm(layer) where the network is built, and drop SpectralNorm = true.");
                return network;
        }
    }

    private static string Owner(string? owner) => owner != null ? $"network {owner}" : "the network";
}
