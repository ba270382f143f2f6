using System;
using System.Linq;
using Gan.Runtime.Nets;
using Shouldly;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace GanDsl.Tests.Runtime;

/// <summary>Spectral normalization (Miyato et al. 2018) against the largest singular value from an SVD, for linear,
/// convolution and transposed-convolution layers; the vectors are buffers (checkpoints carry them); evaluation does not
/// iterate; SpectralNorm = true rebuilds Sequential networks and refuses modules it cannot rebuild.</summary>
[Collection(TorchGlobalRngCollection.Name)]
public class SpectralNormTests
{
    private static float LargestSingularValue(Tensor matrix) => torch.linalg.svdvals(matrix)[0].item<float>();

    private static void Iterate(SpectralNorm layer, Tensor input, int times)
    {
        layer.train();
        using var noGrad = no_grad();
        for (int i = 0; i < times; i++) layer.forward(input).Dispose();
    }

    [Theory]
    [InlineData("linear")]
    [InlineData("conv")]
    [InlineData("transposed")]
    public void Sigma_converges_to_the_largest_singular_value_and_the_normalized_weight_has_norm_one(string kind)
    {
        torch.manual_seed(3);
        (nn.Module<Tensor, Tensor> layer, Tensor input, Func<Tensor, Tensor> matrix) = kind switch
        {
            "linear" => ((nn.Module<Tensor, Tensor>)nn.Linear(20, 30), randn(4, 20), (Func<Tensor, Tensor>)(w => w)),
            "conv" => (nn.Conv2d(3, 8, 4, stride: 2, padding: 1), randn(2, 3, 8, 8), w => w.reshape(w.shape[0], -1)),
            _ => (nn.ConvTranspose2d(8, 3, 4, stride: 2, padding: 1), randn(2, 8, 4, 4), w => w.transpose(0, 1).reshape(w.shape[1], -1)),
        };
        var sn = new SpectralNorm(layer);
        Tensor weight = layer.parameters().First();
        float truth = LargestSingularValue(matrix(weight.detach()));
        // One iteration per forward: after one forward the estimate is rough, after 200 it is the singular value.
        Iterate(sn, input, 200);
        float sigma = sn.Sigma().item<float>();
        Math.Abs(sigma - truth).ShouldBeLessThan(1e-4f * truth, $"σ {sigma} against the SVD's {truth}");
        LargestSingularValue(matrix(sn.NormalizedWeight().detach())).ShouldBe(1f, 1e-4f);
        // The layer computes what the unnormalized layer computes with W / σ: its output scaled by 1/σ without the bias.
        sn.eval();
        using (no_grad())
        {
            Tensor bias = layer.parameters().Last();
            Tensor plain = layer.forward(input), normalized = sn.forward(input);
            Tensor biasShape = kind == "linear" ? bias : bias.reshape(1, -1, 1, 1);
            ((normalized - biasShape) * sigma - (plain - biasShape)).abs().max().item<float>().ShouldBeLessThan(1e-4f);
        }
    }

    [Fact]
    public void The_vectors_are_buffers_and_evaluation_does_not_move_them()
    {
        torch.manual_seed(4);
        var sn = new SpectralNorm(nn.Linear(5, 6));
        sn.named_buffers().Select(b => b.name).ShouldBe(new[] { "u", "v" });
        sn.named_parameters().Select(p => p.name).ShouldBe(new[] { "layer.weight", "layer.bias" });
        Tensor input = randn(3, 5);
        Iterate(sn, input, 3);
        Tensor u = sn.get_buffer("u")!.clone();
        sn.eval();
        using (no_grad()) sn.forward(input);
        sn.get_buffer("u")!.eq(u).all().item<bool>().ShouldBeTrue("evaluation must not iterate");
        sn.train();
        using (no_grad()) sn.forward(input);
        sn.get_buffer("u")!.eq(u).all().item<bool>().ShouldBeFalse("training iterates");

        // A state dict round trip (what checkpoints save) carries u and v: the copy continues the same estimate.
        torch.manual_seed(5);
        var copy = new SpectralNorm(nn.Linear(5, 6));
        copy.load_state_dict(sn.state_dict());
        Iterate(sn, input, 1);
        Iterate(copy, input, 1);
        copy.get_buffer("u")!.eq(sn.get_buffer("u")!).all().item<bool>().ShouldBeTrue();
        copy.Sigma().item<float>().ShouldBe(sn.Sigma().item<float>());
    }

    [Fact]
    public void Apply_wraps_every_linear_and_convolution_layer_of_a_sequential()
    {
        torch.manual_seed(6);
        var network = Nets.DcganDiscriminator(1);
        var applied = SpectralNorm.Apply(network, "D");
        applied.modules().OfType<SpectralNorm>().Count().ShouldBe(network.modules().Count(m => m is TorchSharp.Modules.Linear or TorchSharp.Modules.Convolution));
        applied.modules().OfType<SpectralNorm>().Count().ShouldBeGreaterThanOrEqualTo(3);
        // The same parameters, in the same order: the optimizer and checkpoints see the layers' own weights.
        applied.parameters().Zip(network.parameters()).All(p => ReferenceEquals(p.First, p.Second) || p.First.Handle == p.Second.Handle).ShouldBeTrue();
        applied.forward(randn(2, 1, 28, 28)).shape.ShouldBe(new long[] { 2, 1 });
    }

    private sealed class Custom : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> _inner = nn.Linear(2, 1);
        public Custom() : base("Custom") { RegisterComponents(); }
        public override Tensor forward(Tensor input) => _inner.forward(input);
    }

    [Fact]
    public void Apply_refuses_a_module_it_cannot_rebuild_and_says_what_to_do()
    {
        var e = Should.Throw<ArgumentException>(() => SpectralNorm.Apply(new Custom(), "D"));
        e.Message.ShouldContain("network D");
        e.Message.ShouldContain("Nets.SpectralNorm(layer)");
        Should.Throw<ArgumentException>(() => new SpectralNorm(nn.ReLU())).Message.ShouldContain("Linear and convolution layers");
    }
}
