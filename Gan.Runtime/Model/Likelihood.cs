using System.Linq;
using static TorchSharp.torch;

namespace Gan.Runtime;

/// <summary>Log-likelihoods that generated code uses for networks with class-score outputs.</summary>
public static class Likelihood
{
    /// <summary>log softmax(scores)[y] per example: the log-probability of the class in the one-hot rows
    /// <paramref name="oneHot"/> [m, classes] under the class scores [m, classes]. Computed as a log-softmax, so it is
    /// stable for any scores (−cross-entropy).</summary>
    public static Tensor LogCategorical(Tensor scores, Tensor oneHot)
    {
        if (scores.dim() != 2 || !scores.shape.SequenceEqual(oneHot.shape))
            throw new System.ArgumentException(
                $"A network with class-score output must return [m, {(oneHot.dim() == 2 ? oneHot.shape[1] : -1)}] for the class asked about, but it returned [{string.Join(", ", scores.shape)}].");
        return (nn.functional.log_softmax(scores, 1) * oneHot).sum(1);
    }

    /// <summary>log N(value; mean, I) per example: −½‖value − mean‖² − (d/2) log 2π over the d values of each row.</summary>
    public static Tensor LogGaussian(Tensor mean, Tensor value)
    {
        if (!mean.shape.SequenceEqual(value.shape))
            throw new System.ArgumentException(
                $"A network with Gaussian output must return the shape of the variable it models, [{string.Join(", ", value.shape)}], but it returned [{string.Join(", ", mean.shape)}].");
        long d = value.numel() / System.Math.Max(1, value.shape[0]);
        return (value - mean).flatten(1).pow(2).sum(1) * -0.5 - 0.5 * d * System.Math.Log(2 * System.Math.PI);
    }
}

/// <summary>The gradient reversal layer of Ganin &amp; Lempitsky 2015: the identity forward; backward, the gradient
/// multiplied by −λ. Written as <c>h.detach() − λ·(h − h.detach())</c>: the forward value is exactly <c>h</c> (the
/// bracket is exactly 0) and its derivative with respect to <c>h</c> is −λ.</summary>
public static class GradientReversal
{
    public static Tensor Apply(Tensor input, double lambda)
    {
        Tensor fixedValue = input.detach();
        return fixedValue - (input - fixedValue) * lambda;
    }
}

/// <summary>A model whose step depends on how far training has come (e.g. the weight λ_p of a gradient reversal): the
/// trainer sets <see cref="Progress"/> = (step − 1) / steps before each step.</summary>
public interface IProgressAware
{
    double Progress { get; set; }
}

/// <summary>A model whose step depends on how many steps are done, not on the run's length (e.g. a momentum that rises over
/// a fixed number of updates, <c>FinalMomentumSteps</c>): the trainer sets <see cref="UpdatesDone"/> = step − 1 before each
/// step. Unlike <see cref="IProgressAware"/>, such a run can be extended.</summary>
public interface IUpdateAware
{
    int UpdatesDone { get; set; }
}
