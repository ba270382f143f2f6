using System;
using System.Collections.Generic;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Gan.Runtime.Training;

/// <summary>
/// The four optimizers a declaration names — SGD, Adam, AdamW, RMSprop — as TorchSharp's own classes (their state,
/// parameter groups, <c>IMomentum</c>/<c>IBetas</c> and checkpoint format are TorchSharp's), with a <c>step</c> that does
/// TorchSharp 0.107's arithmetic op for op, so an update equals <c>torch.optim</c>'s bit for bit, but holds every scalar
/// operand in a <see cref="Scalar"/> that lives until the native call has returned.
/// </summary>
/// <remarks>
/// TorchSharp converts each <c>double</c> argument (<c>add_(grad, alpha: -lr)</c>) into a temporary native Scalar and
/// passes only its handle, so nothing keeps the managed object alive during the call: when a collection runs meanwhile,
/// the finaliser can free the Scalar while the kernel still reads it. An optimizer's step on a large weight tensor is
/// the longest such window of a training step; a 125,000-update run crashed there once, at step ~67,000, with
/// <c>Expected false to be true … toFloat (c10/core/Scalar.h:140)</c> from <c>SGD.step</c>.
/// </remarks>
public static class Optimizers
{
    /// <summary>SGD with momentum and L2 weight decay, as <c>torch.optim.SGD</c>.</summary>
    public static SGD Sgd(IEnumerable<Parameter> parameters, double lr, double momentum = 0, double weight_decay = 0)
        => new Safe.SGD(parameters, lr, momentum, weight_decay);

    /// <summary>Adam, as <c>torch.optim.Adam</c>.</summary>
    public static Adam Adam(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double weight_decay = 0)
        => new Safe.Adam(parameters, lr, beta1, beta2, weight_decay);

    /// <summary>AdamW (decoupled weight decay), as <c>torch.optim.AdamW</c>.</summary>
    public static AdamW AdamW(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double weight_decay = 0)
        => new Safe.AdamW(parameters, lr, beta1, beta2, weight_decay);

    /// <summary>RMSprop, as <c>torch.optim.RMSProp</c>.</summary>
    public static RMSProp RmsProp(IEnumerable<Parameter> parameters, double lr = 1e-3, double alpha = 0.99, double weight_decay = 0, double momentum = 0)
        => new Safe.RMSProp(parameters, lr, alpha, weight_decay, momentum);

    /// <summary>The classes behind the factories. Each keeps its TorchSharp base's name, which TorchSharp's
    /// checkpoint format records and checks on load, so checkpoints of either kind load into the other.</summary>
    internal static class Safe
    {
        public sealed class SGD : TorchSharp.Modules.SGD
        {
            public SGD(IEnumerable<Parameter> parameters, double lr, double momentum, double weightDecay)
                : base(parameters, lr, momentum, weight_decay: weightDecay) { }

            public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
            {
                Options options = group.Options;
                double momentum = options.momentum!.Value, dampening = options.dampening!.Value, weightDecay = options.weight_decay!.Value;
                double lr = options.LearningRate!.Value;
                bool nesterov = options.nesterov!.Value, maximize = options.maximize!.Value;
                using Scalar decay = weightDecay, mu = momentum, keep = 1 - dampening, alpha = maximize ? lr : -lr;
                foreach (Parameter param in group.Parameters)
                {
                    var state = (State)_state[param.Handle];
                    Tensor? grad = param.grad;
                    if (grad is null) continue;
                    if (weightDecay != 0) grad = grad.add(param, alpha: decay);
                    if (momentum != 0)
                    {
                        Tensor? buf = state.momentum_buffer;
                        if (buf is null) state.momentum_buffer = buf = grad.clone().detach().DetachFromDisposeScope();
                        else buf.mul_(mu).add_(grad, alpha: keep);
                        grad = nesterov ? grad.add(buf, alpha: mu) : buf;
                    }
                    param.add_(grad, alpha: alpha);
                }
            }, closure);
        }

        public sealed class Adam : TorchSharp.Modules.Adam
        {
            public Adam(IEnumerable<Parameter> parameters, double lr, double beta1, double beta2, double weightDecay)
                : base(parameters, lr, beta1, beta2, weight_decay: weightDecay) { }

            public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
            {
                var options = (Options)group.Options;
                foreach (Parameter param in group.Parameters)
                {
                    var state = (State)_state[param.Handle];
                    Tensor? grad = param.grad;
                    if (grad is null) continue;
                    if (options.maximize!.Value) grad = -grad;
                    state.step += 1;
                    if (options.weight_decay!.Value != 0)
                    {
                        using Scalar decay = options.weight_decay!.Value;
                        grad = grad.add(param, alpha: decay);
                    }
                    Tensor denom = AdamMoments(state.exp_avg, state.exp_avg_sq, ref state.max_exp_avg_sq, grad, grad.conj(), state.step,
                        options.beta1!.Value, options.beta2!.Value, options.eps!.Value, options.amsgrad!.Value);
                    using Scalar value = -(options.LearningRate!.Value / (1 - Math.Pow(options.beta1!.Value, state.step)));
                    param.addcdiv_(state.exp_avg, denom, value: value);
                }
            }, closure);
        }

        public sealed class AdamW : TorchSharp.Modules.AdamW
        {
            public AdamW(IEnumerable<Parameter> parameters, double lr, double beta1, double beta2, double weightDecay)
                : base(parameters, lr, beta1, beta2, weight_decay: weightDecay) { }

            public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
            {
                var options = (Options)group.Options;
                double lr = options.LearningRate!.Value;
                using Scalar shrink = 1 - lr * options.weight_decay!.Value;
                foreach (Parameter param in group.Parameters)
                {
                    var state = (State)_state[param.Handle];
                    Tensor? grad = param.grad;
                    if (grad is null) continue;
                    if (options.maximize!.Value) grad = -grad;
                    state.step += 1;
                    param.mul_(shrink);
                    Tensor denom = AdamMoments(state.exp_avg, state.exp_avg_sq, ref state.max_exp_avg_sq, grad, grad, state.step,
                        options.beta1!.Value, options.beta2!.Value, options.eps!.Value, options.amsgrad!.Value);
                    using Scalar value = -(lr / (1 - Math.Pow(options.beta1!.Value, state.step)));
                    param.addcdiv_(state.exp_avg, denom, value: value);
                }
            }, closure);
        }

        /// <summary>Adam's and AdamW's shared moment update and denominator, in TorchSharp's order of operations.</summary>
        private static Tensor AdamMoments(Tensor expAvg, Tensor expAvgSq, ref Tensor maxExpAvgSq, Tensor grad, Tensor gradConj,
            long step, double beta1, double beta2, double eps, bool amsgrad)
        {
            using Scalar b1 = beta1, keep1 = 1 - beta1, b2 = beta2, keep2 = 1 - beta2;
            using Scalar correction = Math.Sqrt(1 - Math.Pow(beta2, step)), epsilon = eps, one = 1;
            expAvg.mul_(b1).add_(grad, alpha: keep1);
            expAvgSq.mul_(b2).addcmul_(grad, gradConj, value: keep2);
            Tensor second = expAvgSq;
            if (amsgrad)
            {
                Tensor previous = maxExpAvgSq;
                maxExpAvgSq = torch.maximum(previous, expAvgSq).DetachFromDisposeScope();
                previous.Dispose();
                second = maxExpAvgSq;
            }
            return second.sqrt().div(correction).add_(epsilon, one);
        }

        public sealed class RMSProp : TorchSharp.Modules.RMSProp
        {
            public RMSProp(IEnumerable<Parameter> parameters, double lr, double alpha, double weightDecay, double momentum)
                : base(parameters, lr, alpha, weight_decay: weightDecay, momentum: momentum) { }

            public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
            {
                var options = (Options)group.Options;
                double momentum = options.momentum!.Value, alpha = options.alpha!.Value, weightDecay = options.weight_decay!.Value;
                using Scalar decay = weightDecay, a = alpha, keep = 1 - alpha, mu = momentum, minusOne = -1, one = 1;
                using Scalar epsilon = options.eps!.Value, minusLr = -options.LearningRate!.Value;
                foreach (Parameter param in group.Parameters)
                {
                    var state = (State)_state[param.Handle];
                    Tensor? grad = param.grad;
                    if (grad is null) continue;
                    if (options.maximize!.Value) grad = -grad;
                    state.step += 1;
                    if (weightDecay != 0) grad = grad.add(param, alpha: decay);
                    state.square_avg.mul_(a).addcmul_(grad, grad, value: keep);
                    Tensor avg;
                    if (options.centered!.Value)
                    {
                        state.grad_avg.mul_(a).add_(grad, alpha: keep);
                        avg = state.square_avg.addcmul(state.grad_avg, state.grad_avg, value: minusOne).sqrt_().add_(epsilon, one);
                    }
                    else avg = state.square_avg.sqrt().add_(epsilon, one);
                    if (momentum > 0)
                    {
                        state.momentum_buffer.mul_(mu).addcdiv_(grad, avg, value: one);
                        param.add_(state.momentum_buffer, alpha: minusLr);
                    }
                    else param.addcdiv_(grad, avg, value: minusLr);
                }
            }, closure);
        }
    }
}
