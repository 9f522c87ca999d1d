using System.Collections.Immutable;
using PointsMall.Domain.Common;

namespace PointsMall.Domain.Members;

/// <summary>
/// The result of a points operation. On success <see cref="Account"/> is the new account and
/// <see cref="Entries"/> the ledger lines the operation wrote; on refusal <see cref="Account"/> is unchanged.
/// <see cref="Replayed"/> means the operation id had already been applied: nothing changed and the
/// original entries are returned. <see cref="ExpiredLots"/> lists lots whose expiry was recorded by this
/// call (for expiry events).
/// </summary>
public sealed record PointsOutcome(
    PointsAccount Account,
    ImmutableArray<LedgerEntry> Entries,
    ImmutableArray<PointsLot> ExpiredLots,
    Refusal? Refusal,
    bool Replayed)
{
    public bool Succeeded => Refusal is null;

    /// <summary>Net signed amount of the operation's own entries.</summary>
    public long NetAmount => Entries.Sum(e => e.Amount);

    internal static PointsOutcome Refused(PointsAccount account, RefusalCode code, string detail) =>
        new(account, [], [], new Refusal(code, detail), false);
}
