using Monitoring.Contracts;
using Monitoring.Contracts.Telemetry;
using Monitoring.Ingestion.Alarms;
using Monitoring.Ingestion.Observability;
using Monitoring.Rules.Runtime;

namespace Monitoring.Ingestion.Pipeline;

/// <summary>The gateway as a whole: its status reports, its silence, its clock (estimate and GATEWAY_CLOCK_SKEW).</summary>
internal sealed partial class PartitionWorker
{
    private readonly long _historicalAfterMs;
    private readonly long _skewLimitMs;

    /// <summary>
    /// After a message: raises held while the gateway's data was behind its clock are paged once a message is
    /// current again (the condition is still true at the end of the backlog); then the message's newest sensor
    /// time feeds the gateway's clock estimate, kept in the journal when it moved and checked against the skew limit.
    /// </summary>
    private void ObserveClock(GatewayState gateway, GatewayRules? rules, long receivedAtMs, long nowMs)
    {
        if (_deps.Alarms.AnyHeld && gateway.Clock.IsCurrent(_messageNewestMs, nowMs, _historicalAfterMs))
            _deps.Alarms.ReleaseHeld(held => held.Enterprise == gateway.Enterprise && held.Gateway == gateway.Gateway, "caught_up", _pendingJournal);
        if (!gateway.Clock.Observe(receivedAtMs, _messageNewestMs))
            return;
        IngestionMetrics.ClockOffset.Record(gateway.Clock.AheadByMs / 1000d);
        _pendingJournal.Add(JournalEntry.GatewayClock(gateway.Enterprise, gateway.Gateway, gateway.Clock.OffsetMs));
        if (rules is not null)
            CheckClockSkew(gateway, rules, nowMs);
    }

    /// <summary>
    /// GATEWAY_CLOCK_SKEW: raised when the gateway's clock is off by more than the limit, cleared below 80 % of it
    /// (so an offset hovering at the limit does not chatter). Its value is the offset in seconds (+ = ahead).
    /// </summary>
    private void CheckClockSkew(GatewayState gateway, GatewayRules rules, long nowMs)
    {
        var condition = rules.ClockSkew;
        var raised = _deps.Alarms.TryGetByKey(condition.Key, out var alarm) && alarm.ConditionActive;
        if (raised != gateway.ClockSkewRaised)
        {
            gateway.ClockSkewRaised = raised;
            IngestionMetrics.AddSkewedGateways(raised ? 1 : -1);
        }

        var off = Math.Abs(gateway.Clock.AheadByMs);
        var shouldRaise = gateway.Clock.IsKnown && (raised ? off * 5 > _skewLimitMs * 4 : off > _skewLimitMs);
        if (shouldRaise == raised)
            return;
        var kind = shouldRaise ? AlarmTransitionKind.Raised : AlarmTransitionKind.Cleared;
        Evaluator.ApplyDiagnostic(gateway, new AlarmTransition(condition, kind, nowMs, gateway.Clock.AheadByMs / 1000d), _pendingJournal);
        gateway.ClockSkewRaised = shouldRaise;
        IngestionMetrics.AddSkewedGateways(shouldRaise ? 1 : -1);
    }

    private void ProcessStatus(InboundMessage message, GatewayState gateway, long nowMs)
    {
        if (!GatewayStatusPayload.TryParse(message.Payload, out var report, out var error))
        {
            _deps.Rejections.Record(Rejections.InvalidStatus, message.Topic, gateway, error, null, message.Payload);
            return;
        }

        if (report.State == GatewayStates.Online)
            gateway.SequenceMayRestart = true;
        gateway.Firmware = report.Firmware ?? gateway.Firmware;
        if (string.Equals(gateway.Status, report.State, StringComparison.Ordinal))
            return;

        gateway.Status = report.State;
        var occurredAtMs = report.TimestampMs ?? nowMs;
        gateway.StatusChangedAtMs = occurredAtMs;
        ReportGatewayState(gateway, report.State, occurredAtMs, nowMs);
    }

    private void ReportGatewayState(GatewayState gateway, string state, long occurredAtMs, long nowMs)
    {
        var changed = new GatewayStatusChanged
        {
            // Deterministic, so that the retained status replayed after a restart dedupes downstream.
            EventId = GatewayEventIds.For(gateway.Enterprise, gateway.Gateway, state, occurredAtMs),
            Enterprise = gateway.Enterprise,
            Gateway = gateway.Gateway,
            State = state,
            OccurredAt = DateTimeOffset.FromUnixTimeMilliseconds(occurredAtMs),
            LastSeenAt = DateTimeOffset.FromUnixTimeMilliseconds(gateway.LastSeenAtMs),
            Simulated = gateway.Simulated,
        };
        _pendingJournal.Add(new JournalEntry(changed.EventId, nameof(GatewayStatusChanged),
            System.Text.Json.JsonSerializer.Serialize(changed, AlarmJournal.JsonOptions), null, null));
        IngestionMetrics.AlarmTransitions.Add(1, new("type", nameof(GatewayStatusChanged)), new("priority", "none"));
    }

    /// <summary>Reports the gateways of this partition that went quiet (loss of protection is an alarm).</summary>
    private void DetectSilentGateways(long nowMs)
    {
        var silentAfterMs = (long)_deps.Options.GatewaySilentAfter.TotalMilliseconds;
        foreach (var gateway in _deps.Gateways.OwnedBy(Index))
        {
            if (gateway.Silent || nowMs - gateway.LastSeenAtMs < silentAfterMs
                || string.Equals(gateway.Status, GatewayStates.Offline, StringComparison.Ordinal))
                continue;
            gateway.Silent = true;
            ReportGatewayState(gateway, GatewayStates.Silent, nowMs, nowMs);
        }
    }
}
