using Monitoring.LoadTests;

return await LoadProgram.MainAsync(args);
