using System.Runtime.CompilerServices;

namespace GanDsl.Tests;

/// <summary>The catalog's models register themselves when the samples' assembly loads (each model's generated module
/// initializer). Tests that name a catalog model on the command line (<c>dann-moons</c>, <c>goodfellow2014</c>) must find it
/// even when they run alone, before any test has touched a catalog type: this loads the catalog with the test assembly.</summary>
internal static class CatalogLoader
{
#pragma warning disable CA2255 // a test assembly is an application here: it must register the catalog before any test runs
    [ModuleInitializer]
    internal static void Load() => RuntimeHelpers.RunModuleConstructor(typeof(GanDsl.Samples.Catalog.Goodfellow2014).Module.ModuleHandle);
#pragma warning restore CA2255
}
