using System.Collections.Concurrent;
using System.Text.Json;
using Monitoring.Contracts;
using Monitoring.Ingestion.Observability;
using Monitoring.Rules.Evaluation;

namespace Monitoring.Ingestion.Alarms;

/// <summary>
/// The active alarms, keyed by <see cref="AlarmCondition.Key"/>: exactly one active alarm per
/// (source, rule, stage). Turns rule transitions into contract events. A key is only ever written by
/// the partition worker that owns its gateway; the API reads concurrently.
/// </summary>
internal sealed class AlarmTracker(TimeProvider timeProvider)
{
    private readonly ConcurrentDictionary<string, ActiveAlarm> _active = new(StringComparer.Ordinal);

    public IReadOnlyCollection<ActiveAlarm> Active => [.. _active.Values];

    public bool IsActive(string key) => _active.ContainsKey(key);

    /// <summary>Restores the alarms that were active at the last stop, so that none is raised twice.</summary>
    public void Restore(IEnumerable<ActiveAlarmRecord> records)
    {
        foreach (var record in records)
        {
            var raised = JsonSerializer.Deserialize<AlarmRaised>(record.RaisedJson, AlarmJournal.JsonOptions)!;
            _active[record.Key] = new ActiveAlarm(record.Key, raised, record.Sequence);
        }

        IngestionMetrics.SetActiveAlarms(_active.Count);
    }

    /// <summary>
    /// Applies a transition to the in-memory state and returns the journal entry to commit before the
    /// source messages are acknowledged, or null when the transition changes nothing (a raise of an
    /// alarm restored as active after a restart; a clear of an alarm that is not active).
    /// </summary>
    public JournalEntry? Apply(in AlarmTransition transition, TransitionContext context)
    {
        var condition = transition.Condition;
        var detectedAt = timeProvider.GetUtcNow();
        var occurredAt = DateTimeOffset.FromUnixTimeMilliseconds(transition.OccurredAtMs);
        var historical = detectedAt - occurredAt > context.HistoricalAfter;

        if (transition.Kind == AlarmTransitionKind.Raised)
        {
            if (_active.ContainsKey(condition.Key))
                return null;

            var alarmId = Guid.CreateVersion7(detectedAt);
            var raised = new AlarmRaised
            {
                AlarmId = alarmId,
                EventId = AlarmEventIds.For(alarmId, 1),
                Sequence = 1,
                RuleId = condition.RuleId,
                RuleVersion = condition.RuleVersion,
                Enterprise = condition.Enterprise,
                Gateway = condition.Gateway,
                Tags = condition.Tags,
                Equipment = condition.Equipment,
                Industry = condition.Industry,
                Priority = condition.Priority,
                Level = condition.Level,
                MajorHazard = condition.MajorHazard,
                Clause = condition.Clause,
                Value = transition.Value,
                Limit = condition.Limit,
                Unit = condition.Unit,
                Condition = condition.Description,
                OccurredAt = occurredAt,
                DetectedAt = detectedAt,
                Historical = historical,
                Context = context.Readings,
                Simulated = context.Simulated,
            };
            var json = JsonSerializer.Serialize(raised, AlarmJournal.JsonOptions);
            _active[condition.Key] = new ActiveAlarm(condition.Key, raised, 1);
            IngestionMetrics.SetActiveAlarms(_active.Count);
            IngestionMetrics.AlarmTransitions.Add(1, new("type", nameof(AlarmRaised)), new("priority", condition.Priority));
            return new JournalEntry(raised.EventId, nameof(AlarmRaised), json, condition.Key, new ActiveAlarmState(alarmId, 1, json));
        }

        if (!_active.TryRemove(condition.Key, out var active))
            return null;

        var sequence = active.Sequence + 1;
        var cleared = new AlarmCleared
        {
            AlarmId = active.Raised.AlarmId,
            EventId = AlarmEventIds.For(active.Raised.AlarmId, sequence),
            Sequence = sequence,
            RuleId = condition.RuleId,
            RuleVersion = condition.RuleVersion,
            Enterprise = condition.Enterprise,
            Gateway = condition.Gateway,
            Tags = condition.Tags,
            Equipment = condition.Equipment,
            Industry = condition.Industry,
            Priority = condition.Priority,
            Level = condition.Level,
            MajorHazard = condition.MajorHazard,
            Clause = condition.Clause,
            Value = transition.Value,
            Limit = condition.Limit,
            Unit = condition.Unit,
            Condition = condition.Description,
            OccurredAt = occurredAt,
            DetectedAt = detectedAt,
            Historical = historical,
            Context = context.Readings,
            Simulated = context.Simulated,
        };
        IngestionMetrics.SetActiveAlarms(_active.Count);
        IngestionMetrics.AlarmTransitions.Add(1, new("type", nameof(AlarmCleared)), new("priority", condition.Priority));
        return new JournalEntry(cleared.EventId, nameof(AlarmCleared), JsonSerializer.Serialize(cleared, AlarmJournal.JsonOptions), condition.Key, null);
    }
}

/// <summary>An active alarm: its raise event and the sequence of its last event.</summary>
internal sealed record ActiveAlarm(string Key, AlarmRaised Raised, long Sequence);

/// <summary>What the partition worker knows about a transition besides the rule's own data.</summary>
internal sealed record TransitionContext(IReadOnlyList<ContextReading> Readings, bool Simulated, TimeSpan HistoricalAfter);
