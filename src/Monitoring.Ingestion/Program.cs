using Monitoring.Ingestion.Hosting;

// With no configuration: embedded MQTT broker on 127.0.0.1:1883, embedded SQLite store, in-memory bus,
// the demo sites in sites/. `--environment LocalServers` points at Mosquitto, InfluxDB and RabbitMQ.
await IngestionApp.Build(args).RunAsync();
