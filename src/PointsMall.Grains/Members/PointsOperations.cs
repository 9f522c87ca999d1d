using PointsMall.Contracts.Common;
using PointsMall.Contracts.Members;
using PointsMall.Domain.Common;
using PointsMall.Domain.Members;
using PointsMall.Domain.Rules;

namespace PointsMall.Grains.Members;

/// <summary>
/// Earn, spend, refund, adjust, the starting grant and expiry as steps over the member state. Checks come first and
/// a refusal changes nothing; the account's operation then goes through <see cref="PointsCommit"/>.
/// </summary>
internal static class PointsOperations
{
    /// <summary>Client operation ids may not look like the ids the grain derives itself.</summary>
    private static readonly string[] ReservedPrefixes = [PointsAccount.ExpireOperationPrefix, "signin:", "provision:"];

    public static PointsResult? CheckEarn(EarnPoints command, PointsAccount account, DateTimeOffset now) =>
        MemberRefusals.PointsInvalidIf(
            CheckOperationId(command.OperationId) ?? CheckAmount(command.Amount)
                ?? (string.IsNullOrWhiteSpace(command.Source) ? "source is required" : null),
            account,
            now);

    public static MemberStep<PointsResult> Earn(
        MemberState current, string memberId, PointsAccount account, EarnPoints command, ProgramRules rules, DateTimeOffset now)
    {
        var outcome = account.Earn(
            command.OperationId, command.Amount, command.Source.Trim(), command.Reason?.Trim() ?? "", now, PointsCommit.ExpiresAt(rules, now));
        return PointsCommit.Commit(current, memberId, command.OperationId, outcome, now);
    }

    /// <summary>
    /// A refusal, or the first answer to this operation id, both found without the rules: a retry after a campaign
    /// ended still replays.
    /// </summary>
    public static PointsResult? CheckPurchase(EarnForPurchase command, PointsAccount account, DateTimeOffset now) =>
        MemberRefusals.PointsInvalidIf(
            CheckOperationId(command.OperationId)
                ?? (command.PurchaseAmountFen is < 0 or > MemberGrain.MaxPointsPerOperation * 100 ? "purchase amount out of range" : null),
            account,
            now)
        ?? PointsCommit.ReplayOf(account, command.OperationId, MemberGrain.PurchaseSource, now);

    public static MemberStep<PointsResult> EarnForPurchase(
        MemberState current, string memberId, PointsAccount account, EarnForPurchase command, ProgramRules rules, DateTimeOffset now)
    {
        // The tier is judged before this purchase counts toward it: the multiplier is the one the member held
        // when buying. Rounding (one floor at the end) is the domain's, see EarnRules.PurchasePoints.
        var tier = rules.Tiers.Evaluate(account, now);
        var points = rules.Earn.PurchasePoints(command.PurchaseAmountFen, tier, rules.Tiers, now);
        if (points == 0)
        {
            return new(current, new PointsResult(0, account.Balance(now), false, null));
        }

        var outcome = account.Earn(
            command.OperationId, points, MemberGrain.PurchaseSource, command.Reference?.Trim() ?? "", now, PointsCommit.ExpiresAt(rules, now));
        return PointsCommit.Commit(current, memberId, command.OperationId, outcome, now);
    }

    public static PointsResult? CheckAdjust(AdjustPoints command, PointsAccount account, DateTimeOffset now) =>
        MemberRefusals.PointsInvalidIf(
            CheckOperationId(command.OperationId)
                ?? (command.Delta == 0 ? "an adjustment must change the balance" : CheckAmount(Math.Abs(command.Delta)))
                ?? (string.IsNullOrWhiteSpace(command.Reason) ? "reason is required" : null),
            account,
            now);

    public static MemberStep<PointsResult> Adjust(
        MemberState current, string memberId, PointsAccount account, AdjustPoints command, ProgramRules rules, DateTimeOffset now)
    {
        // A grant is a lot like any other and expires by the programme's policy.
        var outcome = account.Adjust(
            command.OperationId, command.Delta, command.Reason.Trim(), now, command.Delta > 0 ? PointsCommit.ExpiresAt(rules, now) : null);
        return PointsCommit.Commit(current, memberId, command.OperationId, outcome, now);
    }

    public static MemberStep<PointsResult> Spend(
        MemberState current, string memberId, PointsAccount account, SpendPoints command, DateTimeOffset now)
    {
        // A purchase may come with no points to spend (a cash-only product still counts toward its limit).
        var invalid = CheckOperationId(command.OperationId)
            ?? (command.Purchase is { Quantity: <= 0 } || command.Purchase?.ProductId is { Length: 0 } ? "a purchase needs a product and a positive quantity" : null)
            ?? (command.Amount == 0 && command.Purchase is not null ? null : CheckAmount(command.Amount));
        if (invalid is not null)
        {
            return new(current, MemberRefusals.PointsInvalid(invalid, account, now));
        }

        // The limit first: a refused purchase spends nothing. Then the coupon, then the points; whatever is refused,
        // neither the purchase nor the coupon is recorded.
        var purchases = current.Purchases;
        var replayedPurchase = false;
        if (command.Purchase is { } purchase)
        {
            var recorded = purchases.Record(command.OperationId, purchase, command.PurchaseLimit);
            if (!recorded.Succeeded)
            {
                return new(current, new PointsResult(0, account.Balance(now), false, Problem.From(recorded.Refusal!)));
            }

            purchases = recorded.Purchases;
            replayedPurchase = recorded.Replayed;
        }

        var coupons = current.Coupons;
        var discount = 0L;
        if (command.CouponId is { } couponId)
        {
            var use = coupons.Use(command.OperationId, couponId, command.Amount, command.Category, now);
            if (!use.Succeeded)
            {
                return new(current, new PointsResult(0, account.Balance(now), false, Problem.From(use.Refusal!)));
            }

            (coupons, discount) = (use.Wallet, use.Discount);
        }

        var recordedWith = current with { Purchases = purchases, Coupons = coupons };
        var amount = command.Amount - discount;
        if (amount == 0)
        {
            // Nothing to take from the lots (a cash-only purchase, or a coupon worth the whole order): no ledger line.
            return new(recordedWith, new PointsResult(0, account.Balance(now), replayedPurchase, null) { CouponDiscount = discount });
        }

        var step = PointsCommit.Commit(
            current, memberId, command.OperationId, account.Spend(command.OperationId, amount, command.Reason?.Trim() ?? "", now), now);
        if (!step.Result.Succeeded)
        {
            return step;
        }

        return step with
        {
            Change = step.Change with { State = step.Change.State with { Purchases = purchases, Coupons = coupons } },
            Result = step.Result with { CouponDiscount = discount },
        };
    }

    public static MemberStep<PointsResult> Refund(
        MemberState current, string memberId, PointsAccount account, RefundPoints command, DateTimeOffset now)
    {
        var invalid = CheckOperationId(command.OperationId)
            ?? (string.IsNullOrWhiteSpace(command.SpendOperationId) ? "the spend operation id is required" : null)
            ?? (command.Amount is { } amount ? CheckAmount(amount) : null);
        if (invalid is not null)
        {
            return new(current, MemberRefusals.PointsInvalid(invalid, account, now));
        }

        var step = PointsCommit.Commit(
            current,
            memberId,
            command.OperationId,
            account.Refund(command.OperationId, command.SpendOperationId, command.Amount, command.Reason?.Trim() ?? "", now),
            now);

        // A full refund (or one of a spend of no points, which the ledger does not hold) gives the allowance back.
        // The coupon the spend used comes back with it too.
        var spendOfNothing = step.Result.Refusal?.Code == RefusalCodes.Name(RefusalCode.NotFound);
        if (command.Amount is null && (step.Result.Succeeded || spendOfNothing))
        {
            var state = step.Change.State;
            var returned = state.Purchases.Return(command.SpendOperationId);
            var coupons = state.Coupons.Return(command.SpendOperationId);
            if (!ReferenceEquals(returned, state.Purchases) || !ReferenceEquals(coupons, state.Coupons))
            {
                return step with { Change = step.Change with { State = state with { Purchases = returned, Coupons = coupons } } };
            }
        }

        return step;
    }

    /// <summary>A provisioned member's first state: the profile and an account holding the starting points, if any.</summary>
    public static MemberChange OpenProvisioned(
        MemberState current, string memberId, MemberProfile profile, long startingPoints, ProgramRules rules, DateTimeOffset now)
    {
        var account = PointsAccount.Open(memberId);
        if (startingPoints > 0)
        {
            // An operator's grant (not earned, so no tier credit), with its own ledger line like any grant.
            account = account.Adjust(MemberGrain.ProvisionOperationId, startingPoints, "starting points", now, PointsCommit.ExpiresAt(rules, now)).Account;
        }

        return PointsCommit.Save(current with { Profile = profile, Account = account, Provisioned = true }, memberId, account, [], now);
    }

    /// <summary>
    /// Records the expiries due. The balance already excluded these lots from their expiry instant; this only
    /// writes the ledger lines, tells subscribers and moves the reminder to the next lot.
    /// </summary>
    public static MemberChange Expire(MemberState current, string memberId, PointsAccount account, DateTimeOffset now)
    {
        var outcome = account.Expire(now);
        return PointsCommit.Save(current, memberId, outcome.Account, outcome.Entries, now);
    }

    public static string? CheckOperationId(string? operationId)
    {
        if (string.IsNullOrWhiteSpace(operationId) || operationId.Length > MemberGrain.MaxOperationIdLength)
        {
            return $"operation id is required (at most {MemberGrain.MaxOperationIdLength} characters)";
        }

        return ReservedPrefixes.Any(p => operationId.StartsWith(p, StringComparison.Ordinal))
            ? "operation id uses a reserved prefix"
            : null;
    }

    private static string? CheckAmount(long amount) =>
        amount is <= 0 or > MemberGrain.MaxPointsPerOperation ? $"amount must be between 1 and {MemberGrain.MaxPointsPerOperation}" : null;
}
