using System.Collections.Generic;
using System.Linq;
using Gan.Dsl;
using Gan.Runtime;
using Gan.Runtime.Nets;
using Shouldly;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace GanDsl.Tests.Training;

/// <summary>The Gaussian encoder (reparameterization with the noise as an input), dropout in the MLPs, a sampler that returns
/// logits, and the catalog's <c>aae-dropout</c> that uses all three.</summary>
public class GaussianEncoderTests
{
    private static Dictionary<string, nn.Module> Children(nn.Module module) => module.named_children().ToDictionary(c => c.name, c => c.module);

    [Fact]
    public void The_gaussian_encoder_is_mu_plus_sigma_times_the_noise_it_is_given()
    {
        torch.manual_seed(1);
        using var encoder = Nets.GaussianMlpEncoder(new long[] { 1, 2, 3 }, new[] { 5 }, 4);
        var parts = Children(encoder);
        var trunk = (nn.Module<Tensor, Tensor>)parts["trunk"];
        var mean = (nn.Module<Tensor, Tensor>)parts["mean"];
        var logvar = (nn.Module<Tensor, Tensor>)parts["logvar"];
        Tensor x = randn(3, 1, 2, 3), eps = randn(3, 4);
        Tensor h = trunk.forward(x.flatten(1));
        Tensor expected = mean.forward(h) + (0.5 * logvar.forward(h)).exp() * eps;
        Tensor z = encoder.forward(Inputs.Concat(x, eps));
        z.shape.ShouldBe(new long[] { 3, 4 });
        (z - expected).abs().max().item<float>().ShouldBeLessThan(1e-6f);
        // With ε = 0 the code is the mean.
        (encoder.forward(Inputs.Concat(x, zeros(3, 4))) - mean.forward(h)).abs().max().item<float>().ShouldBeLessThan(1e-6f);
    }

    [Fact]
    public void The_gaussian_encoder_refuses_a_row_without_its_noise_and_noise_of_the_wrong_size()
    {
        using var encoder = Nets.GaussianMlpEncoder(new long[] { 6 }, new[] { 5 }, 4);
        Should.Throw<System.ArgumentException>(() => encoder.forward(randn(2, 6))).Message.ShouldContain("Enc(x, ε)");
        Should.Throw<System.ArgumentException>(() => encoder.forward(randn(2, 6 + 3))).Message.ShouldContain("4 units but the noise ε after the input has 3 values");
        Should.Throw<System.ArgumentOutOfRangeException>(() => Nets.GaussianMlpEncoder(new long[] { 6 }, new[] { 5 }, 4, dropout: 1.0));
    }

    [Fact]
    public void Mlp_dropout_follows_each_hidden_layer_and_is_off_in_evaluation()
    {
        torch.manual_seed(2);
        using var mlp = Nets.Mlp(new[] { 4, 16, 16, 2 }, Activation.ReLU, Activation.Identity, dropout: 0.5);
        mlp.modules().OfType<TorchSharp.Modules.Dropout>().Select(d => d.p).ShouldBe(new[] { 0.5, 0.5 });   // none after the output
        Children(mlp).Keys.ShouldBe(new[] { "linear0", "relu0", "dropout0", "linear1", "relu1", "dropout1", "linear2" });
        Tensor x = randn(8, 4);
        mlp.train();
        (mlp.forward(x) - mlp.forward(x)).abs().max().item<float>().ShouldBeGreaterThan(0f);   // fresh masks
        mlp.eval();
        (mlp.forward(x) - mlp.forward(x)).abs().max().item<float>().ShouldBe(0f);
        // Without dropout the layers are the ones the catalog's snapshots and checkpoints were made with.
        using var plain = Nets.Mlp(new[] { 4, 16, 2 }, Activation.ReLU);
        Children(plain).Keys.ShouldBe(new[] { "linear0", "relu0", "linear1" });
        Should.Throw<System.ArgumentOutOfRangeException>(() => Nets.Mlp(new[] { 4, 2 }, Activation.ReLU, Activation.Identity, dropout: -0.1));
    }

    [Fact]
    public void The_aae_dropout_entry_has_the_reproductions_networks_samples_probabilities_and_each_phase_moves_its_players()
    {
        torch.manual_seed(3);
        using var model = new GanDsl.Samples.Catalog.AdversarialAutoencoderDropout(CPU);
        IAdversarialModel m = model;
        foreach (string player in new[] { "Enc", "Dec", "D" })
        {
            m.Network(player).modules().OfType<TorchSharp.Modules.Dropout>().Select(d => d.p).ShouldBe(new[] { 0.2, 0.2 });
            var linears = m.Network(player).modules().OfType<TorchSharp.Modules.Linear>().ToArray();
            linears.ShouldAllBe(l => l.bias!.abs().max().item<float>() == 0f);   // Glorot-uniform weights, zero biases
            var hidden = linears.Single(l => l.weight!.shape.SequenceEqual(new long[] { 1200, 1200 }));
            hidden.weight!.std().item<float>().ShouldBe((float)System.Math.Sqrt(2.0 / 2400), 0.01f * (float)System.Math.Sqrt(2.0 / 2400));
        }
        foreach (optim.Optimizer optimizer in m.Optimizers)
            ((TorchSharp.Modules.Adam.ParamGroup)optimizer.ParamGroups.Single()).Options.beta1.ShouldBe(0.9);
        m.Optimizers.Select(o => o.ParamGroups.Single().LearningRate).ShouldBe(new[] { 2e-4, 2e-4, 1e-4 });   // one Adam per network

        // Dec returns logits; its samples are their sigmoid, as Dec(·) means in the formulas.
        var noise = new Batch(new Dictionary<string, Tensor> { ["z"] = randn(6, 8) * 5 });
        Tensor samples = model.Generate(noise);
        samples.shape.ShouldBe(new long[] { 6, 1, 28, 28 });
        m.Network("Dec").eval();
        Tensor logits;
        using (no_grad()) logits = ((nn.Module<Tensor, Tensor>)m.Network("Dec")).forward(noise["z"]);
        (samples - sigmoid(logits)).abs().max().item<float>().ShouldBeLessThan(1e-6f);
        m.Network("Dec").train();

        using var data = new Gan.Runtime.Data.ImageBatchSource(rand(40, 1, 28, 28), zeros(40, dtype: ScalarType.Int64), 20, CPU, DataRange.ZeroToOne, seed: 0);
        float reconstruction = float.NaN;
        PlayerSnapshots.EachPhaseChangesOnly(model,
            ("reconstruction", () => reconstruction = model.StepReconstruction(data), new[] { "Enc", "Dec" }),
            ("D", () => model.StepDiscriminators(data), new[] { "D" }),
            ("Enc", () => model.StepGenerators(data), new[] { "Enc" }));   // Dec is not in the game
        reconstruction.ShouldBeInRange(0.5f, 1.0f);   // the binary cross-entropy per pixel of near-random pixels, near log 2
    }

    [Fact]
    public void The_two_adams_entry_steps_the_encoder_with_a_second_optimizer_in_the_reconstruction()
    {
        torch.manual_seed(3);
        using var model = new GanDsl.Samples.Catalog.AdversarialAutoencoderDropoutTwoAdams(CPU);
        IAdversarialModel m = model;
        // Enc, Dec, D, then Enc and Dec in the reconstruction phase: the reproduction's 1e-4 regularization and 2e-4 reconstruction,
        // the encoder with an Adam for each (Dec's own, at the default rate, is never stepped: the reconstruction alone trains it).
        m.Optimizers.Select(o => o.ParamGroups.Single().LearningRate).ShouldBe(new[] { 1e-4, 2e-4, 1e-4, 2e-4, 2e-4 });
        foreach (optim.Optimizer optimizer in m.Optimizers)
            ((TorchSharp.Modules.Adam.ParamGroup)optimizer.ParamGroups.Single()).Options.beta1.ShouldBe(0.9);

        using var data = new Gan.Runtime.Data.ImageBatchSource(rand(40, 1, 28, 28), zeros(40, dtype: ScalarType.Int64), 20, CPU, DataRange.ZeroToOne, seed: 0);
        PlayerSnapshots.EachPhaseChangesOnly(model,
            ("reconstruction", () => model.StepReconstruction(data), new[] { "Enc", "Dec" }),
            ("D", () => model.StepDiscriminators(data), new[] { "D" }),
            ("Enc", () => model.StepGenerators(data), new[] { "Enc" }));
    }
}
