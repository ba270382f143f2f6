using System;
using System.Collections.Generic;
using System.Linq;
using Gan.Runtime;
using Shouldly;
using static TorchSharp.torch;

namespace GanDsl.Tests.Training;

/// <summary>Copies of a player's parameters, to check which players a phase changed.</summary>
internal static class PlayerSnapshots
{
    /// <summary>A copy of the player's parameters; a player without any fails here, since "unchanged" would then hold for
    /// any step.</summary>
    public static List<Tensor> Snap(IAdversarialModel model, string player)
    {
        List<Tensor> copy = model.PlayerParameters(player).Select(t => t.detach().clone()).ToList();
        copy.ShouldNotBeEmpty($"{player} has no parameters: a check that it is unchanged could not fail");
        return copy;
    }

    /// <summary>Every player's parameters, in order, as float arrays (for exact comparisons of two runs).</summary>
    public static float[][] Values(IAdversarialModel model) =>
        model.Players.SelectMany(model.PlayerParameters).Select(p => p.detach().cpu().data<float>().ToArray()).ToArray();

    /// <summary>Whether the player's parameters are exactly those of the snapshot (the same number of tensors, every
    /// element equal).</summary>
    public static bool Same(List<Tensor> before, IAdversarialModel model, string player)
    {
        List<Tensor> now = model.PlayerParameters(player).ToList();
        before.ShouldNotBeEmpty($"the snapshot of {player} is empty");
        now.Count.ShouldBe(before.Count, $"{player}'s number of parameter tensors");
        return before.Zip(now).All(t => (t.First - t.Second.detach()).abs().max().item<float>() == 0f);
    }

    /// <summary>Runs each phase in turn and checks that it changed exactly the players it names, among all the model's players.</summary>
    public static void EachPhaseChangesOnly(IAdversarialModel model, params (string Name, Func<float> Step, string[] Changes)[] phases)
    {
        foreach (var phase in phases)
        {
            var before = model.Players.ToDictionary(p => p, p => Snap(model, p));
            phase.Step();
            foreach (string player in before.Keys)
                Same(before[player], model, player).ShouldBe(!phase.Changes.Contains(player), $"{player} in the {phase.Name} phase");
        }
    }
}
