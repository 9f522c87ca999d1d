using System.Collections.Immutable;
using Microsoft.Extensions.DependencyInjection;
using PointsMall.Contracts.Catalog;
using PointsMall.Contracts.Common;
using PointsMall.Domain.Common;
using PointsMall.GroupCommit;

namespace PointsMall.Grains.Catalog;

public sealed record CodeUploadsState
{
    /// <summary>Chunks written and recorded; the next upload's chunks are numbered from here.</summary>
    public int ChunkCount { get; init; }

    public long TotalCodes { get; init; }

    /// <summary>Every batch, newest first.</summary>
    public ImmutableList<CodeBatchRecord> Batches { get; init; } = [];
}

/// <summary>A batch, its chunks, and whether the pool and the product have both heard of it.</summary>
public sealed record CodeBatchRecord(string BatchId, int Added, int Duplicates, DateTimeOffset At, ImmutableList<CodeChunkRef> Chunks, bool Done);

/// <summary>
/// A product's code uploads, one at a time (not reentrant): the per-request work the hot pool must not do.
/// </summary>
/// <remarks>
/// Design note, the order of an upload: (1) the chunks are written; (2) the batch is recorded here, durably; (3) the pool
/// takes the chunks; (4) the product adds the stock they stand behind; (5) the batch is marked done. Stock is added only
/// after the pool holds the codes, so the product never has a unit with no code behind it. Each step is idempotent (by
/// chunk number, batch id and operation id), and an upload first finishes any batch a crash left undone, so a batch
/// whose answer was lost is finished by the next upload, or by sending it again.
/// </remarks>
[GrainType("code-uploads")]
public sealed class CodeUploadsGrain([PipelinedState("state", GrainStorage.Name)] IPipelinedState<CodeUploadsState> state, [FromKeyedServices(GrainClock.Key)] TimeProvider time)
    : MallGrain, ICodeUploadsGrain
{
    /// <summary>The pool's codes, read from its chunks on the first upload of this activation, for the duplicate check.</summary>
    private HashSet<string>? _known;

    public async Task<CodeUploadResult> UploadAsync(UploadCodes command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var product = await GrainFactory.GetGrain<IProductGrain>(GrainKey).GetAsync();
        if (product is null)
        {
            return Refused(RefusalCode.NotFound, "no_product");
        }

        if (!product.Product.CodePool)
        {
            return Refused(RefusalCode.Conflict, "not_a_code_pool");
        }

        foreach (var unfinished in state.State.Batches.Where(b => !b.Done).Reverse().ToList())
        {
            await FinishAsync(unfinished);
        }

        if (state.State.Batches.Find(b => b.BatchId == command.BatchId) is { } earlier)
        {
            return new CodeUploadResult(ViewOf(earlier), await PoolAsync(), true, null);
        }

        if (Check(command) is { } invalid)
        {
            return Refused(RefusalCode.ValidationFailed, invalid);
        }

        var known = await KnownAsync();
        var fresh = command.Codes.Select(c => c.Trim()).Distinct(StringComparer.Ordinal).Where(c => !known.Contains(c)).ToList();
        if (state.State.TotalCodes + fresh.Count > ICodeUploadsGrain.MaxCodesPerPool)
        {
            return Refused(RefusalCode.ValidationFailed, $"a pool holds at most {ICodeUploadsGrain.MaxCodesPerPool} codes");
        }

        var chunks = ImmutableList.CreateBuilder<CodeChunkRef>();
        foreach (var (codes, i) in fresh.Chunk(ICodeChunkGrain.MaxCodes).Select((c, i) => (c, i)))
        {
            var number = state.State.ChunkCount + i;
            await GrainFactory.GetGrain<ICodeChunkGrain>(CodeChunks.Key(GrainKey, number)).WriteAsync(codes);
            chunks.Add(new CodeChunkRef(number, codes.Length));
        }

        var batch = new CodeBatchRecord(command.BatchId, fresh.Count, command.Codes.Count - fresh.Count, time.GetUtcNow(), chunks.ToImmutable(), Done: false);
        state.State = state.State with
        {
            ChunkCount = state.State.ChunkCount + batch.Chunks.Count,
            TotalCodes = state.State.TotalCodes + fresh.Count,
            Batches = state.State.Batches.Insert(0, batch),
        };
        await state.CommitAsync();
        known.UnionWith(fresh);
        await FinishAsync(batch);
        return new CodeUploadResult(ViewOf(batch), await PoolAsync(), false, null);
    }

    public Task<IReadOnlyList<CodeBatchView>> BatchesAsync()
        => Task.FromResult<IReadOnlyList<CodeBatchView>>([.. state.State.Batches.Select(ViewOf)]);

    /// <summary>Steps 3 to 5 of an upload (see the remarks): the pool, the product's stock, then done.</summary>
    private async Task FinishAsync(CodeBatchRecord batch)
    {
        if (batch.Added > 0)
        {
            await GrainFactory.GetGrain<ICodePoolGrain>(GrainKey).AddChunksAsync(new CodeBatch(batch.BatchId, batch.Chunks));
            var stocked = await GrainFactory.GetGrain<IProductGrain>(GrainKey).AddCodeStockAsync(new Restock("codes:" + batch.BatchId, batch.Added));
            if (stocked.Refusal is { } refusal)
            {
                throw new InvalidOperationException($"The product refused the stock of code batch {batch.BatchId}: {refusal.Code} {refusal.Detail}");
            }
        }

        var index = state.State.Batches.FindIndex(b => b.BatchId == batch.BatchId);
        state.State = state.State with { Batches = state.State.Batches.SetItem(index, batch with { Done = true }) };
        await state.CommitAsync();
    }

    private async Task<HashSet<string>> KnownAsync()
    {
        if (_known is null)
        {
            var known = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < state.State.ChunkCount; i++)
            {
                known.UnionWith(await GrainFactory.GetGrain<ICodeChunkGrain>(CodeChunks.Key(GrainKey, i)).ListAsync());
            }

            _known = known;
        }

        return _known;
    }

    private static string? Check(UploadCodes command)
    {
        if (string.IsNullOrWhiteSpace(command.BatchId) || command.BatchId.Length > 64)
        {
            return "a batch id of 1 to 64 characters";
        }

        if (command.Codes is null || command.Codes.Count is 0 or > ICodeUploadsGrain.MaxCodesPerUpload)
        {
            return $"1 to {ICodeUploadsGrain.MaxCodesPerUpload} codes per upload";
        }

        var bad = command.Codes.Select((c, i) => (Code: c?.Trim() ?? "", Line: i + 1))
            .FirstOrDefault(c => c.Code.Length is 0 or > ICodeUploadsGrain.MaxCodeLength || c.Code.Any(ch => char.IsWhiteSpace(ch) || char.IsControl(ch)));
        return bad.Line > 0 ? $"code {bad.Line} must be 1 to {ICodeUploadsGrain.MaxCodeLength} characters without spaces" : null;
    }

    private Task<CodePoolView> PoolAsync() => GrainFactory.GetGrain<ICodePoolGrain>(GrainKey).GetAsync();

    private static CodeBatchView ViewOf(CodeBatchRecord b) => new(b.BatchId, b.Added, b.Duplicates, b.At);

    private static CodeUploadResult Refused(RefusalCode code, string detail) => new(null, null, false, new Problem(RefusalCodes.Name(code), detail));
}
