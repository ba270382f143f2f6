using System.Linq;
using Gan.Runtime.Metrics;
using Shouldly;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace GanDsl.Tests.Runtime;

/// <summary>Evaluation with batch statistics (InfoGAN's code normalizes every batch by its own statistics): inside the
/// scope an evaluating network's batch norm equals the training-mode normalization of that batch, dropout stays off and
/// nothing is updated; afterwards the running statistics are back, unchanged and in their places.</summary>
[Collection(TorchGlobalRngCollection.Name)]
public class BatchStatisticsTests
{
    private static bool Same(Tensor a, Tensor b) => a.allclose(b, rtol: 0, atol: 0);

    private static nn.Module<Tensor, Tensor> Network() => nn.Sequential(
        ("fc", nn.Linear(6, 5)), ("bn", nn.BatchNorm1d(5)), ("drop", nn.Dropout(0.5)), ("fc2", nn.Linear(5, 4)), ("bn2", nn.BatchNorm1d(4)));

    [Fact]
    public void Inside_the_scope_each_batch_is_normalized_by_its_own_statistics_and_afterwards_the_running_ones_are_back()
    {
        manual_seed(3);
        var net = Network();
        using (no_grad())
        {
            net.train();
            for (int i = 0; i < 5; i++) net.forward(randn(32, 6) * 3 + 1).Dispose();   // running statistics away from 0 and 1
        }
        net.eval();
        var before = net.named_buffers().Select(b => (b.name, b.buffer.clone())).ToArray();
        Tensor x = randn(16, 6);
        Tensor running = net.forward(x);

        // The same batch by hand: each batch norm with the batch's mean and biased variance, dropout off.
        var layers = net.named_modules().ToDictionary(m => m.name, m => m.module);
        Tensor BatchNorm(Tensor h, string name)
        {
            var bn = (TorchSharp.Modules.BatchNorm)layers[name];
            return (h - h.mean(new long[] { 0 })) / (h.var(0, unbiased: false) + bn.eps).sqrt() * bn.weight + bn.bias!;
        }
        Tensor expected;
        using (no_grad())
            expected = BatchNorm(((nn.Module<Tensor, Tensor>)layers["fc2"]).forward(BatchNorm(((nn.Module<Tensor, Tensor>)layers["fc"]).forward(x), "bn")), "bn2");

        using (var scope = BatchStatistics.Use(net))
        {
            scope.Layers.ShouldBe(2);
            using var noGrad = no_grad();
            Tensor batch = net.forward(x);
            batch.allclose(expected, rtol: 1e-5, atol: 1e-5).ShouldBeTrue();
            batch.allclose(running, rtol: 1e-3, atol: 1e-3).ShouldBeFalse();   // the running statistics did differ
            Same(net.forward(x), batch).ShouldBeTrue();                       // evaluation mode: dropout stays off
        }

        // Back: the same buffers, in the same order, with the same values; the network evaluates as before.
        var after = net.named_buffers().Select(b => (b.name, b.buffer)).ToArray();
        after.Select(b => b.name).ShouldBe(before.Select(b => b.name));
        for (int i = 0; i < before.Length; i++) Same(after[i].buffer, before[i].Item2).ShouldBeTrue(before[i].name);
        Same(net.forward(x), running).ShouldBeTrue();
        net.state_dict().Keys.ShouldContain("bn.running_mean");
        net.state_dict().Keys.ShouldContain("bn2.running_var");
    }

    [Fact]
    public void A_network_without_batch_norm_is_left_alone()
    {
        var net = nn.Sequential(("fc", nn.Linear(3, 2)));
        using var scope = BatchStatistics.Use(net);
        scope.Layers.ShouldBe(0);
    }
}
