using System;
using System.Linq;
using Gan.Runtime;
using Gan.Runtime.Metrics;
using GanDsl.Samples.Catalog;
using Shouldly;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanDsl.Tests.Runtime;

/// <summary>
/// Float32 convolutions on the CPU, forward and both gradients, against a plain loop in float64: the layers our
/// networks have (one-channel outputs, a few channels, 3×3 same-padding, strided 4×4, transposed), on one and two
/// threads; and the check that turns oneDNN off where it gets them wrong (see <see cref="CpuConvolutions"/>). Each test
/// puts the process-wide switch, status and list of checked layers back as it found them (the tests that train run in
/// the same collection, one at a time, so none sees another's state); the environment variable is tested in a fresh
/// process (<see cref="CpuConvolutionSwitchTests"/>).
/// </summary>
[Collection(TorchGlobalRngCollection.Name)]
public sealed class ConvolutionGradientTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private readonly CpuConvolutions.State _saved = CpuConvolutions.Save();
    public void Dispose() => CpuConvolutions.Restore(_saved);

    [Fact]
    public void After_the_check_every_convolution_of_the_checked_networks_matches_float64()
    {
        // From oneDNN on and nothing checked, whatever ran before in this process.
        CpuConvolutions.SetOneDnn(true).ShouldBeTrue(CpuConvolutions.Status);
        CpuConvolutions.ForgetChecks();
        torch.manual_seed(3);
        using var net = new FeatureClassifier(new ClassifierArchitecture(4, 8, 8, 16)); // 1→4, 4→8, 8→8: oneDNN fails 8→8 here

        string? line = CpuConvolutions.Check(new[] { net });

        var layers = net.modules().OfType<TorchSharp.Modules.Convolution>().Select(c => ConvolutionLayer.Of(c)!.Value).ToList();
        layers.Count.ShouldBe(3);
        foreach (var layer in layers)
            layer.WorstError().ShouldBeLessThanOrEqualTo(CpuConvolutions.Tolerance, layer.ToString());
        if (line is not null)
        {
            // oneDNN was wrong on this machine: the line names the layer, and oneDNN is now off.
            line.ShouldContain("classifier.conv");
            line.ShouldContain("using libtorch's own kernels");
            CpuConvolutions.OneDnnEnabled.ShouldBe(false);
            CpuConvolutions.Status.ShouldStartWith("native (oneDNN failed the check on ");
        }
        else
        {
            CpuConvolutions.OneDnnEnabled.ShouldBe(true);   // every layer passed with oneDNN: it stays on
        }
    }

    [Fact]
    public void After_the_check_every_convolution_of_every_catalog_model_matches_float64()
    {
        CpuConvolutions.SetOneDnn(true).ShouldBeTrue(CpuConvolutions.Status);
        CpuConvolutions.ForgetChecks();
        int layers = 0;
        foreach (var entry in ModelCatalog.Entries)
        {
            torch.manual_seed(1);
            using var model = entry.Create(CPU);
            var networks = model.Players.Select(model.Network).ToList();
            CpuConvolutions.Check(networks);
            foreach (var conv in networks.SelectMany(n => n.modules().OfType<TorchSharp.Modules.Convolution>()))
            {
                var layer = ConvolutionLayer.Of(conv)!.Value;
                layer.WorstError().ShouldBeLessThanOrEqualTo(CpuConvolutions.Tolerance, $"{entry.Name}: {layer}");
                layers++;
            }
        }
        layers.ShouldBeGreaterThan(20); // the image models' convolutions were all visited
    }

    [Fact]
    public void In_bf16_the_check_runs_each_layer_under_autocast_within_bf16_rounding()
    {
        // The DCGAN's layers and the feature classifier's (the 8→8 one is where oneDNN's float32 kernel fails here).
        CpuConvolutions.SetOneDnn(true).ShouldBeTrue(CpuConvolutions.Status);
        CpuConvolutions.ForgetChecks();
        torch.manual_seed(2);
        using var gan = new Dcgan(CPU);
        using var classifier = new FeatureClassifier(new ClassifierArchitecture(4, 8, 8, 16));
        var networks = new nn.Module[] { gan }.Append(classifier).ToList();
        string? line = CpuConvolutions.Check(networks, Precision.Bf16);
        if (line is not null) line.ShouldContain("(bf16 ");   // oneDNN's bf16 kernel was wrong: named as such, and oneDNN is off
        foreach (var conv in networks.SelectMany(n => n.modules().OfType<TorchSharp.Modules.Convolution>()))
        {
            var layer = ConvolutionLayer.Of(conv)!.Value;
            double bf16 = layer.WorstError(Precision.Bf16), fp32 = layer.WorstError();
            output.WriteLine($"{layer}: bf16 {bf16:E2}, fp32 {fp32:E2} (oneDNN {(CpuConvolutions.OneDnnEnabled == true ? "on" : "off")})");
            bf16.ShouldBeLessThanOrEqualTo(CpuConvolutions.Bf16Tolerance, layer.ToString());
            bf16.ShouldBeGreaterThan(CpuConvolutions.Tolerance, $"{layer}: bf16's rounding should show; did autocast run?");
        }
    }

    [Fact]
    public void A_layers_configuration_is_read_from_the_module()
    {
        using var conv = Conv2d(3, 8, 5, stride: 2, padding: 1, dilation: 2, groups: 1);
        using var transposed = ConvTranspose2d(64, 1, 4, stride: 2, padding: 1);

        var layer = ConvolutionLayer.Of(conv)!.Value;
        var t = ConvolutionLayer.Of(transposed)!.Value;

        layer.ToString().ShouldBe("3→8, 5×5, stride 2×2, padding 1×1, dilation 2×2");
        t.ToString().ShouldBe("transposed 64→1, 4×4, stride 2×2, padding 1×1");
        // The configuration read is the one the check runs: with libtorch's own kernels both agree with float64.
        CpuConvolutions.SetOneDnn(false).ShouldBeTrue(CpuConvolutions.Status);
        layer.WorstError().ShouldBeLessThanOrEqualTo(CpuConvolutions.Tolerance);
        t.WorstError().ShouldBeLessThanOrEqualTo(CpuConvolutions.Tolerance);
    }

    [Theory]
    [InlineData(1, 1, 3, 1, 1, 1)]   // a one-channel 3×3 layer
    [InlineData(16, 4, 3, 1, 1, 1)]  // fewer output channels than a vector holds
    [InlineData(3, 8, 3, 1, 1, 2)]
    [InlineData(4, 8, 3, 1, 1, 2)]   // the feature classifier's second layer
    [InlineData(64, 64, 3, 1, 1, 2)]
    [InlineData(1, 64, 4, 2, 1, 2)]  // a DCGAN discriminator's first layer
    [InlineData(128, 1, 7, 1, 0, 1)] // a DCGAN discriminator's last layer: the generator's gradient goes through it
    [InlineData(128, 1, 7, 1, 0, 2)]
    public void With_libtorchs_own_kernels_float32_convolution_and_its_gradients_match_a_float64_loop(int inChannels, int outChannels, int kernel, int stride, int padding, int threads)
    {
        CpuConvolutions.SetOneDnn(false).ShouldBeTrue(CpuConvolutions.Status);   // put back by Dispose
        int previous = torch.get_num_threads();
        torch.set_num_threads(threads);
        try
        {
            int size = kernel == 7 ? 7 : 14;
            torch.manual_seed(inChannels * 100 + outChannels);
            using var scope = NewDisposeScope();
            Tensor x = torch.randn(8, inChannels, size, size).requires_grad_(true);
            Tensor w = (torch.randn(outChannels, inChannels, kernel, kernel) * 0.1).requires_grad_(true);
            Tensor y = functional.conv2d(x, w, strides: new long[] { stride, stride }, padding: new long[] { padding, padding });
            Tensor g = torch.randn_like(y);
            var grads = torch.autograd.grad(new[] { y }, new[] { x, w }, new[] { g });

            var (yRef, dxRef, dwRef) = LoopConvolution(x, w, g, stride, padding);
            RelativeError(y, yRef).ShouldBeLessThan(1e-5, "forward");
            RelativeError(grads[0], dxRef).ShouldBeLessThan(1e-5, "input gradient");
            RelativeError(grads[1], dwRef).ShouldBeLessThan(1e-5, "weight gradient");
        }
        finally
        {
            torch.set_num_threads(previous);
        }
    }

    [Theory]
    [InlineData(64, 1, 1)] // a DCGAN generator's last layer
    [InlineData(4, 16, 2)]
    public void With_libtorchs_own_kernels_a_float32_transposed_convolution_is_the_input_gradient_of_a_float64_loop(int inChannels, int outChannels, int threads)
    {
        CpuConvolutions.SetOneDnn(false).ShouldBeTrue(CpuConvolutions.Status);
        int previous = torch.get_num_threads();
        torch.set_num_threads(threads);
        try
        {
            torch.manual_seed(inChannels + outChannels);
            using var scope = NewDisposeScope();
            // conv_transpose2d(g, w) with w [in, out, 4, 4] is the input gradient of conv2d(·, w) with w as [out→in].
            Tensor g = torch.randn(8, inChannels, 7, 7);
            Tensor w = torch.randn(inChannels, outChannels, 4, 4) * 0.1;
            Tensor y = functional.conv_transpose2d(g, w, strides: new long[] { 2, 2 }, padding: new long[] { 1, 1 });
            Tensor x = torch.zeros(8, outChannels, 14, 14);
            var (_, dxRef, _) = LoopConvolution(x, w, g, stride: 2, padding: 1);
            RelativeError(y, dxRef).ShouldBeLessThan(1e-5);
        }
        finally
        {
            torch.set_num_threads(previous);
        }
    }

    private static double RelativeError(Tensor actual, Tensor expected)
    {
        double scale = expected.abs().max().item<double>();
        double error = (actual.detach().to(float64) - expected).abs().max().item<double>() / scale;
        return double.IsNaN(error) ? double.PositiveInfinity : error;
    }

    /// <summary>y = x ⋆ w, dL/dx and dL/dw for dL/dy = g, by loops in float64 (no libtorch kernel involved).</summary>
    private static (Tensor Y, Tensor Dx, Tensor Dw) LoopConvolution(Tensor x, Tensor w, Tensor g, int stride, int padding)
    {
        int n = (int)x.shape[0], ic = (int)x.shape[1], h = (int)x.shape[2], oc = (int)w.shape[0], k = (int)w.shape[2];
        int oh = (int)g.shape[2];
        double[] xs = x.detach().to(float64).contiguous().data<double>().ToArray();
        double[] ws = w.detach().to(float64).contiguous().data<double>().ToArray();
        double[] gs = g.detach().to(float64).contiguous().data<double>().ToArray();
        var y = new double[n * oc * oh * oh];
        var dx = new double[xs.Length];
        var dw = new double[ws.Length];
        for (int b = 0; b < n; b++)
        for (int o = 0; o < oc; o++)
        for (int i = 0; i < oh; i++)
        for (int j = 0; j < oh; j++)
        {
            int yi = ((b * oc + o) * oh + i) * oh + j;
            for (int c = 0; c < ic; c++)
            for (int ki = 0; ki < k; ki++)
            for (int kj = 0; kj < k; kj++)
            {
                int p = i * stride + ki - padding, q = j * stride + kj - padding;
                if (p < 0 || q < 0 || p >= h || q >= h) continue;
                int xi = ((b * ic + c) * h + p) * h + q, wi = ((o * ic + c) * k + ki) * k + kj;
                y[yi] += xs[xi] * ws[wi];
                dx[xi] += gs[yi] * ws[wi];
                dw[wi] += gs[yi] * xs[xi];
            }
        }
        return (torch.tensor(y, float64).reshape(n, oc, oh, oh), torch.tensor(dx, float64).reshape(x.shape), torch.tensor(dw, float64).reshape(w.shape));
    }
}
