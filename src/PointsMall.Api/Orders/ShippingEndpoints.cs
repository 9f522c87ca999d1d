using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using PointsMall.Api.Auth;
using PointsMall.Api.Infrastructure;
using PointsMall.Api.Operators;
using PointsMall.Api.Orders.Logistics;
using PointsMall.Contracts.Members;
using PointsMall.Contracts.Orders;
using PointsMall.Domain.Operators;

namespace PointsMall.Api.Orders;

/// <summary>
/// Where a physical order goes and where it is: the member moves an unshipped order to another of its addresses and
/// follows its parcel; operators follow it too and choose from the logistics provider's carriers.
/// </summary>
public static class ShippingEndpoints
{
    public static IEndpointRouteBuilder MapShipping(this IEndpointRouteBuilder routes)
    {
        var member = routes.MapGroup("/orders/{id}").WithTags("Orders").RequireAuthorization(ApiSetup.MemberPolicy);
        member.MapPost("/address", ChangeAddressAsync).WithName("ChangeOrderAddress")
            .WithSummary("Sends one of the member's unshipped physical orders to another address from its address book.")
            .ProducesProblemCodes(ApiProblems.ValidationFailed, ApiProblems.NotFoundCode, ApiProblems.Conflict);
        member.MapGet("/tracking", TrackAsync).WithName("GetOrderTracking")
            .WithSummary("The parcel's tracking events from the logistics provider, oldest first.")
            .ProducesProblemCodes(ApiProblems.NotFoundCode, ApiProblems.Conflict);

        var admin = routes.MapGroup("/admin").WithTags("Orders admin").RequireAuthorization(ApiSetup.AdminPolicy);
        admin.MapGet("/orders/{id}/tracking", AdminTrackAsync).WithName("AdminGetOrderTracking")
            .WithSummary("An order's parcel tracking, as its member sees it.")
            .ProducesProblemCodes(ApiProblems.NotFoundCode, ApiProblems.Conflict);
        admin.MapGet("/carriers", (ILogisticsProvider logistics) => TypedResults.Ok(logistics.Carriers)).RequirePermission(Permission.OrdersWrite)
            .WithName("GetCarriers").WithSummary("The carriers the logistics provider tracks (the ship form's choices; any other name is accepted, untracked).");
        return routes;
    }

    private static async Task<Results<Ok<OrderDto>, ProblemHttpResult>> ChangeAddressAsync(string id, ChangeAddressRequest request, ClaimsPrincipal user, IGrainFactory grains)
    {
        if (!OrdersEndpoints.IsPlausibleOrderId(id))
        {
            return ApiProblems.NotFound("The order");
        }

        // The order keeps a copy of the address as it is now, so a later edit of the address book moves no parcel.
        var memberId = user.MemberId();
        var address = (await grains.GetGrain<IMemberGrain>(memberId).GetAsync())?.Addresses.FirstOrDefault(a => a.Id == request.AddressId);
        if (address is null)
        {
            return ApiProblems.Validation(new Dictionary<string, string[]> { ["addressId"] = ["addressId is not one of your addresses."] });
        }

        return OrdersEndpoints.Answer(await grains.GetGrain<IOrderGrain>(id).ChangeAddressAsync(new ChangeOrderAddress(memberId, ShippingAddressView.Of(address))));
    }

    private static async Task<Results<Ok<TrackingDto>, ProblemHttpResult>> TrackAsync(
        string id, ClaimsPrincipal user, IGrainFactory grains, ILogisticsProvider logistics, CancellationToken cancellationToken)
    {
        var order = await OrdersEndpoints.FindAsync(grains, id);

        // Another member's order is answered exactly like a missing one.
        return order is null || order.MemberId != user.MemberId() ? ApiProblems.NotFound("The order") : await TrackingOfAsync(order, logistics, cancellationToken);
    }

    private static async Task<Results<Ok<TrackingDto>, ProblemHttpResult>> AdminTrackAsync(
        string id, IGrainFactory grains, ILogisticsProvider logistics, CancellationToken cancellationToken)
        => await OrdersEndpoints.FindAsync(grains, id) is { } order ? await TrackingOfAsync(order, logistics, cancellationToken) : ApiProblems.NotFound("The order");

    private static async Task<Results<Ok<TrackingDto>, ProblemHttpResult>> TrackingOfAsync(OrderView order, ILogisticsProvider logistics, CancellationToken cancellationToken)
    {
        var shippedAt = order.History.LastOrDefault(s => s.Step == "Shipped")?.At;
        if (order.Carrier is not { } carrier || order.TrackingNumber is not { } number || shippedAt is not { } at)
        {
            return ApiProblems.Of(ApiProblems.Conflict, "not_shipped");
        }

        var tracking = await logistics.TrackAsync(new TrackingQuery(carrier, number, at, order.ShippingAddress?.Region), cancellationToken);
        return TypedResults.Ok(tracking is null
            ? new TrackingDto(order.Id, carrier, number, Tracked: false, "untracked", Delivered: false, [])
            : new TrackingDto(order.Id, tracking.Carrier, number, Tracked: true, tracking.Status, tracking.Delivered, tracking.Events));
    }
}

/// <summary>The address to send the order to: the id of one of the member's addresses.</summary>
public sealed record ChangeAddressRequest([property: System.ComponentModel.DataAnnotations.Required, Token] string? AddressId);

/// <summary>
/// A parcel's tracking. <c>tracked</c> is false when the order shipped with a carrier the logistics provider does
/// not serve: then there are no events, only the carrier and number to look up elsewhere.
/// </summary>
public sealed record TrackingDto(string OrderId, string Carrier, string TrackingNumber, bool Tracked, string Status, bool Delivered, IReadOnlyList<TrackingEvent> Events);
