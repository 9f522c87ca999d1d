namespace PointsMall.Api.Orders.Logistics;

/// <summary>A carrier an operator can ship with: its code (what orders record) and its name.</summary>
public sealed record Carrier(string Code, string Name);

/// <summary>One thing that happened to a parcel, as the carrier reports it.</summary>
public sealed record TrackingEvent(DateTimeOffset At, string Status, string Location, string Description);

/// <summary>What a carrier knows of a parcel: its events, oldest first, and the status of the latest.</summary>
public sealed record Tracking(string Carrier, string TrackingNumber, string Status, bool Delivered, IReadOnlyList<TrackingEvent> Events);

/// <summary>The parcel to look up: its carrier and number, when it was handed over, and where it goes.</summary>
public sealed record TrackingQuery(string Carrier, string TrackingNumber, DateTimeOffset ShippedAt, string? DestinationRegion);

/// <summary>
/// A logistics provider (快递查询): the carriers it serves and the tracking of a parcel. A real provider calls the
/// carrier's or an aggregator's API; <see cref="SandboxCarrier"/> answers from the tracking number and the clock.
/// </summary>
public interface ILogisticsProvider
{
    IReadOnlyList<Carrier> Carriers { get; }

    /// <summary>The parcel's tracking; null when the provider does not know this carrier.</summary>
    Task<Tracking?> TrackAsync(TrackingQuery query, CancellationToken cancellationToken);
}
