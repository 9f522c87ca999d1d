using FsCheck;
using FsCheck.Fluent;
using PointsMall.Domain.Common;
using PointsMall.Domain.Members;
using static PointsMall.Domain.Tests.Support.Time;

namespace PointsMall.Domain.Tests.Members;

/// <summary>
/// Model-free property test: random sequences of earn / spend / refund / adjust / expire / time passing /
/// replays must keep the ledger reconciled with the lots at every step.
/// </summary>
public sealed class PointsAccountPropertyTests
{
    public sealed record Op(int Kind, int Amount, int Days, int Pick);

    private static readonly Gen<Op> OpGen =
        from kind in Gen.Choose(0, 7)
        from amount in Gen.Choose(1, 300)
        from days in Gen.Choose(0, 45)
        from pick in Gen.Choose(0, 1000)
        select new Op(kind, amount, days, pick);

    [Fact]
    public void Balance_equals_open_lots_equals_ledger_sum_and_is_never_negative_under_any_sequence()
    {
        var property = Prop.ForAll(Arb.From(Gen.ArrayOf(OpGen)), ops => Run(ops));
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), property);
    }

    private static bool Run(Op[] ops)
    {
        var account = PointsAccount.Open("m1");
        var now = Cn(2025, 1, 1, 8);
        var spends = new List<string>();
        var done = new List<Func<PointsAccount, PointsOutcome>>();
        var n = 0;
        foreach (var op in ops)
        {
            var id = $"op{n++}";
            var at = now;
            PointsOutcome? outcome = null;
            switch (op.Kind)
            {
                case 0 or 1:
                {
                    DateTimeOffset? expiry = op.Pick % 3 == 0 ? null : at.AddDays(1 + (op.Pick % 60));
                    Func<PointsAccount, PointsOutcome> call = a => a.Earn(id, op.Amount, "purchase", "p", at, expiry);
                    outcome = call(account);
                    done.Add(call);
                    break;
                }

                case 2:
                {
                    var before = account.Balance(at);
                    Func<PointsAccount, PointsOutcome> call = a => a.Spend(id, op.Amount, "redeem", at);
                    outcome = call(account);
                    Assert.Equal(op.Amount > before, outcome.Refusal?.Code == RefusalCode.InsufficientPoints);
                    if (outcome.Succeeded)
                    {
                        spends.Add(id);
                        done.Add(call);
                    }

                    break;
                }

                case 3 when spends.Count > 0:
                {
                    var spend = spends[op.Pick % spends.Count];
                    long? amount = op.Pick % 2 == 0 ? null : 1 + (op.Amount % 50);
                    Func<PointsAccount, PointsOutcome> call = a => a.Refund(id, spend, amount, "cancel", at);
                    outcome = call(account);
                    if (outcome.Succeeded)
                    {
                        done.Add(call);
                    }

                    break;
                }

                case 4:
                    outcome = account.Expire(at);
                    break;
                case 5:
                    now = now.AddDays(op.Days).AddHours(op.Pick % 24);
                    break;
                case 6 when done.Count > 0:
                {
                    // Replay an earlier successful operation at a later time: nothing may change.
                    var replay = done[op.Pick % done.Count](account);
                    Assert.True(replay.Replayed);
                    Assert.Same(account, replay.Account);
                    break;
                }

                case 7:
                {
                    var delta = op.Pick % 2 == 0 ? op.Amount : -op.Amount;
                    Func<PointsAccount, PointsOutcome> call = a => a.Adjust(id, delta, "ops", at);
                    outcome = call(account);
                    if (outcome.Succeeded)
                    {
                        done.Add(call);
                        if (delta < 0)
                        {
                            spends.Add(id);
                        }
                    }

                    break;
                }
            }

            if (outcome is { Succeeded: true })
            {
                account = outcome.Account;

                // Every operation records the expiries due first, so afterwards balance == ledger sum exactly.
                Assert.Equal(account.LedgerSum(), account.Balance(at));
            }

            CheckInvariants(account, now);
        }

        return true;
    }

    private static void CheckInvariants(PointsAccount account, DateTimeOffset now)
    {
        Assert.True(account.Balance(now) >= 0);
        Assert.All(account.Lots, l => Assert.InRange(l.Remaining, 0, l.Amount));
        Assert.Equal(account.Lots.Sum(l => l.Remaining), account.LedgerSum());
        Assert.True(account.Balance(now) <= account.LedgerSum());
        Assert.Equal(account.LedgerSum(), account.Ledger.Count == 0 ? 0 : account.Ledger[^1].BalanceAfter);

        // Each lot reconciles with the allocations the ledger recorded against it.
        var perLot = account.Ledger
            .SelectMany(e => e.Lots.Select(x => (x.LotId, Signed: Math.Sign(e.Amount) * x.Amount)))
            .GroupBy(x => x.LotId)
            .ToDictionary(g => g.Key, g => g.Sum(x => x.Signed));
        Assert.All(account.Lots, l => Assert.Equal(l.Remaining, perLot.GetValueOrDefault(l.Id)));
        Assert.All(account.Lots, l => Assert.Equal(l.Amount, l.Remaining + l.Expired +
            account.Ledger.Where(e => e.Amount < 0 && e.Kind != LedgerKind.Expire).SelectMany(e => e.Lots).Where(x => x.LotId == l.Id).Sum(x => x.Amount) -
            account.Ledger.Where(e => e.Kind == LedgerKind.Refund).SelectMany(e => e.Lots).Where(x => x.LotId == l.Id).Sum(x => x.Amount)));
    }
}
