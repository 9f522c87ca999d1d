using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace PointsMall.Payments;

public static class PaymentsRegistration
{
    /// <summary>
    /// The sandbox payment provider (options from <see cref="PaymentOptions"/>) unless an <see cref="IPaymentProvider"/>
    /// is registered already. Both the silo (the order grain creates and refunds payments) and an API node (its callback
    /// route verifies signatures) call this; across processes the sandbox secret must be configured, not random.
    /// </summary>
    public static IServiceCollection AddSandboxPayments(this IServiceCollection services)
    {
        services.AddOptions<PaymentOptions>();
        services.TryAddSingleton<SandboxPaymentProvider>();
        services.TryAddSingleton<IPaymentProvider>(sp => sp.GetRequiredService<SandboxPaymentProvider>());
        return services;
    }
}
