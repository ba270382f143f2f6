using System;
using System.Collections.Generic;
using System.Linq;
using Gan.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace GanDsl.Reference;

/// <summary>A training step written by hand in TorchSharp, with no GanDsl code (the benchmarks' contenders).</summary>
public interface IHandWrittenStep : IDisposable
{
    void Step(IBatchSource data);
    IEnumerable<Tensor> Parameters { get; }
}

/// <summary>WGAN-GP (Gulrajani et al. 2017, Algorithm 1) written by hand: k critic steps, each on a fresh minibatch with
/// x̂ = ε x + (1 − ε) G(z) per example and the penalty λ (‖∇_x̂ D(x̂)‖₂ − 1)², then one generator step descending −D(G(z));
/// Adam for both. The reference the generated WganGp is tested against (equal parameters) and benchmarked against.
/// Shared by tests/GanDsl.Tests and bench/GanDsl.Bench.</summary>
public sealed class HandWrittenWganGp : IHandWrittenStep
{
    private readonly nn.Module<Tensor, Tensor> _g, _d;
    private readonly optim.Optimizer _optG, _optD;
    private readonly int _k, _noiseSize;
    private readonly double _lambda;
    private readonly bool _noGrad;

    /// <param name="noGrad">Compute G(z) for the critic's step under no_grad (as the generated code does) instead of detach().</param>
    public HandWrittenWganGp(nn.Module<Tensor, Tensor> g, nn.Module<Tensor, Tensor> d, double lrG, double lrD, double beta1, double beta2,
                             int k, int noiseSize, double lambda = 10, bool noGrad = true)
    {
        _g = g;
        _d = d;
        _optG = optim.Adam(g.parameters(), lrG, beta1, beta2);
        _optD = optim.Adam(d.parameters(), lrD, beta1, beta2);
        _k = k;
        _noiseSize = noiseSize;
        _lambda = lambda;
        _noGrad = noGrad;
    }

    public IEnumerable<Tensor> Parameters => _g.parameters().Concat(_d.parameters());

    public void Step(IBatchSource data)
    {
        for (int i = 0; i < _k; i++)
        {
            using var scope = NewDisposeScope();
            Tensor x = data.Next()["x"];
            long m = x.shape[0];
            Tensor z = randn(m, _noiseSize), eps = rand(m, 1);
            Tensor fake;
            if (_noGrad) { using (no_grad()) fake = _g.forward(z); }
            else fake = _g.forward(z).detach();
            Tensor scale = eps.reshape(new[] { m }.Concat(Enumerable.Repeat(1L, (int)x.dim() - 1)).ToArray());
            Tensor xHat = (scale * x + (1 - scale) * fake).requires_grad_(true);
            Tensor gradient = torch.autograd.grad(new[] { _d.forward(xHat).sum() }, new[] { xHat }, retain_graph: true, create_graph: true)[0];
            Tensor penalty = (gradient.flatten(1).norm(1, false, 2) - 1).pow(2).mean();
            Tensor loss = _d.forward(fake).mean() - _d.forward(x).mean() + _lambda * penalty;
            _optD.zero_grad();
            loss.backward();
            _optD.step();
        }
        using (NewDisposeScope())
        {
            Tensor loss = -_d.forward(_g.forward(randn(data.BatchSize, _noiseSize))).mean();
            _optG.zero_grad();
            loss.backward();
            _optG.step();
        }
    }

    public void Dispose()
    {
        _optG.Dispose();
        _optD.Dispose();
        _g.Dispose();
        _d.Dispose();
    }
}
