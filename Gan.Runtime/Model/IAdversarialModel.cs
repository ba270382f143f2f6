using System;
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace Gan.Runtime;

/// <summary>What the generator emits for a <c>[Gan]</c> class, and what the trainer drives.</summary>
public interface IAdversarialModel : IDisposable
{
    /// <summary>The class name of the declaration.</summary>
    string Name { get; }
    /// <summary>The value function as the user wrote it.</summary>
    string ValueFunction { get; }
    Device Device { get; }
    /// <summary>Names of the losses <see cref="TrainStep"/> reports, in order (e.g. <c>loss_D</c>, <c>loss_G</c>).</summary>
    IReadOnlyList<string> LossNames { get; }
    /// <summary>Batch fields the model reads (e.g. <c>x</c>).</summary>
    IReadOnlyList<string> DataFields { get; }
    /// <summary>The declared data variables: name, batch field, shape of one example and value range.</summary>
    IReadOnlyList<DataVariable> Data { get; }
    /// <summary>The players (networks) in declaration order.</summary>
    IReadOnlyList<string> Players { get; }
    /// <summary>Each player's optimizer, aligned with <see cref="Players"/>, then the optimizers of the [Minimize] phases that declare a
    /// learning rate of their own, one per network each updates (checkpoints save all their states).</summary>
    IReadOnlyList<torch.optim.Optimizer> Optimizers { get; }
    /// <summary>The player that <see cref="Generate"/> applies to noise (e.g. <c>G</c>), or null when the model cannot sample.</summary>
    string? Sampler { get; }
    /// <summary>One player's network, by its name in the formula (for weight averaging, inspection, export).</summary>
    torch.nn.Module Network(string player);
    /// <summary>One iteration of the game: k updates of the maximizing players, then one of the minimizing ones.</summary>
    StepLosses TrainStep(IBatchSource data);
    /// <summary>n samples from the generator, on <see cref="Device"/>, without gradients.</summary>
    Tensor Sample(long n);
    /// <summary>Fresh noise for n samples, each noise variable the sampling generator reads, by name.</summary>
    Batch SampleNoise(long n);
    /// <summary>The generator's output for the given noise (e.g. interpolated codes), without gradients.</summary>
    Tensor Generate(Batch noise);
    /// <summary>Sets every player's learning rate to its declared value times <paramref name="factor"/>.</summary>
    void ScaleLearningRates(double factor);
    /// <summary>All parameters of one player (network) by its name in the formula.</summary>
    IEnumerable<Tensor> PlayerParameters(string player);
}

/// <summary>A model whose generator reads one categorical noise variable (a label prior such as a conditional GAN's y′,
/// or a categorical code), or noise given one label (<c>[Noise("z", Distribution.GaussianMixture, 2, Given = "y")]</c>):
/// it samples for chosen classes too.</summary>
public interface IConditionalModel : IAdversarialModel
{
    /// <summary>What <see cref="Sample(Tensor)"/> chooses: the categorical noise variable it sets (e.g. <c>y′</c>), or the
    /// <c>[Label]</c> that the sampler's noise is given (e.g. <c>y</c>; that noise is then drawn given the classes).</summary>
    string Condition { get; }
    /// <summary>Its number of classes.</summary>
    int Classes { get; }
    /// <summary>Noise for one sample per entry of <paramref name="labels"/> (class indices, int64): what
    /// <see cref="Sample(Tensor)"/> decodes.</summary>
    Batch SampleNoise(Tensor labels);
    /// <summary>One sample per entry of <paramref name="labels"/> (class indices, int64), the other noise fresh.</summary>
    Tensor Sample(Tensor labels);
    /// <summary>n samples of one class.</summary>
    Tensor Sample(long n, long label);
}

/// <summary>One <c>[Infer("C(y | F(x))")]</c> of a model: what a network of it says about a declared variable, given the data.</summary>
/// <param name="Formula">The expression as declared, e.g. <c>Q(c | T(x))</c>.</param>
/// <param name="Variable">The variable inferred: a [Label] (<c>y</c>) or a noise variable (a code, <c>c</c> or <c>s</c>).</param>
/// <param name="Input">The data variable it reads (<c>x</c>).</param>
/// <param name="IsLabel">Whether the variable is a [Label], whose truth the data gives; otherwise it is a noise variable the
/// generator is given, whose truth only generated examples carry (and which the data's labels may match only up to a permutation).</param>
/// <param name="Classes">For a label or categorical code, its number of classes: <see cref="IInferenceModel.Infer"/> returns
/// class probabilities [m, Classes]. 0 for a continuous variable: it returns the Gaussian's mean [m, Size].</param>
/// <param name="Size">The variable's size (its classes, or its number of values).</param>
public sealed record Inference(string Formula, string Variable, string Input, bool IsLabel, int Classes, int Size)
{
    /// <summary>Whether it infers classes (a label or a categorical code) rather than values.</summary>
    public bool IsCategorical => Classes > 0;
}

/// <summary>A model declared with one or more <c>[Infer("...")]</c>: a classifier of a label (<c>C(y | F(x))</c>), a
/// recognition network of a code (<c>Q(c | T(x))</c>, <c>Qs(s | T(x))</c>). The evaluation finds them here, whatever the
/// networks are called.</summary>
public interface IInferenceModel : IAdversarialModel
{
    /// <summary>The declared inferences, in declaration order.</summary>
    IReadOnlyList<Inference> Inferences { get; }
    /// <summary>The inference of <paramref name="variable"/> for a batch <paramref name="x"/> of its input (in its declared
    /// range): class probabilities [m, classes], or the Gaussian's mean [m, size]; in evaluation mode, without gradients.</summary>
    Tensor Infer(string variable, Tensor x);
}

/// <summary>A model declared with <c>[Domain("Dd(F(x))")]</c>: a domain classifier, in domain adaptation.</summary>
public interface IDomainModel : IAdversarialModel
{
    /// <summary>The expression as declared, e.g. <c>Dd(F(x))</c>.</summary>
    string DomainFormula { get; }
    /// <summary>The data variable whose domain <see cref="DomainProbability"/> is the probability of (<c>x</c>, the source).</summary>
    string DomainInput { get; }
    /// <summary>For a batch of examples (in the declared range), the probability [m] that each comes from
    /// <see cref="DomainInput"/>'s domain; in evaluation mode, without gradients.</summary>
    Tensor DomainProbability(Tensor x);
}

/// <summary>Helpers over any generated model.</summary>
public static class AdversarialModelExtensions
{
    /// <summary>One of the model's networks applied to <paramref name="input"/> in evaluation mode, without gradients; the
    /// network's training mode is restored afterwards.</summary>
    public static Tensor Apply(this IAdversarialModel model, string network, Tensor input)
    {
        var net = (torch.nn.Module<Tensor, Tensor>)model.Network(network);
        bool training = net.training;
        net.eval();
        try
        {
            using var noGrad = torch.no_grad();
            return net.forward(input.to(model.Device));
        }
        finally { net.train(training); }
    }
}

/// <summary>A model with an encoder: a network applied to the data alone (an adversarial autoencoder's Enc(x)).</summary>
public interface IEncoderModel : IAdversarialModel
{
    /// <summary>The encoding network's name in the formula.</summary>
    string Encoder { get; }
    /// <summary>The codes of a batch of data (in its declared range), without gradients.</summary>
    Tensor Encode(Tensor x);
}

/// <summary>A model declared with <c>[Edit("G(E_z(x) | y′)")]</c>: it edits data to requested classes.</summary>
public interface IEditableModel : IAdversarialModel
{
    /// <summary>The edit as declared, e.g. <c>G(E_z(x) | y′)</c>.</summary>
    string EditFormula { get; }
    /// <summary>The categorical noise variable the requested labels set (y′).</summary>
    string EditLabel { get; }
    /// <summary>Its number of classes.</summary>
    int EditClasses { get; }
    /// <summary>The edit of a batch of data <paramref name="x"/> (in its declared range) to <paramref name="labels"/> (class
    /// indices, int64 [m], one per example), in evaluation mode and without gradients.</summary>
    Tensor Edit(Tensor x, Tensor labels);
}

/// <summary>A declared data variable: <c>[Data("x", Shape = "1x28x28", Range = DataRange.MinusOneToOne)]</c>.</summary>
/// <param name="Name">The variable's name in the formulas.</param>
/// <param name="Field">The batch field it reads.</param>
/// <param name="Shape">The shape of one example (a label: its class count).</param>
/// <param name="Range">The declared range of its values.</param>
/// <param name="Classes">A <c>[Label]</c>: its number of classes (the batch holds class indices, the formula sees one-hot rows); else 0.</param>
public sealed record DataVariable(string Name, string Field, long[] Shape, Gan.Dsl.DataRange Range, int Classes = 0)
{
    /// <summary>The shape as declared, e.g. <c>1x28x28</c> (empty when not declared).</summary>
    public string ShapeText => string.Join("x", Shape);
    /// <summary>The number of values in one example (the product of <see cref="Shape"/>), or 0 when not declared.</summary>
    public long Size
    {
        get
        {
            if (Shape.Length == 0) return 0;
            long size = 1;
            foreach (long d in Shape) size *= d;
            return size;
        }
    }
}

/// <summary>The losses of one <see cref="IAdversarialModel.TrainStep"/>, aligned with <see cref="IAdversarialModel.LossNames"/>.</summary>
public readonly record struct StepLosses(float[] Values)
{
    public float this[int i] => Values[i];
}

/// <summary>Supplies minibatches on the training device. Each <see cref="Next"/> call returns a fresh minibatch;
/// its tensors belong to the caller's dispose scope.</summary>
public interface IBatchSource
{
    int BatchSize { get; }
    Device Device { get; }
    Batch Next();
}

/// <summary>A batch source with state of its own (an epoch's order, a position, a generator) that a checkpoint must
/// keep so that a resumed run sees the same batches. Sources that draw from TorchSharp's global generator need not
/// implement it: checkpoints save that generator.</summary>
public interface ICheckpointableSource
{
    void SaveState(System.IO.BinaryWriter writer);
    void LoadState(System.IO.BinaryReader reader);
}

/// <summary>Named tensors of one minibatch (<c>x</c>, optionally <c>y</c>, ...).</summary>
public sealed class Batch
{
    private readonly Dictionary<string, Tensor> _fields;
    public Batch(Dictionary<string, Tensor> fields) { _fields = fields; }
    public Batch(Tensor x) { _fields = new Dictionary<string, Tensor> { ["x"] = x }; }

    public Tensor this[string field] => _fields.TryGetValue(field, out var t)
        ? t
        : throw new KeyNotFoundException($"The batch has no field '{field}' (it has: {string.Join(", ", _fields.Keys)}).");

    public IEnumerable<string> Fields => _fields.Keys;

    /// <summary>Whether the batch has the field.</summary>
    public bool Has(string field) => _fields.ContainsKey(field);

    /// <summary>A copy of this batch with one field set (added or replaced).</summary>
    public Batch With(string field, Tensor value) => new(new Dictionary<string, Tensor>(_fields) { [field] = value });
}

/// <summary>A model with a network that starts from the data (<c>[Generator(OutputBiasFromData = true)]</c>): before the
/// first step of a new run (not a resumed one) the runtime hands it the mean of the training examples of
/// <see cref="DataVariable"/>, in that variable's range and shape.</summary>
public interface IDataInitialized
{
    /// <summary>The data variable whose mean the model needs (e.g. <c>x</c>).</summary>
    string DataVariable { get; }
    /// <summary>Sets the networks' starting values from the mean example (e.g. G's output bias).</summary>
    void InitializeFromData(Tensor mean);
}
