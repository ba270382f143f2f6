using System.IO;
using Gan.Runtime.Data;
using Gan.Cli;
using GanDsl.Tests.Runtime;
using Shouldly;
using Xunit;
using static TorchSharp.torch;

namespace GanDsl.Tests.Training;

/// <summary>The code-component accuracy of the label-conditioned AAE (the fraction of test images whose code lies nearest
/// its own label's prior mean), on an encoder whose answer is known: every code on its own label's mean, or every code
/// on the next label's.</summary>
[Collection(TorchGlobalRngCollection.Name)]
public sealed class CodeComponentAccuracyTests : System.IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gandsl-codes-").FullName;
    public void Dispose()
    {
        BarReadingAae.LabelShift = 0;
        Directory.Delete(_dir, recursive: true);
    }

    private double Accuracy(int shift)
    {
        BarReadingAae.LabelShift = shift;
        manual_seed(1);
        using var model = new BarReadingAae(CPU);
        ImageDataSet data = ImageDataSets.Load("mnist", new DataOptions { Folder = CraftedSet.WriteBars(Path.Combine(_dir, "bars"), train: 20, test: 100) });
        var metrics = ImageCommands.CodeComponentAccuracy(model, ((Gan.Runtime.IAdversarialModel)model).Data[0], data, seed: 0, TextWriter.Null);
        metrics.Count.ShouldBe(2);
        metrics[0].Key.ShouldBe("code_component_accuracy");
        return (double)metrics[0].Value!;
    }

    [Fact]
    public void Codes_on_their_own_labels_mean_score_1() => Accuracy(shift: 0).ShouldBe(1.0);

    [Fact]
    public void Codes_on_another_labels_mean_score_0() => Accuracy(shift: 1).ShouldBe(0.0);
}
