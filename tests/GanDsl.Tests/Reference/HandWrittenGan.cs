using System;
using System.Collections.Generic;
using System.Linq;
using Gan.Runtime;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace GanDsl.Reference;

/// <summary>
/// Algorithm 1 of Goodfellow et al. 2014 written by hand in TorchSharp, with no GanDsl code: the reference the
/// generated TrainStep is tested against (equal parameters) and benchmarked against (time per step).
/// Shared by tests/GanDsl.Tests and bench/GanDsl.Bench.
/// </summary>
public sealed class HandWrittenGan : IHandWrittenStep
{
    private readonly nn.Module<Tensor, Tensor> _g, _d;
    private readonly optim.Optimizer _optG, _optD;
    private readonly int _k, _noiseSize;
    private readonly bool _nonSaturating, _noGrad, _uniformNoise;

    /// <param name="noGrad">Compute the generator's output for the discriminator's step under no_grad (as the
    /// generated code does) instead of the textbook <c>detach()</c>, which builds and drops a graph.</param>
    /// <param name="uniformNoise">Draw z uniformly in [-1, 1]^noiseSize (<c>rand·2 − 1</c>) instead of from N(0, I).</param>
    public HandWrittenGan(nn.Module<Tensor, Tensor> g, nn.Module<Tensor, Tensor> d, double lrG, double lrD, int k, int noiseSize, bool nonSaturating,
                          bool noGrad = false, bool uniformNoise = false)
    {
        _g = g;
        _d = d;
        _optG = optim.Adam(g.parameters(), lrG, 0.5, 0.999);
        _optD = optim.Adam(d.parameters(), lrD, 0.5, 0.999);
        _k = k;
        _noiseSize = noiseSize;
        _nonSaturating = nonSaturating;
        _noGrad = noGrad;
        _uniformNoise = uniformNoise;
    }

    public IEnumerable<Tensor> Parameters => _g.parameters().Concat(_d.parameters());

    public void Step(IBatchSource data)
    {
        for (int i = 0; i < _k; i++)
        {
            using var scope = NewDisposeScope();
            Tensor x = data.Next()["x"];
            Tensor z = Noise(x.shape[0], data.Device);
            Tensor fake;
            if (_noGrad)
            {
                using (no_grad()) fake = _g.forward(z);
            }
            else
            {
                fake = _g.forward(z).detach();
            }
            Tensor lossD = -(F.logsigmoid(_d.forward(x)).mean() + F.logsigmoid(-_d.forward(fake)).mean());
            _optD.zero_grad();
            lossD.backward();
            _optD.step();
            lossD.item<float>();
        }
        {
            using var scope = NewDisposeScope();
            Tensor z = Noise(data.BatchSize, data.Device);
            Tensor logits = _d.forward(_g.forward(z));
            Tensor lossG = _nonSaturating ? -F.logsigmoid(logits).mean() : F.logsigmoid(-logits).mean();
            _optG.zero_grad();
            lossG.backward();
            _optG.step();
            lossG.item<float>();
        }
    }

    private Tensor Noise(long m, Device device) => _uniformNoise
        ? rand(new long[] { m, _noiseSize }, device: device).mul_(2).sub_(1)
        : randn(new long[] { m, _noiseSize }, device: device);

    public void Dispose()
    {
        _optG.Dispose();
        _optD.Dispose();
    }
}
