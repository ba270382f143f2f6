using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using Shouldly;
using TorchSharp;
using Xunit;

namespace GanDsl.Tests.Training;

/// <summary>The `gan` tool run as a user runs it, in a process of its own: its exit codes (0 done, 1 a command line it
/// cannot parse, 2 an error it explains on stderr as "error: …") and <c>GANDSL_CPU_CONV</c>, which the runtime reads
/// when the process loads it.</summary>
public sealed class CommandLineTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gandsl-cli-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The child's environment: <c>GANDSL_CPU_CONV</c> as given (unset for null), whatever the test process has.</summary>
    private static Dictionary<string, string?> Conv(string? value) => new() { ["GANDSL_CPU_CONV"] = value };

    [Fact]
    public void A_short_training_run_exits_0_and_records_the_kernels_the_environment_chose()
    {
        string run = Path.Combine(_dir, "ring");
        var (code, output, error) = ChildProcess.RunGan(Conv("native"), "train", "--model", "goodfellow2014", "--data", "ring", "--steps", "20",
                                                        "--batch-size", "64", "--eval-samples", "200", "--device", "cpu", "--out", run, "--progress", "plain");
        code.ShouldBe(0, error);
        output.ShouldContain("8 modes");
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "metrics.json")));
        metrics.RootElement.GetProperty("cpu_convolutions").GetString().ShouldBe("native (GANDSL_CPU_CONV=native)");
    }

    [Fact]
    public void Errors_the_tool_explains_exit_2_with_the_reason_on_stderr()
    {
        string empty = Directory.CreateDirectory(Path.Combine(_dir, "empty")).FullName;
        var cases = new List<(string[] Args, string Error)>
        {
            (new[] { "train", "--model", "nope" }, "error: Unknown model 'nope'. Known models: aae, aae-2d,"),
            (new[] { "sample", "--run", Path.Combine(_dir, "missing") }, $"error: {Path.Combine(_dir, "missing")} is not a saved run: it has no model.json"),
            (new[] { "train", "--model", "dcgan", "--data", "mnist", "--no-download", "--data-folder", empty, "--out", Path.Combine(_dir, "m") },
             $"error: Data folder {empty} lacks train-images-idx3-ubyte"),
        };
        cases.Add((new[] { "train", "--data", "mnist", "--out", Path.Combine(_dir, "n") },   // goodfellow2014 reads 2-D points
                   "error: goodfellow2014 declares x of shape 2, but mnist provides 1x28x28 images with 10 classes of labels: x has the shape 2, not 1x28x28. Data sets that fit it: ring, grid."));
        if (!torch.cuda.is_available())
            cases.Add((new[] { "train", "--device", "cuda", "--out", Path.Combine(_dir, "c") }, "error: --device cuda was asked for, but CUDA is not available here"));
        foreach (var (args, expected) in cases)
        {
            var (code, _, error) = ChildProcess.RunGan(null, args);
            error.ShouldStartWith(expected, customMessage: string.Join(' ', args));
            code.ShouldBe(2, string.Join(' ', args));
        }
    }

    [Fact]
    public void A_truncated_checkpoint_exits_1_naming_the_file()
    {
        string run = Path.Combine(_dir, "cut");
        string[] train = { "train", "--steps", "10", "--batch-size", "32", "--eval-samples", "100", "--device", "cpu", "--out", run, "--checkpoint-every", "5" };
        ChildProcess.RunGan(null, train).ExitCode.ShouldBe(0);
        string checkpoint = Path.Combine(run, "checkpoint.ckpt");
        byte[] whole = File.ReadAllBytes(checkpoint);
        File.WriteAllBytes(checkpoint, whole.AsSpan(0, 100).ToArray());

        var (code, _, error) = ChildProcess.RunGan(null, [.. train, "--resume"]);
        error.ShouldStartWith($"error: {checkpoint} is truncated");
        error.ShouldNotContain("   at ");   // no stack trace
        code.ShouldBe(1);   // the run failed (bad usage is 2)
    }

    [Fact]
    public void A_command_line_it_cannot_parse_exits_2()
    {
        var (code, _, error) = ChildProcess.RunGan(null, "train", "--bogus");
        error.ShouldStartWith("error: Unrecognized command or argument '--bogus'");
        error.ShouldContain("See `gan train --help`.");
        code.ShouldBe(2);
    }

    [Theory]
    [InlineData("--data", "spiral", "'fashion-mnist'")]
    [InlineData("--progress", "loud", "'plain'")]
    [InlineData("--precision", "fp8", "'bf16'")]
    [InlineData("--lr-schedule", "cosine", "constant, linear, ganin or decay:F")]
    [InlineData("--lr-schedule", "decay:0.5", "decay:F with F ≥ 1")]
    [InlineData("--device", "gpu", "--device must be auto, cpu, cuda or cuda:N (got 'gpu').")]
    public void A_value_outside_an_options_choices_is_bad_usage_naming_the_choices(string option, string value, string listed)
    {
        var (code, _, error) = ChildProcess.RunGan(null, "train", option, value, "--out", Path.Combine(_dir, "never"));
        error.ShouldStartWith("error: ");
        error.ShouldContain(value);
        error.ShouldContain(listed);
        code.ShouldBe(2);
        Directory.Exists(Path.Combine(_dir, "never")).ShouldBeFalse();
    }

    [Fact]
    public void Help_lists_the_choices_of_fixed_options()
    {
        var (code, output, _) = ChildProcess.RunGan(null, "train", "--help");
        code.ShouldBe(0);
        foreach (string choices in new[] { "digits|digits-target|fashion-mnist|grid|mnist|mnist-m|mnist-m-target|moons|ring", "auto|bar|none|plain", "auto|bf16|fp32|tf32", "constant|ganin|linear|decay:F" })
            output.ShouldContain(choices);
    }

    [Fact]
    public void Progress_goes_to_stderr_and_results_to_stdout()
    {
        string run = Path.Combine(_dir, "streams");
        var (code, output, error) = ChildProcess.RunGan(null, "train", "--steps", "10", "--batch-size", "32", "--eval-samples", "100", "--device", "cpu",
                                                        "--out", run, "--progress", "plain", "--log-every", "5", "--tensorboard", "none");
        code.ShouldBe(0, error);
        error.ShouldContain("step       5/10");
        output.ShouldNotContain("step       5/10");
        output.ShouldContain("8 modes");
        output.ShouldContain("metrics.json");
    }

    [Fact]
    public void Native_turns_onednn_off_when_the_process_starts()
    {
        var (code, output, error) = ChildProcess.RunGan(Conv("native"), "env");
        code.ShouldBe(0, error);
        output.ShouldContain("CPU convolutions:  native (GANDSL_CPU_CONV=native)");
        output.ShouldContain("oneDNN:            off (GANDSL_CPU_CONV=native)");
    }

    [Fact]
    public void Onednn_keeps_onednn_on_and_checks_nothing()
    {
        var (code, output, error) = ChildProcess.RunGan(Conv("onednn"), "env", "--check", "classifier");
        code.ShouldBe(0, error);
        output.ShouldContain("CPU convolutions:  classifier: 3 convolution layer(s), not checked (GANDSL_CPU_CONV=onednn)");
        output.ShouldContain("CPU convolutions:  oneDNN (GANDSL_CPU_CONV=onednn, not checked)");
        output.ShouldContain("oneDNN:            on (GANDSL_CPU_CONV=onednn)");
    }

    [Fact]
    public void Auto_checks_the_layers_and_turns_onednn_off_only_when_one_is_wrong()
    {
        // Machine-dependent outcome, consistent either way: the check's verdict, the status and the switch agree.
        var (code, output, error) = ChildProcess.RunGan(Conv(null), "env", "--check", "classifier");
        code.ShouldBe(0, error);
        if (output.Contains("oneDNN:            on"))
        {
            output.ShouldContain("CPU convolutions:  classifier: 3 convolution layer(s), each agrees with float64 with oneDNN");
            output.ShouldContain("CPU convolutions:  oneDNN (libtorch's default)");
        }
        else
        {
            output.ShouldContain("oneDNN:            off");
            output.ShouldContain("CPU convolutions: oneDNN computes classifier.");
            output.ShouldContain("CPU convolutions:  native (oneDNN failed the check on ");
        }
    }

    [Fact]
    public void An_unknown_value_is_named_and_auto_is_used()
    {
        var (code, output, error) = ChildProcess.RunGan(Conv("fast"), "env");
        code.ShouldBe(0, error);
        output.ShouldContain("(GANDSL_CPU_CONV=fast is not auto, native or onednn: auto)");
        output.ShouldContain("oneDNN:            on");
    }
}
