using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Gan.Runtime;
using Gan.Runtime.Data;
using Gan.Runtime.Training;
using GanDsl.Tests.Runtime;
using Shouldly;
using Xunit;
using static TorchSharp.torch;

namespace GanDsl.Tests.Training;

/// <summary>The learning rate each optimizer holds while a step runs, under each schedule: the declared rate (Adam 3e-3
/// for G, SGD 0.05 for D in <see cref="TunedOptimizersGan"/>) times the schedule's factor at p = (step − 1) / steps.</summary>
[Collection(TorchGlobalRngCollection.Name)]
public sealed class LearningRateScheduleTests
{
    /// <summary>Records every optimizer's learning rates each time a phase asks for a batch.</summary>
    private sealed class RateProbe(IBatchSource inner, IAdversarialModel model) : IBatchSource
    {
        public List<double[]> Rates { get; } = new();
        public int BatchSize => inner.BatchSize;
        public Device Device => inner.Device;
        public Batch Next()
        {
            Rates.Add(model.Optimizers.SelectMany(o => o.ParamGroups.Select(g => g.LearningRate)).ToArray());
            return inner.Next();
        }
    }

    private static List<double[]> RatesDuring(string schedule, int steps)
    {
        manual_seed(1);
        using var model = new TunedOptimizersGan(CPU);
        var probe = new RateProbe(new MixtureBatchSource(GaussianMixture2D.Ring8(), 16, CPU), model);
        Trainer.Train(model, probe, new TrainOptions { Steps = steps, LogEvery = 0, LearningRateSchedule = schedule, Log = TextWriter.Null });
        probe.Rates.Count.ShouldBe(steps);   // one batch per step: D's phase (G's draws noise only)
        return probe.Rates;
    }

    [Theory]
    [InlineData("constant")]
    [InlineData("linear")]
    [InlineData("ganin")]
    [InlineData("decay:1.5")]
    public void Each_optimizer_holds_its_declared_rate_times_the_schedules_factor(string schedule)
    {
        const int steps = 8;
        List<double[]> rates = RatesDuring(schedule, steps);
        for (int step = 1; step <= steps; step++)
        {
            double p = (step - 1) / (double)steps;
            double factor = schedule switch { "linear" => 1 - p, "ganin" => 1 / Math.Pow(1 + 10 * p, 0.75), "decay:1.5" => Math.Pow(1.5, -(step - 1)), _ => 1 };
            rates[step - 1].Length.ShouldBe(2);
            rates[step - 1][0].ShouldBe(3e-3 * factor, 1e-12, $"G at step {step}");
            rates[step - 1][1].ShouldBe(0.05 * factor, 1e-12, $"D at step {step}");
        }
    }
}
