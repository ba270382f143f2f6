using Gan.Dsl.Generator.Model;

namespace Gan.Dsl.Generator.Analysis
{
    /// <summary>Where the analysis reports what it finds, read by the parser from the declaration: the [Minimax] formula
    /// (GAN018) and its GeneratorLoss argument (GAN009), and whether that argument was written at all (the default
    /// non-saturating loss is never a mistake). Not part of the spec, so moving the declaration in its file changes no plan.</summary>
    internal sealed record AnalysisSites(LocationInfo? Formula, LocationInfo? GeneratorLossOption, bool GeneratorLossDeclared);
}
