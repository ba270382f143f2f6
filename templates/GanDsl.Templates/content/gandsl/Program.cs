// The `gan` command line for the models this project declares: dotnet run -- train, sample, eval, list, env, --help.
return Gan.Cli.GanCommandLine.Run(args);
