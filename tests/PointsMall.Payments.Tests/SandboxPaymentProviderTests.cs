using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit;

namespace PointsMall.Payments.Tests;

public sealed class SandboxPaymentProviderTests
{
    private static readonly DateTimeOffset PaidAt = new(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);

    private static SandboxPaymentProvider Provider(string secret = "secret-1") =>
        new(Options.Create(new PaymentOptions { Secret = secret }), NullLogger<SandboxPaymentProvider>.Instance);

    [Fact]
    public void A_callback_signed_with_the_shared_secret_verifies()
    {
        var provider = Provider();

        Assert.True(provider.VerifyCallback(provider.SignCallback("o1", 5_000, PaidAt)));
    }

    [Fact]
    public void A_callback_with_any_field_changed_or_signed_with_another_secret_does_not_verify()
    {
        var provider = Provider();
        var callback = provider.SignCallback("o1", 5_000, PaidAt);

        Assert.False(provider.VerifyCallback(callback with { AmountFen = 4_999 }));
        Assert.False(provider.VerifyCallback(callback with { PaidAt = PaidAt.AddSeconds(1) }));
        Assert.False(provider.VerifyCallback(callback with { Signature = "not-hex" }));
        Assert.False(provider.VerifyCallback(callback with { Signature = "" }));
        Assert.False(Provider("secret-2").VerifyCallback(callback));

        // A genuine signature over another order's payment cannot be replayed against this order.
        var other = provider.SignCallback("o2", 5_000, PaidAt);
        Assert.False(provider.VerifyCallback(other with { OrderId = "o1" }));
    }

    [Fact]
    public async Task Creating_the_payment_for_an_order_twice_gives_the_same_reference()
    {
        var provider = Provider();

        var first = await provider.CreatePaymentAsync("o1", 5_000, PaidAt);
        var second = await provider.CreatePaymentAsync("o1", 5_000, PaidAt);

        Assert.Equal(first, second);
        Assert.Equal(first.Reference, provider.SignCallback("o1", 5_000, PaidAt).PaymentReference);
        Assert.NotEqual(first.Reference, (await provider.CreatePaymentAsync("o2", 5_000, PaidAt)).Reference);
        Assert.Contains(Uri.EscapeDataString(first.Reference), first.PayUrl, StringComparison.Ordinal);
    }

    [Fact]
    public void The_canonical_string_names_every_field_in_a_fixed_order()
    {
        var callback = new PaymentCallback("o1", "sbx-1", 5_000, DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000), "");

        Assert.Equal("order_id=o1\npayment_reference=sbx-1\namount_fen=5000\npaid_at=1700000000000", callback.CanonicalString());
    }
}
