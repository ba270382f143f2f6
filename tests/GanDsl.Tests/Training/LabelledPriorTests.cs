using System;
using System.Collections.Generic;
using System.Linq;
using Gan.Runtime;
using GanDsl.Tests.Runtime;
using Shouldly;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;
using static GanDsl.Tests.Training.PlayerSnapshots;

namespace GanDsl.Tests.Training;

/// <summary>Priors given a label (<c>[Noise(..., Given = "y")]</c>), as generated: in a training step the batch's labels choose
/// the mixture's component (Makhzani et al. 2015, §2.3) or are the categorical code itself; outside a step the component is
/// uniform, and Sample(labels) chooses it; each phase of the labelled adversarial autoencoder updates only its players.</summary>
[Collection(TorchGlobalRngCollection.Name)]
public class LabelledPriorTests
{
    /// <summary>Random points of <paramref name="dimensions"/> dimensions, every label <paramref name="label"/> (or random in [0, classes)).</summary>
    private sealed class LabelledSource : IBatchSource
    {
        private readonly int _dimensions, _classes;
        private readonly long? _label;
        public LabelledSource(int batchSize, int dimensions, int classes, long? label)
        {
            BatchSize = batchSize; _dimensions = dimensions; _classes = classes; _label = label;
        }
        public int BatchSize { get; }
        public Device Device => CPU;
        public Batch Next() => new(new Dictionary<string, Tensor>
        {
            ["x"] = randn(BatchSize, _dimensions),
            ["y"] = _label is long k ? full(new long[] { BatchSize }, k, dtype: ScalarType.Int64) : randint(0, _classes, new long[] { BatchSize }),
        });
    }

    /// <summary>The mean of mixture component k: radius 4 at angle 2πk/10.</summary>
    private static (float X, float Y) ComponentMean(long k)
        => ((float)(Priors.MixtureRadius * Math.Cos(2 * Math.PI * k / Priors.MixtureComponents)),
            (float)(Priors.MixtureRadius * Math.Sin(2 * Math.PI * k / Priors.MixtureComponents)));

    /// <summary>For each 2-D point, the index of the nearest component mean.</summary>
    private static long[] NearestComponent(Tensor points)
    {
        Tensor means = stack(Enumerable.Range(0, Priors.MixtureComponents).Select(k =>
        {
            var (x, y) = ComponentMean(k);
            return tensor(new[] { x, y });
        }).ToArray(), 0);
        return cdist(points, means).argmin(1).data<long>().ToArray();
    }

    [Fact]
    public void In_a_training_step_the_prior_draws_for_labels_k_lie_at_component_k()
    {
        torch.manual_seed(1);
        using var model = new TinyLabelledMixtureAae(CPU);
        var recorder = (RecordingDiscriminator)((IAdversarialModel)model).Network("D");
        for (long k = 0; k < 10; k++)
        {
            recorder.Inputs.Clear();
            model.StepDiscriminators(new LabelledSource(256, 4, 10, k));
            // D(z | y) and D(Enc(x) | y), in that order: D's inputs are [code, one-hot label].
            recorder.Inputs.Count.ShouldBe(2);
            Tensor prior = recorder.Inputs[0];
            prior.shape.ShouldBe(new long[] { 256, 12 });
            Tensor z = prior.narrow(1, 0, 2);
            var (mx, my) = ComponentMean(k);
            z.select(1, 0).mean().item<float>().ShouldBe(mx, 0.25f, $"class {k}: mean of z's first coordinate");
            z.select(1, 1).mean().item<float>().ShouldBe(my, 0.25f, $"class {k}: mean of z's second coordinate");
            NearestComponent(z).Count(c => c == k).ShouldBeGreaterThanOrEqualTo(245, $"class {k}: draws nearest component {k}");
            // both of D's inputs carry the batch's label, one-hot
            foreach (Tensor input in recorder.Inputs)
                input.narrow(1, 2, 10).argmax(1).data<long>().ToArray().ShouldAllBe(c => c == k);
        }
    }

    [Fact]
    public void Mixed_labels_each_choose_their_own_component()
    {
        torch.manual_seed(2);
        using var model = new TinyLabelledMixtureAae(CPU);
        var recorder = (RecordingDiscriminator)((IAdversarialModel)model).Network("D");
        model.StepDiscriminators(new LabelledSource(500, 4, 10, null));
        Tensor prior = recorder.Inputs[0];
        long[] labels = prior.narrow(1, 2, 10).argmax(1).data<long>().ToArray();
        long[] nearest = NearestComponent(prior.narrow(1, 0, 2));
        labels.Distinct().Count().ShouldBe(10);
        labels.Zip(nearest).Count(p => p.First == p.Second).ShouldBeGreaterThanOrEqualTo(485);
    }

    [Fact]
    public void Outside_a_step_the_component_is_uniform_and_Sample_for_labels_chooses_it()
    {
        torch.manual_seed(3);
        using var model = new TinyLabelledMixtureAae(CPU);
        var conditional = (IConditionalModel)model;
        conditional.Condition.ShouldBe("y");
        conditional.Classes.ShouldBe(10);
        // SampleNoise(n): every component, about equally often
        long[] counts = tensor(NearestComponent(model.SampleNoise(10000)["z"])).bincount(null, 10).data<long>().ToArray();
        counts.ShouldAllBe(c => c > 850 && c < 1150);
        // SampleNoise(labels): class k from component k
        Tensor labels = arange(1000, dtype: ScalarType.Int64).remainder(10);
        NearestComponent(conditional.SampleNoise(labels)["z"]).Zip(labels.data<long>().ToArray()).Count(p => p.First == p.Second).ShouldBeGreaterThanOrEqualTo(970);
        // Sample(labels) decodes exactly that noise
        torch.manual_seed(4);
        Tensor samples = model.Sample(labels);
        torch.manual_seed(4);
        Tensor decoded = model.Generate(conditional.SampleNoise(labels));
        (samples - decoded).abs().max().item<float>().ShouldBe(0f);
        // labels out of range are refused with what arrived
        Should.Throw<InvalidOperationException>(() => model.Sample(tensor(new long[] { 3, 10 }))).Message.ShouldContain("'y' has 10 classes (0 to 9), but a batch holds class 10");
    }

    [Fact]
    public void A_batch_without_valid_labels_is_refused_before_any_update()
    {
        torch.manual_seed(5);
        using var model = new TinyLabelledMixtureAae(CPU);
        var d = Snap(model, "D");
        Should.Throw<InvalidOperationException>(() => model.StepDiscriminators(new LabelledSource(8, 4, 10, 12)))
            .Message.ShouldContain("'y' (batch field 'y') has 10 classes (0 to 9), but a batch holds class 12");
        Same(d, model, "D").ShouldBeTrue();
    }

    [Fact]
    public void Each_phase_of_the_labelled_autoencoder_changes_only_the_networks_it_updates()
    {
        torch.manual_seed(6);
        using var model = new TinyLabelledMixtureAae(CPU);
        var data = new LabelledSource(32, 4, 10, null);
        ((IAdversarialModel)model).Players.ShouldBe(new[] { "Enc", "Dec", "D" });
        EachPhaseChangesOnly(model,
            ("reconstruction", () => model.StepReconstruction(data), new[] { "Enc", "Dec" }),
            ("D", () => model.StepDiscriminators(data), new[] { "D" }),
            ("Enc", () => model.StepGenerators(data), new[] { "Enc" }));
        ((IAdversarialModel)model).LossNames.ShouldBe(new[] { "loss_reconstruction", "loss_D", "loss_Enc" });
    }

    [Fact]
    public void A_categorical_code_given_the_label_is_the_label_one_hot_in_a_step()
    {
        torch.manual_seed(7);
        using var model = new TinyGivenCodeGan(CPU);
        var recorder = (RecordingDiscriminator)((IAdversarialModel)model).Network("D");
        // The generator's phase names no label, yet reads the batch for c's labels: D(G(z | c) | c) ends in one-hot 2.
        model.StepGenerators(new LabelledSource(64, 2, 3, 2));
        recorder.Inputs.Count.ShouldBe(1);
        Tensor code = recorder.Inputs[0].narrow(1, 2, 3);
        code.argmax(1).data<long>().ToArray().ShouldAllBe(c => c == 2);
        code.sum(1).data<float>().ToArray().ShouldAllBe(v => v == 1f);
        // outside a step c is uniform; Sample(labels) sets it
        var conditional = (IConditionalModel)model;
        conditional.Condition.ShouldBe("y");
        conditional.Classes.ShouldBe(3);
        long[] drawn = model.SampleNoise(3000)["c"].argmax(1).bincount(null, 3).data<long>().ToArray();
        drawn.ShouldAllBe(c => c > 900 && c < 1100);
        model.SampleNoise(tensor(new long[] { 1, 0, 2 }))["c"].argmax(1).data<long>().ToArray().ShouldBe(new long[] { 1, 0, 2 });
    }
}
