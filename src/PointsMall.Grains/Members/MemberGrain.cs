using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using PointsMall.Actors;
using PointsMall.Actors.Streams;
using PointsMall.Contracts.Common;
using PointsMall.Contracts.Members;
using PointsMall.Contracts.Rules;
using PointsMall.Domain.Common;
using PointsMall.Domain.Members;
using PointsMall.Domain.Rules;
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
/// </remarks>
public sealed class MemberGrain(IPersistentState<MemberState> state, TimeProvider time) : Grain, IMemberGrain, IRemindable
{
    public const string ExpiryReminder = "expiry";
    public const string PointsStream = "points";
    public const string PurchaseSource = "purchase";
    public const string SignInSource = "signin";
    public const string TaskSource = "task";
    public const string ProvisionOperationId = "provision:starting-points";
    public const int MinPasswordLength = 8;
    public const int MaxPasswordLength = 128;
    public const int MaxOperationIdLength = 200;
    public const int MaxPageSize = 200;

    /// <summary>The largest amount one operation may move: far above any real use, far below overflow.</summary>
    public const long MaxPointsPerOperation = 100_000_000;

    /// <summary>How long an activation trusts its copy of the programme rules before asking again.</summary>
    public static readonly TimeSpan RulesCacheDuration = TimeSpan.FromMinutes(1);

    /// <summary>Client operation ids may not look like the ids the grain derives itself.</summary>
    private static readonly string[] ReservedPrefixes = [PointsAccount.ExpireOperationPrefix, "signin:", "provision:"];

    /// <summary>How far back sign-in days are kept: enough for this month's calendar and last month's.</summary>
    private const int SignInDaysKept = 62;

    private ProgramRules? _rules;
    private DateTimeOffset _rulesFetchedAt;

    private PointsAccount? Account => state.State.Profile is null ? null : state.State.Account;

    // ---- registration and profile ----

    public async Task<MemberResult> RegisterAsync(RegisterMember command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var now = time.GetUtcNow();
        if (state.State.Profile is not null)
        {
            return MemberRefused(RefusalCode.Conflict, "already_registered");
        }

        var errors = new List<string>();
        if (command.Password is null || command.Password.Length < MinPasswordLength || command.Password.Length > MaxPasswordLength)
        {
            errors.Add($"password: {MinPasswordLength} to {MaxPasswordLength} characters");
        }

        var (profile, refusal) = await NewProfileAsync(command.Phone, command.Email, command.DisplayName, errors, now).ConfigureAwait(false);
        if (refusal is not null)
        {
            return refusal;
        }

        var rules = await RulesAsync(now).ConfigureAwait(false);
        state.State = state.State with
        {
            Profile = profile! with { Password = PasswordHash.Create(command.Password!) },
            Account = PointsAccount.Open(GrainKey),
        };
        PublishListing(now);
        return new MemberResult(View(rules, now), null);
    }

    public async Task<MemberResult> ProvisionAsync(ProvisionMember command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var now = time.GetUtcNow();
        if (state.State.Profile is not null)
        {
            return MemberRefused(RefusalCode.Conflict, "already_registered");
        }

        var errors = new List<string>();
        if (command.StartingPoints is < 0 or > MaxPointsPerOperation)
        {
            errors.Add($"starting points: 0 to {MaxPointsPerOperation}");
        }

        var (profile, refusal) = await NewProfileAsync(command.Phone, command.Email, command.DisplayName, errors, now).ConfigureAwait(false);
        if (refusal is not null)
        {
            return refusal;
        }

        var rules = await RulesAsync(now).ConfigureAwait(false);
        var account = PointsAccount.Open(GrainKey);
        if (command.StartingPoints > 0)
        {
            // An operator's grant (not earned, so no tier credit), with its own ledger line like any grant.
            account = account.Adjust(ProvisionOperationId, command.StartingPoints, "starting points", now, ExpiresAt(rules, now)).Account;
        }

        state.State = state.State with { Profile = profile, Account = account, Provisioned = true };
        Save(account, [], now);
        PublishListing(now);
        return new MemberResult(View(rules, now), null);
    }

    /// <summary>
    /// Validates a new profile and claims its phone and e-mail. A refusal after a claim gives the claim back, so a
    /// failed registration never leaves a login that nobody can use.
    /// </summary>
    private async Task<(MemberProfile? Profile, MemberResult? Refusal)> NewProfileAsync(
        string? phone, string? email, string? displayName, List<string> errors, DateTimeOffset now)
    {
        var name = displayName?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > MemberProfile.MaxNicknameLength)
        {
            errors.Insert(0, $"display name: 1 to {MemberProfile.MaxNicknameLength} characters");
            name = null;
        }

        var registration = MemberProfile.Register(GrainKey, phone, email, name, null, now);
        errors.AddRange(registration.Errors);
        if (errors.Count > 0)
        {
            return (null, MemberRefused(RefusalCode.ValidationFailed, string.Join("; ", errors)));
        }

        var profile = registration.Profile;

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

            if (!await ClaimLoginAsync(login).ConfigureAwait(false))
            {
                foreach (var mine in claimed)
                {
                    await GrainFactory.GetGrain<ILoginGrain>(mine).ReleaseAsync(GrainKey).ConfigureAwait(false);
                }

                return (null, MemberRefused(RefusalCode.Conflict, $"{kind}_taken"));
            }

            claimed.Add(login);
        }

        return (profile, null);
    }

    /// <summary>
    /// Claims a login. A login held by a member id that never registered (its registration claimed and then
    /// failed to commit) is taken over once the claim is old enough that no registration can still be running.
    /// </summary>
    private async Task<bool> ClaimLoginAsync(string login)
    {
        var grain = GrainFactory.GetGrain<ILoginGrain>(login);
        var owner = await grain.ClaimAsync(GrainKey).ConfigureAwait(false);
        if (string.Equals(owner, GrainKey, StringComparison.Ordinal))
        {
            return true;
        }

        if (await GrainFactory.GetGrain<IMemberGrain>(owner).GetAsync().ConfigureAwait(false) is not null)
        {
            return false;
        }

        return string.Equals(await grain.TakeOverAsync(owner, GrainKey).ConfigureAwait(false), GrainKey, StringComparison.Ordinal);
    }

    private void PublishListing(DateTimeOffset now)
    {
        var profile = state.State.Profile!;
        Publish(
            new StreamId(MemberDirectory.Stream, GrainKey),
            new MemberListed(new MemberListing(GrainKey, profile.Nickname ?? "", profile.Phone, profile.Email, profile.RegisteredAt, now)));
    }

    public async Task<MemberView?> GetAsync()
    {
        if (state.State.Profile is null)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var rules = await RulesAsync(now).ConfigureAwait(false);
        return View(rules, now);
    }

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
        var (province, city, district) = string.IsNullOrWhiteSpace(command.Province) && string.IsNullOrWhiteSpace(command.City)
            ? SplitRegion(command.Region)
            : (command.Province?.Trim() ?? "", command.City?.Trim() ?? "", command.District?.Trim() ?? "");
        var address = new ShippingAddress(
            string.IsNullOrWhiteSpace(command.AddressId) ? AddressIdFor(command) : command.AddressId.Trim(),
            command.Recipient?.Trim() ?? "",
            command.Phone ?? "",
            province,
            city,
            district,
            command.Detail?.Trim() ?? "",
            string.IsNullOrWhiteSpace(command.PostalCode) ? null : command.PostalCode.Trim(),
            command.IsDefault);
        return ChangeProfileAsync(p => p.SaveAddress(address, time.GetUtcNow()));
    }

    public Task<MemberResult> RemoveAddressAsync(string addressId) =>
        ChangeProfileAsync(p => p.RemoveAddress(addressId ?? "", time.GetUtcNow()));

    // ---- points ----

    public async Task<PointsResult> EarnAsync(EarnPoints command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var now = time.GetUtcNow();
        if (Account is not { } account)
        {
            return PointsNotFound();
        }

        var invalid = CheckOperationId(command.OperationId) ?? CheckAmount(command.Amount)
            ?? (string.IsNullOrWhiteSpace(command.Source) ? "source is required" : null);
        if (invalid is not null)
        {
            return PointsInvalid(invalid, account, now);
        }

        var rules = await RulesAsync(now).ConfigureAwait(false);
        var outcome = account.Earn(
            command.OperationId, command.Amount, command.Source.Trim(), command.Reason?.Trim() ?? "", now, ExpiresAt(rules, now));
        return Commit(command.OperationId, outcome, now);
    }

    public async Task<PointsResult> EarnForPurchaseAsync(EarnForPurchase command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var now = time.GetUtcNow();
        if (Account is not { } account)
        {
            return PointsNotFound();
        }

        var invalid = CheckOperationId(command.OperationId)
            ?? (command.PurchaseAmountFen is < 0 or > MaxPointsPerOperation * 100 ? "purchase amount out of range" : null);
        if (invalid is not null)
        {
            return PointsInvalid(invalid, account, now);
        }

        if (ReplayOf(account, command.OperationId, PurchaseSource, now) is { } replay)
        {
            return replay;
        }

        var rules = await RulesAsync(now).ConfigureAwait(false);

        // The tier is judged before this purchase counts toward it: the multiplier is the one the member held
        // when buying. Rounding (one floor at the end) is the domain's, see EarnRules.PurchasePoints.
        var tier = rules.Tiers.Evaluate(account, now);
        var points = rules.Earn.PurchasePoints(command.PurchaseAmountFen, tier, rules.Tiers, now);
        if (points == 0)
        {
            return new PointsResult(0, account.Balance(now), false, null);
        }

        var outcome = account.Earn(command.OperationId, points, PurchaseSource, command.Reference?.Trim() ?? "", now, ExpiresAt(rules, now));
        return Commit(command.OperationId, outcome, now);
    }

    public async Task<PointsResult> AdjustAsync(AdjustPoints command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var now = time.GetUtcNow();
        if (Account is not { } account)
        {
            return PointsNotFound();
        }

        var invalid = CheckOperationId(command.OperationId)
            ?? (command.Delta == 0 ? "an adjustment must change the balance" : CheckAmount(Math.Abs(command.Delta)))
            ?? (string.IsNullOrWhiteSpace(command.Reason) ? "reason is required" : null);
        if (invalid is not null)
        {
            return PointsInvalid(invalid, account, now);
        }

        var rules = await RulesAsync(now).ConfigureAwait(false);

        // A grant is a lot like any other and expires by the programme's policy.
        var outcome = account.Adjust(command.OperationId, command.Delta, command.Reason.Trim(), now, command.Delta > 0 ? ExpiresAt(rules, now) : null);
        return Commit(command.OperationId, outcome, now);
    }

    public Task<PointsResult> SpendAsync(SpendPoints command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var now = time.GetUtcNow();
        if (Account is not { } account)
        {
            return Task.FromResult(PointsNotFound());
        }

        // A purchase may come with no points to spend (a cash-only product still counts toward its limit).
        var invalid = CheckOperationId(command.OperationId)
            ?? (command.Purchase is { Quantity: <= 0 } || command.Purchase?.ProductId is { Length: 0 } ? "a purchase needs a product and a positive quantity" : null)
            ?? (command.Amount == 0 && command.Purchase is not null ? null : CheckAmount(command.Amount));
        if (invalid is not null)
        {
            return Task.FromResult(PointsInvalid(invalid, account, now));
        }

        // The limit first: a refused purchase spends nothing. Then the points; a refused spend records no purchase.
        var purchases = state.State.Purchases;
        if (command.Purchase is { } purchase)
        {
            var recorded = purchases.Record(command.OperationId, purchase, command.PurchaseLimit);
            if (!recorded.Succeeded)
            {
                return Task.FromResult(new PointsResult(0, account.Balance(now), false, Problem.From(recorded.Refusal!)));
            }

            purchases = recorded.Purchases;
            if (command.Amount == 0)
            {
                state.State = state.State with { Purchases = purchases };
                return Task.FromResult(new PointsResult(0, account.Balance(now), recorded.Replayed, null));
            }
        }

        var result = Commit(command.OperationId, account.Spend(command.OperationId, command.Amount, command.Reason?.Trim() ?? "", now), now);
        if (result.Succeeded && !ReferenceEquals(purchases, state.State.Purchases))
        {
            state.State = state.State with { Purchases = purchases };
        }

        return Task.FromResult(result);
    }

    public Task<PointsResult> RefundAsync(RefundPoints command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var now = time.GetUtcNow();
        if (Account is not { } account)
        {
            return Task.FromResult(PointsNotFound());
        }

        var invalid = CheckOperationId(command.OperationId)
            ?? (string.IsNullOrWhiteSpace(command.SpendOperationId) ? "the spend operation id is required" : null)
            ?? (command.Amount is { } amount ? CheckAmount(amount) : null);
        if (invalid is not null)
        {
            return Task.FromResult(PointsInvalid(invalid, account, now));
        }

        var result = Commit(
            command.OperationId,
            account.Refund(command.OperationId, command.SpendOperationId, command.Amount, command.Reason?.Trim() ?? "", now),
            now);

        // A full refund (or one of a spend of no points, which the ledger does not hold) gives the allowance back.
        var spendOfNothing = result.Refusal?.Code == RefusalCodes.Name(RefusalCode.NotFound);
        if (command.Amount is null && (result.Succeeded || spendOfNothing))
        {
            var returned = state.State.Purchases.Return(command.SpendOperationId);
            if (!ReferenceEquals(returned, state.State.Purchases))
            {
                state.State = state.State with { Purchases = returned };
            }
        }

        return Task.FromResult(result);
    }

    public async Task<SignInResult> SignInAsync()
    {
        var now = time.GetUtcNow();
        if (Account is not { } account)
        {
            return new SignInResult(0, 0, 0, 0, NotFoundProblem);
        }

        var rules = await RulesAsync(now).ConfigureAwait(false);
        var zone = rules.TimeZone;
        var signIn = state.State.SignIn.SignIn(GrainKey, now, zone, rules.Earn.SignIn);
        if (!signIn.Succeeded)
        {
            return new SignInResult(state.State.SignIn.CurrentStreak(now, zone), 0, 0, account.Balance(now), Problem.From(signIn.Refusal!));
        }

        // The day's points and the streak bonus are two lots (two ledger lines), so the history says which is which.
        var expiresAt = ExpiresAt(rules, now);
        var expired = ImmutableArray<LedgerEntry>.Empty;
        if (signIn.Points > 0)
        {
            var day = account.Earn(signIn.EarnOperationId!, signIn.Points, SignInSource, $"day {signIn.StreakDay}", now, expiresAt);
            account = day.Account;
            expired = expired.AddRange(day.Entries.Where(IsRecordedExpiry));
        }

        if (signIn.Bonus > 0)
        {
            var bonus = account.Earn(signIn.EarnOperationId + ":bonus", signIn.Bonus, SignInSource, $"{signIn.StreakDay}-day streak bonus", now, expiresAt);
            account = bonus.Account;
            expired = expired.AddRange(bonus.Entries.Where(IsRecordedExpiry));
        }

        var keepFrom = signIn.Date.AddDays(-SignInDaysKept);
        state.State = state.State with
        {
            SignIn = signIn.State,
            SignInDays = state.State.SignInDays.RemoveAll(d => d < keepFrom).Add(signIn.Date),
        };
        Save(account, expired, now);
        return new SignInResult(signIn.StreakDay, signIn.Points, signIn.Bonus, account.Balance(now), null);
    }

    public async Task<SignInCalendar?> GetSignInCalendarAsync()
    {
        if (state.State.Profile is null)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var rules = await RulesAsync(now).ConfigureAwait(false);
        var zone = rules.TimeZone;
        var today = ZonedTime.LocalDate(now, zone);
        var signedToday = state.State.SignIn.LastDate == today;
        var streak = state.State.SignIn.CurrentStreak(now, zone);

        // The next sign-in (today's if not done yet, else tomorrow's) continues the streak as it stands now.
        var nextDay = streak + 1;
        var ladder = rules.Earn.SignIn;
        var days = state.State.SignInDays.Where(d => d.Year == today.Year && d.Month == today.Month).ToList();
        return new SignInCalendar(
            streak, signedToday, today, days, [.. ladder.DailyPoints], ladder.StreakBonus, ladder.BonusEveryDays,
            ladder.PointsForDay(nextDay), ladder.BonusForDay(nextDay));
    }

    public async Task<PointsResult> CompleteTaskAsync(CompleteTask command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var now = time.GetUtcNow();
        if (Account is not { } account)
        {
            return PointsNotFound();
        }

        var kind = ParseTask(command.Task);
        var invalid = CheckOperationId(command.OperationId)
            ?? (kind is null ? $"unknown task '{command.Task}'" : null)
            ?? (command.CorrectAnswers is < 0 or > 10_000 ? "correct answers out of range" : null);
        if (invalid is not null)
        {
            return PointsInvalid(invalid, account, now);
        }

        if (ReplayOf(account, command.OperationId, TaskSource, now) is { } replay)
        {
            return replay;
        }

        if (state.State.ZeroPointTasks.Contains(command.OperationId))
        {
            return new PointsResult(0, account.Balance(now), true, null);
        }

        var rules = await RulesAsync(now).ConfigureAwait(false);
        if (rules.Earn.TaskRuleFor(kind!.Value) is not { } rule)
        {
            return new PointsResult(0, account.Balance(now), false, Problem.From(Refusal.Of(RefusalCode.NotFound, "task_not_configured")));
        }

        var task = state.State.Tasks.Complete(rule, command.CorrectAnswers ?? 0, now, rules.TimeZone);
        if (!task.Succeeded)
        {
            return new PointsResult(0, account.Balance(now), false, Problem.From(task.Refusal!));
        }

        var zeroPoint = task.Counters.Day == state.State.Tasks.Day ? state.State.ZeroPointTasks : [];
        if (task.Points == 0)
        {
            // Counts toward the cap (no retrying a quiz until it scores) but earns nothing.
            state.State = state.State with { Tasks = task.Counters, ZeroPointTasks = zeroPoint.Add(command.OperationId) };
            return new PointsResult(0, account.Balance(now), false, null);
        }

        var outcome = account.Earn(command.OperationId, task.Points, TaskSource, rule.Kind.ToString(), now, ExpiresAt(rules, now));
        state.State = state.State with { Tasks = task.Counters, ZeroPointTasks = zeroPoint };
        return Commit(command.OperationId, outcome, now);
    }

    public Task<ContractLedgerPage> GetLedgerAsync(int page, int pageSize)
    {
        page = Math.Max(1, page);
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        if (Account is not { } account)
        {
            return Task.FromResult(new ContractLedgerPage([], page, pageSize, 0));
        }

        var history = account.History(page, pageSize);
        var entries = history.Items
            .Select(e => new LedgerEntryView(e.At, KindName(e.Kind), e.Source, e.Reason, e.Amount, e.BalanceAfter, e.OperationId))
            .ToList();
        return Task.FromResult(new ContractLedgerPage(entries, history.Page, history.PageSize, history.TotalCount));
    }

    public Task<IReadOnlyList<LotView>> GetExpiringAsync(TimeSpan window)
    {
        var now = time.GetUtcNow();
        if (Account is not { } account || window < TimeSpan.Zero)
        {
            return Task.FromResult<IReadOnlyList<LotView>>([]);
        }

        IReadOnlyList<LotView> lots = [.. account.ExpiringSoon(now, window)
            .Select(l => new LotView(l.Id, l.Amount, l.Remaining, l.Source, l.EarnedAt, l.ExpiresAt))];
        return Task.FromResult(lots);
    }

    /// <summary>
    /// The sums as they stand: Balance and OpenLots count only lots open now; LedgerSum is what the ledger has
    /// recorded. Between a lot's expiry instant and the reminder recording it, LedgerSum is higher by the
    /// unrecorded expiry and <see cref="PointsAudit.Reconciles"/> is false; it is true again once recorded.
    /// </summary>
    public Task<PointsAudit> AuditAsync()
    {
        var now = time.GetUtcNow();
        if (Account is not { } account)
        {
            return Task.FromResult(new PointsAudit(0, 0, 0, 0));
        }

        var openLots = account.Lots.Where(l => l.IsOpenAt(now)).Sum(l => l.Remaining);
        return Task.FromResult(new PointsAudit(account.Balance(now), openLots, account.LedgerSum(), account.LifetimeEarned));
    }

    // ---- expiry ----

    public Task ReceiveReminderAsync(string reminderName, ReminderTick tick)
    {
        if (!string.Equals(reminderName, ExpiryReminder, StringComparison.Ordinal) || Account is not { } account)
        {
            return Task.CompletedTask;
        }

        // The balance already excluded these lots from their expiry instant; this only writes the ledger lines,
        // tells subscribers and moves the reminder to the next lot.
        var now = time.GetUtcNow();
        var outcome = account.Expire(now);
        Save(outcome.Account, outcome.Entries, now);
        return Task.CompletedTask;
    }

    // ---- helpers ----

    private async Task<ProgramRules> RulesAsync(DateTimeOffset now)
    {
        // A hot member would otherwise call the programme grain every turn; a minute's staleness is the
        // documented cost of an operator's change reaching every member.
        if (_rules is null || now - _rulesFetchedAt >= RulesCacheDuration || now < _rulesFetchedAt)
        {
            _rules = await GrainFactory.GetGrain<IProgramGrain>(Programs.Default).GetAsync().ConfigureAwait(false);
            _rulesFetchedAt = now;
        }

        return _rules;
    }

    private static DateTimeOffset? ExpiresAt(ProgramRules rules, DateTimeOffset now) => rules.Expiry.ExpiresAt(now, rules.TimeZone);

    private PointsResult Commit(string operationId, PointsOutcome outcome, DateTimeOffset now)
    {
        if (!outcome.Succeeded)
        {
            return new PointsResult(0, outcome.Account.Balance(now), false, Problem.From(outcome.Refusal!));
        }

        if (!outcome.Replayed)
        {
            Save(outcome.Account, outcome.Entries.Where(IsRecordedExpiry).ToImmutableArray(), now);
        }

        return new PointsResult(OwnAmount(outcome.Entries, operationId), outcome.Account.Balance(now), outcome.Replayed, null);
    }

    /// <summary>Stores the account; announces expiries it recorded; keeps the reminder at the earliest open lot's expiry.</summary>
    private void Save(PointsAccount account, IEnumerable<LedgerEntry> entries, DateTimeOffset now)
    {
        var expired = entries.Where(IsRecordedExpiry).ToImmutableArray();
        if (!ReferenceEquals(account, state.State.Account))
        {
            state.State = state.State with { Account = account };
        }

        if (expired.Length > 0)
        {
            Publish(
                new StreamId(PointsStream, GrainKey),
                new PointsExpired(GrainKey, -expired.Sum(e => e.Amount), [.. expired.SelectMany(e => e.Lots).Select(l => l.LotId).Distinct()], now, account.Balance(now)));
        }

        var next = account.Lots
            .Where(l => l.Remaining > 0 && l.ExpiresAt > now)
            .Select(l => l.ExpiresAt)
            .Min();
        if (next == state.State.ExpiryReminderAt)
        {
            return;
        }

        if (next is { } due)
        {
            RegisterOrUpdateReminder(ExpiryReminder, due);
        }
        else
        {
            UnregisterReminder(ExpiryReminder);
        }

        state.State = state.State with { ExpiryReminderAt = next };
    }

    private static bool IsRecordedExpiry(LedgerEntry entry) =>
        entry.Kind == LedgerKind.Expire && entry.OperationId.StartsWith(PointsAccount.ExpireOperationPrefix, StringComparison.Ordinal);

    /// <summary>The signed amount of the operation's own entries (expiries recorded on the way are not its own).</summary>
    private static long OwnAmount(IEnumerable<LedgerEntry> entries, string operationId) =>
        entries.Where(e => e.Kind != LedgerKind.Expire && string.Equals(e.OperationId, operationId, StringComparison.Ordinal)).Sum(e => e.Amount);

    private static PointsResult? ReplayOf(PointsAccount account, string operationId, string source, DateTimeOffset now)
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

    private static string? CheckOperationId(string? operationId)
    {
        if (string.IsNullOrWhiteSpace(operationId) || operationId.Length > MaxOperationIdLength)
        {
            return $"operation id is required (at most {MaxOperationIdLength} characters)";
        }

        return ReservedPrefixes.Any(p => operationId.StartsWith(p, StringComparison.Ordinal))
            ? "operation id uses a reserved prefix"
            : null;
    }

    private static string? CheckAmount(long amount) =>
        amount is <= 0 or > MaxPointsPerOperation ? $"amount must be between 1 and {MaxPointsPerOperation}" : null;

    private static PointsResult PointsNotFound() => new(0, 0, false, NotFoundProblem);

    private static PointsResult PointsInvalid(string detail, PointsAccount account, DateTimeOffset now) =>
        new(0, account.Balance(now), false, new Problem(RefusalCodes.Name(RefusalCode.ValidationFailed), detail));

    private static Problem NotFoundProblem => Problem.From(Refusal.Of(RefusalCode.NotFound, "member_not_found"));

    private static MemberResult MemberRefused(RefusalCode code, string detail) => new(null, Problem.From(Refusal.Of(code, detail)));

    private async Task<MemberResult> ChangeProfileAsync(Func<MemberProfile, ProfileOutcome> change, bool listed = false)
    {
        if (state.State.Profile is not { } profile)
        {
            return new MemberResult(null, NotFoundProblem);
        }

        var now = time.GetUtcNow();
        var outcome = change(profile);
        if (!outcome.Succeeded)
        {
            var detail = outcome.Errors.IsDefaultOrEmpty ? outcome.Refusal!.Detail : string.Join("; ", outcome.Errors);
            return MemberRefused(outcome.Refusal!.Code, detail);
        }

        if (outcome.Profile != profile)
        {
            state.State = state.State with { Profile = outcome.Profile };
            if (listed && outcome.Profile.Nickname != profile.Nickname)
            {
                PublishListing(now);
            }
        }

        var rules = await RulesAsync(now).ConfigureAwait(false);
        return new MemberResult(View(rules, now), null);
    }

    private MemberView View(ProgramRules rules, DateTimeOffset now)
    {
        var profile = state.State.Profile!;
        var account = state.State.Account!;
        var zone = rules.TimeZone;
        var tierPoints = rules.Tiers.QualifyingPoints(account, now);
        var tier = rules.Tiers.TierFor(tierPoints);
        var next = rules.Tiers.Levels.FirstOrDefault(l => l.Tier > tier);
        return new MemberView(
            GrainKey,
            profile.Nickname ?? "",
            profile.Phone,
            profile.Email,
            account.Balance(now),
            tier.ToString(),
            account.LifetimeEarned,
            profile.RegisteredAt,
            state.State.SignIn.CurrentStreak(now, zone),
            state.State.SignIn.LastDate,
            [.. profile.Addresses.Select(a => new AddressView(a.Id, a.Recipient, a.Phone, JoinRegion(a), a.Detail, a.IsDefault)
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
            SignedInToday = state.State.SignIn.LastDate == ZonedTime.LocalDate(now, zone),
            Provisioned = state.State.Provisioned,
            Changes = [.. profile.Changes.Select(c => new ProfileChangeView(c.At, c.Field, c.OldValue, c.NewValue))],
        };
    }

    private static string KindName(LedgerKind kind) => kind.ToString().ToLowerInvariant();

    private static TaskKind? ParseTask(string? task)
    {
        var compact = task?.Replace("_", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal).Trim();
        foreach (var kind in Enum.GetValues<TaskKind>())
        {
            if (string.Equals(kind.ToString(), compact, StringComparison.OrdinalIgnoreCase))
            {
                return kind;
            }
        }

        return null;
    }

    /// <summary>
    /// The contract carries one region string ("广东省 深圳市 南山区"); the domain keeps province, city and district.
    /// A single part (a municipality such as 北京市) is both province and city.
    /// </summary>
    private static (string Province, string City, string District) SplitRegion(string? region)
    {
        var parts = (region ?? "").Split([' ', '/', ',', '，', '\u3000'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return parts.Length switch
        {
            0 => ("", "", ""),
            1 => (parts[0], parts[0], ""),
            _ => (parts[0], parts[1], string.Join(' ', parts.Skip(2))),
        };
    }

    private static string JoinRegion(ShippingAddress a) =>
        string.Join(' ', new[] { a.Province, a.City == a.Province ? "" : a.City, a.District }.Where(s => s.Length > 0));

    /// <summary>
    /// An address saved without an id gets one derived from its content, so a retried save replaces the same
    /// entry instead of adding a duplicate.
    /// </summary>
    private static string AddressIdFor(SaveAddress command)
    {
        var text = string.Join('\n', command.Recipient, command.Phone, command.Region, command.Detail);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(text));
        return "addr-" + Convert.ToHexStringLower(hash)[..12];
    }
}
