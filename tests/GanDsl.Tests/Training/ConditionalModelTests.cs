using System;
using System.Collections.Generic;
using System.Linq;
using Gan.Runtime;
using Gan.Runtime.Nets;
using GanDsl.Tests.Runtime;
using Shouldly;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;
using static GanDsl.Tests.Training.PlayerSnapshots;
using F = TorchSharp.torch.nn.functional;

namespace GanDsl.Tests.Training;

/// <summary>The conditional GAN (Mirza &amp; Osindero 2014) as generated: labels reach the networks one-hot, Sample(labels)
/// chooses the class, the step equals a hand-written conditional step, each player's update touches only that player,
/// and bad labels are refused with what arrived.</summary>
[Collection(TorchGlobalRngCollection.Name)]
public class ConditionalModelTests
{
    /// <summary>Fixed 8-D points with labels in [0, 3); each batch is a random subset drawn with the global generator.</summary>
    private sealed class LabelledSource : IBatchSource
    {
        private readonly Tensor _x, _y;
        public LabelledSource(int batchSize, long[]? labels = null)
        {
            BatchSize = batchSize;
            var g = new torch.Generator(5);
            _x = randn(new long[] { 200, 8 }, generator: g);
            _y = labels != null ? tensor(labels) : randint(0, 3, new long[] { 200 }, generator: g);
        }
        public int BatchSize { get; }
        public Device Device => CPU;
        public Batch Next()
        {
            Tensor index = randint(0, _y.shape[0], new long[] { BatchSize });
            return new Batch(new Dictionary<string, Tensor> { ["x"] = _x.index_select(0, index), ["y"] = _y.index_select(0, index) });
        }
    }

    [Fact]
    public void Sample_for_labels_feeds_those_classes_one_hot_to_the_generator()
    {
        torch.manual_seed(1);
        using var model = new EchoConditionalGan(CPU);
        Tensor labels = tensor(new long[] { 2, 0, 1, 2 });
        Tensor output = model.Sample(labels);
        output.shape.ShouldBe(new long[] { 4, 8 });
        // G(z | y′) = [z, one-hot y′] here: the last 3 columns are the requested classes.
        Tensor code = output.narrow(1, 5, 3);
        code.argmax(1).data<long>().ToArray().ShouldBe(new long[] { 2, 0, 1, 2 });
        code.sum(1).data<float>().ToArray().ShouldAllBe(v => v == 1f);
        ((IConditionalModel)model).Classes.ShouldBe(3);
        ((IConditionalModel)model).Condition.ShouldBe("y′");
    }

    [Fact]
    public void Sample_n_of_one_class_is_Sample_of_that_label_repeated_on_a_seed()
    {
        torch.manual_seed(1);
        using var model = new TinyConditionalGan(CPU);
        torch.manual_seed(3);
        Tensor a = model.Sample(5, 1);
        torch.manual_seed(3);
        Tensor b = model.Sample(full(new long[] { 5 }, 1L, dtype: ScalarType.Int64));
        (a - b).abs().max().item<float>().ShouldBe(0f);
        // and the class matters: another label gives other samples for the same noise
        torch.manual_seed(3);
        Tensor c = model.Sample(5, 2);
        (a - c).abs().max().item<float>().ShouldBeGreaterThan(1e-4f);
    }

    [Fact]
    public void Unconditional_Sample_draws_the_class_from_the_uniform_prior()
    {
        torch.manual_seed(1);
        using var model = new EchoConditionalGan(CPU);
        Tensor counts = model.Sample(3000).narrow(1, 5, 3).sum(dim: 0);
        foreach (float count in counts.data<float>().ToArray()) count.ShouldBeInRange(900f, 1100f);
    }

    [Fact]
    public void The_generated_step_equals_a_hand_written_conditional_step()
    {
        const int steps = 5;
        torch.manual_seed(7);
        using var model = new TinyConditionalGan(CPU);
        torch.manual_seed(99);
        var data = new LabelledSource(32);
        for (int i = 0; i < steps; i++) model.TrainStep(data);
        var generated = model.PlayerParameters("G").Concat(model.PlayerParameters("D")).Select(p => p.detach().clone()).ToList();

        torch.manual_seed(7);
        var g = Nets.Mlp(8, 16, 8);
        var d = Nets.Mlp(11, 16, 1);
        using var optG = optim.Adam(g.parameters(), 1e-3, 0.5, 0.999);
        using var optD = optim.Adam(d.parameters(), 2e-3, 0.5, 0.999);
        torch.manual_seed(99);
        var handData = new LabelledSource(32);
        for (int i = 0; i < steps; i++)
        {
            using (NewDisposeScope())
            {
                Batch batch = handData.Next();
                Tensor x = batch["x"], y = F.one_hot(batch["y"], 3).to(ScalarType.Float32);
                Tensor z = randn(new long[] { 32, 5 });
                Tensor yPrime = F.one_hot(randint(0, 3, new long[] { 32 }), 3).to(ScalarType.Float32);
                Tensor fake;
                using (no_grad()) fake = g.forward(cat(new[] { z, yPrime }, 1));
                Tensor lossD = -(F.logsigmoid(d.forward(cat(new[] { x, y }, 1))).mean() + F.logsigmoid(-d.forward(cat(new[] { fake, yPrime }, 1))).mean());
                optD.zero_grad();
                lossD.backward();
                optD.step();
            }
            using (NewDisposeScope())
            {
                Tensor z = randn(new long[] { 32, 5 });
                Tensor yPrime = F.one_hot(randint(0, 3, new long[] { 32 }), 3).to(ScalarType.Float32);
                Tensor lossG = -F.logsigmoid(d.forward(cat(new[] { g.forward(cat(new[] { z, yPrime }, 1)), yPrime }, 1))).mean();
                optG.zero_grad();
                lossG.backward();
                optG.step();
            }
        }
        var hand = g.parameters().Concat(d.parameters()).Select(p => p.detach().clone()).ToList();
        generated.Count.ShouldBe(hand.Count);
        for (int i = 0; i < hand.Count; i++)
            (generated[i] - hand[i]).abs().max().item<float>().ShouldBeLessThanOrEqualTo(1e-6f, $"parameter {i}");
    }

    [Fact]
    public void Each_players_update_changes_only_that_player()
    {
        torch.manual_seed(1);
        using var model = new TinyConditionalGan(CPU);
        var data = new LabelledSource(16);
        var g = Snap(model, "G");
        var d = Snap(model, "D");
        model.StepDiscriminators(data);
        Same(g, model, "G").ShouldBeTrue("G changed during D's update");
        Same(d, model, "D").ShouldBeFalse();
        g = Snap(model, "G");
        d = Snap(model, "D");
        model.StepGenerators(data);
        Same(d, model, "D").ShouldBeTrue("D changed during G's update");
        Same(g, model, "G").ShouldBeFalse();
    }

    [Fact]
    public void A_label_outside_the_declared_classes_is_refused_with_the_class_it_found()
    {
        torch.manual_seed(1);
        using var model = new TinyConditionalGan(CPU);
        var data = new LabelledSource(16, Enumerable.Range(0, 200).Select(i => (long)(i % 5)).ToArray());
        var e = Should.Throw<InvalidOperationException>(() => model.StepDiscriminators(data));
        e.Message.ShouldContain("TinyConditionalGan: 'y' (batch field 'y') has 3 classes (0 to 2), but a batch holds class");
    }

    [Fact]
    public void Labels_that_are_not_class_indices_are_refused_with_what_arrived()
    {
        var e = Should.Throw<InvalidOperationException>(() => ModelChecks.OneHot("M", "y′", 3, ones(4, 3)));
        e.Message.ShouldBe("M: 'y′' takes class indices, an integer tensor of shape [m], but got Float32 of shape [4, 3].");
        ModelChecks.OneHot("M", "y′", 3, tensor(new long[] { 0, 2 })).data<float>().ToArray().ShouldBe(new float[] { 1, 0, 0, 0, 0, 1 });
    }

    private sealed class UnlabelledSource : IBatchSource
    {
        public int BatchSize => 8;
        public Device Device => CPU;
        public Batch Next() => new(randn(8, 8));
    }

    [Fact]
    public void A_batch_without_the_label_field_names_the_fields_it_has()
    {
        torch.manual_seed(1);
        using var model = new TinyConditionalGan(CPU);
        var e = Should.Throw<KeyNotFoundException>(() => model.StepDiscriminators(new UnlabelledSource()));
        e.Message.ShouldContain("The batch has no field 'y' (it has: x)");
    }

    [Fact]
    public void Inputs_of_one_rank_are_joined_on_dimension_1_and_of_different_ranks_flattened_first()
    {
        Inputs.Concat(ones(2, 3), zeros(2, 4)).shape.ShouldBe(new long[] { 2, 7 });
        Inputs.Concat(ones(2, 1, 4, 4), zeros(2, 2, 4, 4)).shape.ShouldBe(new long[] { 2, 3, 4, 4 });
        Tensor joined = Inputs.Concat(arange(32, dtype: ScalarType.Float32).view(2, 1, 4, 4), full(new long[] { 2, 3 }, -1f));
        joined.shape.ShouldBe(new long[] { 2, 19 });
        joined[0, 15].item<float>().ShouldBe(15f);
        joined[1, 0].item<float>().ShouldBe(16f);
        joined[1, 16].item<float>().ShouldBe(-1f);
    }

    [Fact]
    public void LabelPlanes_stacks_the_label_as_constant_channels_on_the_image()
    {
        using var planes = new LabelPlanes(new long[] { 1, 4, 4 }, 3);
        Tensor image = arange(16, dtype: ScalarType.Float32).view(1, 1, 4, 4);
        Tensor label = tensor(new float[] { 0, 1, 0 }).view(1, 3);
        Tensor output = planes.forward(Inputs.Concat(image, label));
        output.shape.ShouldBe(new long[] { 1, 4, 4, 4 });
        (output.narrow(1, 0, 1) - image).abs().max().item<float>().ShouldBe(0f);
        output[0, 2].min().item<float>().ShouldBe(1f);
        output[0, 1].max().item<float>().ShouldBe(0f);
        output[0, 3].max().item<float>().ShouldBe(0f);
        Should.Throw<ArgumentException>(() => planes.forward(ones(1, 18))).Message.ShouldContain("[m, 19], but got [1, 18]");
    }
}
