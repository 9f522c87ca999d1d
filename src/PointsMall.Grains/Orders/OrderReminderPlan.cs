using System.Collections.Immutable;
using PointsMall.Domain.Orders;

namespace PointsMall.Grains.Orders;

/// <summary>A reminder to set at <see cref="Due"/>, or to remove when <see cref="Due"/> is null.</summary>
internal readonly record struct ReminderChange(string Name, DateTimeOffset? Due);

/// <summary>
/// Which reminders an order needs, derived from its next saga action in this one place, and the changes that
/// take the reminders set now to those. Computed as data; the grain applies the changes.
/// </summary>
internal static class OrderReminderPlan
{
    /// <summary>While a step is in flight: fires only if the process died or a call failed before the saga rested.</summary>
    public const string Saga = "saga";

    /// <summary>While the cash part is unpaid: times the order out.</summary>
    public const string PaymentDeadline = "payment-deadline";

    /// <summary>Once shipped: completes the order if the member never confirms receipt.</summary>
    public const string AutoComplete = "auto-complete";

    /// <summary>The reminders (name → due) the order's next action needs.</summary>
    public static ImmutableSortedDictionary<string, DateTimeOffset> Wanted(
        Order order, ImmutableSortedDictionary<string, DateTimeOffset> current, DateTimeOffset now, TimeSpan resumeAfter)
    {
        var next = order.Next();
        var wanted = ImmutableSortedDictionary<string, DateTimeOffset>.Empty;
        switch (next.Action)
        {
            case SagaAction.WaitForPayment when next.WakeAt is { } deadline:
                return wanted.Add(PaymentDeadline, deadline);
            case SagaAction.WaitForReceipt when next.WakeAt is { } autoComplete:
                return wanted.Add(AutoComplete, autoComplete);
            case SagaAction.None or SagaAction.WaitForShipment or SagaAction.WaitForPayment or SagaAction.WaitForReceipt:
                return wanted;
            default:
                // A step is in flight: keep the due time already set, so a long saga does not keep pushing it out.
                return wanted.Add(Saga, current.TryGetValue(Saga, out var due) ? due : now + resumeAfter);
        }
    }

    /// <summary>The removals (first) and the sets that take <paramref name="current"/> to <paramref name="wanted"/>.</summary>
    public static IReadOnlyList<ReminderChange> Changes(
        ImmutableSortedDictionary<string, DateTimeOffset> current, ImmutableSortedDictionary<string, DateTimeOffset> wanted)
    {
        var changes = new List<ReminderChange>();
        foreach (var (name, _) in current)
        {
            if (!wanted.ContainsKey(name))
            {
                changes.Add(new ReminderChange(name, null));
            }
        }

        foreach (var (name, due) in wanted)
        {
            if (!current.TryGetValue(name, out var set) || set != due)
            {
                changes.Add(new ReminderChange(name, due));
            }
        }

        return changes;
    }
}
