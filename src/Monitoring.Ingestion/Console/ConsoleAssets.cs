using System.Collections.Frozen;
using System.Security.Cryptography;

namespace Monitoring.Ingestion.Console;

/// <summary>
/// The console's static files (HTML, JS, CSS), embedded in the assembly under <c>console/</c>: no wwwroot to
/// deploy, no build step, nothing from a CDN. Loaded once; each file carries a strong ETag.
/// </summary>
internal sealed class ConsoleAssets
{
    private const string ResourcePrefix = "console/";

    private readonly FrozenDictionary<string, ConsoleAsset> _files;

    public ConsoleAssets()
    {
        var assembly = typeof(ConsoleAssets).Assembly;
        var files = new Dictionary<string, ConsoleAsset>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames())
        {
            if (!name.StartsWith(ResourcePrefix, StringComparison.Ordinal))
                continue;
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var bytes = copy.ToArray();
            var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes).AsSpan(0, 8)) + "\"";
            files[name[ResourcePrefix.Length..]] = new ConsoleAsset(bytes, ContentType(name), etag);
        }

        _files = files.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public bool TryGet(string file, out ConsoleAsset asset) => _files.TryGetValue(file, out asset!);

    public IResult Serve(HttpContext http, string file)
    {
        if (!TryGet(file, out var asset))
            return Results.NotFound();
        http.Response.Headers.ETag = asset.ETag;
        // Revalidate every time: a deployment must reach an open console at its next load, not after a day.
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers.XContentTypeOptions = "nosniff";
        if (file.EndsWith(".html", StringComparison.Ordinal))
        {
            http.Response.Headers.ContentSecurityPolicy =
                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";
            http.Response.Headers.XFrameOptions = "DENY";
            http.Response.Headers["Referrer-Policy"] = "no-referrer";
        }

        if (http.Request.Headers.IfNoneMatch.ToString() == asset.ETag)
            return Results.StatusCode(StatusCodes.Status304NotModified);
        return Results.Bytes(asset.Content, asset.ContentType);
    }

    private static string ContentType(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        _ => "application/octet-stream",
    };
}

internal sealed record ConsoleAsset(byte[] Content, string ContentType, string ETag);
