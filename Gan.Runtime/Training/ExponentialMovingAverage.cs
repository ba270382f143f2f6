using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Gan.Runtime.Training;

/// <summary>
/// An exponential moving average of the sampling generator's weights (Yazıcı et al. 2019, "The unusual effectiveness
/// of averaging in GAN training"; Karras et al. 2018): after every step, for each parameter,
/// <c>ema = decay·ema + (1 − decay)·w</c>; buffers (e.g. batch-norm statistics) are copied. It starts as a copy of the
/// weights it averages. <see cref="Apply"/> puts the averaged weights into the network for sampling and evaluation and
/// puts the live ones back afterwards; training never sees them. Checkpoints save and restore it (<see cref="Checkpoint"/>).
/// </summary>
public sealed class ExponentialMovingAverage : IDisposable
{
    private readonly (string Name, Tensor Live, Tensor Average)[] _parameters;
    private readonly (string Name, Tensor Live, Tensor Average)[] _buffers;
    private bool _applied;

    /// <param name="model">The model; its <see cref="IAdversarialModel.Sampler"/> is averaged unless <paramref name="player"/> says otherwise.</param>
    /// <param name="decay">In (0, 1), e.g. 0.999.</param>
    /// <param name="player">The network to average, by its name in the formulas; default: the sampler.</param>
    public ExponentialMovingAverage(IAdversarialModel model, double decay, string? player = null)
    {
        if (!(decay > 0 && decay < 1))
            throw new ArgumentOutOfRangeException(nameof(decay), decay, $"The EMA decay must be in (0, 1), e.g. 0.999 (got {decay.ToString(CultureInfo.InvariantCulture)}).");
        Player = player ?? model.Sampler
                 ?? throw new ArgumentException($"{model.Name} has no sampling generator (no generator applied to noise alone), so there is nothing to average.");
        Decay = decay;
        nn.Module network = model.Network(Player);
        using (torch.no_grad())
        {
            _parameters = network.named_parameters().Select(p => (p.name, (Tensor)p.parameter, p.parameter.detach().clone())).ToArray();
            _buffers = network.named_buffers().Select(b => (b.name, b.buffer, b.buffer.detach().clone())).ToArray();
        }
    }

    /// <summary>The averaged player (network), e.g. <c>G</c>.</summary>
    public string Player { get; }
    public double Decay { get; }
    /// <summary>Updates since the average was created (restored from checkpoints).</summary>
    public long Updates { get; private set; }

    /// <summary>The averaged parameters, in the network's order.</summary>
    public IReadOnlyList<Tensor> Parameters => _parameters.Select(p => p.Average).ToArray();

    /// <summary>One step of the average: <c>ema ← decay·ema + (1 − decay)·w</c> for every parameter; buffers copied.</summary>
    public void Update()
    {
        if (_applied) throw new InvalidOperationException("The EMA weights are applied to the network: dispose Apply()'s result before training on.");
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        // Scalars held through the calls, not TorchSharp's temporaries (Optimizers: a finaliser can free those mid-call).
        using Scalar keep = Decay, take = 1 - Decay, one = 1;
        foreach (var (_, live, average) in _parameters) average.mul_(keep).add_(live.mul(take), alpha: one);
        foreach (var (_, live, average) in _buffers) average.copy_(live);
        Updates++;
    }

    /// <summary>Puts the averaged weights into the network until the result is disposed, then the live weights back
    /// (bit for bit).</summary>
    public IDisposable Apply()
    {
        if (_applied) throw new InvalidOperationException("The EMA weights are already applied.");
        Tensor[] saved;
        using (torch.no_grad())
        {
            saved = _parameters.Concat(_buffers).Select(p => p.Live.detach().clone()).ToArray();
            foreach (var (_, live, average) in _parameters.Concat(_buffers)) live.copy_(average);
        }
        _applied = true;
        return new Restore(this, saved);
    }

    private sealed class Restore(ExponentialMovingAverage owner, Tensor[] saved) : IDisposable
    {
        private bool _done;
        public void Dispose()
        {
            if (_done) return;
            _done = true;
            using (torch.no_grad())
            {
                int i = 0;
                foreach (var (_, live, _) in owner._parameters.Concat(owner._buffers)) live.copy_(saved[i++]);
            }
            foreach (Tensor t in saved) t.Dispose();
            owner._applied = false;
        }
    }

    /// <summary>Writes the player, decay, update count and every averaged tensor (for checkpoints).</summary>
    public void Save(BinaryWriter writer)
    {
        writer.Write(Player);
        writer.Write(Decay);
        writer.Write(Updates);
        writer.Write(_parameters.Length + _buffers.Length);
        using var scope = torch.NewDisposeScope();
        foreach (var (name, _, average) in _parameters.Concat(_buffers))
        {
            writer.Write(name);
            average.detach().cpu().Save(writer);
        }
    }

    /// <summary>Reads what <see cref="Save"/> wrote into this average (same player, decay and network).</summary>
    public void Load(BinaryReader reader)
    {
        string player = reader.ReadString();
        double decay = reader.ReadDouble();
        long updates = reader.ReadInt64();
        int count = reader.ReadInt32();
        if (player != Player || decay != Decay)
            throw new InvalidDataException($"the checkpoint's EMA averages {player} with decay {decay.ToString(CultureInfo.InvariantCulture)}, " +
                                           $"this run asks for {Player} with decay {Decay.ToString(CultureInfo.InvariantCulture)}: resume with the same --ema.");
        var all = _parameters.Concat(_buffers).ToArray();
        if (count != all.Length)
            throw new InvalidDataException($"the checkpoint's EMA has {count} tensors, the network {Player} has {all.Length}.");
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        foreach (var (name, _, average) in all)
        {
            string saved = reader.ReadString();
            Tensor t = TensorExtensionMethods.Load(reader);
            if (saved != name || !t.shape.SequenceEqual(average.shape) || t.dtype != average.dtype)
                throw new InvalidDataException($"the checkpoint's EMA tensor {saved} [{string.Join(", ", t.shape)}] does not fit {name} [{string.Join(", ", average.shape)}].");
            average.copy_(t);
        }
        Updates = updates;
    }

    public void Dispose()
    {
        foreach (var (_, _, average) in _parameters.Concat(_buffers)) average.Dispose();
    }
}
