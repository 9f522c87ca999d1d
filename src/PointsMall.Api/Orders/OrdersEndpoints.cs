using System.Globalization;
using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using PointsMall.Api.Auth;
using PointsMall.Api.Catalog;
using PointsMall.Api.Infrastructure;
using PointsMall.Contracts.Common;
using PointsMall.Contracts.Members;
using PointsMall.Contracts.Orders;
using PointsMall.Domain.Orders;
using PointsMall.Payments;

namespace PointsMall.Api.Orders;

public sealed record RedemptionRequest(string? ProductId, int? Quantity, string? Payment, string? AddressId);

/// <summary>An order as its member (or an operator) sees it. <c>orderId</c> repeats <c>id</c> for redemption clients.</summary>
public sealed record OrderDto(
    string Id,
    string OrderId,
    string MemberId,
    string ProductId,
    string ProductName,
    int Quantity,
    long Points,
    decimal Cash,
    long CashFen,
    string Payment,
    string Status,
    string Step,
    DateTimeOffset PlacedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? PaymentDeadline,
    string? PaymentReference,
    string? PayUrl,
    string? Carrier,
    string? TrackingNumber,
    string? Code,
    string? CancelReason,
    bool IsPrize,
    ShippingAddressView? ShippingAddress,
    IReadOnlyList<OrderStepView> History);

public sealed record OrderListItemDto(
    string Id,
    string MemberId,
    string ProductId,
    string ProductName,
    int Quantity,
    long Points,
    long CashFen,
    string Status,
    DateTimeOffset PlacedAt,
    DateTimeOffset UpdatedAt);

public sealed record CancelRequest(string? Reason);

public sealed record ShipRequest(string? Carrier, string? TrackingNumber);

public sealed record PaymentSessionDto(string OrderId, string PaymentReference, string PayUrl, long AmountFen, decimal Amount, DateTimeOffset? ExpiresAt);

/// <summary>The sandbox provider's notification, as it posts it to <c>/payments/callback</c>.</summary>
public sealed record PaymentCallbackRequest(string? OrderId, string? PaymentReference, long? AmountFen, DateTimeOffset? PaidAt, string? Signature);

public sealed record PaymentCallbackResponse(string OrderId, string Status);

public static class OrdersEndpoints
{
    private const string Operation = "redemption";

    public static IEndpointRouteBuilder MapRedemptions(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/redemptions", RedeemAsync)
            .WithTags("Orders")
            .RequireAuthorization(ApiSetup.MemberPolicy)
            .RequireShopperRateLimit(RateLimits.Redemptions);

        var member = routes.MapGroup("").WithTags("Orders").RequireAuthorization(ApiSetup.MemberPolicy);
        member.MapGet("/me/orders", MyOrdersAsync);
        member.MapGet("/orders/{id}", GetAsync);
        member.MapPost("/orders/{id}/cancel", CancelAsync);
        member.MapPost("/orders/{id}/confirm-receipt", ConfirmReceiptAsync);
        member.MapPost("/orders/{id}/payment", StartPaymentAsync);

        // The provider side: its callback carries its own signature, and the sandbox pay page stands in for the provider's.
        var payments = routes.MapGroup("").WithTags("Payments").AllowAnonymous();
        payments.MapPost("/payments/callback", CallbackAsync);
        payments.MapGet("/sandbox/pay", SandboxPageAsync);
        payments.MapPost("/sandbox/pay", SandboxPayAsync);

        var admin = routes.MapGroup("/admin/orders").WithTags("Orders admin").RequireAuthorization(ApiSetup.AdminPolicy);
        admin.MapGet("/", AdminListAsync);
        admin.MapGet("/{id}", AdminGetAsync);
        admin.MapPost("/{id}/ship", ShipAsync);
        admin.MapPost("/{id}/cancel", AdminCancelAsync);
        return routes;
    }

    // ---- members ----

    private static async Task<Results<Created<OrderDto>, ProblemHttpResult>> RedeemAsync(
        RedemptionRequest? request, HttpRequest http, ClaimsPrincipal user, IGrainFactory grains, ApiMetrics metrics, SoldOutHints soldOut)
    {
        var errors = new Dictionary<string, string[]>();
        if (!IdempotencyKeys.TryRead(http, out var key, out _))
        {
            errors[IdempotencyKeys.Header] = [IdempotencyKeys.Rule];
        }

        if (request is null)
        {
            errors["body"] = ["A JSON body is required."];
        }
        else
        {
            if (!CatalogEndpoints.IsPlausibleId(request.ProductId))
            {
                errors["productId"] = ["productId is required (at most 64 printable characters)."];
            }

            if (request.Quantity is < 1 or > 99)
            {
                errors["quantity"] = ["quantity is 1 to 99."];
            }

            if (request.Payment is not (null or "points" or "points_cash"))
            {
                errors["payment"] = ["payment is points or points_cash."];
            }

            if (request.AddressId is not null && !CatalogEndpoints.IsPlausibleId(request.AddressId))
            {
                errors["addressId"] = ["addressId is at most 64 printable characters."];
            }
        }

        if (errors.Count > 0)
        {
            metrics.Refused(Operation, "validation_failed");
            return ApiProblems.Validation(errors);
        }

        var memberId = user.MemberId();
        if (request!.AddressId is { } addressId
            && (await grains.GetGrain<IMemberGrain>(memberId).GetAsync())?.Addresses.Any(a => a.Id == addressId) != true)
        {
            metrics.Refused(Operation, "validation_failed");
            return ApiProblems.Validation(new Dictionary<string, string[]> { ["addressId"] = ["addressId is not one of your addresses."] });
        }

        var orderId = OrderIds.For(memberId, key);
        var command = new PlaceOrder(memberId, request.ProductId!, request.Quantity ?? 1, request.Payment ?? "points", request.AddressId);

        // Most requests of a drop arrive after it has sold out: those are answered by the product alone.
        if (await soldOut.AdmitAsync(grains, command.ProductId, orderId, command.Quantity) is { } notAdmitted)
        {
            metrics.Refused(Operation, notAdmitted.Code);
            return Problem(notAdmitted, null);
        }

        var result = await grains.GetGrain<IOrderGrain>(orderId).PlaceAsync(command);
        soldOut.Saw(command.ProductId, result.Refusal);
        if (result.Refusal is { } refusal)
        {
            metrics.Refused(Operation, refusal.Code);
            return Problem(refusal, result.Order);
        }

        metrics.Redeemed(command.Payment);
        return TypedResults.Created($"/api/v1/orders/{orderId}", ToDto(result.Order!, command.Payment));
    }

    private static async Task<Results<Ok<PageDto<OrderDto>>, ProblemHttpResult>> MyOrdersAsync(
        ClaimsPrincipal user, IGrainFactory grains, string? status, int? page, int? pageSize)
    {
        if (ValidatePaging(status, page, pageSize) is { } invalid)
        {
            return invalid;
        }

        // The list comes from the order index (current with every order); the page's orders are read in full.
        var list = await grains.GetGrain<IMemberOrdersGrain>(user.MemberId()).ListAsync(status, page ?? 1, pageSize ?? 20);
        var views = await Task.WhenAll(list.Items.Select(o => grains.GetGrain<IOrderGrain>(o.Id).GetAsync()));
        return TypedResults.Ok(new PageDto<OrderDto>([.. views.OfType<OrderView>().Select(v => ToDto(v))], list.Page, list.PageSize, list.Total));
    }

    private static async Task<Results<Ok<OrderDto>, ProblemHttpResult>> GetAsync(string id, ClaimsPrincipal user, IGrainFactory grains)
    {
        var view = await FindAsync(grains, id);

        // Another member's order is answered exactly like a missing one.
        return view is null || view.MemberId != user.MemberId() ? ApiProblems.NotFound("The order") : TypedResults.Ok(ToDto(view));
    }

    private static async Task<Results<Ok<OrderDto>, ProblemHttpResult>> CancelAsync(string id, CancelRequest? request, ClaimsPrincipal user, IGrainFactory grains)
    {
        if (request?.Reason is { Length: > 200 })
        {
            return ApiProblems.Validation(new Dictionary<string, string[]> { ["reason"] = ["reason is at most 200 characters."] });
        }

        if (!IsPlausibleOrderId(id))
        {
            return ApiProblems.NotFound("The order");
        }

        var result = await grains.GetGrain<IOrderGrain>(id).CancelAsync(new CancelOrder(user.MemberId(), request?.Reason ?? ""));
        return Answer(result);
    }

    private static async Task<Results<Ok<OrderDto>, ProblemHttpResult>> ConfirmReceiptAsync(string id, ClaimsPrincipal user, IGrainFactory grains)
    {
        if (!IsPlausibleOrderId(id))
        {
            return ApiProblems.NotFound("The order");
        }

        return Answer(await grains.GetGrain<IOrderGrain>(id).ConfirmReceiptAsync(user.MemberId()));
    }

    private static async Task<Results<Ok<PaymentSessionDto>, ProblemHttpResult>> StartPaymentAsync(string id, ClaimsPrincipal user, IGrainFactory grains)
    {
        if (!IsPlausibleOrderId(id))
        {
            return ApiProblems.NotFound("The order");
        }

        var result = await grains.GetGrain<IOrderGrain>(id).StartPaymentAsync(user.MemberId());
        if (result.Refusal is { } refusal)
        {
            return Problem(refusal, result.Order);
        }

        var order = result.Order!;
        return TypedResults.Ok(new PaymentSessionDto(order.Id, order.PaymentReference!, order.PayUrl!, order.CashFen,
            CatalogEndpoints.Yuan(order.CashFen), order.PaymentDeadline));
    }

    // ---- payments ----

    private static async Task<Results<Ok<PaymentCallbackResponse>, ProblemHttpResult>> CallbackAsync(
        PaymentCallbackRequest? request, IPaymentProvider provider, IGrainFactory grains)
    {
        if (request is not { OrderId: { } orderId, PaymentReference: { } reference, AmountFen: { } amount, PaidAt: { } paidAt, Signature: { } signature }
            || !IsPlausibleOrderId(orderId) || reference.Length > 100 || signature.Length > 200)
        {
            return ApiProblems.Validation(new Dictionary<string, string[]>
            {
                ["body"] = ["orderId, paymentReference, amountFen, paidAt and signature are required."],
            });
        }

        var callback = new PaymentCallback(orderId, reference, amount, paidAt, signature);
        if (!provider.VerifyCallback(callback))
        {
            return ApiProblems.Of("unauthorized", "The payment callback's signature does not verify.");
        }

        return await ConfirmAsync(grains, callback);
    }

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> SandboxPageAsync(string? order, string? @ref, IGrainFactory grains)
    {
        var view = await SandboxOrderAsync(grains, order, @ref);
        if (view is null)
        {
            return ApiProblems.NotFound("The payment");
        }

        var amount = CatalogEndpoints.Yuan(view.CashFen).ToString("0.00", CultureInfo.InvariantCulture);
        var action = $"/api/v1/sandbox/pay?order={Uri.EscapeDataString(view.Id)}&ref={Uri.EscapeDataString(@ref!)}";
        var html = $$"""
            <!doctype html>
            <html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>沙箱支付 Sandbox payment</title>
            <style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}button{font-size:1.1rem;padding:.6rem 1.4rem}</style>
            </head><body>
            <h1>沙箱支付 · Sandbox payment</h1>
            <p>订单 Order: <code>{{WebUtility.HtmlEncode(view.Id)}}</code><br>商品 Product: {{WebUtility.HtmlEncode(view.ProductName)}}<br>
            金额 Amount: <strong>¥{{amount}}</strong><br>状态 Status: {{WebUtility.HtmlEncode(view.Status)}}</p>
            <form method="post" action="{{WebUtility.HtmlEncode(action)}}"><button type="submit">确认支付 Pay ¥{{amount}}</button></form>
            <p><small>This page stands in for a payment provider: paying sends the provider's signed callback.</small></p>
            </body></html>
            """;
        return TypedResults.Content(html, "text/html; charset=utf-8");
    }

    /// <summary>What the sandbox provider does when the member pays: it signs a callback with its key and delivers it.</summary>
    private static async Task<Results<Ok<PaymentCallbackResponse>, ProblemHttpResult>> SandboxPayAsync(
        string? order, string? @ref, IGrainFactory grains, SandboxPaymentProvider sandbox, IPaymentProvider provider, TimeProvider time)
    {
        var view = await SandboxOrderAsync(grains, order, @ref);
        if (view is null)
        {
            return ApiProblems.NotFound("The payment");
        }

        var callback = sandbox.SignCallback(view.Id, view.CashFen, time.GetUtcNow());
        return provider.VerifyCallback(callback)
            ? await ConfirmAsync(grains, callback)
            : ApiProblems.Of("conflict", "The sandbox provider is not the configured payment provider.");
    }

    private static async Task<OrderView?> SandboxOrderAsync(IGrainFactory grains, string? orderId, string? reference)
    {
        if (reference is null || reference.Length > 100)
        {
            return null;
        }

        var view = await FindAsync(grains, orderId);
        return view is not null && view.PaymentReference == reference ? view : null;
    }

    private static async Task<Results<Ok<PaymentCallbackResponse>, ProblemHttpResult>> ConfirmAsync(IGrainFactory grains, PaymentCallback callback)
    {
        var result = await grains.GetGrain<IOrderGrain>(callback.OrderId).ConfirmPaymentAsync(new ConfirmPayment(callback.PaymentReference, callback.AmountFen));
        if (result.Refusal is { } refusal)
        {
            return Problem(refusal, result.Order);
        }

        return TypedResults.Ok(new PaymentCallbackResponse(callback.OrderId, result.Order!.Status));
    }

    // ---- operators ----

    private static async Task<Results<Ok<PageDto<OrderListItemDto>>, ProblemHttpResult>> AdminListAsync(
        IGrainFactory grains, string? status, string? memberId, int? page, int? pageSize)
    {
        if (ValidatePaging(status, page, pageSize) is { } invalid)
        {
            return invalid;
        }

        if (memberId is { Length: > 64 })
        {
            return ApiProblems.Validation(new Dictionary<string, string[]> { ["memberId"] = ["memberId is at most 64 characters."] });
        }

        var board = await grains.GetGrain<IOrderBoardGrain>(OrderKeys.Board).ListAsync(status, memberId, page ?? 1, pageSize ?? 20);
        var items = board.Items.Select(o => new OrderListItemDto(o.Id, o.MemberId, o.ProductId, o.ProductName, o.Quantity, o.Points, o.CashFen,
            o.Status, o.PlacedAt, o.UpdatedAt)).ToList();
        return TypedResults.Ok(new PageDto<OrderListItemDto>(items, board.Page, board.PageSize, board.Total));
    }

    private static async Task<Results<Ok<OrderDto>, ProblemHttpResult>> AdminGetAsync(string id, IGrainFactory grains)
    {
        var view = await FindAsync(grains, id);
        return view is null ? ApiProblems.NotFound("The order") : TypedResults.Ok(ToDto(view));
    }

    private static async Task<Results<Ok<OrderDto>, ProblemHttpResult>> ShipAsync(string id, ShipRequest? request, IGrainFactory grains)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request?.Carrier) || request.Carrier.Length > 50)
        {
            errors["carrier"] = ["carrier is required (at most 50 characters)."];
        }

        if (string.IsNullOrWhiteSpace(request?.TrackingNumber) || request.TrackingNumber.Length > 50)
        {
            errors["trackingNumber"] = ["trackingNumber is required (at most 50 characters)."];
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Validation(errors);
        }

        if (!IsPlausibleOrderId(id))
        {
            return ApiProblems.NotFound("The order");
        }

        return Answer(await grains.GetGrain<IOrderGrain>(id).ShipAsync(new ShipOrder(request!.Carrier!, request.TrackingNumber!)));
    }

    private static async Task<Results<Ok<OrderDto>, ProblemHttpResult>> AdminCancelAsync(string id, CancelRequest? request, IGrainFactory grains)
    {
        if (request?.Reason is { Length: > 200 })
        {
            return ApiProblems.Validation(new Dictionary<string, string[]> { ["reason"] = ["reason is at most 200 characters."] });
        }

        if (!IsPlausibleOrderId(id))
        {
            return ApiProblems.NotFound("The order");
        }

        return Answer(await grains.GetGrain<IOrderGrain>(id).CancelAsync(new CancelOrder(null, request?.Reason ?? "")));
    }

    // ---- helpers ----

    private static ProblemHttpResult? ValidatePaging(string? status, int? page, int? pageSize)
    {
        var errors = new Dictionary<string, string[]>();
        if (status is not null && (!Enum.TryParse<OrderStatus>(status, ignoreCase: true, out _) || int.TryParse(status, out _)))
        {
            errors["status"] = ["status is one of PendingPayment, PendingShipment, Shipped, Completed, Cancelled."];
        }

        if (page is < 1 or > 100_000)
        {
            errors["page"] = ["page must be 1 to 100,000."];
        }

        if (pageSize is < 1 or > 100)
        {
            errors["pageSize"] = ["pageSize must be 1 to 100."];
        }

        return errors.Count > 0 ? ApiProblems.Validation(errors) : null;
    }

    private static bool IsPlausibleOrderId(string? id) => CatalogEndpoints.IsPlausibleId(id);

    private static async Task<OrderView?> FindAsync(IGrainFactory grains, string? id)
        => IsPlausibleOrderId(id) ? await grains.GetGrain<IOrderGrain>(id!).GetAsync() : null;

    private static Results<Ok<OrderDto>, ProblemHttpResult> Answer(OrderResult result)
        => result.Refusal is { } refusal ? Problem(refusal, result.Order) : TypedResults.Ok(ToDto(result.Order!));

    /// <summary>A refusal as a problem; when the order exists (a refused redemption is a cancelled order) its id and status go along.</summary>
    private static ProblemHttpResult Problem(Problem refusal, OrderView? order)
        => order is null
            ? ApiProblems.From(refusal)
            : ApiProblems.Of(refusal.Code, refusal.Detail, new Dictionary<string, object?> { ["orderId"] = order.Id, ["status"] = order.Status });

    private static OrderDto ToDto(OrderView o, string? payment = null)
        => new(o.Id, o.Id, o.MemberId, o.ProductId, o.ProductName, o.Quantity, o.Points, CatalogEndpoints.Yuan(o.CashFen), o.CashFen,
            payment ?? (o.CashFen > 0 ? "points_cash" : "points"), o.Status, o.Step, o.PlacedAt, o.UpdatedAt, o.PaymentDeadline,
            o.PaymentReference, o.PayUrl, o.Carrier, o.TrackingNumber, o.Code, o.CancelReason, o.IsPrize, o.ShippingAddress, o.History);
}
