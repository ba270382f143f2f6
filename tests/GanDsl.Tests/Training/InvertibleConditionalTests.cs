using System.Collections.Generic;
using System.Linq;
using Gan.Runtime;
using Gan.Cli;
using GanDsl.Tests.Runtime;
using Shouldly;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;
using static GanDsl.Tests.Training.PlayerSnapshots;

namespace GanDsl.Tests.Training;

/// <summary>The invertible conditional GAN (Perarnau et al. 2016) as generated: E_z learns from generated pairs with G held
/// fixed, E_y from labelled data, and Edit(x, y) = G(E_z(x) | y).</summary>
[Collection(TorchGlobalRngCollection.Name)]
public class InvertibleConditionalTests
{
    private sealed class Source : IBatchSource
    {
        private readonly Tensor _x, _y;
        public Source()
        {
            var g = new torch.Generator(2);
            _y = randint(0, 3, new long[] { 300 }, generator: g);
            _x = randn(new long[] { 300, 8 }, generator: g) * 0.3f + _y.to(ScalarType.Float32).unsqueeze(1);   // the label shifts the mean
        }
        public int BatchSize => 32;
        public Device Device => CPU;
        public Batch Next()
        {
            Tensor i = randint(0, 300, new long[] { 32 });
            return new Batch(new Dictionary<string, Tensor> { ["x"] = _x.index_select(0, i), ["y"] = _y.index_select(0, i) });
        }
    }


    [Fact]
    public void Each_encoder_phase_trains_only_its_encoder()
    {
        torch.manual_seed(1);
        using var model = new TinyIcgan(CPU);
        var data = new Source();
        string[] players = { "G", "D", "E_z", "E_y" };
        foreach (var (step, changes) in new (System.Func<float>, string)[] { (() => model.StepEncoder_z(data), "E_z"), (() => model.StepEncoder_y(data), "E_y") })
        {
            var before = players.ToDictionary(p => p, p => Snap(model, p));
            step();
            foreach (string p in players) Same(before[p], model, p).ShouldBe(p != changes, $"{p} in the phase of {changes}");
        }
        ((IAdversarialModel)model).LossNames.ShouldBe(new[] { "loss_encoder_z", "loss_encoder_y", "loss_D", "loss_G" });
    }

    [Fact]
    public void The_encoders_learn_what_they_are_asked()
    {
        torch.manual_seed(1);
        using var model = new TinyIcgan(CPU);
        var data = new Source();
        float zFirst = model.StepEncoder_z(data), yFirst = model.StepEncoder_y(data);
        float zLast = 0, yLast = 0;
        for (int i = 0; i < 300; i++) { zLast = model.StepEncoder_z(data); yLast = model.StepEncoder_y(data); }
        zLast.ShouldBeLessThan(zFirst * 0.5f, "‖E_z(G(z | y′)) − z‖² should fall with G fixed");
        yLast.ShouldBeLessThan(yFirst * 0.5f, "E_y's cross-entropy on labelled data should fall");
    }

    [Fact]
    public void Edit_is_G_of_the_encoded_noise_and_the_new_label()
    {
        torch.manual_seed(1);
        using var model = new TinyIcgan(CPU);
        model.train();
        Tensor x = randn(4, 8), labels = tensor(new long[] { 0, 2, 1, 2 });
        IEditableModel editable = model;
        Tensor edited = editable.Edit(x, labels);
        Tensor expected;
        using (no_grad())
        {
            var m = (IAdversarialModel)model;
            Tensor z = ((nn.Module<Tensor, Tensor>)m.Network("E_z")).forward(x);
            expected = ((nn.Module<Tensor, Tensor>)m.Network("G")).forward(cat(new[] { z, nn.functional.one_hot(labels, 3).to(ScalarType.Float32) }, 1));
        }
        edited.shape.ShouldBe(new long[] { 4, 8 });
        edited.requires_grad.ShouldBeFalse();
        (edited - expected).abs().max().item<float>().ShouldBeLessThan(1e-6f);
        foreach (string player in new[] { "G", "E_z" })
            ((IAdversarialModel)model).Network(player).training.ShouldBeTrue($"{player}'s training flag is restored after Edit");
        editable.EditFormula.ShouldBe("G(E_z(x) | y′)");
        editable.EditLabel.ShouldBe("y′");
        editable.EditClasses.ShouldBe(3);
        (EditCommands.Edit(model, x, labels) - expected).abs().max().item<float>().ShouldBeLessThan(1e-6f);
        EditCommands.CanEdit(model).ShouldBeTrue();
        EditCommands.CanEdit(new TinyConditionalGan(CPU)).ShouldBeFalse();
    }

    [Theory]
    [InlineData("float", "takes class indices, an integer tensor of shape [m], but got Float32 of shape [4]")]
    [InlineData("two-d", "takes class indices, an integer tensor of shape [m], but got Int64 of shape [4, 1]")]
    [InlineData("range", "has 3 classes (0 to 2), but a batch holds class 3")]
    [InlineData("count", "Edit takes one class index of 'y′' per example, but got 3 labels for 4 examples")]
    public void Edit_refuses_bad_labels_with_a_clear_message(string kind, string message)
    {
        using var model = new TinyIcgan(CPU);
        Tensor x = randn(4, 8);
        Tensor labels = kind switch
        {
            "float" => tensor(new float[] { 0, 1, 2, 0 }),
            "two-d" => tensor(new long[] { 0, 1, 2, 0 }).unsqueeze(1),
            "range" => tensor(new long[] { 0, 1, 3, 0 }),
            _ => tensor(new long[] { 0, 1, 2 }),
        };
        var e = Should.Throw<System.InvalidOperationException>(() => model.Edit(x, labels));
        e.Message.ShouldStartWith("TinyIcgan: ");
        e.Message.ShouldContain(message);
        Should.Throw<System.InvalidOperationException>(() => model.Edit(randn(4, 7), tensor(new long[] { 0, 1, 2, 0 })))
            .Message.ShouldContain("Shape = \"8\"");
    }
}
