using System.Globalization;
using System.Text;
using System.Text.Json;
using Monitoring.Contracts;
using Monitoring.Ingestion.Alarms;

namespace Monitoring.Ingestion.Api;

/// <summary>
/// The alarm history: every alarm episode, open or closed, for the retention period (<see cref="AlarmHistoryOptions"/>),
/// searchable and exported as CSV for reports and for an inspector; one past alarm with its full event trail and the
/// operator actions on it. Reads only: the same access as the alarm list.
/// </summary>
internal static class AlarmHistoryEndpoints
{
    public static void MapAlarmHistoryEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/alarms/history", async (HttpContext http, AlarmJournal journal, CancellationToken ct) =>
        {
            if (ParseQuery(http.Request.Query) is not { } query)
                return QueryProblem;
            var rows = await journal.QueryHistoryAsync(query, ct);
            if (string.Equals(http.Request.Query["format"], "csv", StringComparison.Ordinal))
                return Results.Text(Csv(rows), "text/csv; charset=utf-8", Encoding.UTF8);
            return Results.Ok(new
            {
                Items = rows.Select(AlarmHistoryView.From).ToList(),
                query.Limit,
                query.Offset,
                // Another page may follow when this one is full.
                NextOffset = rows.Count == query.Limit ? query.Offset + query.Limit : (int?)null,
            });
        });

        api.MapGet("/alarms/history/{alarmId:guid}", async (Guid alarmId, AlarmJournal journal, CancellationToken ct) =>
        {
            if (await journal.GetHistoryAsync(alarmId, ct) is not { } found)
                return Results.NotFound();
            var audit = await journal.ListAuditAsync(alarmId, 1000, ct);
            return Results.Ok(new
            {
                Alarm = AlarmHistoryView.From(found.Alarm),
                Events = found.Events.Select(e => new { e.Sequence, e.Type, e.At, Event = JsonSerializer.Deserialize<JsonElement>(e.Payload) }).ToList(),
                // Oldest first, in the order the actions were committed (the journal lists newest first).
                Audit = Enumerable.Reverse(audit).ToList(),
            });
        });
    }

    private static readonly IResult QueryProblem = Results.Problem(
        statusCode: StatusCodes.Status400BadRequest,
        detail: "filters: from, to (ISO 8601 time of the raise), enterprise, gateway, rule, priority (critical, high, medium, low), level (1 or 2), "
            + "majorHazard (true or false), state (open or closed), limit (1 to 1000), offset (0 or more), format (json or csv)");

    private static readonly string[] Priorities = [AlarmPriorities.Critical, AlarmPriorities.High, AlarmPriorities.Medium, AlarmPriorities.Low];

    /// <summary>The query string as a history search; null when a filter is malformed (a wrong filter must not widen the search silently).</summary>
    internal static AlarmHistoryQuery? ParseQuery(IQueryCollection q)
    {
        static string? Text(IQueryCollection q, string name) => q[name].Count > 0 && q[name][0] is { Length: > 0 } value ? value : null;

        DateTimeOffset? from = null, to = null;
        int? level = null;
        bool? major = null, closed = null;
        int limit = 100, offset = 0;
        if (Text(q, "from") is { } f && !TryTime(f, out from))
            return null;
        if (Text(q, "to") is { } t && !TryTime(t, out to))
            return null;
        if (Text(q, "level") is { } l)
        {
            if (l is not ("1" or "2"))
                return null;
            level = l[0] - '0';
        }

        if (Text(q, "majorHazard") is { } m)
        {
            if (!bool.TryParse(m, out var value))
                return null;
            major = value;
        }

        switch (Text(q, "state"))
        {
            case null:
                break;
            case "open":
                closed = false;
                break;
            case "closed":
                closed = true;
                break;
            default:
                return null;
        }

        if (Text(q, "limit") is { } li && (!int.TryParse(li, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > AlarmHistoryQuery.MaxLimit))
            return null;
        if (Text(q, "offset") is { } o && !int.TryParse(o, NumberStyles.None, CultureInfo.InvariantCulture, out offset))
            return null;
        var priority = Text(q, "priority");
        if (priority is not null && !Priorities.Contains(priority, StringComparer.Ordinal))
            return null;
        if (Text(q, "format") is { } format && format is not ("json" or "csv"))
            return null;

        return new AlarmHistoryQuery
        {
            From = from,
            To = to,
            Enterprise = Text(q, "enterprise"),
            Gateway = Text(q, "gateway"),
            RuleId = Text(q, "rule"),
            Priority = priority,
            Level = level,
            MajorHazard = major,
            Closed = closed,
            Limit = limit,
            Offset = offset,
        };

        static bool TryTime(string text, out DateTimeOffset? time)
        {
            var ok = DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value);
            time = ok ? value : null;
            return ok;
        }
    }

    /// <summary>One row per alarm, the columns an inspector's spreadsheet needs, with its disposal; times in UTC, ISO 8601.</summary>
    internal static string Csv(IReadOnlyList<AlarmHistoryRecord> rows) => CsvText.Write(
        "alarmId,enterprise,gateway,ruleId,ruleVersion,tags,priority,level,majorHazard,condition,value,limit,unit,raisedAt,state,closedAt,acknowledgedBy,acknowledgedAt,comment,simulated,"
        + "disposalStep,disposalCause,disposedBy,disposedAt,disposalAttempts,verifiedBy,verifiedAt,closedOutBy,closedOutAt",
        rows,
        row =>
        {
            var a = row.Alarm;
            var r = a.Raised;
            var d = a.Disposal;
            return
            [
                r.AlarmId.ToString(), r.Enterprise, r.Gateway, r.RuleId, CsvText.Invariant(r.RuleVersion), string.Join(' ', r.Tags), r.Priority, CsvText.Invariant(r.Level),
                CsvText.Bool(r.MajorHazard), r.Condition.Zh, CsvText.Invariant(r.Value), CsvText.Invariant(r.Limit), r.Unit ?? "", CsvText.Time(r.OccurredAt),
                row.ClosedAt is null ? a.State : "closed", CsvText.Time(row.ClosedAt), a.AcknowledgedBy ?? "", CsvText.Time(a.AcknowledgedAt), a.Comment ?? "", CsvText.Bool(r.Simulated),
                d?.Step ?? "", d?.Report?.Cause ?? "", d?.Report?.By ?? "", CsvText.Time(d?.Report?.At), d is null ? "" : CsvText.Invariant(d.Attempts),
                d?.VerifiedBy ?? "", CsvText.Time(d?.VerifiedAt), d?.ClosedOutBy ?? "", CsvText.Time(d?.ClosedOutAt),
            ];
        });
}

/// <summary>An alarm of the history: the alarm as the duty console shows it (<see cref="AlarmView"/>) and when it closed.</summary>
internal sealed record AlarmHistoryView(AlarmView Alarm, bool Closed, DateTimeOffset? ClosedAt)
{
    public static AlarmHistoryView From(AlarmHistoryRecord record) => new(AlarmView.From(record.Alarm), record.ClosedAt is not null, record.ClosedAt);
}
