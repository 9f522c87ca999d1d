using PointsMall.Contracts.Members;
using PointsMall.Domain.Common;
using PointsMall.Domain.Members;
using PointsMall.Domain.Rules;
using ContractLedgerPage = PointsMall.Contracts.Members.LedgerPage;

namespace PointsMall.Grains.Members;

/// <summary>The member's replies built from its state: the member view, the ledger page, expiring lots and the audit.</summary>
internal static class MemberViews
{
    /// <summary>The member as shown; only for a registered member (profile and account present).</summary>
    public static MemberView Member(string memberId, MemberState state, ProgramRules rules, DateTimeOffset now)
    {
        var profile = state.Profile!;
        var account = state.Account!;
        var zone = rules.TimeZone;
        var tierPoints = rules.Tiers.QualifyingPoints(account, now);
        var tier = rules.Tiers.TierFor(tierPoints);
        var next = rules.Tiers.Levels.FirstOrDefault(l => l.Tier > tier);
        return new MemberView(
            memberId,
            profile.Nickname ?? "",
            profile.Phone,
            profile.Email,
            account.Balance(now),
            tier.ToString(),
            account.LifetimeEarned,
            profile.RegisteredAt,
            state.SignIn.CurrentStreak(now, zone),
            state.SignIn.LastDate,
            [.. profile.Addresses.Select(a => new AddressView(a.Id, a.Recipient, a.Phone, AddressRegion.Join(a), a.Detail, a.IsDefault)
            {
                Province = a.Province,
                City = a.City,
                District = a.District,
                PostalCode = a.PostalCode,
            })])
        {
            Gender = profile.Gender,
            Birthday = profile.Birthday,
            TierPoints = tierPoints,
            NextTier = next?.Tier.ToString(),
            PointsToNextTier = next is null ? 0 : Math.Max(0, next.MinPoints - tierPoints),
            SignedInToday = state.SignIn.LastDate == ZonedTime.LocalDate(now, zone),
            Provisioned = state.Provisioned,
            Changes = [.. profile.Changes.Select(c => new ProfileChangeView(c.At, c.Field, c.OldValue, c.NewValue))],
        };
    }

    /// <summary>A 1-based page of the ledger, at most <see cref="MemberGrain.MaxPageSize"/> lines; empty without an account.</summary>
    public static ContractLedgerPage Ledger(PointsAccount? account, int page, int pageSize)
    {
        page = Math.Max(1, page);
        pageSize = Math.Clamp(pageSize, 1, MemberGrain.MaxPageSize);
        if (account is null)
        {
            return new ContractLedgerPage([], page, pageSize, 0);
        }

        var history = account.History(page, pageSize);
        var entries = history.Items
            .Select(e => new LedgerEntryView(e.At, KindName(e.Kind), e.Source, e.Reason, e.Amount, e.BalanceAfter, e.OperationId))
            .ToList();
        return new ContractLedgerPage(entries, history.Page, history.PageSize, history.TotalCount);
    }

    public static IReadOnlyList<LotView> Expiring(PointsAccount? account, TimeSpan window, DateTimeOffset now)
    {
        if (account is null || window < TimeSpan.Zero)
        {
            return [];
        }

        return [.. account.ExpiringSoon(now, window)
            .Select(l => new LotView(l.Id, l.Amount, l.Remaining, l.Source, l.EarnedAt, l.ExpiresAt))];
    }

    /// <summary>
    /// The sums as they stand: Balance and OpenLots count only lots open now; LedgerSum is what the ledger has
    /// recorded. Between a lot's expiry instant and the reminder recording it, LedgerSum is higher by the
    /// unrecorded expiry and <see cref="PointsAudit.Reconciles"/> is false; it is true again once recorded.
    /// </summary>
    public static PointsAudit Audit(PointsAccount? account, DateTimeOffset now)
    {
        if (account is null)
        {
            return new PointsAudit(0, 0, 0, 0);
        }

        var openLots = account.Lots.Where(l => l.IsOpenAt(now)).Sum(l => l.Remaining);
        return new PointsAudit(account.Balance(now), openLots, account.LedgerSum(), account.LifetimeEarned);
    }

    private static string KindName(LedgerKind kind) => kind.ToString().ToLowerInvariant();
}
