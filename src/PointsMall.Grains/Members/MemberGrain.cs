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
    public const int MinPasswordLength = 8;
    public const int MaxPasswordLength = 128;
    public const int MaxOperationIdLength = 200;
    public const int MaxPageSize = 200;

    /// <summary>The largest amount one operation may move: far above any real use, far below overflow.</summary>
    public const long MaxPointsPerOperation = 100_000_000;

    /// <summary>How long an activation trusts its copy of the programme rules before asking again.</summary>
    public static readonly TimeSpan RulesCacheDuration = TimeSpan.FromMinutes(1);

    /// <summary>Client operation ids may not look like the ids the grain derives itself.</summary>
    private static readonly string[] ReservedPrefixes = [PointsAccount.ExpireOperationPrefix, "signin:"];

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
        var displayName = command.DisplayName?.Trim();
        if (string.IsNullOrEmpty(displayName) || displayName.Length > MemberProfile.MaxNicknameLength)
        {
            errors.Add($"display name: 1 to {MemberProfile.MaxNicknameLength} characters");
            displayName = null;
        }

        if (command.Password is null || command.Password.Length < MinPasswordLength || command.Password.Length > MaxPasswordLength)
        {
            errors.Add($"password: {MinPasswordLength} to {MaxPasswordLength} characters");
        }

        var registration = MemberProfile.Register(GrainKey, command.Phone, command.Email, displayName, null, now);
        errors.AddRange(registration.Errors);
        if (errors.Count > 0)
        {
            return MemberRefused(RefusalCode.ValidationFailed, string.Join("; ", errors));
        }

        var profile = registration.Profile;

        // Uniqueness lives in one login grain per phone / e-mail. A claim by this member id is repeatable, so a
        // registration retried after a timeout gets through again.
        foreach (var (login, kind) in new[] { (profile.Phone, "phone"), (profile.Email, "email") })
        {
            if (login is null)
            {
                continue;
            }

            var owner = await GrainFactory.GetGrain<ILoginGrain>(login).ClaimAsync(GrainKey).ConfigureAwait(false);
            if (!string.Equals(owner, GrainKey, StringComparison.Ordinal))
            {
                return MemberRefused(RefusalCode.Conflict, $"{kind}_taken");
            }
        }

        var rules = await RulesAsync(now).ConfigureAwait(false);
        state.State = state.State with
        {
            Profile = profile with { Password = PasswordHash.Create(command.Password!) },
            Account = PointsAccount.Open(GrainKey),
        };
        return new MemberResult(View(rules, now), null);
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
        return ChangeProfileAsync(p => p.UpdateDetails(command.DisplayName, command.Gender, command.Birthday, time.GetUtcNow()));
    }

    public Task<MemberResult> SaveAddressAsync(SaveAddress command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var (province, city, district) = SplitRegion(command.Region);
        var address = new ShippingAddress(
            string.IsNullOrWhiteSpace(command.AddressId) ? AddressIdFor(command) : command.AddressId.Trim(),
            command.Recipient?.Trim() ?? "",
            command.Phone ?? "",
            province,
            city,
            district,
            command.Detail?.Trim() ?? "",
            null,
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

        var invalid = CheckOperationId(command.OperationId) ?? CheckAmount(command.Amount);
        return Task.FromResult(invalid is not null
            ? PointsInvalid(invalid, account, now)
            : Commit(command.OperationId, account.Spend(command.OperationId, command.Amount, command.Reason?.Trim() ?? "", now), now));
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
        return Task.FromResult(invalid is not null
            ? PointsInvalid(invalid, account, now)
            : Commit(
                command.OperationId,
                account.Refund(command.OperationId, command.SpendOperationId, command.Amount, command.Reason?.Trim() ?? "", now),
                now));
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

        state.State = state.State with { SignIn = signIn.State };
        Save(account, expired, now);
        return new SignInResult(signIn.StreakDay, signIn.Points, signIn.Bonus, account.Balance(now), null);
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

    private async Task<MemberResult> ChangeProfileAsync(Func<MemberProfile, ProfileOutcome> change)
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
        }

        var rules = await RulesAsync(now).ConfigureAwait(false);
        return new MemberResult(View(rules, now), null);
    }

    private MemberView View(ProgramRules rules, DateTimeOffset now)
    {
        var profile = state.State.Profile!;
        var account = state.State.Account!;
        var zone = rules.TimeZone;
        return new MemberView(
            GrainKey,
            profile.Nickname ?? "",
            profile.Phone,
            profile.Email,
            account.Balance(now),
            rules.Tiers.Evaluate(account, now).ToString(),
            account.LifetimeEarned,
            profile.RegisteredAt,
            state.State.SignIn.CurrentStreak(now, zone),
            state.State.SignIn.LastDate,
            [.. profile.Addresses.Select(a => new AddressView(a.Id, a.Recipient, a.Phone, JoinRegion(a), a.Detail, a.IsDefault))]);
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
