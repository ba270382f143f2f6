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
    public static List<Tensor> Snap(IAdversarialModel model, string player) => model.PlayerParameters(player).Select(t => t.detach().clone()).ToList();

    /// <summary>Whether the player's parameters are exactly those of the snapshot.</summary>
    public static bool Same(List<Tensor> before, IAdversarialModel model, string player)
        => before.Zip(model.PlayerParameters(player)).All(t => (t.First - t.Second.detach()).abs().max().item<float>() == 0f);

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
