using PointsMall.Contracts.Common;

namespace PointsMall.Contracts.Catalog;

/// <summary>
/// A code-pool product's codes in order (key: product id): which are given out, and to which order. Assigning is a pure
/// in-memory turn (the codes themselves live in <see cref="ICodeChunkGrain"/>s), so a drop of virtual goods is served at
/// the rate of in-memory turns. Each code goes to one order only.
/// </summary>
[Alias("code-pool")]
public interface ICodePoolGrain : IGrainWithStringKey
{
    /// <summary>The index of which order got which code (partition: product id; key: order id).</summary>
    public const string AssignmentsIndex = "code-assignments";

    /// <summary>Appends an uploaded batch's chunks (once per batch id): from now on their codes can be given out.</summary>
    Task<CodePoolView> AddChunksAsync(CodeBatch batch);

    /// <summary>
    /// The code slot for the order: the same slot again for the same order (within the recent window), else the next
    /// unassigned one; <c>sold_out</c> (<c>codes_exhausted</c>) when none is left.
    /// </summary>
    Task<CodeSlotResult> AssignAsync(string orderId);

    Task<CodePoolView> GetAsync();
}

/// <summary>Up to <see cref="MaxCodes"/> uploaded codes (key: <c>{product}/{chunk number}</c>), written once and then read.</summary>
[Alias("code-chunk")]
public interface ICodeChunkGrain : IGrainWithStringKey
{
    public const int MaxCodes = 1_000;

    /// <summary>Writes the chunk's codes (before the pool refers to it; rewriting an unreferenced chunk is allowed).</summary>
    Task WriteAsync(IReadOnlyList<string> codes);

    /// <summary>The code at <paramref name="offset"/>, or null when the chunk holds none there.</summary>
    Task<string?> CodeAtAsync(int offset);

    Task<IReadOnlyList<string>> ListAsync();
}

/// <summary>
/// A product's code uploads (key: product id), one at a time: checks each batch (well-formed, no code twice, none
/// already uploaded), writes its chunks, hands them to the pool and only then adds the stock they stand behind.
/// </summary>
[Alias("code-uploads")]
public interface ICodeUploadsGrain : IGrainWithStringKey
{
    public const int MaxCodesPerUpload = 5_000;

    public const int MaxCodeLength = 64;

    /// <summary>The most codes one product's pool holds.</summary>
    public const int MaxCodesPerPool = 1_000_000;

    /// <summary>
    /// Uploads a batch (idempotent by batch id: the same batch again answers its first outcome and finishes what a crash
    /// left undone). <c>not_found</c> for no product, <c>conflict</c> (<c>not_a_code_pool</c>) for one that takes no
    /// codes, <c>validation_failed</c> for a malformed batch.
    /// </summary>
    Task<CodeUploadResult> UploadAsync(UploadCodes command);

    /// <summary>The batches uploaded, newest first.</summary>
    Task<IReadOnlyList<CodeBatchView>> BatchesAsync();
}

[GenerateSerializer, Immutable]
public sealed record CodeChunkRef([property: Id(0)] int Chunk, [property: Id(1)] int Count);

[GenerateSerializer, Immutable]
public sealed record CodeBatch([property: Id(0)] string BatchId, [property: Id(1)] IReadOnlyList<CodeChunkRef> Chunks);

[GenerateSerializer, Immutable]
public sealed record CodePoolView([property: Id(0)] string ProductId, [property: Id(1)] long Total, [property: Id(2)] long Assigned, [property: Id(3)] int Chunks)
{
    public long Remaining => Math.Max(0, Total - Assigned);
}

/// <summary>Where an order's code is: chunk <see cref="Chunk"/> of the product, at <see cref="Offset"/>.</summary>
[GenerateSerializer, Immutable]
public sealed record CodeSlot([property: Id(0)] string ProductId, [property: Id(1)] int Chunk, [property: Id(2)] int Offset, [property: Id(3)] long Index)
{
    public string ChunkKey => CodeChunks.Key(ProductId, Chunk);
}

[GenerateSerializer, Immutable]
public sealed record CodeSlotResult([property: Id(0)] CodeSlot? Slot, [property: Id(1)] bool Replayed, [property: Id(2)] Problem? Refusal);

/// <summary>Which order got which code (the assignments index's entry).</summary>
[GenerateSerializer, Immutable]
public sealed record CodeAssignment([property: Id(0)] string OrderId, [property: Id(1)] long Index, [property: Id(2)] DateTimeOffset At);

[GenerateSerializer, Immutable]
public sealed record UploadCodes([property: Id(0)] string BatchId, [property: Id(1)] IReadOnlyList<string> Codes);

[GenerateSerializer, Immutable]
public sealed record CodeBatchView([property: Id(0)] string BatchId, [property: Id(1)] int Added, [property: Id(2)] int Duplicates, [property: Id(3)] DateTimeOffset At);

[GenerateSerializer, Immutable]
public sealed record CodeUploadResult([property: Id(0)] CodeBatchView? Batch, [property: Id(1)] CodePoolView? Pool, [property: Id(2)] bool Replayed, [property: Id(3)] Problem? Refusal)
{
    public bool Succeeded => Refusal is null;
}

public static class CodeChunks
{
    public static string Key(string productId, int chunk) => $"{productId}/{chunk}";
}
