using PointsMall.Domain.Members;

namespace PointsMall.Grains.Members;

/// <summary>
/// The contract carries one region string ("广东省 深圳市 南山区"); the domain keeps province, city and district.
/// A single part (a municipality such as 北京市) is both province and city.
/// </summary>
internal static class AddressRegion
{
    public static (string Province, string City, string District) Split(string? region)
    {
        var parts = (region ?? "").Split([' ', '/', ',', '，', '\u3000'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return parts.Length switch
        {
            0 => ("", "", ""),
            1 => (parts[0], parts[0], ""),
            _ => (parts[0], parts[1], string.Join(' ', parts.Skip(2))),
        };
    }

    public static string Join(ShippingAddress a) =>
        string.Join(' ', new[] { a.Province, a.City == a.Province ? "" : a.City, a.District }.Where(s => s.Length > 0));
}
