using Microsoft.Extensions.DependencyInjection;
using Orleans.Concurrency;
using PointsMall.Contracts.Common;
using PointsMall.Contracts.Coupons;
using PointsMall.Domain.Common;
using PointsMall.Domain.Coupons;
using PointsMall.GroupCommit;

namespace PointsMall.Grains.Coupons;

public sealed record CouponGrainState
{
    /// <summary>Terms, quantity and what is out; null until configured.</summary>
    public CouponIssue? Issue { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>
/// One coupon. A claim is a pure in-memory turn (no grain calls, no explicit write), so a coupon storm runs at the rate
/// of in-memory turns while earlier claims are committed together; each answer waits for its own commit. The
/// coupon's entry in the catalogue index is rewritten with each commit, so the remaining count members see is current.
/// </summary>
[Reentrant]
[GrainType("coupon")]
public sealed class CouponGrain([PipelinedState("state", GrainStorage.Name)] IPipelinedState<CouponGrainState> state, [FromKeyedServices(GrainClock.Key)] TimeProvider time)
    : MallGrain, ICouponGrain
{
    public Task<CouponResult> ConfigureAsync(ConfigureCoupon command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (command.Terms is null)
        {
            return Task.FromResult(Refused(RefusalCode.ValidationFailed, "a coupon needs its terms"));
        }

        var terms = command.Terms with { Name = command.Terms.Name?.Trim() ?? "" };
        var (issue, errors) = state.State.Issue is { } current
            ? current.Reconfigure(terms, command.Quantity, command.PerMemberLimit, command.ClaimFrom, command.ClaimUntil)
            : CouponIssue.Create(GrainKey, terms, command.Quantity, command.PerMemberLimit, command.ClaimFrom, command.ClaimUntil);
        if (errors.Count > 0)
        {
            return Task.FromResult(Refused(RefusalCode.ValidationFailed, string.Join("; ", errors)));
        }

        Keep(state.State with { Issue = issue, CreatedAt = state.State.Issue is null ? time.GetUtcNow() : state.State.CreatedAt });
        return Task.FromResult(new CouponResult(View(), null));
    }

    public Task<CouponView?> GetAsync() => Task.FromResult(View());

    public Task<CouponClaimResult> ClaimAsync(ClaimCoupon command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (state.State.Issue is not { } issue)
        {
            return Task.FromResult(new CouponClaimResult(null, false, new Problem(RefusalCodes.Name(RefusalCode.NotFound), "coupon_not_found")));
        }

        if (string.IsNullOrWhiteSpace(command.ClaimId) || string.IsNullOrWhiteSpace(command.MemberId) || command.Claimed < 0)
        {
            return Task.FromResult(new CouponClaimResult(null, false, new Problem(RefusalCodes.Name(RefusalCode.ValidationFailed), "a claim needs its id, the member and its count")));
        }

        var (next, grant, refusal, replayed) = issue.Claim(command.ClaimId, command.MemberId, command.Claimed, time.GetUtcNow());
        if (refusal is not null)
        {
            return Task.FromResult(new CouponClaimResult(null, false, Problem.From(refusal)));
        }

        if (!replayed)
        {
            Keep(state.State with { Issue = next });
        }

        return Task.FromResult(new CouponClaimResult(grant, replayed, null));
    }

    /// <summary>The new state, and the coupon's catalogue entry with it (newest coupons first).</summary>
    private void Keep(CouponGrainState next)
    {
        state.State = next;
        UpdateIndex(ICouponCatalogGrain.Index, View()!, next.CreatedAt.UtcTicks, partition: ICouponCatalogGrain.Key);
    }

    private CouponView? View()
        => state.State.Issue is { } issue
            ? new CouponView(GrainKey, issue.Terms, issue.Quantity, issue.Issued, issue.PerMemberLimit, issue.ClaimFrom, issue.ClaimUntil, state.State.CreatedAt)
            : null;

    private CouponResult Refused(RefusalCode code, string detail) => new(View(), new Problem(RefusalCodes.Name(code), detail));
}
