using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Gan.Runtime.Training;
using Shouldly;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace GanDsl.Tests.Training;

/// <summary><see cref="Optimizers"/>: the declared optimizers with scalar operands that outlive the native call. Each
/// must update parameters and state exactly as <c>torch.optim</c> does (bit for bit, over several steps, with the
/// declaration's non-default settings), keep TorchSharp's checkpoint format both ways, and still take schedules through
/// <c>ParamGroups</c>.</summary>
public sealed class OptimizerTests
{
    private const int Steps = 6;

    /// <summary>A small network with a fixed start and a loss whose gradients differ every step.</summary>
    private static nn.Module<Tensor, Tensor> Net()
    {
        torch.random.manual_seed(7);
        return nn.Sequential(nn.Linear(5, 12), nn.Tanh(), nn.Linear(12, 3));
    }

    private static void Train(nn.Module<Tensor, Tensor> net, optim.Optimizer optimizer, int steps, int firstStep = 0)
    {
        for (int s = firstStep; s < firstStep + steps; s++)
        {
            using var scope = NewDisposeScope();
            var generator = new torch.Generator((ulong)(100 + s));
            Tensor x = randn(8, 5, generator: generator);
            Tensor target = randn(8, 3, generator: generator);
            optimizer.zero_grad();
            nn.functional.mse_loss(net.forward(x), target).backward();
            optimizer.step();
        }
    }

    private static float[][] Values(nn.Module net) => net.parameters().Select(p => p.detach().data<float>().ToArray()).ToArray();

    public static IEnumerable<object[]> Settings() => new[]
    {
        new object[] { "sgd", "momentum 0.5, weight decay 0.01" },
        new object[] { "sgd-plain", "no momentum" },
        new object[] { "adam", "β (0.5, 0.99), weight decay 0.02" },
        new object[] { "adamw", "β (0.6, 0.98), weight decay 0.05" },
        new object[] { "rmsprop", "α 0.9, momentum 0.3, weight decay 0.01" },
        new object[] { "rmsprop-plain", "α 0.99, no momentum" },
    };

    private static optim.Optimizer Ours(string kind, IEnumerable<Parameter> p) => kind switch
    {
        "sgd" => Optimizers.Sgd(p, 0.05, momentum: 0.5, weight_decay: 0.01),
        "sgd-plain" => Optimizers.Sgd(p, 0.05),
        "adam" => Optimizers.Adam(p, lr: 3e-3, beta1: 0.5, beta2: 0.99, weight_decay: 0.02),
        "adamw" => Optimizers.AdamW(p, lr: 3e-3, beta1: 0.6, beta2: 0.98, weight_decay: 0.05),
        "rmsprop" => Optimizers.RmsProp(p, lr: 2e-3, alpha: 0.9, weight_decay: 0.01, momentum: 0.3),
        _ => Optimizers.RmsProp(p, lr: 2e-3),
    };

    private static optim.Optimizer TorchSharps(string kind, IEnumerable<Parameter> p) => kind switch
    {
        "sgd" => optim.SGD(p, 0.05, momentum: 0.5, weight_decay: 0.01),
        "sgd-plain" => optim.SGD(p, 0.05),
        "adam" => optim.Adam(p, lr: 3e-3, beta1: 0.5, beta2: 0.99, weight_decay: 0.02),
        "adamw" => optim.AdamW(p, lr: 3e-3, beta1: 0.6, beta2: 0.98, weight_decay: 0.05),
        "rmsprop" => optim.RMSProp(p, lr: 2e-3, alpha: 0.9, weight_decay: 0.01, momentum: 0.3),
        _ => optim.RMSProp(p, lr: 2e-3),
    };

    [Theory]
    [MemberData(nameof(Settings))]
    public void Each_step_equals_torch_optim_bit_for_bit(string kind, string settings)
    {
        using var ours = Net();
        using var theirs = Net();
        Values(ours).ShouldBe(Values(theirs));
        using var a = Ours(kind, ours.parameters());
        using var b = TorchSharps(kind, theirs.parameters());
        Train(ours, a, Steps);
        Train(theirs, b, Steps);
        float[][] before = Values(Net());
        Values(ours).ShouldBe(Values(theirs), $"{kind} ({settings}) after {Steps} steps");
        Values(ours).ShouldNotBe(before, "the comparison is vacuous if nothing moved");
    }

    [Theory]
    [MemberData(nameof(Settings))]
    public void The_state_keeps_torchsharps_checkpoint_format_both_ways(string kind, string settings)
    {
        // Three steps with ours, saved; loaded into torch.optim's and continued, against three more of ours.
        using var first = Net();
        using var second = Net();
        using var ourOptimizer = Ours(kind, first.parameters());
        Train(first, ourOptimizer, 3);
        var state = new MemoryStream();
        using (var w = new BinaryWriter(state, System.Text.Encoding.UTF8, leaveOpen: true)) ((OptimizerHelper)ourOptimizer).save_state_dict(w);
        foreach (var (to, from) in second.parameters().Zip(first.parameters())) using (no_grad()) to.copy_(from);
        using var theirOptimizer = TorchSharps(kind, second.parameters());
        state.Position = 0;
        using (var r = new BinaryReader(state)) ((OptimizerHelper)theirOptimizer).load_state_dict(r);
        Train(first, ourOptimizer, 3, firstStep: 3);
        Train(second, theirOptimizer, 3, firstStep: 3);
        Values(first).ShouldBe(Values(second), $"{kind} ({settings}): our state continued by torch.optim");

        // And the other way: torch.optim's state continued by ours.
        using var third = Net();
        using var theirs = TorchSharps(kind, third.parameters());
        Train(third, theirs, 3);
        var back = new MemoryStream();
        using (var w = new BinaryWriter(back, System.Text.Encoding.UTF8, leaveOpen: true)) ((OptimizerHelper)theirs).save_state_dict(w);
        using var fourth = Net();
        foreach (var (to, from) in fourth.parameters().Zip(third.parameters())) using (no_grad()) to.copy_(from);
        using var ours = Ours(kind, fourth.parameters());
        back.Position = 0;
        using (var r = new BinaryReader(back)) ((OptimizerHelper)ours).load_state_dict(r);
        Train(third, theirs, 3, firstStep: 3);
        Train(fourth, ours, 3, firstStep: 3);
        Values(fourth).ShouldBe(Values(third), $"{kind} ({settings}): torch.optim's state continued by ours");
    }

    [Fact]
    public void A_changed_rate_and_momentum_reach_the_step()
    {
        // What the emitted schedules do between steps: write ParamGroups' LearningRate and IMomentum.Momentum.
        using var ours = Net();
        using var theirs = Net();
        using var a = Optimizers.Sgd(ours.parameters(), 0.1, momentum: 0.5);
        using var b = optim.SGD(theirs.parameters(), 0.1, momentum: 0.5);
        for (int s = 0; s < 4; s++)
        {
            foreach (var o in new optim.Optimizer[] { a, b })
                foreach (var group in o.ParamGroups)
                {
                    group.LearningRate = 0.1 / (1 + s);
                    ((optim.IMomentum)group).Momentum = 0.5 + 0.05 * s;
                }
            Train(ours, a, 1, firstStep: s);
            Train(theirs, b, 1, firstStep: s);
        }
        Values(ours).ShouldBe(Values(theirs));
    }
}
