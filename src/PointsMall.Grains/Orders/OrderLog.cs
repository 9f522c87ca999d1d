using Microsoft.Extensions.Logging;
using PointsMall.Domain.Orders;

namespace PointsMall.Grains.Orders;

/// <summary>The order saga's log messages (event ids 610–619), shared by the grain and its saga steps.</summary>
internal static partial class OrderLog
{
    [LoggerMessage(EventId = 610, Level = LogLevel.Information, Message = "Order {OrderId}: resuming the saga at step {Step}")]
    public static partial void Resuming(ILogger logger, string orderId, SagaStep step);

    [LoggerMessage(EventId = 611, Level = LogLevel.Error, Message = "Order {OrderId}: the domain refused the saga's own transition at step {Step} ({Detail}); the resume reminder retries")]
    public static partial void StepRefused(ILogger logger, string orderId, SagaStep step, string detail);

    [LoggerMessage(EventId = 612, Level = LogLevel.Error, Message = "Order {OrderId}: committing the reserved stock was refused ({Code}: {Detail}); the order is compensated")]
    public static partial void CommitRefused(ILogger logger, string orderId, string code, string detail);

    [LoggerMessage(EventId = 613, Level = LogLevel.Error, Message = "Order {OrderId}: compensation {Action} was refused ({Code}: {Detail}); the resume reminder retries")]
    public static partial void CompensationRefused(ILogger logger, string orderId, SagaAction action, string code, string detail);

    [LoggerMessage(EventId = 615, Level = LogLevel.Error, Message = "Order {OrderId}: its code could not be issued ({Code}: {Detail}); the resume reminder retries")]
    public static partial void CodeRefused(ILogger logger, string orderId, string code, string detail);

    [LoggerMessage(EventId = 619, Level = LogLevel.Warning, Message = "Order {OrderId}: the product did not take the forget of its settled line; it prunes the line later")]
    public static partial void ForgetFailed(ILogger logger, Exception exception, string orderId);

    [LoggerMessage(EventId = 614, Level = LogLevel.Warning, Message = "Order {OrderId}: payment {PaymentReference} arrived after cancellation and was refunded")]
    public static partial void LatePaymentRefunded(ILogger logger, string orderId, string paymentReference);
}
