namespace PointsMall.Contracts.Catalog;

/// <summary>A product picture as uploaded: its media type and bytes.</summary>
[GenerateSerializer, Immutable]
public sealed record StoredImage([property: Id(0)] string ContentType, [property: Id(1)] byte[] Data, [property: Id(2)] DateTimeOffset StoredAt);

/// <summary>
/// One uploaded picture (key: the SHA-256 of its bytes, in hex). Content-addressed: the same bytes are one picture,
/// stored once and never changed, so every copy of it anywhere may be cached for good. It lives in the grain store,
/// so every API node of a cluster serves it.
/// </summary>
[Alias("image")]
public interface IImageGrain : IGrainWithStringKey
{
    /// <summary>Stores the picture unless it is stored already (a repeat changes nothing).</summary>
    Task StoreAsync(StoredImage image);

    Task<StoredImage?> GetAsync();
}
