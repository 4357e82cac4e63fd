using Monitoring.Ingestion.Hosting;
using Monitoring.Ingestion.Security;

// `hash-password`: reads a console user's password on stdin and prints its hash for Monitoring:Security:Users.
if (args is ["hash-password", ..])
    return UserPasswordHash.RunCommand(Console.In, Console.Out, Console.Error);

// With no configuration: embedded MQTT broker on 127.0.0.1:1883, embedded SQLite store, in-memory bus,
// the demo sites in sites/. `--environment LocalServers` points at Mosquitto, InfluxDB and RabbitMQ.
await IngestionApp.Build(args).RunAsync();
return 0;
