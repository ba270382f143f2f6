using System;
using System.Collections.Generic;
using System.Linq;
using Gan.Dsl;
using Gan.Runtime;
using Gan.Runtime.Data;
using Gan.Runtime.Nets;
using GanDsl.Samples.Catalog;
using GanDsl.Tests.Runtime;
using Shouldly;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace GanDsl.Tests.Training;

/// <summary>Image models: declared shapes are checked at run time, noise can be drawn and fed separately,
/// and the paper networks have the shapes the declarations promise.</summary>
[Collection(TorchGlobalRngCollection.Name)]
public sealed class ImageModelTests
{
    private sealed class FixedBatches(Tensor x) : IBatchSource
    {
        public int BatchSize => (int)x.shape[0];
        public Device Device => CPU;
        public Batch Next() => new(x.alias());
    }

    [Fact]
    public void The_declared_data_variables_are_exposed()
    {
        using var model = new TinyImageGan(CPU);
        IAdversarialModel m = model;
        m.Data.Count.ShouldBe(1);
        m.Data[0].Name.ShouldBe("x");
        m.Data[0].Field.ShouldBe("x");
        m.Data[0].Shape.ShouldBe(new long[] { 1, 4, 4 });
        m.Data[0].Range.ShouldBe(DataRange.MinusOneToOne);
        m.Data[0].Size.ShouldBe(16);
    }

    [Fact]
    public void A_batch_of_the_wrong_shape_is_refused_with_both_shapes_named()
    {
        using var model = new TinyImageGan(CPU);
        var flat = new FixedBatches(zeros(8, 16));
        var e = Should.Throw<InvalidOperationException>(() => model.StepDiscriminators(flat));
        e.Message.ShouldBe("TinyImageGan: data variable 'x' is declared with Shape = \"1x4x4\", so a batch of its field 'x' must have shape [m, 1, 4, 4], " +
                           "but it has shape [8, 16]. Fix the declaration or the data source.");
    }

    [Fact]
    public void A_batch_of_the_declared_shape_trains()
    {
        using var model = new TinyImageGan(CPU);
        var losses = model.TrainStep(new FixedBatches(rand(8, 1, 4, 4).mul(2).sub(1)));
        losses.Values.ShouldAllBe(v => float.IsFinite(v));
    }

    [Fact]
    public void Generate_of_SampleNoise_is_Sample_on_the_same_seed()
    {
        using var model = new TinyImageGan(CPU);
        torch.manual_seed(7);
        using var sampled = model.Sample(6);
        torch.manual_seed(7);
        var noise = model.SampleNoise(6);
        noise.Fields.ShouldBe(new[] { "z" });
        noise["z"].shape.ShouldBe(new long[] { 6, 5 });
        using var generated = model.Generate(noise);
        generated.shape.ShouldBe(new long[] { 6, 1, 4, 4 });
        (sampled - generated).abs().max().item<float>().ShouldBe(0f);
    }

    [Fact]
    public void Dcgan_on_28x28_images_steps_each_player_alone()
    {
        torch.manual_seed(3);
        using var model = new Dcgan(CPU);
        using var sample = model.Sample(4);
        sample.shape.ShouldBe(new long[] { 4, 1, 28, 28 });
        sample.min().item<float>().ShouldBeGreaterThanOrEqualTo(-1f);
        sample.max().item<float>().ShouldBeLessThanOrEqualTo(1f);

        var data = new FixedBatches(rand(8, 1, 28, 28).mul(2).sub(1));
        List<Tensor> g = PlayerSnapshots.Snap(model, "G");
        model.StepDiscriminators(data);
        PlayerSnapshots.Same(g, model, "G").ShouldBeTrue("G's parameters changed in D's step");
        List<Tensor> d = PlayerSnapshots.Snap(model, "D");
        model.StepGenerators(data);
        PlayerSnapshots.Same(d, model, "D").ShouldBeTrue("D's parameters changed in G's step");
    }

    [Fact]
    public void The_paper_networks_have_the_promised_shapes()
    {
        using var x = rand(3, 1, 28, 28);
        using (var g = Nets.MlpGenerator(100, new[] { 1200, 1200 }, new long[] { 1, 28, 28 }))
        using (var y = g.forward(rand(3, 100)))
        {
            y.shape.ShouldBe(new long[] { 3, 1, 28, 28 });
            y.min().item<float>().ShouldBeGreaterThanOrEqualTo(0f);   // sigmoid
        }
        using (var d = Nets.MaxoutDiscriminator(new long[] { 1, 28, 28 }))
        using (var y = d.forward(x)) y.shape.ShouldBe(new long[] { 3, 1 });
        using (var d = Nets.DcganDiscriminator())
        using (var y = d.forward(x)) y.shape.ShouldBe(new long[] { 3, 1 });
        // Goodfellow et al. 2014's maxout D: 784·1200 + 1200 + 240·1200 + 1200 + 241 weights.
        using (var d = Nets.MaxoutDiscriminator(new long[] { 1, 28, 28 }))
            d.parameters().Sum(p => p.numel()).ShouldBe(784L * 1200 + 1200 + 240 * 1200 + 1200 + 241);
    }

    [Fact]
    public void Maxout_is_the_maximum_over_its_pieces()
    {
        using var layer = new Maxout(3, 2, 4);
        using var x = randn(5, 3);
        var weights = layer.parameters().ToArray();   // weight [8, 3], bias [8]
        using var linear = x.matmul(weights[0].detach().t()) + weights[1].detach();
        using var expected = linear.view(5, 2, 4).max(2).values;
        using var actual = layer.forward(x);
        (actual - expected).abs().max().item<float>().ShouldBeLessThan(1e-6f);
    }
}
