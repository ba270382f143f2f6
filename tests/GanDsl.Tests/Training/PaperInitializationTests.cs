using System.Linq;
using Gan.Dsl;
using Gan.Runtime;
using Gan.Runtime.Nets;
using Shouldly;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace GanDsl.Tests.Training;

/// <summary>Goodfellow et al. 2014's settings as declaration options: z on [−s, s], a momentum that rises over the run,
/// G's output bias from the data's mean, pylearn2's uniform initialization.</summary>
[Gan(Name = "paper-options-test", Data = "ring")]
[Data("x", Shape = "4", Range = DataRange.ZeroToOne)]
[Noise("z", Distribution.Uniform, 3, Scale = 2.5)]
[Minimax("E[log D(x)] + E[log(1 - D(G(z)))]")]
public partial class PaperOptionsModel
{
    [Generator(Optimizer = Optimizer.Sgd, LearningRate = 0.1, Momentum = 0.5, FinalMomentum = 0.7, OutputBiasFromData = true)]
    static nn.Module<Tensor, Tensor> G() => Nets.InitUniform(Nets.Mlp(new[] { 3, 8, 4 }, Activation.ReLU, Activation.Sigmoid), 0.05);

    [Discriminator(Optimizer = Optimizer.Sgd, LearningRate = 0.05, Momentum = 0.5)]
    static nn.Module<Tensor, Tensor> D() => Nets.InitUniform(Nets.Mlp(4, 8, 1), 0.005);
}

/// <summary>InfoGAN's update scheme in Chen et al.'s code: the recognition head Q is trained in D's step, on D's loss minus
/// the mutual information, and G's loss carries the mutual information too.</summary>
[Gan(Name = "side-updates-test", Data = "ring")]
[Data("x", Shape = "2")]
[Noise("z", Distribution.Normal, 2)]
[Noise("c", Distribution.Categorical, 3)]
[Game("-E[log D(x)] - E[log(1 - D(G(z | c)))] - E[log Q(c | G(z | c))]", "-E[log D(G(z | c))] - E[log Q(c | G(z | c))]", DiscriminatorUpdates = "Q")]
public partial class SideUpdatesModel
{
    [Generator] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(5, 16, 2);
    [Discriminator] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(2, 16, 1);
    [Network(Output = NetworkOutput.Categorical)] static nn.Module<Tensor, Tensor> Q() => Nets.Mlp(2, 16, 3);
}

[Collection(GanDsl.Tests.Runtime.TorchGlobalRngCollection.Name)]
public class PaperInitializationTests
{
    [Fact]
    public void A_scaled_uniform_noise_fills_minus_s_to_s()
    {
        torch.manual_seed(1);
        using var model = new PaperOptionsModel(CPU);
        Tensor z = model.SampleNoise(20000)["z"];
        z.min().item<float>().ShouldBeGreaterThanOrEqualTo(-2.5f);
        z.max().item<float>().ShouldBeLessThanOrEqualTo(2.5f);
        z.max().item<float>().ShouldBeGreaterThan(2.45f);
        z.std().item<float>().ShouldBe((float)(2.5 / System.Math.Sqrt(3)), 0.02f);
    }

    [Fact]
    public void Final_momentum_rises_linearly_with_progress_only_for_its_player()
    {
        using var concrete = new PaperOptionsModel(CPU);
        IAdversarialModel model = concrete;
        double Momentum(int player) => ((torch.optim.IMomentum)model.Optimizers[player].ParamGroups.First()).Momentum;
        int g = model.Players.ToList().IndexOf("G"), d = model.Players.ToList().IndexOf("D");
        ((IProgressAware)model).Progress = 0;
        Momentum(g).ShouldBe(0.5, 1e-12);
        ((IProgressAware)model).Progress = 0.5;
        Momentum(g).ShouldBe(0.6, 1e-12);
        Momentum(d).ShouldBe(0.5, 1e-12);
        ((IProgressAware)model).Progress = 1;
        Momentum(g).ShouldBe(0.7, 1e-12);
    }

    [Fact]
    public void Output_bias_from_data_is_the_logit_of_the_mean_and_init_uniform_bounds_the_weights()
    {
        using var concrete = new PaperOptionsModel(CPU);
        IAdversarialModel model = concrete;
        var starts = (IDataInitialized)model;
        starts.DataVariable.ShouldBe("x");
        starts.InitializeFromData(tensor(new float[] { 0.2f, 0.5f, 0.9f, 1.0f }));
        var last = model.Network("G").modules().OfType<TorchSharp.Modules.Linear>().Last();
        float[] bias = last.bias!.data<float>().ToArray();
        bias[0].ShouldBe((float)System.Math.Log(0.2 / 0.8), 1e-5f);
        bias[1].ShouldBe(0f, 1e-6f);
        bias[2].ShouldBe((float)System.Math.Log(0.9 / 0.1), 1e-4f);
        bias[3].ShouldBeGreaterThan(15f);   // clamped at 1 − 1e-7, not infinite
        foreach (var linear in model.Network("D").modules().OfType<TorchSharp.Modules.Linear>())
        {
            linear.weight!.abs().max().item<float>().ShouldBeLessThanOrEqualTo(0.005f);
            linear.bias!.abs().max().item<float>().ShouldBe(0f);
        }
        Should.Throw<System.ArgumentException>(() => starts.InitializeFromData(zeros(5))).Message.ShouldContain("no Linear layer of G has 5 outputs");
    }

    [Fact]
    public void Towers_give_each_part_of_the_row_its_own_network_and_refuse_a_row_of_another_width()
    {
        var first = nn.Linear(2, 1, hasBias: false);
        var second = nn.Linear(3, 1, hasBias: false);
        using (no_grad())
        {
            first.weight!.copy_(tensor(new float[] { 1, 1 }).reshape(1, 2));
            second.weight!.copy_(tensor(new float[] { 10, 10, 10 }).reshape(1, 3));
        }
        using var towers = Nets.Towers(new long[] { 2, 3 }, new nn.Module<Tensor, Tensor>[] { first, second }, nn.Identity());
        towers.forward(tensor(new float[] { 1, 2, 3, 4, 5 }).reshape(1, 5)).data<float>().ToArray().ShouldBe(new float[] { 3, 120 });
        Should.Throw<System.ArgumentException>(() => towers.forward(zeros(1, 4))).Message.ShouldContain("rows of 5 values (2 + 3)");
        towers.parameters().Count().ShouldBe(2);   // both towers are registered (trained, saved, moved to the device)
    }

    [Fact]
    public void The_paper_cgan_networks_read_the_row_conditional_players_get_and_each_step_moves_only_its_player()
    {
        torch.manual_seed(2);
        using var model = new GanDsl.Samples.Catalog.ConditionalGanPaper(CPU);
        IAdversarialModel m = model;
        m.Network("G").parameters().Count().ShouldBe(8);   // towers 200 and 1000, joint 1200, output 784: weight and bias each
        // OutputBiasFromData finds the output layer inside the towers' joint network (not the last Linear modules() lists).
        ((IDataInitialized)model).InitializeFromData(full(new long[] { 1, 28, 28 }, 0.25f));
        var output = m.Network("G").modules().OfType<TorchSharp.Modules.Linear>().Single(l => l.weight!.shape[0] == 784);
        output.bias!.mean().item<float>().ShouldBe((float)System.Math.Log(0.25 / 0.75), 1e-5f);
        using var data = new Gan.Runtime.Data.ImageBatchSource(rand(40, 1, 28, 28), randint(0, 10, new long[] { 40 }), 20, CPU, DataRange.ZeroToOne, seed: 0);
        var g = PlayerSnapshots.Snap(model, "G");
        var d = PlayerSnapshots.Snap(model, "D");
        model.StepDiscriminators(data);
        PlayerSnapshots.Same(g, model, "G").ShouldBeTrue("G changed during D's update");
        PlayerSnapshots.Same(d, model, "D").ShouldBeFalse("D did not change during its own update");
        d = PlayerSnapshots.Snap(model, "D");
        model.StepGenerators(data);
        PlayerSnapshots.Same(d, model, "D").ShouldBeTrue("D changed during G's update");
        PlayerSnapshots.Same(g, model, "G").ShouldBeFalse("G did not change during its own update");
        // A sample per class, in [0, 1].
        Tensor samples = ((IConditionalModel)model).Sample(arange(10, dtype: ScalarType.Int64));
        samples.shape.ShouldBe(new long[] { 10, 1, 28, 28 });
        samples.min().item<float>().ShouldBeGreaterThanOrEqualTo(0f);
    }

    [Fact]
    public void The_cgan_variant_with_dropout_in_D_only_has_none_in_G_and_the_papers_in_D()
    {
        using var paper = new GanDsl.Samples.Catalog.ConditionalGanPaper(CPU);
        using var variant = new GanDsl.Samples.Catalog.ConditionalGanPaperDDropout(CPU);
        double[] Rates(IAdversarialModel m, string player) =>
            m.Network(player).modules().OfType<TorchSharp.Modules.Dropout>().Select(d => d.p).ToArray();
        Rates(paper, "G").ShouldBe(new[] { 0.5, 0.5, 0.5 });   // both towers and the joint layer
        Rates(variant, "G").ShouldBeEmpty();
        Rates(variant, "D").ShouldBe(Rates(paper, "D"));
        Rates(variant, "D").ShouldBe(new[] { 0.2, 0.5, 0.5, 0.5 });   // the image's input, then after each maxout layer
        // Otherwise the same networks: the same parameter shapes.
        IAdversarialModel p = paper, v = variant;
        foreach (string player in new[] { "G", "D" })
            v.Network(player).parameters().Select(t => string.Join("x", t.shape)).ShouldBe(p.Network(player).parameters().Select(t => string.Join("x", t.shape)));
    }

    [Fact]
    public void A_network_named_in_DiscriminatorUpdates_moves_with_D_and_only_there()
    {
        torch.manual_seed(5);
        using var model = new SideUpdatesModel(CPU);
        var data = new Gan.Runtime.Data.MixtureBatchSource(Gan.Runtime.Data.GaussianMixture2D.Ring8(), 32, CPU);
        var g = PlayerSnapshots.Snap(model, "G");
        var d = PlayerSnapshots.Snap(model, "D");
        var q = PlayerSnapshots.Snap(model, "Q");
        model.StepDiscriminators(data);
        PlayerSnapshots.Same(g, model, "G").ShouldBeTrue("G changed in D's step");
        PlayerSnapshots.Same(d, model, "D").ShouldBeFalse("D did not change in its step");
        PlayerSnapshots.Same(q, model, "Q").ShouldBeFalse("Q did not change in D's step, which DiscriminatorUpdates gives it");
        d = PlayerSnapshots.Snap(model, "D");
        q = PlayerSnapshots.Snap(model, "Q");
        model.StepGenerators(data);
        PlayerSnapshots.Same(d, model, "D").ShouldBeTrue("D changed in G's step");
        PlayerSnapshots.Same(q, model, "Q").ShouldBeTrue("Q changed in G's step");
        PlayerSnapshots.Same(g, model, "G").ShouldBeFalse("G did not change in its step");
    }

    [Fact]
    public void Variance_scaling_draws_each_layer_with_its_fans_std_and_zero_biases()
    {
        torch.manual_seed(3);
        var net = Nets.InitVarianceScaling(Nets.Mlp(2, 512, 512, 1), VarianceScale.He, VarianceScale.Glorot);
        var linears = net.modules().OfType<TorchSharp.Modules.Linear>().ToArray();
        linears.Length.ShouldBe(3);
        double[] expected = { System.Math.Sqrt(2.0 / 2), System.Math.Sqrt(2.0 / 512), System.Math.Sqrt(2.0 / (512 + 1)) };
        for (int i = 0; i < 3; i++)
        {
            Tensor w = linears[i].weight!;
            double bound = System.Math.Sqrt(3) * expected[i];
            w.abs().max().item<float>().ShouldBeLessThanOrEqualTo((float)(bound * (1 + 1e-6)));
            linears[i].bias!.abs().max().item<float>().ShouldBe(0f);
        }
        // The hidden 512 × 512 layer: 262,144 draws, so its std is within a fraction of a percent of He's.
        linears[1].weight!.std().item<float>().ShouldBe((float)expected[1], (float)(0.01 * expected[1]));
        // The output layer (512 draws) uses Glorot's, not He's (0.0625 against 0.0441).
        linears[2].weight!.std().item<float>().ShouldBe((float)expected[2], (float)(0.1 * expected[2]));
        // Convolutions count the kernel: a 3 × 3 conv from 16 to 32 channels has fan-in 144 and fan-out 288.
        Nets.VarianceScaleStd(new long[] { 32, 16, 3, 3 }, VarianceScale.He).ShouldBe(System.Math.Sqrt(2.0 / 144), 1e-12);
        Nets.VarianceScaleStd(new long[] { 32, 16, 3, 3 }, VarianceScale.Glorot).ShouldBe(System.Math.Sqrt(2.0 / 432), 1e-12);
        Nets.VarianceScaleStd(new long[] { 32, 16, 3, 3 }, VarianceScale.LeCun).ShouldBe(System.Math.Sqrt(1.0 / 144), 1e-12);
        Should.Throw<System.ArgumentException>(() => Nets.InitVarianceScaling(nn.ReLU(), VarianceScale.He))
            .Message.ShouldStartWith("InitVarianceScaling found no Linear or convolution layer in the network.");
    }

    [Fact]
    public void The_wgan_gp_toy_entry_has_the_authors_networks_and_initialization()
    {
        torch.manual_seed(4);
        using var concrete = new GanDsl.Samples.Catalog.WganGpToy(CPU);
        IAdversarialModel model = concrete;
        foreach (var (player, outputs) in new[] { ("G", 2L), ("D", 1L) })
        {
            var linears = model.Network(player).modules().OfType<TorchSharp.Modules.Linear>().ToArray();
            linears.Select(l => string.Join("x", l.weight!.shape)).ShouldBe(new[] { "512x2", "512x512", "512x512", $"{outputs}x512" });
            linears[2].weight!.std().item<float>().ShouldBe((float)System.Math.Sqrt(2.0 / 512), 0.01f * (float)System.Math.Sqrt(2.0 / 512));
            linears.ShouldAllBe(l => l.bias!.abs().max().item<float>() == 0f);
        }
    }

    [Fact]
    public void The_wgan_toy_entry_clips_every_critic_parameter_and_keeps_tensorflows_rmsprop_decay()
    {
        torch.manual_seed(5);
        using var concrete = new GanDsl.Samples.Catalog.WganToy(CPU);
        IAdversarialModel model = concrete;
        foreach (optim.Optimizer optimizer in model.Optimizers)
        {
            var options = ((TorchSharp.Modules.RMSProp.ParamGroup)optimizer.ParamGroups.Single()).Options;
            (options.LearningRate, options.alpha).ShouldBe((5e-5, 0.9));
        }
        static float Largest(System.Collections.Generic.IEnumerable<Tensor> ps) => ps.Max(p => p.abs().max().item<float>());
        // He-initialized 512-unit layers start far outside the clip (std 0.0625); the biases (zero) are set outside it too ...
        Largest(model.PlayerParameters("D")).ShouldBeGreaterThan(0.05f);
        using (no_grad())
            foreach (Tensor bias in model.PlayerParameters("D").Where(p => p.dim() == 1)) bias.fill_(0.5);
        model.TrainStep(new PhaseReferenceTests.Pool(2));
        // ... and after one iteration every critic parameter, biases included (gan_toy.py clips all of them), is within it,
        Largest(model.PlayerParameters("D")).ShouldBeLessThanOrEqualTo(0.01f);
        // while the generator is not clipped.
        Largest(model.PlayerParameters("G")).ShouldBeGreaterThan(0.05f);
    }
}
