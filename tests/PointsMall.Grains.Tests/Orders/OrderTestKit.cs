using System.Collections.Immutable;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using PointsMall.Contracts.Catalog;
using PointsMall.Contracts.Members;
using PointsMall.Contracts.Orders;
using PointsMall.Domain.Catalog;
using PointsMall.Domain.Orders;
using PointsMall.Domain.Rules;
using PointsMall.Grains.Orders;
using PointsMall.Payments;
using PointsMall.Grains.Tests.Support;
using Xunit;

namespace PointsMall.Grains.Tests.Orders;

/// <summary>Seeding and assertions shared by the order tests; every member and product goes through its grain.</summary>
internal static class OrderTestKit
{
    public const string PaymentSecret = "order-tests-secret";

    /// <summary>
    /// A silo whose order sagas report durable steps to <paramref name="signals"/>. The manual clock is the grains'
    /// only: moving it by days leaves Orleans' own timeouts alone.
    /// </summary>
    public static Task<GrainsSilo> StartAsync(SagaSignals signals, string? databasePath = null, FakeTimeProvider? time = null) =>
        GrainsSilo.StartAsync(databasePath, time, b =>
        {
            b.Services.Replace(ServiceDescriptor.Singleton<IOrderSagaObserver>(signals));
            b.Services.Configure<PaymentOptions>(o => o.Secret = PaymentSecret);
        });

    public static async Task<IMemberGrain> MemberAsync(GrainsSilo silo, string memberId, long points)
    {
        var member = silo.Grain<IMemberGrain>(memberId);
        var registered = await member.RegisterAsync(new RegisterMember(null, $"{memberId}@example.com", "password-123", memberId));
        Assert.True(registered.Succeeded, registered.Refusal?.ToString());

        // Physical goods ship to an address: every shopper here has one, "addr-1", the one Points() names.
        var addressed = await member.SaveAddressAsync(new SaveAddress(AddressId, "张三", "13800000000", "广东省 深圳市 南山区", "科技园 1 号", IsDefault: true));
        Assert.True(addressed.Succeeded, addressed.Refusal?.ToString());
        if (points > 0)
        {
            var granted = await member.AdjustAsync(new AdjustPoints("seed", points, "test seed"));
            Assert.True(granted.Succeeded, granted.Refusal?.ToString());
        }

        return member;
    }

    public static Product Product(
        string id,
        long points = 100,
        long cashFen = 0,
        ProductCategory category = ProductCategory.Physical,
        int? perMemberLimit = null,
        Tier? requiredTier = null) =>
        new(id, "Product " + id, "Brand", "spec", "model", "colour", ImmutableArray<string>.Empty, "", category,
            new Price(points, cashFen), perMemberLimit, requiredTier, null, null, true, null);

    public static async Task<IProductGrain> ProductAsync(GrainsSilo silo, Product product, long stock)
    {
        var grain = silo.Grain<IProductGrain>(product.Id);
        var created = await grain.CreateAsync(new CreateProduct(product, stock, 0));
        Assert.True(created.Succeeded, created.Refusal?.ToString());
        return grain;
    }

    /// <summary>The address every member made by <see cref="MemberAsync"/> has.</summary>
    public const string AddressId = "addr-1";

    public static PlaceOrder Points(string memberId, string productId, int quantity = 1) =>
        new(memberId, productId, quantity, "points", AddressId);

    public static async Task<long> BalanceAsync(IMemberGrain member)
    {
        var audit = await member.AuditAsync();
        Assert.True(audit.Reconciles, $"points do not reconcile: {audit}");
        return audit.Balance;
    }

    public static async Task<IReadOnlyList<LedgerEntryView>> LedgerAsync(IMemberGrain member, string operationId)
    {
        var page = await member.GetLedgerAsync(1, 500);
        return [.. page.Entries.Where(e => e.OperationId == operationId)];
    }

    /// <summary>The member's order ids, newest first, as the member's order list (the order index) has them.</summary>
    public static async Task<IReadOnlyList<string>> OrderIdsAsync(GrainsSilo silo, string memberId, string? status = null, int page = 1, int pageSize = 10)
        => [.. (await silo.Grain<IMemberOrdersGrain>(memberId).ListAsync(status, page, pageSize)).Items.Select(o => o.Id)];

    public static async Task<ProductView> StockAsync(IProductGrain product)
    {
        var view = await product.GetAsync();
        Assert.NotNull(view);
        Assert.True(view.Available >= 0 && view.Reserved >= 0 && view.Committed >= 0, $"negative stock: {view}");
        Assert.Equal(view.Total, view.Available + view.Reserved + view.Committed);
        return view;
    }
}

/// <summary>
/// Records every durable saga step and lets a test wait for one: the signal that a reminder-driven step (which
/// runs on its own after <see cref="FakeTimeProvider.Advance"/>) has happened, without sleeping.
/// </summary>
internal sealed class SagaSignals : IOrderSagaObserver
{
    private readonly Lock _lock = new();
    private readonly List<(string OrderId, SagaStep Step)> _seen = [];
    private readonly List<(string OrderId, Func<SagaStep, bool> Match, TaskCompletionSource<SagaStep> Done)> _waiting = [];

    public void OnStepDurable(string orderId, SagaStep recorded)
    {
        List<(TaskCompletionSource<SagaStep> Done, SagaStep Step)> fire = [];
        lock (_lock)
        {
            _seen.Add((orderId, recorded));
            foreach (var waiter in _waiting.Where(w => w.OrderId == orderId && w.Match(recorded)).ToList())
            {
                _waiting.Remove(waiter);
                fire.Add((waiter.Done, recorded));
            }
        }

        foreach (var (done, step) in fire)
        {
            done.TrySetResult(step);
        }
    }

    /// <summary>Completes when the order has durably recorded a step matching <paramref name="match"/> (now or earlier).</summary>
    public Task<SagaStep> WaitForAsync(string orderId, Func<SagaStep, bool> match)
    {
        lock (_lock)
        {
            foreach (var (id, step) in _seen)
            {
                if (id == orderId && match(step))
                {
                    return Task.FromResult(step);
                }
            }

            var done = new TaskCompletionSource<SagaStep>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting.Add((orderId, match, done));

            // A guard against a hang, not a wait: the step normally arrives within milliseconds.
            return done.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
    }

    public Task<SagaStep> WaitForAsync(string orderId, SagaStep step) => WaitForAsync(orderId, s => s == step);
}
