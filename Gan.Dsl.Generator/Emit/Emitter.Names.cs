using System.Linq;
using Gan.Dsl.Generator.Analysis;
using Gan.Dsl.Generator.Model;

namespace Gan.Dsl.Generator
{
    /// <summary>Player lists, noise draws and the functional alias.</summary>
    internal static partial class Emitter
    {
        private static string Players(NetworkSpec[] players) => string.Join(", ", players.Select(p => p.Name));

        /// <summary>The alias of torch.nn.functional in the emitted file: F, or "functional" when a network is named F (a feature
        /// extractor F(x)), whose field and factory would hide the alias inside the class.</summary>
        private static string FunctionalAlias(ModelSpec model) => ModelAnalyzer.FunctionalAlias(model);

        private static string NoiseExpression(NoiseSpec z, string count, ModelSpec model) => z.Distribution switch
        {
            Distribution.Normal => $"torch.randn(new long[] {{ {count}, {z.Size} }}, device: _device){Scaled(z)}",
            Distribution.Uniform => $"torch.rand(new long[] {{ {count}, {z.Size} }}, device: _device).mul_(2).sub_(1){Scaled(z)}",
            Distribution.UnitInterval => $"torch.rand(new long[] {{ {count}, {z.Size} }}, device: _device)",
            Distribution.Categorical => $"{FunctionalAlias(model)}.one_hot(torch.randint(0, {z.Size}, new long[] {{ {count} }}, device: _device), {z.Size}).to(torch.float32)",
            Distribution.GaussianMixture => $"{TypeNames.Priors}.GaussianMixture({count}, _device)",
            Distribution.SwissRoll => $"{TypeNames.Priors}.SwissRoll({count}, _device)",
            _ => throw new System.InvalidOperationException("unknown distribution " + z.Distribution),
        };

        /// <summary>The multiplication by a declared Scale (none for the default 1).</summary>
        private static string Scaled(NoiseSpec z) => z.Scale == 1 ? "" : $".mul_({Num(z.Scale)})";
    }
}
