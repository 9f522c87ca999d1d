using System.Collections.Immutable;
using PointsMall.Contracts.Catalog;
using PointsMall.GroupCommit;
using PointsMall.GroupCommit.Outbox;

namespace PointsMall.Grains.Catalog;

public sealed record LowStockAlertsState
{
    public ImmutableDictionary<string, LowStockRaised> Open { get; init; } = ImmutableDictionary<string, LowStockRaised>.Empty;
}

/// <summary>
/// Open low-stock alerts, one per product, fed by the <c>stock</c> stream. Raise is an upsert and clear a
/// removal, so at-least-once, in-order redelivery converges to the same set.
/// </summary>
[GrainType("low-stock-alerts")]
public sealed class LowStockAlertsGrain([PipelinedState("state", GrainStorage.Name)] IPipelinedState<LowStockAlertsState> state) : MallGrain, ILowStockAlertsGrain
{
    public Task<IReadOnlyList<LowStockRaised>> ListAsync()
        => Task.FromResult<IReadOnlyList<LowStockRaised>>(
            state.State.Open.Values.OrderByDescending(a => a.At).ThenBy(a => a.ProductId, StringComparer.Ordinal).ToList());

    public Task RaiseAsync(LowStockRaised alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        ArgumentException.ThrowIfNullOrWhiteSpace(alert.ProductId);
        var open = state.State.Open;
        if (open.TryGetValue(alert.ProductId, out var existing) && existing == alert)
        {
            return Task.CompletedTask;
        }

        state.State = state.State with { Open = open.SetItem(alert.ProductId, alert) };
        if (existing is null)
        {
            Publish(new StreamId(CatalogStreams.AlertsStream, CatalogKeys.All), new LowStockAlertsChanged(alert.ProductId, true, alert.At));
        }

        return Task.CompletedTask;
    }

    public Task ClearAsync(string productId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(productId);
        if (state.State.Open.TryGetValue(productId, out var existing))
        {
            state.State = state.State with { Open = state.State.Open.Remove(productId) };
            Publish(new StreamId(CatalogStreams.AlertsStream, CatalogKeys.All), new LowStockAlertsChanged(productId, false, existing.At));
        }

        return Task.CompletedTask;
    }
}
