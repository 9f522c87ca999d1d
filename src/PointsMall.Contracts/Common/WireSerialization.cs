using System.Text.Json;
using Orleans.Serialization;

namespace PointsMall.Contracts.Common;

/// <summary>
/// How grain calls cross the wire. The contract types (this project's records) have Orleans-generated codecs with
/// stable ids. Domain types that appear in messages (a product's details, the programme's rules, a prize table) travel
/// as JSON instead, the format their states are stored in: the domain stays free of wire ids and attributes, and
/// its types can grow a property without a wire version.
/// </summary>
public static class WireSerialization
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Registers the JSON codec for domain types; every silo and client of the cluster must call it.</summary>
    public static ISerializerBuilder AddPointsMallWire(this ISerializerBuilder serializer) =>
        serializer.AddJsonSerializer(isSupported: IsDomainType, jsonSerializerOptions: Json);

    public static bool IsDomainType(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return type.Namespace?.StartsWith("PointsMall.Domain", StringComparison.Ordinal) == true;
    }
}
