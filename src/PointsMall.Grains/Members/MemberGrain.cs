using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PointsMall.Contracts.Analytics;
using PointsMall.Contracts.Members;
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
public sealed class MemberGrain(
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

    public async Task<MemberResult> RegisterAsync(RegisterMember command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return await OpenAsync(
            command.Phone, command.Email, command.DisplayName, () => ProfileChanges.CheckPassword(command.Password),
            (profile, _, _) => new MemberChange(ProfileChanges.Registered(state.State, GrainKey, profile, command.Password!)));
    }

    public async Task<MemberResult> ProvisionAsync(ProvisionMember command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return await OpenAsync(
            command.Phone, command.Email, command.DisplayName, () => ProfileChanges.CheckProvisioning(command),
            (profile, rules, now) => PointsOperations.OpenProvisioned(state.State, GrainKey, ProfileChanges.WithAddress(profile, command.Address, now), command.StartingPoints, rules, now));
    }

    /// <summary>
    /// Registration and provisioning: the profile validated (<paramref name="check"/>'s errors reported with the
    /// profile's) and its phone and e-mail claimed, then the member's first state from <paramref name="open"/>. A
    /// refusal after a claim gives the claim back, so a failed registration never leaves a login nobody can use.
    /// </summary>
    private async Task<MemberResult> OpenAsync(
        string? phone, string? email, string? displayName, Func<List<string>> check, Func<MemberProfile, ProgramRules, DateTimeOffset, MemberChange> open)
    {
        var now = time.GetUtcNow();
        if (state.State.Profile is not null)
        {
            return MemberRefusals.Member(RefusalCode.Conflict, "already_registered");
        }

        var (profile, refusal) = ProfileChanges.NewProfile(GrainKey, phone, email, displayName, check(), now);
        if (profile is null)
        {
            return refusal!;
        }

        // Uniqueness lives in one login grain per phone / e-mail. A claim by this member id is repeatable, so a
        // registration retried after a timeout gets through again. Phone before e-mail, always: a fixed order
        // keeps two registrations from waiting on each other.
        var claimed = new List<string>();
        foreach (var (login, kind) in new[] { (profile.Phone, "phone"), (profile.Email, "email") })
        {
            if (login is null)
            {
                continue;
            }

            if (!await ClaimLoginAsync(login))
            {
                foreach (var mine in claimed)
                {
                    await GrainFactory.GetGrain<ILoginGrain>(mine).ReleaseAsync(GrainKey);
                }

                return MemberRefusals.Member(RefusalCode.Conflict, $"{kind}_taken");
            }

            claimed.Add(login);
        }

        var rules = await RulesAsync(now);
        Apply(open(profile, rules, now));
        PublishListing(now);
        return new MemberResult(MemberViews.Member(GrainKey, state.State, rules, now), null);
    }

    /// <summary>
    /// Claims a login. A login held by a member id that never registered (its registration claimed and then
    /// failed to commit) is taken over once the claim is old enough that no registration can still be running.
    /// </summary>
    private async Task<bool> ClaimLoginAsync(string login)
    {
        var grain = GrainFactory.GetGrain<ILoginGrain>(login);
        var owner = await grain.ClaimAsync(GrainKey);
        if (string.Equals(owner, GrainKey, StringComparison.Ordinal))
        {
            return true;
        }

        if (await GrainFactory.GetGrain<IMemberGrain>(owner).GetAsync() is not null)
        {
            return false;
        }

        return string.Equals(await grain.TakeOverAsync(owner, GrainKey), GrainKey, StringComparison.Ordinal);
    }

    private void PublishListing(DateTimeOffset now) =>
        Publish(new StreamId(MemberDirectory.Stream, GrainKey), ProfileChanges.Listing(GrainKey, state.State.Profile!, now));

    public Task<MemberView?> GetAsync() => ReadAsync((rules, now) => MemberViews.Member(GrainKey, state.State, rules, now));

    public Task<bool> VerifyPasswordAsync(string password) =>
        Task.FromResult(password is not null && state.State.Profile?.Password?.Verify(password) == true);

    public Task<MemberResult> UpdateProfileAsync(UpdateProfile command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return ChangeProfileAsync(p => p.UpdateDetails(command.DisplayName, command.Gender, command.Birthday, time.GetUtcNow()), listed: true);
    }

    public Task<MemberResult> SaveAddressAsync(SaveAddress command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var address = ProfileChanges.AddressFrom(command);
        return ChangeProfileAsync(p => p.SaveAddress(address, time.GetUtcNow()));
    }

    public Task<MemberResult> RemoveAddressAsync(string addressId) =>
        ChangeProfileAsync(p => p.RemoveAddress(addressId ?? "", time.GetUtcNow()));

    private async Task<MemberResult> ChangeProfileAsync(Func<MemberProfile, ProfileOutcome> change, bool listed = false)
    {
        if (state.State.Profile is not { } profile)
        {
            return new MemberResult(null, MemberRefusals.NotFound);
        }

        var now = time.GetUtcNow();
        var (changed, refused, renamed) = ProfileChanges.Apply(state.State, profile, change(profile));
        if (refused is not null)
        {
            return refused;
        }

        state.State = changed;
        if (listed && renamed)
        {
            PublishListing(now);
        }

        var rules = await RulesAsync(now);
        return new MemberResult(MemberViews.Member(GrainKey, state.State, rules, now), null);
    }

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

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (string.Equals(reminderName, ExpiryReminder, StringComparison.Ordinal) && Account is { } account)
        {
            Apply(PointsOperations.Expire(state.State, GrainKey, account, time.GetUtcNow()));
        }

        return Task.CompletedTask;
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
        return Apply(step(account, rules, now));
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
            PublishNewEntries(state.State.Account, change.State.Account);
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
    }

    /// <summary>Each ledger entry the change adds, for the analytics (earn and burn by source), in the same commit.</summary>
    private void PublishNewEntries(PointsAccount? before, PointsAccount? after)
    {
        if (after is null || ReferenceEquals(before?.Ledger, after.Ledger))
        {
            return;
        }

        var last = before?.Ledger is { Count: > 0 } old ? old[^1].Sequence : 0;
        for (var i = after.Ledger.Count - 1; i >= 0 && after.Ledger[i].Sequence > last; i--)
        {
            var e = after.Ledger[i];
            Publish(new StreamId(AnalyticsStreams.Namespace, GrainKey), new PointsActivity(GrainKey, e.Kind.ToString(), e.Source, e.Amount, e.At));
        }
    }
}
