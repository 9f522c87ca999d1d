using System.Collections.Immutable;
using PointsMall.Contracts.Catalog;
using PointsMall.GroupCommit;

namespace PointsMall.Grains.Catalog;

public sealed record CodeChunkState
{
    public ImmutableList<string> Codes { get; init; } = [];
}

/// <summary>Up to a thousand uploaded codes of one product, written once by its uploads and then only read by orders.</summary>
[GrainType("code-chunk")]
public sealed class CodeChunkGrain([PipelinedState("state", GrainStorage.Name)] IPipelinedState<CodeChunkState> state) : MallGrain, ICodeChunkGrain
{
    public Task WriteAsync(IReadOnlyList<string> codes)
    {
        ArgumentNullException.ThrowIfNull(codes);
        if (codes.Count is 0 or > ICodeChunkGrain.MaxCodes)
        {
            throw new ArgumentOutOfRangeException(nameof(codes), codes.Count, $"A chunk holds 1 to {ICodeChunkGrain.MaxCodes} codes.");
        }

        state.State = new CodeChunkState { Codes = [.. codes] };
        return Task.CompletedTask;
    }

    public Task<string?> CodeAtAsync(int offset)
        => Task.FromResult(offset >= 0 && offset < state.State.Codes.Count ? state.State.Codes[offset] : null);

    public Task<IReadOnlyList<string>> ListAsync() => Task.FromResult<IReadOnlyList<string>>(state.State.Codes);
}
