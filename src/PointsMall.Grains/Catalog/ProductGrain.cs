using Microsoft.Extensions.DependencyInjection;
using Orleans.Concurrency;
using PointsMall.Contracts.Catalog;
using PointsMall.Contracts.Common;
using PointsMall.Domain.Catalog;
using PointsMall.Domain.Common;
using PointsMall.Domain.Stock;
using PointsMall.GroupCommit;
using PointsMall.GroupCommit.Outbox;

namespace PointsMall.Grains.Catalog;

/// <summary>A product's details and its stock unit; both null until the product is created.</summary>
public sealed record ProductState
{
    public Product? Product { get; init; }

    public StockUnit? Stock { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>
/// One product and its stock. Every turn here is pure in-memory work (no grain calls, no explicit writes):
/// this is the grain a flash drop hammers, and it only keeps serving its queue while its previous change is
/// being committed if none of its turns wait on anything. Events go out through the outbox with the state.
/// </summary>
[Reentrant]
[GrainType("product")]
public sealed partial class ProductGrain([PipelinedState("state", GrainStorage.Name)] IPipelinedState<ProductState> state, [FromKeyedServices(GrainClock.Key)] TimeProvider time) : MallGrain, IProductGrain
{
    public Task<ReservationResult> ReserveAsync(ReserveStock command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (state.State is not { Product: { } product, Stock: { } stock })
        {
            return Task.FromResult(RefusedReservation(0, RefusalCode.NotFound, "no_product"));
        }

        if (string.IsNullOrWhiteSpace(command.OrderId) || string.IsNullOrWhiteSpace(command.MemberId) || command.Quantity <= 0)
        {
            return Task.FromResult(RefusedReservation(stock.Available, RefusalCode.ValidationFailed, "reservation needs an order id, a member id and a positive quantity"));
        }

        var now = time.GetUtcNow();

        // A retry of an order this unit already knows is answered from its line (replay, or conflict for a
        // released or reused id) even if the product has gone off sale since the first attempt.
        // Refused or not, the order has now reached this product: it is marked seen (see AdmitAsync).
        if (!stock.Lines.ContainsKey(command.OrderId) && product.CheckRedeemable(command.MemberTier, command.Quantity, now) is { } refusal)
        {
            KeepSeen(stock, stock.Saw(command.OrderId));
            return Task.FromResult(new ReservationResult(null, stock.Available, false, Problem.From(refusal)));
        }

        var outcome = stock.Reserve(command.OrderId, command.MemberId, command.Quantity, now, command.Final, command.PlacedAt);
        if (outcome.Refusal is { } stockRefusal)
        {
            KeepSeen(stock, outcome.Unit);
            return Task.FromResult(new ReservationResult(null, stock.Available, false, Problem.From(stockRefusal)));
        }

        if (!outcome.Replayed)
        {
            ApplyStockChange(product, stock, outcome, now);
        }

        // A replay answers with the current details: the first reply carried the snapshot, and a caller that
        // lost it has charged nothing yet, so the price it now sees is the one it will charge.
        // The product as reserved is the order's price: the one of when the order was placed (a discount included), so a
        // retried reservation after a discount ended still charges what was offered.
        var priced = product with { Price = product.PriceAt(command.PlacedAt ?? now) };
        return Task.FromResult(new ReservationResult(priced, outcome.Unit.Available, outcome.Replayed, null));
    }

    /// <summary>
    /// What a drop answers once it has sold out: a read of the stock, no change and no write. The reply still waits
    /// for whatever write is in flight (a read here never reveals state that is not durable), but a sold-out product
    /// has none.
    /// </summary>
    public Task<AdmissionResult> AdmitAsync(AdmitOrder command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (state.State.Stock is not { } stock)
        {
            return Task.FromResult(new AdmissionResult(0, new Problem(RefusalCodes.Name(RefusalCode.NotFound), "no_product")));
        }

        if (string.IsNullOrWhiteSpace(command.OrderId) || command.Quantity <= 0)
        {
            return Task.FromResult(new AdmissionResult(stock.Available, new Problem(RefusalCodes.Name(RefusalCode.ValidationFailed), "admission needs an order id and a positive quantity")));
        }

        return Task.FromResult(new AdmissionResult(stock.Available, stock.Admit(command.OrderId, command.Quantity) is { } refusal ? Problem.From(refusal) : null));
    }

    public Task<StockResult> CommitAsync(string orderId) => StockStepAsync(orderId, (stock, now) => stock.Commit(orderId, now));

    public Task<StockResult> ReleaseAsync(ReleaseStock command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return StockStepAsync(command.OrderId, (stock, now) => stock.Release(command.OrderId, now, command.Settled, command.WriteOff));
    }

    public Task<StockResult> ForgetAsync(string orderId) => StockStepAsync(orderId, (stock, now) => stock.Forget(orderId, now));

    /// <summary>An order's commit, release or forget: found product, an order id, the step, the outcome applied.</summary>
    private Task<StockResult> StockStepAsync(string orderId, Func<StockUnit, DateTimeOffset, StockOutcome> step)
    {
        if (state.State is not { Product: { } product, Stock: { } stock })
        {
            return Task.FromResult(new StockResult(0, false, new Problem(RefusalCodes.Name(RefusalCode.NotFound), "no_product")));
        }

        if (string.IsNullOrWhiteSpace(orderId))
        {
            return Task.FromResult(new StockResult(stock.Available, false, new Problem(RefusalCodes.Name(RefusalCode.ValidationFailed), "order id is required")));
        }

        var now = time.GetUtcNow();
        return Task.FromResult(FinishStockChange(product, stock, step(stock, now), now));
    }

    private StockResult FinishStockChange(Product product, StockUnit before, StockOutcome outcome, DateTimeOffset now)
    {
        if (outcome.Refusal is { } refusal)
        {
            return new StockResult(before.Available, false, Problem.From(refusal));
        }

        if (!outcome.Replayed)
        {
            ApplyStockChange(product, before, outcome, now);
        }

        return new StockResult(outcome.Unit.Available, outcome.Replayed, null);
    }

    /// <summary>
    /// A reservation-path change. Publishes only on threshold crossings and band changes (low, out, back in
    /// stock), never per reservation: the catalogue index must not become the hottest grain of a drop.
    /// </summary>
    private void ApplyStockChange(Product product, StockUnit before, StockOutcome outcome, DateTimeOffset now)
    {
        state.State = state.State with { Stock = outcome.Unit };
        PublishStockEvents(before, outcome, now);
        if (StockBands.Of(before) != StockBands.Of(outcome.Unit))
        {
            state.State = state.State with { UpdatedAt = now };
            Publish(new StreamId(CatalogKeys.ProductStream, GrainKey), new ProductChanged(StockBands.Summary(product, outcome.Unit, now)));
        }
    }

    private void PublishStockEvents(StockUnit before, StockOutcome outcome, DateTimeOffset now)
    {
        var stream = new StreamId(CatalogKeys.StockStream, GrainKey);
        if (outcome.Alert is { } alert)
        {
            Publish(stream, new LowStockRaised(alert.ProductId, alert.Available, alert.Threshold, alert.At));
        }
        else if (before.LowStockAlerted && !outcome.Unit.LowStockAlerted)
        {
            // The domain re-arms the alert when stock rises above the threshold; the open alert is cleared by
            // the alerts subscription from this event, not by a call from this (possibly hot) grain.
            Publish(stream, new LowStockCleared(GrainKey, outcome.Unit.Available, outcome.Unit.LowStockThreshold, now));
        }
    }

    /// <summary>A refused reservation changes only the seen-orders filter, and only for an order not seen before.</summary>
    private void KeepSeen(StockUnit before, StockUnit marked)
    {
        if (!ReferenceEquals(before, marked))
        {
            state.State = state.State with { Stock = marked };
        }
    }

    private void Apply(Product product, StockUnit stock, DateTimeOffset now)
        => state.State = state.State with { Product = product, Stock = stock, UpdatedAt = now };

    private void PublishChanged()
    {
        var current = state.State;
        Publish(new StreamId(CatalogKeys.ProductStream, GrainKey), new ProductChanged(StockBands.Summary(current.Product!, current.Stock!, current.UpdatedAt)));
    }

    private ProductView? View()
        => state.State is { Product: { } product, Stock: { } stock }
            ? new ProductView(product, stock.Total, stock.Available, stock.Reserved, stock.Committed, stock.LowStockThreshold, stock.OnShelf, state.State.UpdatedAt)
            : null;

    private Task<ProductResult> Succeeded() => Task.FromResult(new ProductResult(View(), null));

    private Task<ProductResult> Refused(RefusalCode code, string detail)
        => Task.FromResult(new ProductResult(View(), new Problem(RefusalCodes.Name(code), detail)));

    private static ReservationResult RefusedReservation(long available, RefusalCode code, string detail)
        => new(null, available, false, new Problem(RefusalCodes.Name(code), detail));
}
