using Monitoring.Notifications.Hosting;

// `dotnet run`: in-memory bus, the demo roster in roster/, every delivery to the sandbox channel
// (appsettings.json). Production points Monitoring:Bus at RabbitMQ and configures SMTP and a real
// roster; see docs/notifications.md.
await NotificationsApp.Build(args).RunAsync();
