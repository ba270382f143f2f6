using Gan.Cli;
using GanDsl.Samples.Catalog;

// `gan train` without --model trains the first model of the seed (the README's main job).
return GanCommandLine.Run(args, ModelCatalog.CommandLine);
