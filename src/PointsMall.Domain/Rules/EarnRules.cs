using System.Collections.Immutable;

namespace PointsMall.Domain.Rules;

/// <summary>
/// Purchase → points: every <see cref="FenPerStep"/> fen (1/100 yuan) spent earns <see cref="PointsPerStep"/>.
/// Default ¥10 → 1 point. Other examples: ¥50 → 10, ¥1000 → 50.
/// </summary>
public sealed record PurchaseEarnRule(long FenPerStep, long PointsPerStep)
{
    public static PurchaseEarnRule Default { get; } = new(1000, 1);
}

/// <summary>What a campaign's multiplier may apply to.</summary>
public enum CampaignScope
{
    Purchase,
    SignIn,
    Task,
}

/// <summary>
/// A multiplier window (e.g. double points), active in [<see cref="StartsAt"/>, <see cref="EndsAt"/>): on purchases
/// unless <see cref="Purchases"/> is off, on daily sign-in and tasks when the operator says so, for the members of
/// <see cref="Tiers"/> (everyone when empty).
/// </summary>
public sealed record Campaign(string Id, string Name, decimal Multiplier, DateTimeOffset StartsAt, DateTimeOffset EndsAt)
{
    public bool Purchases { get; init; } = true;

    public bool SignIn { get; init; }

    public bool Tasks { get; init; }

    /// <summary>The tiers it is for; empty (or absent) for every member.</summary>
    public ImmutableArray<Tier> Tiers { get; init; } = [];

    public bool IsActiveAt(DateTimeOffset now) => now >= StartsAt && now < EndsAt;

    /// <summary>
    /// Whether it multiplies <paramref name="scope"/> for a member of <paramref name="tier"/> (null: a member of any tier,
    /// so only campaigns for everyone count).
    /// </summary>
    public bool AppliesTo(CampaignScope scope, Tier? tier)
        => scope switch
        {
            CampaignScope.Purchase => Purchases,
            CampaignScope.SignIn => SignIn,
            _ => Tasks,
        }
        && (Tiers.IsDefaultOrEmpty || (tier is { } t && Tiers.Contains(t)));
}

/// <summary>The earn rules of a programme: data an operator edits.</summary>
public sealed record EarnRules(
    PurchaseEarnRule Purchase,
    ImmutableArray<Campaign> Campaigns,
    SignInLadder SignIn,
    ImmutableArray<TaskRule> Tasks)
{
    public static EarnRules Default { get; } = new(PurchaseEarnRule.Default, [], SignInLadder.Default, TaskRule.Defaults);

    public const long MaxBirthdayPoints = 1_000_000;

    /// <summary>Points given on a member's birthday (local day, once a year); 0 gives none.</summary>
    public long BirthdayPoints { get; init; } = 100;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Purchase.FenPerStep <= 0 || Purchase.PointsPerStep < 0)
        {
            errors.Add("purchase ratio must be positive");
        }

        if (Campaigns.Any(c => c.Multiplier <= 0 || c.EndsAt <= c.StartsAt))
        {
            errors.Add("campaigns need a positive multiplier and end after they start");
        }

        if (Campaigns.Any(c => !c.Purchases && !c.SignIn && !c.Tasks))
        {
            errors.Add("a campaign applies to purchases, sign-in or tasks (at least one)");
        }

        if (BirthdayPoints is < 0 or > MaxBirthdayPoints)
        {
            errors.Add($"birthday points must be within 0 to {MaxBirthdayPoints}");
        }

        errors.AddRange(SignIn.Validate());
        errors.AddRange(ValidateTasks(Tasks.IsDefault ? [] : Tasks));
        return errors;
    }

    /// <summary>What is wrong with a list of task rules on its own: one rule per task kind.</summary>
    public static IReadOnlyList<string> ValidateTasks(IEnumerable<TaskRule> tasks)
        => tasks.GroupBy(t => t.Kind).Any(g => g.Count() > 1) ? ["one rule per task kind"] : [];

    /// <summary>
    /// The campaign multiplier at <paramref name="now"/>. Overlapping campaigns do not stack: the largest
    /// applies (stacking double-points windows is how programmes accidentally give away 4×).
    /// </summary>
    public decimal CampaignMultiplierAt(DateTimeOffset now, CampaignScope scope = CampaignScope.Purchase, Tier? tier = null) =>
        Campaigns.Where(c => c.IsActiveAt(now) && c.AppliesTo(scope, tier)).Select(c => c.Multiplier).DefaultIfEmpty(1.0m).Max();

    /// <summary>
    /// <paramref name="points"/> (a sign-in's or a task's) under the campaigns for <paramref name="scope"/> and the member's
    /// tier, floored; unchanged when none applies.
    /// </summary>
    public long Boosted(long points, CampaignScope scope, Tier tier, DateTimeOffset now)
        => points <= 0 ? points : (long)decimal.Floor(points * CampaignMultiplierAt(now, scope, tier));

    /// <summary>
    /// Points for a purchase of <paramref name="amountFen"/>:
    /// floor(amountFen × PointsPerStep / FenPerStep × tier multiplier × campaign multiplier).
    /// Rounding is a single floor at the very end (¥95 at Silver 1.2× = 9.5 × 1.2 = 11.4 → 11), done in
    /// decimal so 1.2× is exact.
    /// </summary>
    public long PurchasePoints(long amountFen, decimal tierMultiplier, DateTimeOffset now, Tier? tier = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(amountFen);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tierMultiplier);
        var exact = (decimal)amountFen * Purchase.PointsPerStep / Purchase.FenPerStep;
        return (long)decimal.Floor(exact * tierMultiplier * CampaignMultiplierAt(now, CampaignScope.Purchase, tier));
    }

    public long PurchasePoints(long amountFen, Tier tier, TierPolicy tiers, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(tiers);
        return PurchasePoints(amountFen, tiers.MultiplierFor(tier), now, tier);
    }

    public TaskRule? TaskRuleFor(TaskKind kind) => Tasks.FirstOrDefault(t => t.Kind == kind);
}
