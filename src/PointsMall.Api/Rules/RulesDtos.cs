using System.Collections.Immutable;
using System.Globalization;
using System.ComponentModel.DataAnnotations;
using PointsMall.Api.Infrastructure;
using PointsMall.Domain.Rules;

namespace PointsMall.Api.Rules;

// As requests (PUT /admin/rules) every field may be missing (the current value stays); the bounds are the editor's.

/// <summary>Purchase earning: every <c>fenPerStep</c> fen (1/100 yuan) spent earns <c>pointsPerStep</c> points.</summary>
public sealed record PurchaseRuleDto(
    [property: Range(1, 100_000_000, ErrorMessage = "{1} to {2}.")] long? FenPerStep,
    [property: Range(0, 1_000_000, ErrorMessage = "{1} to {2}.")] long? PointsPerStep);

/// <summary>Sign-in ladder: points on streak day 1, 2, …; the bonus every <c>bonusEveryDays</c> consecutive days.</summary>
public sealed record SignInRuleDto(
    [property: Length(1, AdminRulesDto.MaxLadderDays, ErrorMessage = "{1} to {2} days."), EachBetween(0, 100_000)] IReadOnlyList<long>? Ladder,
    [property: Range(0, 1_000_000, ErrorMessage = "{1} to {2}.")] long? StreakBonus,
    [property: Range(0, 366, ErrorMessage = "{1} (never) to {2} days.")] int? BonusEveryDays);

public sealed record TierRuleDto(
    [property: Required] Tier? Tier,
    [property: Required, Range(0, 1_000_000_000, ErrorMessage = "{1} to {2}.")] long? MinPoints,
    [property: Required, Range(typeof(decimal), "0", AdminRulesDto.MaxMultiplier, MinimumIsExclusive = true, ParseLimitsInInvariantCulture = true,
        ConvertValueInInvariantCulture = true, ErrorMessage = "Above {1}, at most {2}.")] decimal? Multiplier);

public sealed record ExpiryRuleDto([property: Required] ExpiryKind? Kind, [property: Range(0, 120, ErrorMessage = "{1} to {2}.")] int? Periods) : IValidatableObject
{
    public ExpiryPolicy ToPolicy() => new(Kind!.Value, Periods ?? 0);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
        => ToPolicy().Validate().Select(error => new ValidationResult(error, [nameof(Periods)]));
}

public sealed record TaskRuleDto(
    [property: Required] TaskKind? Kind,
    [property: Range(0, 1_000_000, ErrorMessage = "{1} to {2}.")] long? Points,
    [property: Range(0, 10_000, ErrorMessage = "{1} to {2}.")] long? PointsPerCorrectAnswer,
    [property: Range(0, 1000, ErrorMessage = "{1} (none) to {2}.")] int? DailyCap)
{
    public TaskRule ToRule() => new(Kind!.Value, Points ?? 0, PointsPerCorrectAnswer ?? 0, DailyCap ?? 0);
}

/// <summary>A campaign; <c>appliesTo</c> names what it multiplies, <c>tiers</c> whom it is for (empty: everyone).</summary>
public sealed record CampaignDto(string Id, string Name, decimal Multiplier, DateTimeOffset StartsAt, DateTimeOffset EndsAt, bool Active)
{
    public IReadOnlyList<string> AppliesTo { get; init; } = [CampaignScopes.Purchases];

    public IReadOnlyList<string> Tiers { get; init; } = [];

    public static CampaignDto From(Campaign c, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(c);
        return new(c.Id, c.Name, c.Multiplier, c.StartsAt, c.EndsAt, c.IsActiveAt(now))
        {
            AppliesTo = CampaignScopes.Of(c),
            Tiers = c.Tiers.IsDefaultOrEmpty ? [] : [.. c.Tiers.Select(t => t.ToString())],
        };
    }
}

/// <summary>The names of what a campaign may multiply, on the wire.</summary>
public static class CampaignScopes
{
    public const string Purchases = "purchases";
    public const string SignIn = "sign_in";
    public const string Tasks = "tasks";

    public static IReadOnlyList<string> All { get; } = [Purchases, SignIn, Tasks];

    public static IReadOnlyList<string> Of(Campaign c) =>
        [.. new[] { (c.Purchases, Purchases), (c.SignIn, SignIn), (c.Tasks, Tasks) }.Where(x => x.Item1).Select(x => x.Item2)];

    /// <summary>The campaign as a request describes it: purchases only when <paramref name="appliesTo"/> is absent.</summary>
    public static Campaign Build(string id, string name, decimal multiplier, DateTimeOffset startsAt, DateTimeOffset endsAt, IReadOnlyList<string>? appliesTo, IReadOnlyList<string>? tiers)
    {
        var scopes = appliesTo ?? [Purchases];
        return new Campaign(id, name, multiplier, startsAt, endsAt)
        {
            Purchases = scopes.Contains(Purchases),
            SignIn = scopes.Contains(SignIn),
            Tasks = scopes.Contains(Tasks),
            Tiers = [.. (tiers ?? []).Select(t => TierNames.TryParse(t, out var tier) ? tier : Tier.Regular).Distinct()],
        };
    }
}

public sealed record CampaignListDto(IReadOnlyList<CampaignDto> Items);

/// <summary>A double-points campaign: earning is multiplied by <c>multiplier</c> from <c>startsAt</c> until <c>endsAt</c>.</summary>
public sealed record CampaignRequest(
    [property: Slug] string? Id,
    [property: Required, Text(100)] string? Name,
    [property: Required, Range(typeof(decimal), "0", AdminRulesDto.MaxMultiplier, MinimumIsExclusive = true, ParseLimitsInInvariantCulture = true,
        ConvertValueInInvariantCulture = true, ErrorMessage = "Above {1}, at most {2}.")] decimal? Multiplier,
    [property: Required] DateTimeOffset? StartsAt,
    [property: Required] DateTimeOffset? EndsAt) : IValidatableObject
{
    /// <summary>What it multiplies: <c>purchases</c>, <c>sign_in</c>, <c>tasks</c> (purchases only when absent).</summary>
    [MaxLength(3, ErrorMessage = "At most {1}.")]
    public IReadOnlyList<string>? AppliesTo { get; init; }

    /// <summary>Only members of these tiers (every member when absent or empty).</summary>
    [MaxLength(4, ErrorMessage = "At most {1} tiers.")]
    public IReadOnlyList<string>? Tiers { get; init; }

    public Campaign ToCampaign(string id) => CampaignScopes.Build(id, Name!.Trim(), Multiplier!.Value, StartsAt!.Value, EndsAt!.Value, AppliesTo, Tiers);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (EndsAt <= StartsAt)
        {
            yield return new ValidationResult("End is after the start.", [nameof(EndsAt)]);
        }

        if (AppliesTo is { } scopes && (scopes.Count == 0 || scopes.Any(s => !CampaignScopes.All.Contains(s))))
        {
            yield return new ValidationResult($"One or more of {string.Join(", ", CampaignScopes.All)}.", [nameof(AppliesTo)]);
        }

        if (Tiers?.FirstOrDefault(t => !TierNames.TryParse(t, out _)) is { } unknown)
        {
            yield return new ValidationResult($"No tier '{unknown}': Regular, Silver, Gold or Diamond.", [nameof(Tiers)]);
        }
    }
}

/// <summary>The public summary of the programme (GET /rules): what a shopper needs to know to earn.</summary>
public sealed record PublicRulesDto(
    int Version,
    string TimeZone,
    PurchaseRuleDto Purchase,
    decimal PointsPerYuan,
    SignInRuleDto SignIn,
    IReadOnlyList<TierRuleDto> Tiers,
    TierBasis TierBasis,
    ExpiryRuleDto Expiry,
    IReadOnlyList<TaskRuleDto> Tasks,
    IReadOnlyList<CampaignDto> ActiveCampaigns,
    decimal CampaignMultiplier,
    long BirthdayPoints);

/// <summary>
/// The rules as operators edit them (GET/PUT /admin/rules). On PUT every section is optional (a missing one keeps
/// its current value) and <c>version</c>, when given, must be the current version (a stale edit is a 409 conflict).
/// Campaigns are edited through /admin/campaigns and are kept by a PUT.
/// </summary>
public sealed record AdminRulesDto(
    [property: Range(1, int.MaxValue, ErrorMessage = "The current rules' version.")] int? Version,
    [property: TimeZoneId] string? TimeZone,
    PurchaseRuleDto? Purchase,
    SignInRuleDto? SignIn,
    [property: Length(1, 10, ErrorMessage = "{1} to {2} tiers, lowest first.")] IReadOnlyList<TierRuleDto>? Tiers,
    TierBasis? TierBasis,
    [property: Range(1, 3650, ErrorMessage = "{1} to {2} days.")] int? TierWindowDays,
    ExpiryRuleDto? Expiry,
    [property: MaxLength(20, ErrorMessage = "At most {1} task rules.")] IReadOnlyList<TaskRuleDto>? Tasks,
    IReadOnlyList<CampaignDto>? Campaigns,
    [property: Range(0, EarnRules.MaxBirthdayPoints, ErrorMessage = "{1} to {2}.")] long? BirthdayPoints = null) : IValidatableObject
{
    public const int MaxLadderDays = 31;
    public const string MaxMultiplier = "10";

    /// <summary>What concerns the tiers or the tasks together is the domain's rule (<see cref="TierPolicy.ValidateLevels"/>, <see cref="EarnRules.ValidateTasks"/>).</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // Items missing a field have their own errors already; the list is judged once every item is whole.
        var lists = new (string Field, IEnumerable<string> Errors)[]
        {
            (nameof(Tiers), Tiers is null ? [] : Tiers.Any(t => t is null) ? ["A tier is required."]
                : Tiers.All(t => t is { Tier: not null, MinPoints: not null, Multiplier: not null }) ? TierPolicy.ValidateLevels(RequestedLevels(Tiers)) : []),
            (nameof(Tasks), Tasks is null ? [] : Tasks.Any(t => t is null) ? ["A task rule is required."]
                : Tasks.All(t => t.Kind is not null) ? EarnRules.ValidateTasks(Tasks.Select(t => t.ToRule())) : []),
        };
        return lists.SelectMany(list => list.Errors.Select(error => new ValidationResult(error, [list.Field])));
    }

    /// <summary>The current rules with this edit's sections applied (a missing section or field keeps its value); the programme grain validates the result.</summary>
    public ProgramRules ApplyTo(ProgramRules current)
    {
        ArgumentNullException.ThrowIfNull(current);
        var earn = current.Earn;
        var purchase = Purchase is { } p ? new PurchaseEarnRule(p.FenPerStep ?? earn.Purchase.FenPerStep, p.PointsPerStep ?? earn.Purchase.PointsPerStep) : earn.Purchase;
        var signIn = SignIn is { } s
            ? new SignInLadder(s.Ladder is { } ladder ? [.. ladder] : earn.SignIn.DailyPoints, s.StreakBonus ?? earn.SignIn.StreakBonus, s.BonusEveryDays ?? earn.SignIn.BonusEveryDays)
            : earn.SignIn;
        var tiers = current.Tiers with
        {
            Levels = Tiers is null ? current.Tiers.Levels : [.. RequestedLevels(Tiers)],
            Basis = TierBasis ?? current.Tiers.Basis,
            WindowDays = TierWindowDays ?? current.Tiers.WindowDays,
        };
        return current with
        {
            Version = Version ?? current.Version,
            TimeZoneId = TimeZone ?? current.TimeZoneId,
            Earn = earn with
            {
                Purchase = purchase,
                SignIn = signIn,
                Tasks = Tasks is null ? TasksOf(earn) : [.. Tasks.Select(t => t.ToRule())],
                BirthdayPoints = BirthdayPoints ?? earn.BirthdayPoints,
            },
            Tiers = tiers,
            Expiry = Expiry?.ToPolicy() ?? current.Expiry,
        };
    }

    private static List<TierLevel> RequestedLevels(IReadOnlyList<TierRuleDto> tiers)
        => [.. tiers.Select(t => new TierLevel(t.Tier!.Value, t.MinPoints!.Value, t.Multiplier!.Value))];

    public static AdminRulesDto From(ProgramRules rules, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var earn = rules.Earn;
        return new AdminRulesDto(
            rules.Version,
            rules.TimeZoneId,
            new PurchaseRuleDto(earn.Purchase.FenPerStep, earn.Purchase.PointsPerStep),
            new SignInRuleDto(earn.SignIn.DailyPoints.IsDefault ? [] : earn.SignIn.DailyPoints, earn.SignIn.StreakBonus, earn.SignIn.BonusEveryDays),
            [.. LevelsOf(rules.Tiers).Select(l => new TierRuleDto(l.Tier, l.MinPoints, l.EarnMultiplier))],
            rules.Tiers.Basis,
            rules.Tiers.WindowDays,
            new ExpiryRuleDto(rules.Expiry.Kind, rules.Expiry.Periods),
            [.. TasksOf(earn).Select(t => new TaskRuleDto(t.Kind, t.Points, t.PointsPerCorrectAnswer, t.DailyCap))],
            [.. CampaignsOf(earn).Select(c => CampaignDto.From(c, now))],
            earn.BirthdayPoints);
    }

    internal static ImmutableArray<TierLevel> LevelsOf(TierPolicy tiers) => tiers.Levels.IsDefault ? [] : tiers.Levels;

    internal static ImmutableArray<TaskRule> TasksOf(EarnRules earn) => earn.Tasks.IsDefault ? [] : earn.Tasks;

    internal static ImmutableArray<Campaign> CampaignsOf(EarnRules earn) => earn.Campaigns.IsDefault ? [] : earn.Campaigns;
}

/// <summary>A time zone id the system knows (<see cref="ProgramRules.IsKnownTimeZone"/>), e.g. Asia/Shanghai.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class TimeZoneIdAttribute() : ValidationAttribute("Not a known time zone (e.g. Asia/Shanghai).")
{
    public override bool IsValid(object? value) => value is null || (value is string { Length: <= 64 } id && ProgramRules.IsKnownTimeZone(id));
}

/// <summary>
/// A question for the rules editor's preview: what a purchase of <c>purchaseAmount</c> yuan by a member of
/// <c>tier</c> earns at <c>at</c> (default: now, or the campaign's start) under <c>draft</c> (the sections given
/// replace the current ones, as in a PUT) with <c>campaign</c> counted as saved.
/// </summary>
public sealed record RulesPreviewRequest(
    AdminRulesDto? Draft,
    CampaignRequest? Campaign,
    [property: Required, Yuan, Range(typeof(decimal), "0", "1000000", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true,
        ErrorMessage = "{1} to {2} yuan.")] decimal? PurchaseAmount,
    [property: Required, TierName] string? Tier,
    DateTimeOffset? At);

/// <summary>
/// What the rules pay: the purchase's points with how they are made (base × tier × campaign, floored once), the
/// points of each sign-in streak day (with the streak bonus where it falls), and the purchase as one sentence.
/// </summary>
public sealed record RulesPreviewDto(
    decimal PurchaseAmount,
    string Tier,
    long Points,
    decimal BasePoints,
    decimal TierMultiplier,
    decimal CampaignMultiplier,
    IReadOnlyList<long> SignInDays,
    string Sentence)
{
    public static RulesPreviewDto Of(ProgramRules rules, decimal purchaseYuan, Tier tier, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var fen = (long)(purchaseYuan * 100);
        var earn = rules.Earn;
        var tierMultiplier = rules.Tiers.MultiplierFor(tier);
        var campaign = earn.CampaignMultiplierAt(at, CampaignScope.Purchase, tier);
        var points = earn.PurchasePoints(fen, tierMultiplier, at, tier);
        var days = Math.Max(earn.SignIn.DailyPoints.IsDefault ? 0 : earn.SignIn.DailyPoints.Length, earn.SignIn.BonusEveryDays);
        var signIn = Enumerable.Range(1, Math.Clamp(days, 1, AdminRulesDto.MaxLadderDays))
            .Select(day => earn.SignIn.DailyPoints.IsDefaultOrEmpty ? 0 : earn.SignIn.PointsForDay(day) + earn.SignIn.BonusForDay(day))
            .ToList();
        var during = campaign > 1m ? string.Create(CultureInfo.InvariantCulture, $" (×{campaign:0.##} campaign)") : "";
        var sentence = string.Create(CultureInfo.InvariantCulture,
            $"{TierNames.Chinese(tier)}会员消费 ¥{purchaseYuan:0.00} 得 {points} 积分 · A ¥{purchaseYuan:0.00} purchase by a {tier} member earns {points} points{during}");
        return new(purchaseYuan, tier.ToString(), points, decimal.Round((decimal)fen * earn.Purchase.PointsPerStep / earn.Purchase.FenPerStep, 4),
            tierMultiplier, campaign, signIn, sentence);
    }
}
