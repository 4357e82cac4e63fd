return await Monitoring.Simulators.Cli.CommandLine.RunAsync(args, Console.Out, Console.Error, CancellationToken.None);
