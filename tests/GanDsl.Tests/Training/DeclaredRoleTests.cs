using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using Gan.Runtime;
using Gan.Runtime.Data;
using Gan.Runtime.Metrics;
using GanDsl.Tests.Runtime;
using Shouldly;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace GanDsl.Tests.Training;

/// <summary>[Infer] and [Domain] as generated, and the evaluation protocols finding a model's networks by what the declaration
/// says they are for, on models that name them otherwise than the catalog (<see cref="RenamedInfoGan"/>, <see cref="RenamedIcgan"/>,
/// <see cref="RenamedDann"/>).</summary>
[Collection(TorchGlobalRngCollection.Name)]
public class DeclaredRoleTests
{
    private static Tensor Apply(IAdversarialModel model, string network, Tensor input)
    {
        using var noGrad = no_grad();
        return ((nn.Module<Tensor, Tensor>)model.Network(network)).forward(input);
    }

    [Fact]
    public void Infer_applies_the_declared_networks_in_evaluation_mode_and_restores_their_flags()
    {
        torch.manual_seed(3);
        using var model = new RenamedInfoGan(CPU);
        model.train();
        IInferenceModel inference = model;
        inference.Inferences.ShouldBe(new[]
        {
            new Inference("ReadCode(digit_code | Body(img))", "digit_code", "img", IsLabel: false, Classes: 4, Size: 4),
            new Inference("ReadStyle(pen | Body(img))", "pen", "img", IsLabel: false, Classes: 0, Size: 2),
        });
        Tensor x = randn(5, 6);
        Tensor code = inference.Infer("digit_code", x), pen = model.Infer_pen(x);
        Tensor body = Apply(model, "Body", x);
        (code - nn.functional.softmax(Apply(model, "ReadCode", body), 1)).abs().max().item<float>().ShouldBeLessThan(1e-6f);
        code.sum(1).sub(1).abs().max().item<float>().ShouldBeLessThan(1e-5f, "class probabilities sum to 1");
        (pen - Apply(model, "ReadStyle", body)).abs().max().item<float>().ShouldBeLessThan(1e-6f);
        pen.shape.ShouldBe(new long[] { 5, 2 });
        code.requires_grad.ShouldBeFalse();
        foreach (string player in new[] { "Body", "ReadCode", "ReadStyle" })
            ((IAdversarialModel)model).Network(player).training.ShouldBeTrue($"{player}'s training flag is restored after Infer");
        Should.Throw<ArgumentException>(() => inference.Infer("n", x)).Message.ShouldContain("RenamedInfoGan infers digit_code, pen, not 'n'");
        Should.Throw<InvalidOperationException>(() => inference.Infer("pen", randn(5, 7))).Message.ShouldContain("Shape = \"6\"");
    }

    [Fact]
    public void Code_accuracy_reads_the_declared_code_and_recovers_a_permuted_labelling()
    {
        torch.manual_seed(4);
        using var model = new RenamedInfoGan(CPU);
        CodeAccuracy.Applies(model).ShouldBeTrue();
        CodeAccuracy.Codes(model).Select(c => c.Variable).ShouldBe(new[] { "digit_code" });
        using (var undeclared = new TinyInfoGan(CPU)) CodeAccuracy.Applies(undeclared).ShouldBeFalse("a model that declares no [Infer] has no code to measure");

        Tensor x = randn(400, 6);
        long[] codes = Apply(model, "ReadCode", Apply(model, "Body", x)).argmax(1).data<long>().ToArray();
        codes.Distinct().Count().ShouldBeGreaterThan(1, "an untrained head still spreads random inputs over several codes");
        int[] permutation = { 2, 0, 3, 1 };                       // label of each code
        long[] labels = codes.Select(c => (long)permutation[c]).ToArray();
        labels[0] = (labels[0] + 1) % 4;                           // two disagreements
        labels[1] = (labels[1] + 1) % 4;
        CodeAccuracyResult r = CodeAccuracy.Measure(model, CodeAccuracy.Codes(model)[0], x, tensor(labels));
        r.Accuracy.ShouldBe(398 / 400.0, 1e-12);
        r.Examples.ShouldBe(400);
        foreach (long c in codes.Distinct()) r.LabelOfCode[c].ShouldBe(permutation[c]);
        r.Formula.ShouldBe("ReadCode(digit_code | Body(img))");
        Should.Throw<ArgumentException>(() => CodeAccuracy.Measure(model, ((IInferenceModel)model).Inferences[1], x, tensor(labels))).Message.ShouldContain("does not infer a categorical code");
    }

    [Fact]
    public void Edit_accuracy_reconstructs_to_the_label_the_declared_reader_infers()
    {
        torch.manual_seed(5);
        using var model = new RenamedIcgan(CPU);
        EditAccuracy.Applies(model).ShouldBeTrue();
        EditAccuracy.LabelReader(model)!.Formula.ShouldBe("Reader(digit | pic)");
        DataVariable pic = ((IAdversarialModel)model).Data[0];
        Tensor unit = rand(30, 8), truth = randint(0, 3, new long[] { 30 }, dtype: ScalarType.Int64);
        EditAccuracyResult r = EditAccuracy.Measure(model, pic, unit, truth, classifier: null, batch: 7);

        Tensor images = unit * 2 - 1;
        Tensor read = Apply(model, "Reader", images).argmax(1);
        Tensor reconstruction = (model.Edit(images, read) + 1) / 2;
        r.ReconstructionLabels.ShouldBe("Reader(digit | pic)");
        r.InferredLabelAccuracy!.Value.ShouldBe(read.eq(truth).to(ScalarType.Float64).mean().item<double>(), 1e-12);
        r.ReconstructionMse.ShouldBe((reconstruction.clamp(0, 1) - unit).pow(2).mean().item<float>(), 1e-6);
        r.LabelAccuracy.ShouldBeNull("no classifier, no edit accuracy");
        r.Images.ShouldBe(30);
        r.Formula.ShouldBe("Make(Invert(pic) | want)");
    }

    [Fact]
    public void Domain_probability_is_the_declared_critic_on_the_declared_encoder()
    {
        torch.manual_seed(6);
        using var model = new RenamedDann(CPU);
        IDomainModel domain = model;
        domain.DomainFormula.ShouldBe("Critic(Encoder(src))");
        domain.DomainInput.ShouldBe("src");
        Tensor x = randn(9, 2);
        Tensor p = domain.DomainProbability(x);
        p.shape.ShouldBe(new long[] { 9 });
        (p - sigmoid(Apply(model, "Critic", Apply(model, "Encoder", x))).reshape(-1)).abs().max().item<float>().ShouldBeLessThan(1e-6f);
        DomainAccuracy.Classifier(model)!.Formula.ShouldBe("Labeller(digit | Encoder(src))");
    }

    [Fact]
    public void Gan_train_on_the_moons_measures_a_model_whose_networks_are_named_otherwise()
    {
        string dir = Directory.CreateTempSubdirectory("gandsl-renamed-moons-").FullName;
        try
        {
            var settings = new Gan.Cli.TrainSettings("renamed-dann", null, Steps: 300, BatchSize: null, Seed: 0, Device: "cpu", Out: dir,
                                                     EvalSamples: null, LogEvery: 0, Progress: "none", TensorBoard: "none");
            Gan.Cli.TrainCommand.Run(settings, new StringWriter()).ShouldBe(0);
            using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "metrics.json")));
            JsonElement root = metrics.RootElement;
            root.GetProperty("source_accuracy").GetDouble().ShouldBeInRange(0.7, 1.0);   // chance is 0.5
            root.GetProperty("target_accuracy").GetDouble().ShouldBeInRange(0.6, 1.0);
            root.GetProperty("domain_classifier_accuracy").GetDouble().ShouldBeInRange(0.0, 1.0);
            root.GetProperty("classifier").GetString().ShouldBe("Labeller(digit | Encoder(src))");
            File.Exists(Path.Combine(dir, "boundaries.png")).ShouldBeTrue();
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void A_domain_model_without_a_declared_classifier_is_refused_with_what_to_declare()
    {
        string dir = Directory.CreateTempSubdirectory("gandsl-undeclared-moons-").FullName;
        try
        {
            var settings = new Gan.Cli.TrainSettings("tiny-dann", "moons", Steps: 5, BatchSize: 8, Seed: 0, Device: "cpu", Out: dir,
                                                     EvalSamples: null, LogEvery: 0, Progress: "none", TensorBoard: "none");
            var e = Should.Throw<ArgumentException>(() => Gan.Cli.TrainCommand.Run(settings, new StringWriter()));
            e.Message.ShouldContain("declares no classifier of its label");
            e.Message.ShouldContain("[Infer(\"C(y | F(x))\")]");
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
