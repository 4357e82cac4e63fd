namespace Monitoring.Ingestion.Storage;

/// <summary>Which InfluxDB HTTP write API to use.</summary>
public enum InfluxApiVersion
{
    /// <summary>InfluxDB 1.x: <c>POST /write?db=&amp;rp=&amp;precision=ms</c>, optional basic auth.</summary>
    V1,

    /// <summary>InfluxDB 2.x and 3.x: <c>POST /api/v2/write?org=&amp;bucket=&amp;precision=ms</c>, token auth.</summary>
    V2,
}

/// <summary>Configuration section <c>Monitoring:Store:InfluxDb</c> (docs/contract.md 2).</summary>
internal sealed class InfluxDbOptions
{
    /// <summary>Base address of the server; a path prefix (behind a reverse proxy) is kept.</summary>
    public Uri Url { get; set; } = new("http://127.0.0.1:8086/");

    public InfluxApiVersion ApiVersion { get; set; } = InfluxApiVersion.V1;

    /// <summary>v1 database; also the v2 bucket when <see cref="Bucket"/> is not set.</summary>
    public string Database { get; set; } = "monitoring";

    /// <summary>v1 retention policy; the database's default policy when null.</summary>
    public string? RetentionPolicy { get; set; }

    /// <summary>v1 credentials, sent as HTTP basic auth (not as <c>u</c>/<c>p</c> query parameters, which end up in access logs).</summary>
    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>v2 organisation (name or id).</summary>
    public string? Org { get; set; }

    /// <summary>v2 bucket; defaults to <see cref="Database"/>.</summary>
    public string? Bucket { get; set; }

    /// <summary>v2 API token, sent as <c>Authorization: Token &lt;t&gt;</c>.</summary>
    public string? Token { get; set; }

    /// <summary>Limit for one request, from sending the body to the response status.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>v1: <c>CREATE DATABASE</c> (a no-op when it exists) on start. v2 buckets are made by the operator.</summary>
    public bool CreateDatabase { get; set; } = true;

    /// <summary>Compress write bodies (<c>Content-Encoding: gzip</c>). Saves bandwidth on a remote server, costs CPU here.</summary>
    public bool Gzip { get; set; }

    /// <summary>The bucket the v2 API writes to.</summary>
    internal string EffectiveBucket => string.IsNullOrEmpty(Bucket) ? Database : Bucket;
}
