using PointsMall.Domain.Common;
using PointsMall.Domain.Members;
using PointsMall.Domain.Rules;
using PointsMall.Domain.Tests.Support;
using static PointsMall.Domain.Tests.Support.Time;

namespace PointsMall.Domain.Tests.Rules;

public sealed class ExpiryPolicyTests
{
    [Fact]
    public void Rolling_days_expire_the_same_local_time_n_days_later() =>
        Assert.Equal(Cn(2025, 3, 11, 15), ExpiryPolicy.RollingDays(10).ExpiresAt(Cn(2025, 3, 1, 15), Shanghai));

    [Fact]
    public void Rolling_months_clamp_to_the_end_of_a_short_month() =>
        Assert.Equal(Cn(2025, 2, 28, 9), ExpiryPolicy.RollingMonths(1).ExpiresAt(Cn(2025, 1, 31, 9), Shanghai));

    [Fact]
    public void End_of_month_expires_at_the_first_instant_of_the_next_month_in_programme_time()
    {
        // 23:30 UTC on 31 March is already 1 April in Shanghai, so the April policy applies.
        var earned = new DateTimeOffset(2025, 3, 31, 23, 30, 0, TimeSpan.Zero);
        Assert.Equal(Cn(2025, 5, 1), ExpiryPolicy.EndOfMonth().ExpiresAt(earned, Shanghai));
    }

    [Fact]
    public void End_of_quarter_n_periods_after_earning() =>
        Assert.Equal(Cn(2025, 10, 1), ExpiryPolicy.EndOfQuarter(1).ExpiresAt(Cn(2025, 5, 20), Shanghai));

    [Fact]
    public void End_of_year_one_period_after_earning_expires_when_the_next_year_ends() =>
        Assert.Equal(Cn(2027, 1, 1), ExpiryPolicy.EndOfYear(1).ExpiresAt(Cn(2025, 12, 31, 23, 59), Shanghai));

    [Fact]
    public void Never_policy_has_no_expiry() => Assert.Null(ExpiryPolicy.Never.ExpiresAt(Cn(2025, 1, 1), Shanghai));

    [Fact]
    public void Policy_round_trips_through_json() => Json.AssertRoundTrips(ExpiryPolicy.EndOfQuarter(2));
}

public sealed class TierTests
{
    [Theory]
    [InlineData(0, Tier.Regular)]
    [InlineData(999, Tier.Regular)]
    [InlineData(1000, Tier.Silver)]
    [InlineData(4999, Tier.Silver)]
    [InlineData(5000, Tier.Gold)]
    [InlineData(9999, Tier.Gold)]
    [InlineData(10000, Tier.Diamond)]
    [InlineData(1_000_000, Tier.Diamond)]
    public void Seed_tier_thresholds_hold_at_exact_boundaries(long points, Tier expected) =>
        Assert.Equal(expected, TierPolicy.Default.TierFor(points));

    [Fact]
    public void Default_earn_multipliers_rise_with_tier() =>
        Assert.Equal([1.0m, 1.2m, 1.5m, 2.0m], Enum.GetValues<Tier>().Select(TierPolicy.Default.MultiplierFor));

    [Fact]
    public void Tier_is_judged_on_lifetime_earned_points_so_spending_does_not_demote()
    {
        var now = Cn(2025, 6, 1);
        var account = PointsAccount.Open("m1").Earn("e1", 1200, "purchase", "x", now, null).Account
            .Spend("s1", 1000, "redeem", now).Account;

        Assert.Equal(Tier.Silver, TierPolicy.Default.Evaluate(account, now));
    }

    [Fact]
    public void A_rolling_window_basis_only_counts_recent_earnings()
    {
        var policy = TierPolicy.Default with { Basis = TierBasis.EarnedInWindow, WindowDays = 365 };
        var account = PointsAccount.Open("m1")
            .Earn("old", 6000, "purchase", "x", Cn(2024, 1, 1), null).Account
            .Earn("new", 1500, "purchase", "x", Cn(2025, 3, 1), null).Account;

        Assert.Equal(Tier.Silver, policy.Evaluate(account, Cn(2025, 6, 1)));
        Assert.Equal(Tier.Gold, TierPolicy.Default.Evaluate(account, Cn(2025, 6, 1)));
    }

    [Fact]
    public void Invalid_thresholds_are_reported() =>
        Assert.NotEmpty((TierPolicy.Default with { Levels = [new(Tier.Regular, 0, 1m), new(Tier.Silver, 0, 1m)] }).Validate());

    [Fact]
    public void Tier_policy_round_trips_through_json() => Json.AssertRoundTrips(TierPolicy.Default);
}

public sealed class PurchaseEarnTests
{
    private static readonly DateTimeOffset Now = Cn(2025, 6, 1, 12);

    [Theory]
    [InlineData(1000, 1)] // ¥10 → 1 point
    [InlineData(999, 0)] // ¥9.99 → floor → 0
    [InlineData(10000, 10)] // ¥100 → 10
    [InlineData(12345, 12)] // ¥123.45 → 12.345 → 12
    public void Ten_yuan_earns_one_point_rounded_down(long fen, long points) =>
        Assert.Equal(points, EarnRules.Default.PurchasePoints(fen, Tier.Regular, TierPolicy.Default, Now));

    [Fact]
    public void Seed_ratio_examples_fifty_yuan_for_ten_points_and_a_thousand_yuan_for_fifty()
    {
        var clothing = EarnRules.Default with { Purchase = new PurchaseEarnRule(5000, 10) };
        var electronics = EarnRules.Default with { Purchase = new PurchaseEarnRule(100_000, 50) };

        Assert.Equal(10, clothing.PurchasePoints(5000, 1m, Now));
        Assert.Equal(50, electronics.PurchasePoints(100_000, 1m, Now));
    }

    [Fact]
    public void Tier_multiplier_applies_before_a_single_floor_at_the_end() =>
        // ¥95 at Silver: 9.5 × 1.2 = 11.4 → 11 (flooring first would give 9 × 1.2 = 10.8 → 10).
        Assert.Equal(11, EarnRules.Default.PurchasePoints(9500, Tier.Silver, TierPolicy.Default, Now));

    [Fact]
    public void Double_points_campaign_multiplies_only_inside_its_window()
    {
        var rules = EarnRules.Default with
        {
            Campaigns = [new Campaign("c1", "618 double points", 2m, Cn(2025, 6, 1), Cn(2025, 6, 19))],
        };

        Assert.Equal(30, rules.PurchasePoints(10000, Tier.Gold, TierPolicy.Default, Cn(2025, 6, 18, 23)));
        Assert.Equal(15, rules.PurchasePoints(10000, Tier.Gold, TierPolicy.Default, Cn(2025, 6, 19)));
    }

    [Fact]
    public void A_campaign_for_some_tiers_and_for_sign_in_multiplies_only_those()
    {
        var rules = EarnRules.Default with
        {
            Campaigns = [new Campaign("gold-signin", "金卡签到双倍", 2m, Cn(2025, 1, 1), Cn(2026, 1, 1)) { Purchases = false, SignIn = true, Tiers = [Tier.Gold] }],
        };

        Assert.Equal(10, rules.Boosted(5, CampaignScope.SignIn, Tier.Gold, Now));
        Assert.Equal(5, rules.Boosted(5, CampaignScope.SignIn, Tier.Silver, Now));
        Assert.Equal(5, rules.Boosted(5, CampaignScope.Task, Tier.Gold, Now));
        Assert.Equal(15, rules.PurchasePoints(10000, Tier.Gold, TierPolicy.Default, Now));
        Assert.Equal(1m, rules.CampaignMultiplierAt(Now, CampaignScope.SignIn));
        Assert.Contains("a campaign applies to purchases, sign-in or tasks (at least one)",
            (rules with { Campaigns = [new Campaign("none", "x", 2m, Cn(2025, 1, 1), Cn(2026, 1, 1)) { Purchases = false }] }).Validate());
    }

    [Fact]
    public void Overlapping_campaigns_do_not_stack()
    {
        var rules = EarnRules.Default with
        {
            Campaigns = [new Campaign("a", "x2", 2m, Cn(2025, 1, 1), Cn(2026, 1, 1)), new Campaign("b", "x3", 3m, Cn(2025, 1, 1), Cn(2026, 1, 1))],
        };

        Assert.Equal(3m, rules.CampaignMultiplierAt(Now));
    }

    [Fact]
    public void Earn_rules_round_trip_through_json() => Json.AssertRoundTrips(EarnRules.Default);
}

public sealed class SignInTests
{
    [Fact]
    public void Seed_streak_ladder_pays_5_8_12_and_a_50_point_bonus_on_day_seven()
    {
        var state = SignInState.None;
        var paid = new List<long>();
        for (var day = 1; day <= 8; day++)
        {
            var outcome = state.SignIn("m1", Cn(2025, 6, day, 9), Shanghai, SignInLadder.Default);
            paid.Add(outcome.TotalPoints);
            state = outcome.State;
        }

        Assert.Equal([5, 8, 12, 17, 23, 30, 38 + 50, 38], paid);
    }

    [Fact]
    public void A_second_sign_in_the_same_day_is_refused_and_changes_nothing()
    {
        var first = SignInState.None.SignIn("m1", Cn(2025, 6, 1, 0, 5), Shanghai, SignInLadder.Default);

        var second = first.State.SignIn("m1", Cn(2025, 6, 1, 23, 55), Shanghai, SignInLadder.Default);

        Assert.Equal((RefusalCode.Conflict, "already_signed_in"), (second.Refusal!.Code, second.Refusal.Detail));
        Assert.Same(first.State, second.State);
        Assert.Equal("signin:m1:2025-06-01", first.EarnOperationId);
    }

    [Fact]
    public void A_missed_day_restarts_the_streak()
    {
        var state = SignInState.None.SignIn("m1", Cn(2025, 6, 1, 9), Shanghai, SignInLadder.Default).State
            .SignIn("m1", Cn(2025, 6, 2, 9), Shanghai, SignInLadder.Default).State;

        var outcome = state.SignIn("m1", Cn(2025, 6, 4, 9), Shanghai, SignInLadder.Default);

        Assert.Equal((1, 5L), (outcome.StreakDay, outcome.Points));
        Assert.Equal(0, state.CurrentStreak(Cn(2025, 6, 4, 9), Shanghai));
    }

    [Fact]
    public void Days_are_counted_in_the_programme_time_zone()
    {
        // 16:30 UTC on 1 June and 15:30 UTC on 2 June are 2 June 00:30 and 2 June 23:30 in Shanghai: the same day.
        var first = SignInState.None.SignIn("m1", new DateTimeOffset(2025, 6, 1, 16, 30, 0, TimeSpan.Zero), Shanghai, SignInLadder.Default);
        var second = first.State.SignIn("m1", new DateTimeOffset(2025, 6, 2, 15, 30, 0, TimeSpan.Zero), Shanghai, SignInLadder.Default);

        Assert.Equal("already_signed_in", second.Refusal?.Detail);
    }

    [Fact]
    public void Sign_in_state_round_trips_through_json() =>
        Json.AssertRoundTrips(SignInState.None.SignIn("m1", Cn(2025, 6, 1, 9), Shanghai, SignInLadder.Default).State);
}

public sealed class TaskTests
{
    private static TaskRule Rule(TaskKind kind) => EarnRules.Default.TaskRuleFor(kind)!;

    [Fact]
    public void Seed_survey_points_are_10_for_simple_and_30_for_detailed()
    {
        Assert.Equal(10, Rule(TaskKind.SimpleSurvey).PointsFor(0));
        Assert.Equal(30, Rule(TaskKind.DetailedSurvey).PointsFor(0));
    }

    [Fact]
    public void Quiz_pays_per_correct_answer() => Assert.Equal(14, Rule(TaskKind.Quiz).PointsFor(7));

    [Fact]
    public void Daily_cap_refuses_further_completions_until_the_next_local_day()
    {
        var counters = TaskCounters.Empty;
        var rule = Rule(TaskKind.DetailedSurvey);
        counters = counters.Complete(rule, 0, Cn(2025, 6, 1, 9), Shanghai).Counters;

        var again = counters.Complete(rule, 0, Cn(2025, 6, 1, 22), Shanghai);
        var tomorrow = counters.Complete(rule, 0, Cn(2025, 6, 2, 0, 1), Shanghai);

        Assert.Equal(RefusalCode.LimitExceeded, again.Refusal?.Code);
        Assert.Equal(30, tomorrow.Points);
    }

    [Fact]
    public void Task_counters_round_trip_through_json() =>
        Json.AssertRoundTrips(TaskCounters.Empty.Complete(Rule(TaskKind.Share), 0, Cn(2025, 6, 1), Shanghai).Counters);
}
