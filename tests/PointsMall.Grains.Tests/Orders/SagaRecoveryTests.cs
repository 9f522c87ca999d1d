using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using PointsMall.Contracts.Catalog;
using PointsMall.Contracts.Members;
using PointsMall.Contracts.Orders;
using PointsMall.Domain.Orders;
using PointsMall.Grains.Orders;
using Xunit;
using static PointsMall.Grains.Tests.Orders.OrderTestKit;

namespace PointsMall.Grains.Tests.Orders;

/// <summary>
/// Saga recovery: a real process (tests/PointsMall.Grains.CrashHost) is SIGKILLed the moment an order's
/// saga has durably recorded a step; a silo restarted on the same database must finish the saga from its
/// reminder, ending confirmed or fully compensated, never half.
/// </summary>
public sealed class SagaRecoveryTests
{
    private const int Orders = 3;
    private const long Seeded = 10_000;
    private const long Price = 100;
    private const long Stock = 10;

    [Theory]
    [InlineData("created")]
    [InlineData("after-reserve")]
    [InlineData("after-spend")]
    public async Task A_saga_killed_between_steps_ends_confirmed_or_fully_compensated_after_restart(string killPoint)
    {
        var directory = Path.Combine(Path.GetTempPath(), "pointsmall-tests", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(directory);
        var database = Path.Combine(directory, "orders.db");
        var killedOrder = $"o-crash-{Orders}";

        var output = await RunCrashHostAsync(database, killPoint);
        Assert.Contains($"killing {killedOrder}", output, StringComparison.Ordinal);
        for (var i = 1; i < Orders; i++)
        {
            Assert.Contains($"ack o-crash-{i} PendingShipment", output, StringComparison.Ordinal);
        }

        // The crash host ran on the real clock; the restarted silo's manual clock starts there, so the saga
        // reminder (written with the killed step, due a minute later) falls due when the test moves the
        // clock, and the test delivers it.
        var signals = new SagaSignals();
        await using var silo = await StartAsync(signals, database, new FakeTimeProvider(DateTimeOffset.UtcNow));
        var order = silo.Grain<IOrderGrain>(killedOrder);

        // A points-only order records its spend together with the commit (a sale at reservation needs no call to
        // the product), so "after-spend" finds the saga already at rest: the kill came after its last write.
        var stored = (await order.GetAsync())!.Step;
        Assert.Equal(killPoint switch
        {
            "created" => "Created",
            "after-reserve" => "StockReserved",
            _ => "AwaitingShipment",
        }, stored);

        SagaStep rested;
        if (stored == nameof(SagaStep.AwaitingShipment))
        {
            rested = SagaStep.AwaitingShipment;
        }
        else
        {
            silo.Time.Advance(new OrderSagaOptions().ResumeAfter + TimeSpan.FromSeconds(5));
            await silo.FireReminderAsync(order, OrderGrain.SagaReminder);
            rested = await signals.WaitForAsync(killedOrder, s => s is SagaStep.AwaitingShipment or SagaStep.Cancelled);
        }

        var member = silo.Grain<IMemberGrain>("m-crash");
        var product = silo.Grain<IProductGrain>("p-crash");
        var view = (await order.GetAsync())!;
        var confirmed = rested == SagaStep.AwaitingShipment;
        Assert.Equal(confirmed ? "PendingShipment" : "Cancelled", view.Status);

        // Never half: stock and points agree with the order's outcome, for every order the host placed.
        var confirmedOrders = Orders - 1 + (confirmed ? 1 : 0);
        var stock = await StockAsync(product);
        Assert.Equal((Stock - confirmedOrders, 0L, (long)confirmedOrders), (stock.Available, stock.Reserved, stock.Committed));
        Assert.Equal(Seeded - (Price * confirmedOrders), await BalanceAsync(member));
        var spends = await LedgerAsync(member, killedOrder);
        var refunds = await LedgerAsync(member, "refund:" + killedOrder);
        if (confirmed)
        {
            Assert.Equal(-Price, Assert.Single(spends).Amount);
            Assert.Empty(refunds);
        }
        else
        {
            Assert.Equal(spends.Sum(e => e.Amount), -refunds.Sum(e => e.Amount));
        }

        // Resting: a second restart finds nothing left to do.
        Assert.Equal(view.History.Count, (await order.GetAsync())!.History.Count);
        Assert.Equal([killedOrder, "o-crash-2", "o-crash-1"], await OrderIdsAsync(silo, "m-crash"));
    }

    private static async Task<string> RunCrashHostAsync(string database, string killPoint)
    {
        var host = Path.Combine(AppContext.BaseDirectory, "PointsMall.Grains.CrashHost.dll");
        using var process = Process.Start(new ProcessStartInfo("dotnet", ["exec", host, database, killPoint, Orders.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            var output = await stdout;

            // 137 = killed by SIGKILL; anything else means the host never reached the kill point.
            Assert.True(process.ExitCode == 137, $"crash host exited with {process.ExitCode}: {output} {await stderr}");
            return output;
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw new TimeoutException("The crash host did not reach its kill point within 120s.");
        }
    }
}
