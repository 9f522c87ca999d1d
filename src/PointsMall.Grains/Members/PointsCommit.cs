using System.Collections.Immutable;
using PointsMall.Contracts.Common;
using PointsMall.Contracts.Members;
using PointsMall.Domain.Common;
using PointsMall.Domain.Members;
using PointsMall.Domain.Rules;

namespace PointsMall.Grains.Members;

/// <summary>
/// How a points outcome becomes the member's next state: the account stored, the expiries it recorded announced,
/// the expiry reminder kept at the earliest open lot's expiry. The ledger is the record of applied operation ids,
/// so replays are answered from it here too.
/// </summary>
internal static class PointsCommit
{
    /// <summary>When a lot earned now expires under the programme's policy.</summary>
    public static DateTimeOffset? ExpiresAt(ProgramRules rules, DateTimeOffset now) => rules.Expiry.ExpiresAt(now, rules.TimeZone);

    public static MemberStep<PointsResult> Commit(
        MemberState current, string memberId, string operationId, PointsOutcome outcome, DateTimeOffset now)
    {
        if (!outcome.Succeeded)
        {
            return new(current, new PointsResult(0, outcome.Account.Balance(now), false, Problem.From(outcome.Refusal!)));
        }

        var change = outcome.Replayed
            ? new MemberChange(current)
            : Save(current, memberId, outcome.Account, outcome.Entries.Where(IsRecordedExpiry).ToImmutableArray(), now);
        return new(change, new PointsResult(OwnAmount(outcome.Entries, operationId), outcome.Account.Balance(now), outcome.Replayed, null));
    }

    /// <summary>Stores the account; announces expiries it recorded; keeps the reminder at the earliest open lot's expiry.</summary>
    public static MemberChange Save(
        MemberState current, string memberId, PointsAccount account, IEnumerable<LedgerEntry> entries, DateTimeOffset now)
    {
        var expired = entries.Where(IsRecordedExpiry).ToImmutableArray();

        // Unchanged parts keep their instance: the runtime writes a state only when the turn leaves a new one.
        var stored = ReferenceEquals(account, current.Account) ? current : current with { Account = account };
        var announced = expired.Length > 0
            ? new PointsExpired(
                memberId, -expired.Sum(e => e.Amount), [.. expired.SelectMany(e => e.Lots).Select(l => l.LotId).Distinct()], now, account.Balance(now))
            : null;

        var next = account.Lots
            .Where(l => l.Remaining > 0 && l.ExpiresAt > now)
            .Select(l => l.ExpiresAt)
            .Min();
        if (next == stored.ExpiryReminderAt)
        {
            return new MemberChange(stored) { Expired = announced };
        }

        return new MemberChange(stored with { ExpiryReminderAt = next }) { Expired = announced, Reminder = new ReminderMove(next) };
    }

    public static bool IsRecordedExpiry(LedgerEntry entry) =>
        entry.Kind == LedgerKind.Expire && entry.OperationId.StartsWith(PointsAccount.ExpireOperationPrefix, StringComparison.Ordinal);

    /// <summary>The signed amount of the operation's own entries (expiries recorded on the way are not its own).</summary>
    public static long OwnAmount(IEnumerable<LedgerEntry> entries, string operationId) =>
        entries.Where(e => e.Kind != LedgerKind.Expire && string.Equals(e.OperationId, operationId, StringComparison.Ordinal)).Sum(e => e.Amount);

    /// <summary>
    /// The first answer again if the ledger holds an earn of <paramref name="source"/> under this id; a conflict if
    /// it holds anything else under it; null if the id is new.
    /// </summary>
    public static PointsResult? ReplayOf(PointsAccount account, string operationId, string source, DateTimeOffset now)
    {
        var own = account.Ledger.Where(e => string.Equals(e.OperationId, operationId, StringComparison.Ordinal)).ToList();
        if (own.Count == 0)
        {
            return null;
        }

        return own[0].Kind == LedgerKind.Earn && string.Equals(own[0].Source, source, StringComparison.Ordinal)
            ? new PointsResult(OwnAmount(own, operationId), account.Balance(now), true, null)
            : new PointsResult(0, account.Balance(now), false, Problem.From(Refusal.Of(RefusalCode.Conflict, "operation_id_reused")));
    }
}
