namespace PointsMall.Domain.Orders;

/// <summary>
/// What a redemption may ask for before any member or product is read: the order grain refuses anything else, and
/// the HTTP API checks requests against these same definitions so a client hears about a bad field first.
/// </summary>
public static class RedemptionLimits
{
    public const int MinQuantity = 1;

    public const int MaxQuantity = 99;
}

/// <summary>How a redemption is paid: points only, or points plus the product's cash part.</summary>
public static class PaymentModes
{
    public const string Points = "points";

    public const string PointsCash = "points_cash";

    public static IReadOnlyList<string> All { get; } = [Points, PointsCash];

    public static bool IsKnown(string? mode) => mode is Points or PointsCash;
}
