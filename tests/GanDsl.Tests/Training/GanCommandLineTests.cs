using System;
using System.IO;
using System.Text.Json;
using Gan.Cli;
using Gan.Dsl;
using Gan.Runtime.Nets;
using Shouldly;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace GanDsl.Tests.Training;

/// <summary>A game whose discriminator's loss is NaN at the first step: log of a negative number.</summary>
[Gan(Name = "diverging-test-gan")]
[Data("x", Shape = "2")]
[Noise("z", Distribution.Normal, 2)]
[Game("-E[log(D(x) - 1000)]", "-E[D(G(z))]")]
public partial class DivergingTestGan
{
    [Generator] static nn.Module<Tensor, Tensor> G() => Nets.Mlp(2, 8, 2);
    [Discriminator(Output = DiscriminatorOutput.Values)] static nn.Module<Tensor, Tensor> D() => Nets.Mlp(2, 8, 1);
}

/// <summary>A user's model with the user's names for its networks, trained through <see cref="GanCommandLine"/> in this
/// process (the test assembly's models registered themselves when it loaded), and what a run records about itself.</summary>
[Gan(Name = "painter-and-judge", Description = "a test model", Steps = 30, BatchSize = 32)]
[Data("x", Shape = "2")]
[Noise("w", Distribution.Uniform, 3)]
[Minimax("E[log Judge(x)] + E[log(1 - Judge(Painter(w)))]", GeneratorLoss = GeneratorLoss.NonSaturating)]
public partial class PainterAndJudge
{
    [Generator(LearningRate = 2e-3, Beta1 = 0.5)] static nn.Module<Tensor, Tensor> Painter() => Nets.Mlp(3, 16, 2);
    [Discriminator(LearningRate = 1e-3, Beta1 = 0.5)] static nn.Module<Tensor, Tensor> Judge() => Nets.Mlp(2, 16, 1);
}

public sealed class GanCommandLineTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gandsl-cli-inproc-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = GanCommandLine.Run(args, new GanCommandLine.CommandLineSettings { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void A_diverging_run_exits_1_naming_the_step_and_the_loss_without_a_stack_trace()
    {
        var (code, _, error) = Run("train", "--model", "diverging-test-gan", "--steps", "10", "--out", Path.Combine(_dir, "nan"), "--progress", "none", "--tensorboard", "none");
        code.ShouldBe(GanCommandLine.RunFailed);
        error.ShouldStartWith("error: Training diverged at step 1: loss_D = NaN; the update was not applied.");
        error.ShouldNotContain("   at ");
        error.ShouldNotContain("Exception");
    }

    [Fact]
    public void A_users_model_trains_under_its_own_names_and_its_run_records_how_it_was_made()
    {
        string run = Path.Combine(_dir, "pj");
        var (code, output, error) = Run("train", "--model", "painter-and-judge", "--out", run, "--progress", "plain", "--log-every", "10", "--tensorboard", "none", "--eval-samples", "200");
        code.ShouldBe(0, error);
        output.ShouldContain("gan train: painter-and-judge on ring");   // the default data set of 2-D data
        output.ShouldContain("30 steps, batch 32");                      // the declared defaults
        error.ShouldContain("loss_Judge");                               // progress on stderr, the losses under the user's names
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "metrics.json")));
        JsonElement m = doc.RootElement;
        m.GetProperty("model").GetString().ShouldBe("painter-and-judge");
        m.GetProperty("steps").GetInt32().ShouldBe(30);
        m.GetProperty("modes_total").GetInt32().ShouldBe(8);             // the protocol's numbers beside the common fields
        m.GetProperty("final_losses").GetProperty("loss_Painter").GetSingle().ShouldBeGreaterThan(0f);
        JsonElement provenance = m.GetProperty("run");
        provenance.GetProperty("command_line").GetString()!.ShouldNotBeNullOrWhiteSpace();
        provenance.GetProperty("torch_sharp").GetString().ShouldBe("0.107.0");
        provenance.GetProperty("gan_dsl").GetString().ShouldBe("0.2.0");
        provenance.GetProperty("device").GetString().ShouldBe("cpu");
        provenance.GetProperty("lib_torch").GetString().ShouldBe("libtorch-cpu-linux-x64 2.10.0");   // from the test host's .deps.json
        JsonElement hyper = provenance.GetProperty("hyper_parameters");
        hyper.GetProperty("Painter.learning_rate").GetDouble().ShouldBe(2e-3);
        hyper.GetProperty("Judge.optimizer").GetString().ShouldBe("Adam");
        hyper.GetProperty("Judge.beta1").GetDouble().ShouldBe(0.5);
        hyper.GetProperty("noise.w").GetString().ShouldBe("Uniform(3)");
        hyper.GetProperty("generator_loss").GetString().ShouldBe("NonSaturating");
        hyper.GetProperty("discriminator_steps").GetInt32().ShouldBe(1);
    }

    [Fact]
    public void The_commit_is_read_from_the_repository_holding_the_folder()
    {
        string repo = Path.Combine(_dir, "repo");
        Directory.CreateDirectory(Path.Combine(repo, ".git", "refs", "heads"));
        Directory.CreateDirectory(Path.Combine(repo, "sub"));
        File.WriteAllText(Path.Combine(repo, ".git", "HEAD"), "ref: refs/heads/main\n");
        RunProvenance.GitCommit(Path.Combine(repo, "sub")).ShouldBeNull();   // no commit yet
        File.WriteAllText(Path.Combine(repo, ".git", "packed-refs"), "# pack-refs with: peeled\n0123456789abcdef0123456789abcdef01234567 refs/heads/main\n");
        RunProvenance.GitCommit(Path.Combine(repo, "sub")).ShouldBe("0123456789abcdef0123456789abcdef01234567");
        File.WriteAllText(Path.Combine(repo, ".git", "refs", "heads", "main"), "fedcba9876543210fedcba9876543210fedcba98\n");
        RunProvenance.GitCommit(repo).ShouldBe("fedcba9876543210fedcba9876543210fedcba98");   // a loose ref wins over packed-refs
        File.WriteAllText(Path.Combine(repo, ".git", "HEAD"), "00000000000000000000000000000000000000aa\n");
        RunProvenance.GitCommit(repo).ShouldBe("00000000000000000000000000000000000000aa");   // detached HEAD
    }
}
