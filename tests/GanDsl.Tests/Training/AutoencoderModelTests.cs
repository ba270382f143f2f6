using System;
using System.Collections.Generic;
using System.Linq;
using Gan.Runtime;
using Gan.Runtime.Imaging;
using GanDsl.Tests.Runtime;
using Shouldly;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;
using static GanDsl.Tests.Training.PlayerSnapshots;

namespace GanDsl.Tests.Training;

/// <summary>The adversarial autoencoder (Makhzani et al. 2015) as generated: the reconstruction phase trains the encoder
/// and decoder only, the game's phases D and then the encoder only; Encode and Sample run the right networks; the 2-D
/// priors have the declared shapes.</summary>
[Collection(TorchGlobalRngCollection.Name)]
public class AutoencoderModelTests
{
    /// <summary>4-D points on a 2-D plane (so a 2-D code can reconstruct them), random subsets by the global generator.</summary>
    private sealed class PlaneSource : IBatchSource
    {
        private readonly Tensor _x;
        public PlaneSource(int batchSize)
        {
            BatchSize = batchSize;
            var g = new torch.Generator(3);
            Tensor basis = randn(new long[] { 2, 4 }, generator: g);
            _x = randn(new long[] { 500, 2 }, generator: g).mm(basis);
        }
        public int BatchSize { get; }
        public Device Device => CPU;
        public Batch Next() => new(_x.index_select(0, randint(0, _x.shape[0], new long[] { BatchSize })));
        public Tensor All => _x;
    }


    [Fact]
    public void Each_phase_changes_only_the_networks_it_updates()
    {
        torch.manual_seed(1);
        using var model = new TinyAae(CPU);
        var data = new PlaneSource(32);
        ((IAdversarialModel)model).Players.ShouldBe(new[] { "Enc", "Dec", "D" });
        EachPhaseChangesOnly(model,
            ("reconstruction", () => model.StepReconstruction(data), new[] { "Enc", "Dec" }),
            ("D", () => model.StepDiscriminators(data), new[] { "D" }),
            ("Enc", () => model.StepGenerators(data), new[] { "Enc" }));
        ((IAdversarialModel)model).LossNames.ShouldBe(new[] { "loss_reconstruction", "loss_D", "loss_Enc" });
    }

    [Fact]
    public void Training_reduces_the_reconstruction_error()
    {
        torch.manual_seed(1);
        using var model = new TinyAae(CPU);
        var data = new PlaneSource(64);
        float Error() => (model.Generate(new Batch(new Dictionary<string, Tensor> { ["z"] = model.Encode(data.All) })) - data.All).pow(2).sum(1).mean().item<float>();
        float before = Error();
        for (int i = 0; i < 300; i++) model.TrainStep(data);
        float after = Error();
        after.ShouldBeLessThan(before * 0.3f, $"reconstruction error {before} → {after}");
    }

    [Fact]
    public void Encode_runs_the_encoder_and_Sample_decodes_the_prior()
    {
        torch.manual_seed(1);
        using var model = new TinyAae(CPU);
        Tensor x = randn(5, 4);
        Tensor code;
        using (no_grad()) code = ((nn.Module<Tensor, Tensor>)((IAdversarialModel)model).Network("Enc")).forward(x);
        (model.Encode(x) - code).abs().max().item<float>().ShouldBe(0f);
        ((IEncoderModel)model).Encoder.ShouldBe("Enc");
        ((IAdversarialModel)model).Sampler.ShouldBe("Dec");
        torch.manual_seed(4);
        Tensor samples = model.Sample(3);
        torch.manual_seed(4);
        Tensor z = randn(3, 2);
        Tensor decoded;
        using (no_grad()) decoded = ((nn.Module<Tensor, Tensor>)((IAdversarialModel)model).Network("Dec")).forward(z);
        (samples - decoded).abs().max().item<float>().ShouldBe(0f);
        Should.Throw<InvalidOperationException>(() => model.Encode(randn(5, 3))).Message.ShouldContain("Shape = \"4\"");
    }

    [Fact]
    public void The_mixture_prior_has_ten_equal_components_on_a_circle_of_radius_4()
    {
        torch.manual_seed(2);
        Tensor z = Priors.GaussianMixture(20000, CPU);
        z.shape.ShouldBe(new long[] { 20000, 2 });
        Tensor radius = z.pow(2).sum(1).sqrt();
        radius.mean().item<float>().ShouldBeInRange(3.9f, 4.1f);
        // the nearest mean of each point (angles 2πk/10) holds about a tenth of them
        Tensor angle = torch.atan2(z.select(1, 1), z.select(1, 0));
        Tensor component = (angle / (float)(2 * Math.PI / 10)).round().remainder(10).to(ScalarType.Int64);
        foreach (long count in component.bincount(null, 10).data<long>().ToArray()) count.ShouldBeInRange(1800L, 2200L);
        // the label-conditioned form puts class k in component k
        Tensor three = Priors.GaussianMixture(full(new long[] { 1000 }, 3L, dtype: ScalarType.Int64), CPU);
        float meanAngle = torch.atan2(three.select(1, 1).mean(), three.select(1, 0).mean()).item<float>();
        meanAngle.ShouldBe((float)(2 * Math.PI * 3 / 10), 0.05f);
    }

    [Fact]
    public void The_swiss_roll_prior_winds_outwards_with_its_radius()
    {
        torch.manual_seed(2);
        Tensor z = Priors.SwissRoll(5000, CPU);
        Tensor radius = z.pow(2).sum(1).sqrt();
        radius.max().item<float>().ShouldBeLessThanOrEqualTo(3.0001f);
        // angle = 4π r / 3: every point lies on the spiral
        Tensor expected = radius * (float)(4 * Math.PI / 3);
        Tensor onSpiral = stack(new[] { radius * expected.cos(), radius * expected.sin() }, 1);
        (onSpiral - z).abs().max().item<float>().ShouldBeLessThan(1e-3f);
    }

    [Fact]
    public void LabelScatter_draws_each_class_in_its_colour()
    {
        float[] xy = { -1, -1, 1, 1 };
        byte[] rgb = LabelScatter.Render(xy, new long[] { 0, 3 }, 100);
        // the points sit at the 10 %-padded corners; look for the class colours there
        bool Has((byte R, byte G, byte B) c) => Enumerable.Range(0, rgb.Length / 3).Any(i => Math.Abs(rgb[3 * i] - c.R) < 40 && Math.Abs(rgb[3 * i + 1] - c.G) < 40 && Math.Abs(rgb[3 * i + 2] - c.B) < 40
                                                                                         && !(rgb[3 * i] == 255 && rgb[3 * i + 1] == 255));
        Has(LabelScatter.Palette[0]).ShouldBeTrue();
        Has(LabelScatter.Palette[3]).ShouldBeTrue();
        Has(LabelScatter.Palette[5]).ShouldBeFalse();
    }
}
