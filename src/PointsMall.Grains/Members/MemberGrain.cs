using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PointsMall.Contracts.Analytics;
using PointsMall.Contracts.Members;
using PointsMall.Contracts.Messages;
using PointsMall.Contracts.Rules;
using PointsMall.Domain.Common;
using PointsMall.Domain.Members;
using PointsMall.Domain.Rules;
using PointsMall.GroupCommit;
using PointsMall.GroupCommit.Outbox;
using ContractLedgerPage = PointsMall.Contracts.Members.LedgerPage;

namespace PointsMall.Grains.Members;

/// <summary>
/// A member (key: member id): registration, profile and addresses, sign-in streak, task counters, and points as
/// lots (<see cref="PointsAccount"/>). The grain adds what the pure domain cannot know: the clock, the programme's
/// current rules, login uniqueness, the expiry reminder and the expiry event.
/// </summary>
/// <remarks>
/// Every points operation is idempotent by its operation id because the ledger is the record of applied ids;
/// a repeat answers the first outcome with <c>Replayed</c>. Operations whose amount depends on the rules at the
/// time (purchase, task) are replayed from the ledger before the rules are consulted, so a campaign ending
/// between a request and its retry cannot turn the retry into a conflict.
/// <para>
/// What each operation does is decided by <see cref="PointsOperations"/>, <see cref="SignInAndTasks"/>,
/// <see cref="ProfileChanges"/> and <see cref="MemberViews"/>, which return the new state and the effects; the grain
/// reads the clock and the rules, calls other grains, and applies what they return.
/// </para>
/// </remarks>
[GrainType("member")]
public sealed partial class MemberGrain(
    [PipelinedState("state", GrainStorage.Name)] IPipelinedState<MemberState> state,
    [FromKeyedServices(GrainClock.Key)] TimeProvider time,
    IOptions<AnalyticsOptions> analytics) : MallGrain, IMemberGrain, IRemindable
{
    public const string ExpiryReminder = "expiry";
    public const string PointsStream = "points";
    public const string PurchaseSource = "purchase";
    public const string SignInSource = "signin";
    public const string TaskSource = "task";
    public const string ProvisionOperationId = "provision:starting-points";
    public const int MinPasswordLength = PasswordHash.MinLength;
    public const int MaxPasswordLength = PasswordHash.MaxLength;
    public const int MaxOperationIdLength = 200;
    public const int MaxPageSize = 200;

    /// <summary>The largest amount one operation may move: far above any real use, far below overflow.</summary>
    public const long MaxPointsPerOperation = 100_000_000;

    /// <summary>How long an activation trusts its copy of the programme rules before asking again.</summary>
    public static readonly TimeSpan RulesCacheDuration = TimeSpan.FromMinutes(1);

    private readonly ProgramRulesCache _rules = new();

    private PointsAccount? Account => state.State.Profile is null ? null : state.State.Account;

    public async Task<PointsResult> EarnAsync(EarnPoints command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return await WithRulesAsync(
            (account, now) => PointsOperations.CheckEarn(command, account, now),
            (account, rules, now) => PointsOperations.Earn(state.State, GrainKey, account, command, rules, now));
    }

    public async Task<PointsResult> EarnForPurchaseAsync(EarnForPurchase command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return await WithRulesAsync(
            (account, now) => PointsOperations.CheckPurchase(command, account, now),
            (account, rules, now) => PointsOperations.EarnForPurchase(state.State, GrainKey, account, command, rules, now));
    }

    public async Task<PointsResult> AdjustAsync(AdjustPoints command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return await WithRulesAsync(
            (account, now) => PointsOperations.CheckAdjust(command, account, now),
            (account, rules, now) => PointsOperations.Adjust(state.State, GrainKey, account, command, rules, now));
    }

    public Task<PointsResult> SpendAsync(SpendPoints command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var now = time.GetUtcNow();
        return Task.FromResult(Account is { } account
            ? Apply(PointsOperations.Spend(state.State, GrainKey, account, command, now))
            : MemberRefusals.PointsNotFound());
    }

    public Task<PointsResult> RefundAsync(RefundPoints command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var now = time.GetUtcNow();
        return Task.FromResult(Account is { } account
            ? Apply(PointsOperations.Refund(state.State, GrainKey, account, command, now))
            : MemberRefusals.PointsNotFound());
    }

    public async Task<SignInResult> SignInAsync()
    {
        var now = time.GetUtcNow();
        if (Account is not { } account)
        {
            return new SignInResult(0, 0, 0, 0, MemberRefusals.NotFound);
        }

        var rules = await RulesAsync(now);
        return Apply(SignInAndTasks.SignIn(state.State, GrainKey, account, rules, now));
    }

    public Task<SignInCalendar?> GetSignInCalendarAsync() => ReadAsync((rules, now) => SignInAndTasks.Calendar(state.State, rules, now));

    public async Task<PointsResult> CompleteTaskAsync(CompleteTask command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return await WithRulesAsync(
            (account, now) => SignInAndTasks.CheckTask(state.State, account, command, now),
            (account, rules, now) => SignInAndTasks.CompleteTask(state.State, GrainKey, account, command, rules, now));
    }

    public Task<ContractLedgerPage> GetLedgerAsync(int page, int pageSize) => Task.FromResult(MemberViews.Ledger(Account, page, pageSize));

    public Task<IReadOnlyList<LotView>> GetExpiringAsync(TimeSpan window) =>
        Task.FromResult(MemberViews.Expiring(Account, window, time.GetUtcNow()));

    public Task<PointsAudit> AuditAsync() => Task.FromResult(MemberViews.Audit(Account, time.GetUtcNow()));

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        switch (reminderName)
        {
            case ExpiryReminder when Account is { } account:
                Apply(PointsOperations.Expire(state.State, GrainKey, account, time.GetUtcNow()));
                break;
            case ExpiryNoticeReminder:
                await ExpiryNoticeDueAsync();
                break;
            case BirthdayReminder:
                await BirthdayDueAsync();
                break;
        }
    }

    private async Task<ProgramRules> RulesAsync(DateTimeOffset now) =>
        _rules.Fresh(now) ?? _rules.Keep(await GrainFactory.GetGrain<IProgramGrain>(Programs.Default).GetAsync(), now);

    /// <summary>A read that needs the rules; null for a member that is not registered.</summary>
    private async Task<T?> ReadAsync<T>(Func<ProgramRules, DateTimeOffset, T> read)
        where T : class
    {
        if (state.State.Profile is null)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var rules = await RulesAsync(now);
        return read(rules, now);
    }

    /// <summary>
    /// A points operation that needs the rules: what can be answered without them first (refusals, and replays,
    /// so a retry after a campaign ended still replays), then the rules, then the step.
    /// </summary>
    private async Task<PointsResult> WithRulesAsync(
        Func<PointsAccount, DateTimeOffset, PointsResult?> answerFirst,
        Func<PointsAccount, ProgramRules, DateTimeOffset, MemberStep<PointsResult>> step)
    {
        var now = time.GetUtcNow();
        if (Account is not { } account)
        {
            return MemberRefusals.PointsNotFound();
        }

        if (answerFirst(account, now) is { } answered)
        {
            return answered;
        }

        var rules = await RulesAsync(now);
        var tierBefore = rules.Tiers.Evaluate(account, now);
        var result = Apply(step(account, rules, now));
        if (state.State.Account is { } after && !ReferenceEquals(after, account) && rules.Tiers.Evaluate(after, now) is var tier && tier > tierBefore)
        {
            // Told in the commit of the points that reached it; once per tier and local day.
            Notify(new MemberNotice($"tier:{tier}:{ZonedTime.LocalDate(now, rules.TimeZone):yyyy-MM-dd}", GrainKey, NoticeKinds.TierReached,
                $"升级为{TierNames.Chinese(tier)}会员 You are now {tier}", $"{TierNames.Chinese(tier)} {tier}", "/me", now));
        }

        return result;
    }

    private TResult Apply<TResult>(MemberStep<TResult> step)
    {
        Apply(step.Change);
        return step.Result;
    }

    /// <summary>Keeps the change's state, publishes its expiry event and its new ledger entries, and moves the expiry reminder.</summary>
    private void Apply(MemberChange change)
    {
        if (analytics.Value.Enabled)
        {
            PublishNewEntries(state.State, change.State);
        }

        state.State = change.State;
        if (change.Expired is { } expired)
        {
            Publish(new StreamId(PointsStream, GrainKey), expired);
        }

        if (change.Reminder is { Due: { } due })
        {
            SetReminder(ExpiryReminder, due);
        }
        else if (change.Reminder is not null)
        {
            RemoveReminder(ExpiryReminder);
        }

        KeepExpiryNotice(time.GetUtcNow());
    }

    /// <summary>
    /// Each ledger entry the change adds, for the analytics (earn and burn by source, retention, the points liability
    /// by expiry day), in the same commit.
    /// </summary>
    private void PublishNewEntries(MemberState before, MemberState after)
    {
        if (after.Account is not { } account || ReferenceEquals(before.Account?.Ledger, account.Ledger))
        {
            return;
        }

        var last = before.Account?.Ledger is { Count: > 0 } old ? old[^1].Sequence : 0;
        Dictionary<string, DateTimeOffset?>? expiries = null;
        for (var i = account.Ledger.Count - 1; i >= 0 && account.Ledger[i].Sequence > last; i--)
        {
            var e = account.Ledger[i];
            expiries ??= account.Lots.ToDictionary(l => l.Id, l => l.ExpiresAt, StringComparer.Ordinal);
            var sign = Math.Sign(e.Amount);
            List<LotChange> lots = [.. e.Lots.GroupBy(a => expiries.GetValueOrDefault(a.LotId)).Select(g => new LotChange(g.Key, sign * g.Sum(a => a.Amount)))];
            Publish(new StreamId(AnalyticsStreams.Namespace, GrainKey),
                new PointsActivity(GrainKey, e.Kind.ToString(), e.Source, e.Amount, e.At, after.Profile?.RegisteredAt, lots));
        }
    }
}
