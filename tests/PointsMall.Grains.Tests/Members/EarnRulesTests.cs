using PointsMall.Contracts.Members;
using PointsMall.Contracts.Rules;
using PointsMall.Domain.Rules;
using PointsMall.Grains.Members;
using PointsMall.Grains.Tests.Support;
using Xunit;
using static PointsMall.Grains.Tests.Members.MemberTestKit;

namespace PointsMall.Grains.Tests.Members;

public sealed class EarnRulesTests
{
    [Fact]
    public async Task The_sign_in_streak_follows_Shanghai_days_pays_the_ladder_and_the_7_day_bonus_and_breaks_on_a_missed_day()
    {
        // The silo clock starts at 2026-11-21 02:00 UTC, 10:00 in Shanghai.
        await using var silo = await GrainsSilo.StartAsync();
        var member = await RegisterAsync(silo, "s-1");
        var results = new List<SignInResult> { await member.SignInAsync() };
        var again = await member.SignInAsync();

        // 17:00 UTC is still the 21st in UTC but already 01:00 on the 22nd in Shanghai: a new day.
        silo.Time.Advance(TimeSpan.FromHours(15));
        results.Add(await member.SignInAsync());
        for (var day = 3; day <= 7; day++)
        {
            silo.Time.Advance(TimeSpan.FromDays(1));
            results.Add(await member.SignInAsync());
        }

        // The 28th is missed: the streak shows 0 and restarts at day 1 on the 29th.
        silo.Time.Advance(TimeSpan.FromDays(2));
        var broken = (await member.GetAsync())!.SignInStreak;
        results.Add(await member.SignInAsync());

        Assert.Equal(("conflict", "already_signed_in"), (again.Refusal?.Code, again.Refusal?.Detail));
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 1], results.Select(r => r.Streak));
        Assert.Equal([5L, 8, 12, 17, 23, 30, 38, 5], results.Select(r => r.Points));
        Assert.Equal([0L, 0, 0, 0, 0, 0, 50, 0], results.Select(r => r.Bonus));
        Assert.Equal(0, broken);
        var view = await member.GetAsync();
        Assert.Equal(5 + 8 + 12 + 17 + 23 + 30 + 38 + 50 + 5, view!.Balance);
        Assert.Equal((1, new DateOnly(2026, 11, 29)), (view.SignInStreak, view.LastSignIn));
        var ledger = (await member.GetLedgerAsync(1, 3)).Entries;
        Assert.Equal(["day 1", "7-day streak bonus", "day 7"], ledger.Select(e => e.Reason));
        Assert.All(ledger, e => Assert.Equal(MemberGrain.SignInSource, e.Source));
        Assert.True((await member.AuditAsync()).Reconciles);
    }

    [Fact]
    public async Task Purchase_points_use_the_ratio_the_tier_multiplier_and_an_active_double_points_campaign()
    {
        await using var silo = await GrainsSilo.StartAsync();
        var member = await RegisterAsync(silo, "b-1");

        // ¥10 → 1 point, one floor at the end: ¥95 = 9.5 → 9 at 普通 1×.
        var regular = await member.EarnForPurchaseAsync(new EarnForPurchase("buy-1", 9_500, "order-1"));
        await member.EarnAsync(new EarnPoints("e-1", 1_000, "activity", "to silver"));
        var silver = await member.EarnForPurchaseAsync(new EarnForPurchase("buy-2", 9_500, "order-2"));

        var now = silo.Time.GetUtcNow();
        var campaign = await silo.Grain<IProgramGrain>(Programs.Default)
            .SaveCampaignAsync(new Campaign("double", "双倍积分", 2.0m, now, now.AddHours(1)));
        Assert.True(campaign.Succeeded);
        silo.Time.Advance(MemberGrain.RulesCacheDuration);
        var doubled = await member.EarnForPurchaseAsync(new EarnForPurchase("buy-3", 9_500, "order-3"));

        silo.Time.Advance(TimeSpan.FromHours(1));
        var replayAfterCampaign = await member.EarnForPurchaseAsync(new EarnForPurchase("buy-3", 9_500, "order-3"));
        var afterCampaign = await member.EarnForPurchaseAsync(new EarnForPurchase("buy-4", 9_500, "order-4"));
        var tooSmall = await member.EarnForPurchaseAsync(new EarnForPurchase("buy-5", 800, "order-5"));

        Assert.Equal(9, regular.Amount);
        Assert.Equal(11, silver.Amount);           // 9.5 × 1.2 = 11.4
        Assert.Equal(22, doubled.Amount);          // 9.5 × 1.2 × 2 = 22.8
        Assert.Equal((22L, true), (replayAfterCampaign.Amount, replayAfterCampaign.Replayed));
        Assert.Equal(11, afterCampaign.Amount);
        Assert.Equal((0L, true), (tooSmall.Amount, tooSmall.Succeeded));
        var view = await member.GetAsync();
        Assert.Equal("Silver", view!.Tier);
        Assert.Equal(9 + 1_000 + 11 + 22 + 11, view.LifetimeEarned);
        var ledger = (await member.GetLedgerAsync(1, 1)).Entries[0];
        Assert.Equal((MemberGrain.PurchaseSource, "order-4"), (ledger.Source, ledger.Reason));
    }

    [Fact]
    public async Task A_sign_in_and_tasks_campaign_doubles_sign_in_and_share_points_for_its_tier_only()
    {
        await using var silo = await GrainsSilo.StartAsync();
        var regular = await RegisterAsync(silo, "r-1");
        var silver = await RegisterAsync(silo, "s-1");
        await silver.EarnAsync(new EarnPoints("e-1", 1_000, "activity", "to silver"));
        var now = silo.Time.GetUtcNow();
        var saved = await silo.Grain<IProgramGrain>(Programs.Default).SaveCampaignAsync(
            new Campaign("silver-days", "银卡双倍签到", 2.0m, now, now.AddDays(1)) { Purchases = false, SignIn = true, Tasks = true, Tiers = [Tier.Silver] });
        Assert.True(saved.Succeeded, saved.Refusal?.ToString());
        silo.Time.Advance(MemberGrain.RulesCacheDuration);

        var silverSignIn = await silver.SignInAsync();
        var regularSignIn = await regular.SignInAsync();
        var silverShare = await silver.CompleteTaskAsync(new CompleteTask("share:a", "share", null));
        var regularShare = await regular.CompleteTaskAsync(new CompleteTask("share:b", "share", null));
        var silverPurchase = await silver.EarnForPurchaseAsync(new EarnForPurchase("buy-1", 10_000, "order-1"));

        Assert.Equal((10L, 5L), (silverSignIn.Points, regularSignIn.Points));
        Assert.Equal((10L, 5L), (silverShare.Amount, regularShare.Amount));
        Assert.Equal(12, silverPurchase.Amount);   // purchases are not in this campaign: 10 × 1.2
    }

    [Fact]
    public async Task Tier_thresholds_and_multipliers_come_from_the_programme_rules_and_adjustments_do_not_count()
    {
        await using var silo = await GrainsSilo.StartAsync();
        await SetRulesAsync(silo, r => r with
        {
            Tiers = r.Tiers with
            {
                Levels =
                [
                    new TierLevel(Tier.Regular, 0, 1.0m),
                    new TierLevel(Tier.Gold, 100, 3.0m),
                ],
            },
        });
        var member = await RegisterAsync(silo, "b-2");

        await member.AdjustAsync(new AdjustPoints("a-1", 500, "goodwill"));
        var stillRegular = (await member.GetAsync())!.Tier;
        await member.EarnAsync(new EarnPoints("e-1", 100, "activity", "x"));
        var gold = await member.EarnForPurchaseAsync(new EarnForPurchase("buy-1", 10_000, "order"));

        Assert.Equal("Regular", stillRegular);
        Assert.Equal("Gold", (await member.GetAsync())!.Tier);
        Assert.Equal(30, gold.Amount);
    }

    [Fact]
    public async Task Tasks_earn_their_points_within_daily_caps_that_reset_on_the_next_Shanghai_day()
    {
        await using var silo = await GrainsSilo.StartAsync();
        var member = await RegisterAsync(silo, "t-1");

        var surveys = new List<PointsResult>();
        for (var i = 1; i <= 4; i++)
        {
            surveys.Add(await member.CompleteTaskAsync(new CompleteTask($"survey-{i}", "SimpleSurvey", null)));
        }

        var replay = await member.CompleteTaskAsync(new CompleteTask("survey-1", "simple_survey", null));
        var quiz = await member.CompleteTaskAsync(new CompleteTask("quiz-1", "quiz", 4));
        var secondQuiz = await member.CompleteTaskAsync(new CompleteTask("quiz-2", "Quiz", 5));
        var detailed = await member.CompleteTaskAsync(new CompleteTask("detailed-1", "DetailedSurvey", null));
        var unknown = await member.CompleteTaskAsync(new CompleteTask("x-1", "dance", null));

        // 16:00 UTC = 00:00 in Shanghai: the caps reset.
        silo.Time.Advance(TimeSpan.FromHours(14));
        var nextDay = await member.CompleteTaskAsync(new CompleteTask("survey-5", "SimpleSurvey", null));
        var zeroQuiz = await member.CompleteTaskAsync(new CompleteTask("quiz-3", "Quiz", 0));
        var zeroQuizAgain = await member.CompleteTaskAsync(new CompleteTask("quiz-3", "Quiz", 0));
        var capped = await member.CompleteTaskAsync(new CompleteTask("quiz-4", "Quiz", 5));

        Assert.Equal([10L, 10, 10, 0], surveys.Select(r => r.Amount));
        Assert.Equal("limit_exceeded", surveys[3].Refusal?.Code);
        Assert.Equal((10L, true), (replay.Amount, replay.Replayed));
        Assert.Equal(8, quiz.Amount);
        Assert.Equal("limit_exceeded", secondQuiz.Refusal?.Code);
        Assert.Equal(30, detailed.Amount);
        Assert.Equal("validation_failed", unknown.Refusal?.Code);
        Assert.Equal(10, nextDay.Amount);
        Assert.Equal((0L, true, false), (zeroQuiz.Amount, zeroQuiz.Succeeded, zeroQuiz.Replayed));
        Assert.True(zeroQuizAgain.Replayed);
        Assert.Equal("limit_exceeded", capped.Refusal?.Code);
        Assert.Equal(30 + 8 + 30 + 10, (await member.AuditAsync()).Balance);
    }
}
