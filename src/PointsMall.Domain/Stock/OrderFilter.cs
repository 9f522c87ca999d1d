using System.Collections.Immutable;
using System.IO.Hashing;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace PointsMall.Domain.Stock;

/// <summary>
/// The order ids that have reached a stock unit, as a Bloom filter: "never seen" is exact, "seen" may be wrong
/// (about 5 % of unseen ids at 5,000 orders, more beyond). It lets a sold-out product refuse a redemption before
/// any order exists (<see cref="StockUnit.Admit"/>): a refusal there is only allowed for an id that never reached
/// the unit, because an order that did has an outcome its retries must get back. A false "seen" only sends the
/// request the slow way, through its order. Fixed size (4 KiB), so the hot product's state does not grow with its
/// orders; copied on each new id, as the rest of the unit is.
/// </summary>
[JsonConverter(typeof(OrderFilterJsonConverter))]
public sealed class OrderFilter : IEquatable<OrderFilter>
{
    public const int Bits = 1 << 15;

    private const int Hashes = 3;

    private readonly ImmutableArray<ulong> _words;

    private OrderFilter(ImmutableArray<ulong> words) => _words = words;

    public static OrderFilter Empty { get; } = new(ImmutableArray.Create(new ulong[Bits / 64]));

    public bool MayContain(string orderId)
    {
        ArgumentNullException.ThrowIfNull(orderId);
        Span<int> bits = stackalloc int[Hashes];
        BitsOf(orderId, bits);
        return Holds(bits);
    }

    /// <summary>The filter with <paramref name="orderId"/> in it; this same instance when it already answers "seen".</summary>
    public OrderFilter With(string orderId)
    {
        ArgumentNullException.ThrowIfNull(orderId);
        Span<int> bits = stackalloc int[Hashes];
        BitsOf(orderId, bits);
        if (Holds(bits))
        {
            return this;
        }

        var words = _words.ToBuilder();
        foreach (var bit in bits)
        {
            words[bit >> 6] |= 1UL << (bit & 63);
        }

        return new OrderFilter(words.MoveToImmutable());
    }

    public bool Equals(OrderFilter? other) => other is not null && _words.AsSpan().SequenceEqual(other._words.AsSpan());

    public override bool Equals(object? obj) => Equals(obj as OrderFilter);

    public override int GetHashCode() => (int)XxHash3.HashToUInt64(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_words.AsSpan()));

    internal string ToBase64() => Convert.ToBase64String(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_words.AsSpan()));

    internal static OrderFilter FromBase64(string text)
    {
        var bytes = Convert.FromBase64String(text);
        if (bytes.Length != Bits / 8)
        {
            throw new JsonException($"An order filter is {Bits / 8} bytes, not {bytes.Length}.");
        }

        return new OrderFilter([.. System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(bytes)]);
    }

    private bool Holds(ReadOnlySpan<int> bits)
    {
        foreach (var bit in bits)
        {
            if ((_words[bit >> 6] & (1UL << (bit & 63))) == 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Double hashing over one 64-bit xxHash3 of the id's UTF-8 bytes: stable across processes and versions, and
    /// computed without allocating (this runs on every reservation of the hottest grain).
    /// </summary>
    private static void BitsOf(string orderId, Span<int> bits)
    {
        var length = Encoding.UTF8.GetMaxByteCount(orderId.Length);
        Span<byte> utf8 = length <= 512 ? stackalloc byte[length] : new byte[length];
        var hash = XxHash3.HashToUInt64(utf8[..Encoding.UTF8.GetBytes(orderId, utf8)]);
        var h1 = (uint)hash;
        var h2 = (uint)(hash >> 32) | 1;
        for (var i = 0; i < bits.Length; i++)
        {
            bits[i] = (int)((h1 + (uint)i * h2) % Bits);
        }
    }
}

/// <summary>Stored as the filter's bytes in base64 (5.5 KB), not as 512 numbers.</summary>
public sealed class OrderFilterJsonConverter : JsonConverter<OrderFilter>
{
    public override OrderFilter Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        => OrderFilter.FromBase64(reader.GetString() ?? throw new JsonException("An order filter is a base64 string."));

    public override void Write(Utf8JsonWriter writer, OrderFilter value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteStringValue(value.ToBase64());
    }
}
