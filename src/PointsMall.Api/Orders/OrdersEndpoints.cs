using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using PointsMall.Api.Analytics;
using PointsMall.Api.Auth;
using PointsMall.Api.Catalog;
using PointsMall.Api.Infrastructure;
using PointsMall.Api.Operators;
using PointsMall.Contracts.Common;
using PointsMall.Contracts.Members;
using PointsMall.Contracts.Orders;
using PointsMall.Domain.Operators;
using PointsMall.Domain.Orders;
using PointsMall.Payments;

namespace PointsMall.Api.Orders;

public static class OrdersEndpoints
{
    private const string Operation = "redemption";

    public static IEndpointRouteBuilder MapRedemptions(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/redemptions", RedeemAsync)
            .WithTags("Orders")
            .RequireAuthorization(ApiSetup.MemberPolicy)
            .RequireShopperRateLimit(RateLimits.Redemptions)
            .WithName("Redeem")
            .WithSummary("Redeems a product for points (or points + cash): an order; a retry with the same Idempotency-Key gives the first outcome.")
            .ProducesProblemCodes(ApiProblems.NotFoundCode, ApiProblems.SoldOut, ApiProblems.InsufficientPoints, ApiProblems.LimitExceeded,
                ApiProblems.NotOnSale, ApiProblems.TierRequired, ApiProblems.AddressRequired, ApiProblems.CouponNotUsable, ApiProblems.Conflict);

        var member = routes.MapGroup("").WithTags("Orders").RequireAuthorization(ApiSetup.MemberPolicy);
        member.MapGet("/me/orders", MyOrdersAsync).WithName("GetMyOrders").WithSummary("The member's orders, newest first, optionally of one status.")
            .ProducesProblemCodes(ApiProblems.ValidationFailed);
        member.MapGet("/orders/{id}", GetAsync).WithName("GetOrder").WithSummary("One of the member's orders with its history.")
            .ProducesProblemCodes(ApiProblems.NotFoundCode);
        member.MapPost("/orders/{id}/cancel", CancelAsync).WithName("CancelOrder").WithSummary("Cancels one of the member's orders before it ships; points and cash are refunded.")
            .ProducesProblemCodes(ApiProblems.NotFoundCode, ApiProblems.Conflict);
        member.MapPost("/orders/{id}/confirm-receipt", ConfirmReceiptAsync).WithName("ConfirmReceipt").WithSummary("Confirms that a shipped order arrived: it completes.")
            .ProducesProblemCodes(ApiProblems.NotFoundCode, ApiProblems.Conflict);
        member.MapPost("/orders/{id}/payment", StartPaymentAsync).WithName("StartPayment")
            .WithSummary("Starts (or resumes) paying the cash part of a points + cash order: the provider's pay URL.")
            .ProducesProblemCodes(ApiProblems.NotFoundCode, ApiProblems.Conflict);

        // The provider side: its callback carries its own signature, and the sandbox pay page stands in for the provider's.
        var payments = routes.MapGroup("").WithTags("Payments").AllowAnonymous();
        payments.MapPost("/payments/callback", CallbackAsync).WithName("PaymentCallback")
            .WithSummary("The payment provider's signed notification that an order's cash part is paid.")
            .ProducesProblemCodes(ApiProblems.Unauthorized, ApiProblems.NotFoundCode, ApiProblems.Conflict);
        payments.MapGet("/sandbox/pay", SandboxPageAsync).WithName("GetSandboxPayPage")
            .WithSummary("The sandbox provider's pay page (HTML) for an order's payment reference.")
            .Produces<string>(StatusCodes.Status200OK, "text/html")
            .ProducesProblemCodes(ApiProblems.NotFoundCode);
        payments.MapPost("/sandbox/pay", SandboxPayAsync).WithName("SandboxPay")
            .WithSummary("Pays in the sandbox: the sandbox provider signs and delivers its callback.")
            .ProducesProblemCodes(ApiProblems.ValidationFailed, ApiProblems.NotFoundCode, ApiProblems.Conflict);

        var admin = routes.MapGroup("/admin/orders").WithTags("Orders admin").RequireAuthorization(ApiSetup.AdminPolicy);
        admin.MapGet("/", AdminListAsync).WithName("AdminListOrders").WithSummary("All orders, newest first, optionally of one status or member.")
            .ProducesProblemCodes(ApiProblems.ValidationFailed);
        admin.MapGet("/{id}", AdminGetAsync).WithName("AdminGetOrder").WithSummary("One order with its history.")
            .ProducesProblemCodes(ApiProblems.NotFoundCode);
        admin.MapPost("/{id}/ship", ShipAsync).RequirePermission(Permission.OrdersWrite).WithName("ShipOrder").Audited(OrderSnapshot)
            .WithSummary("Ships a paid physical order with its carrier and tracking number.")
            .ProducesProblemCodes(ApiProblems.NotFoundCode, ApiProblems.Conflict);
        admin.MapPost("/{id}/cancel", AdminCancelAsync).RequirePermission(Permission.OrdersWrite).WithName("AdminCancelOrder").Audited(OrderSnapshot)
            .WithSummary("Cancels an order before it ships; points and cash are refunded.")
            .ProducesProblemCodes(ApiProblems.NotFoundCode, ApiProblems.Conflict);
        admin.MapPost("/ship-bulk", BulkShipping.ShipAsync).RequirePermission(Permission.OrdersWrite).WithName("ShipOrdersInBulk")
            .WithSummary("Ships many orders from a CSV (orderId, carrier, trackingNumber): each row ships or is reported; re-sending a file ships nothing twice.")
            .ProducesProblemCodes(ApiProblems.ValidationFailed);
        return routes;
    }

    /// <summary>The order an admin route changes, for the audit's before → after.</summary>
    private static async Task<object?> OrderSnapshot(HttpContext context, IGrainFactory grains)
        => AdminAudit.RouteId(context) is { } id ? await grains.GetGrain<IOrderGrain>(id).GetAsync() : null;

    // ---- members ----

    private static async Task<Results<Created<OrderDto>, ProblemHttpResult>> RedeemAsync(
        RedemptionRequest request,
        [FromHeader(Name = IdempotencyKeys.Header), IdempotencyKey, Description(IdempotencyKeys.Description)] string? idempotencyKey,
        ClaimsPrincipal user,
        IGrainFactory grains,
        ApiMetrics metrics,
        SoldOutHints soldOut,
        ShopperActivityRecorder activity)
    {
        var arrival = activity.Arrive();

        // The one check of the request that needs a grain: the address must be one of the member's own.
        var memberId = user.MemberId();
        if (request.AddressId is { } addressId
            && (await grains.GetGrain<IMemberGrain>(memberId).GetAsync())?.Addresses.Any(a => a.Id == addressId) != true)
        {
            metrics.Refused(Operation, ApiProblems.ValidationFailed);
            return ApiProblems.Validation(new Dictionary<string, string[]> { ["addressId"] = ["addressId is not one of your addresses."] });
        }

        var key = IdempotencyKeys.KeyOrNew(idempotencyKey);
        var orderId = OrderIds.For(memberId, key);
        var command = new PlaceOrder(memberId, request.ProductId!, request.Quantity ?? 1, request.Payment ?? PaymentModes.Points, request.AddressId)
        {
            CouponId = request.CouponId,
        };

        // Most requests of a drop arrive after it has sold out: those are answered by the product alone.
        if (await soldOut.AdmitAsync(grains, command.ProductId, orderId, command.Quantity) is { } notAdmitted)
        {
            activity.Attempted(command.ProductId, arrival, notAdmitted.Code);
            metrics.Refused(Operation, notAdmitted.Code);
            return Problem(notAdmitted, null);
        }

        var result = await grains.GetGrain<IOrderGrain>(orderId).PlaceAsync(command);
        soldOut.Saw(command.ProductId, result.Refusal);
        activity.Attempted(command.ProductId, arrival, result.Refusal?.Code);
        if (result.Refusal is { } refusal)
        {
            metrics.Refused(Operation, refusal.Code);
            return Problem(refusal, result.Order);
        }

        metrics.Redeemed(command.Payment);
        activity.Redeemed(memberId, command.ProductId);
        return TypedResults.Created($"/api/v1/orders/{orderId}", OrderDto.From(result.Order!, command.Payment));
    }

    private static async Task<Ok<PageDto<OrderDto>>> MyOrdersAsync(ClaimsPrincipal user, IGrainFactory grains, [AsParameters] OrderQuery query)
    {
        // The list comes from the order index (current with every order); the page's orders are read in full.
        var list = await grains.GetGrain<IMemberOrdersGrain>(user.MemberId()).ListAsync(query.Status, query.Page ?? 1, query.PageSize ?? 20);
        var views = await Task.WhenAll(list.Items.Select(o => grains.GetGrain<IOrderGrain>(o.Id).GetAsync()));
        return TypedResults.Ok(new PageDto<OrderDto>([.. views.OfType<OrderView>().Select(v => OrderDto.From(v))], list.Page, list.PageSize, list.Total));
    }

    private static async Task<Results<Ok<OrderDto>, ProblemHttpResult>> GetAsync(string id, ClaimsPrincipal user, IGrainFactory grains)
    {
        var view = await FindAsync(grains, id);

        // Another member's order is answered exactly like a missing one.
        return view is null || view.MemberId != user.MemberId() ? ApiProblems.NotFound("The order") : TypedResults.Ok(OrderDto.From(view));
    }

    private static async Task<Results<Ok<OrderDto>, ProblemHttpResult>> CancelAsync(string id, CancelRequest? request, ClaimsPrincipal user, IGrainFactory grains)
    {
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
        PaymentCallbackRequest request, IPaymentProvider provider, IGrainFactory grains)
    {
        var callback = new PaymentCallback(request.OrderId!, request.PaymentReference!, request.AmountFen!.Value, request.PaidAt!.Value, request.Signature!);
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

    private static async Task<Ok<PageDto<OrderListItemDto>>> AdminListAsync(
        IGrainFactory grains, [AsParameters] OrderQuery query, [StringLength(Identifiers.MaxIdLength, ErrorMessage = "At most {1} characters.")] string? memberId)
    {
        var board = await grains.GetGrain<IOrderBoardGrain>(OrderKeys.Board).ListAsync(query.Status, memberId, query.Page ?? 1, query.PageSize ?? 20);
        var items = board.Items.Select(OrderListItemDto.From).ToList();
        return TypedResults.Ok(new PageDto<OrderListItemDto>(items, board.Page, board.PageSize, board.Total));
    }

    private static async Task<Results<Ok<OrderDto>, ProblemHttpResult>> AdminGetAsync(string id, IGrainFactory grains)
    {
        var view = await FindAsync(grains, id);
        return view is null ? ApiProblems.NotFound("The order") : TypedResults.Ok(OrderDto.From(view));
    }

    private static async Task<Results<Ok<OrderDto>, ProblemHttpResult>> ShipAsync(string id, ShipRequest request, IGrainFactory grains)
    {
        if (!IsPlausibleOrderId(id))
        {
            return ApiProblems.NotFound("The order");
        }

        return Answer(await grains.GetGrain<IOrderGrain>(id).ShipAsync(new ShipOrder(request.Carrier!, request.TrackingNumber!)));
    }

    private static async Task<Results<Ok<OrderDto>, ProblemHttpResult>> AdminCancelAsync(string id, CancelRequest? request, IGrainFactory grains)
    {
        if (!IsPlausibleOrderId(id))
        {
            return ApiProblems.NotFound("The order");
        }

        return Answer(await grains.GetGrain<IOrderGrain>(id).CancelAsync(new CancelOrder(null, request?.Reason ?? "")));
    }

    // ---- helpers ----

    /// <summary>Ids are short and printable (<see cref="Identifiers.IsToken"/>); anything else cannot be an order.</summary>
    internal static bool IsPlausibleOrderId(string? id) => Identifiers.IsToken(id);

    internal static async Task<OrderView?> FindAsync(IGrainFactory grains, string? id)
        => IsPlausibleOrderId(id) ? await grains.GetGrain<IOrderGrain>(id!).GetAsync() : null;

    internal static Results<Ok<OrderDto>, ProblemHttpResult> Answer(OrderResult result)
        => result.Refusal is { } refusal ? Problem(refusal, result.Order) : TypedResults.Ok(OrderDto.From(result.Order!));

    /// <summary>A refusal as a problem; when the order exists (a refused redemption is a cancelled order) its id and status go along.</summary>
    private static ProblemHttpResult Problem(Problem refusal, OrderView? order)
        => order is null
            ? ApiProblems.From(refusal)
            : ApiProblems.Of(refusal.Code, refusal.Detail, new Dictionary<string, object?> { ["orderId"] = order.Id, ["status"] = order.Status });

}
