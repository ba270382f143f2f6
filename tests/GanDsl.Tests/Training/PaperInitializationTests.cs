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
        Should.Throw<System.ArgumentException>(() => starts.InitializeFromData(zeros(5))).Message.ShouldContain("4 outputs");
    }
}
