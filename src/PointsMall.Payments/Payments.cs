using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace PointsMall.Payments;

/// <summary>
/// The cash side of a points + cash order. The order grain creates one payment per order (idempotent by order
/// id) and refunds it when a paid order is cancelled; the HTTP callback route verifies the provider's signed
/// callback with <see cref="VerifyCallback"/> before it calls <c>IOrderGrain.ConfirmPaymentAsync</c>.
/// </summary>
public interface IPaymentProvider
{
    /// <summary>Creates (or returns the existing) payment for the order's cash part.</summary>
    Task<PaymentSession> CreatePaymentAsync(string orderId, long amountFen, DateTimeOffset expiresAt, CancellationToken cancellationToken = default);

    /// <summary>Whether the callback really comes from the provider (its signature over the canonical string matches).</summary>
    bool VerifyCallback(PaymentCallback callback);

    /// <summary>Refunds a payment (idempotent by order id).</summary>
    Task RefundAsync(string orderId, string paymentReference, long amountFen, CancellationToken cancellationToken = default);
}

/// <summary>A payment the member can complete at <see cref="PayUrl"/>.</summary>
public sealed record PaymentSession(string Reference, string PayUrl, long AmountFen, DateTimeOffset ExpiresAt);

/// <summary>A provider's notification that a payment succeeded, as received by the callback route.</summary>
public sealed record PaymentCallback(string OrderId, string PaymentReference, long AmountFen, DateTimeOffset PaidAt, string Signature)
{
    /// <summary>
    /// The string the signature covers: every field, in a fixed order, one per line, with invariant formatting,
    /// so that no two different callbacks share a canonical string.
    /// </summary>
    public string CanonicalString() => string.Join('\n',
        "order_id=" + OrderId,
        "payment_reference=" + PaymentReference,
        "amount_fen=" + AmountFen.ToString(CultureInfo.InvariantCulture),
        "paid_at=" + PaidAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
}

/// <summary>Settings of the payment provider (configuration section <c>Payments</c>).</summary>
public sealed class PaymentOptions
{
    /// <summary>The HMAC-SHA256 key shared with the provider. Empty: a random per-process key (sandbox only).</summary>
    public string Secret { get; set; } = "";

    /// <summary>Where the sandbox "pay" page lives; the order id and the reference are appended as a query.</summary>
    public string PayUrlBase { get; set; } = "/api/v1/sandbox/pay";
}

/// <summary>
/// A stand-in provider for development and tests: references are derived from the order id (so creating twice
/// is harmless), callbacks are signed with HMAC-SHA256 over <see cref="PaymentCallback.CanonicalString"/> with
/// the configured secret, and refunds are remembered in memory.
/// </summary>
public sealed partial class SandboxPaymentProvider : IPaymentProvider
{
    private readonly byte[] _key;
    private readonly string _payUrlBase;
    private readonly ConcurrentDictionary<string, PaymentRefund> _refunds = new(StringComparer.Ordinal);

    public SandboxPaymentProvider(IOptions<PaymentOptions> options, ILogger<SandboxPaymentProvider> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        var secret = options.Value.Secret;
        if (string.IsNullOrEmpty(secret))
        {
            // Fine for a sandbox: callbacks signed by this process verify in this process only.
            LogRandomSecret(logger);
            _key = RandomNumberGenerator.GetBytes(32);
        }
        else
        {
            _key = Encoding.UTF8.GetBytes(secret);
        }

        _payUrlBase = options.Value.PayUrlBase;
    }

    /// <summary>Refunds made so far, by order id.</summary>
    public IReadOnlyDictionary<string, PaymentRefund> Refunds => _refunds;

    public Task<PaymentSession> CreatePaymentAsync(string orderId, long amountFen, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(orderId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(amountFen);
        var reference = ReferenceFor(orderId);
        return Task.FromResult(new PaymentSession(reference, $"{_payUrlBase}?order={Uri.EscapeDataString(orderId)}&ref={Uri.EscapeDataString(reference)}", amountFen, expiresAt));
    }

    public bool VerifyCallback(PaymentCallback callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        byte[] given;
        try
        {
            given = Convert.FromHexString(callback.Signature ?? "");
        }
        catch (FormatException)
        {
            return false;
        }

        // The reference must also be the one this provider issued for that order: a valid signature over
        // another order's payment must not confirm this one.
        return string.Equals(callback.PaymentReference, ReferenceFor(callback.OrderId), StringComparison.Ordinal)
            && CryptographicOperations.FixedTimeEquals(given, Mac(callback.CanonicalString()));
    }

    /// <summary>What the sandbox's pay page does when the member pays: a callback signed as the provider would sign it.</summary>
    public PaymentCallback SignCallback(string orderId, long amountFen, DateTimeOffset paidAt)
    {
        var unsigned = new PaymentCallback(orderId, ReferenceFor(orderId), amountFen, paidAt, "");
        return unsigned with { Signature = Convert.ToHexStringLower(Mac(unsigned.CanonicalString())) };
    }

    public Task RefundAsync(string orderId, string paymentReference, long amountFen, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(orderId);
        _refunds.TryAdd(orderId, new PaymentRefund(orderId, paymentReference, amountFen));
        return Task.CompletedTask;
    }

    private string ReferenceFor(string orderId) =>
        "sbx-" + Convert.ToHexStringLower(Mac("reference\n" + orderId).AsSpan(0, 12));

    private byte[] Mac(string canonical) => HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(canonical));

    [LoggerMessage(EventId = 600, Level = LogLevel.Warning, Message = "Payments:Secret is not configured: the sandbox payment provider signs with a random per-process key")]
    private static partial void LogRandomSecret(ILogger logger);
}

public sealed record PaymentRefund(string OrderId, string PaymentReference, long AmountFen);
