using PointsMall.Contracts.Catalog;
using PointsMall.GroupCommit;

namespace PointsMall.Grains.Catalog;

public sealed record ImageState
{
    public StoredImage? Image { get; init; }
}

/// <summary>An uploaded picture, keyed by its hash: written once, then only read.</summary>
[GrainType("image")]
public sealed class ImageGrain([PipelinedState("state", GrainStorage.Name)] IPipelinedState<ImageState> state) : MallGrain, IImageGrain
{
    public Task StoreAsync(StoredImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (state.State.Image is null)
        {
            state.State = new ImageState { Image = image };
        }

        return Task.CompletedTask;
    }

    public Task<StoredImage?> GetAsync() => Task.FromResult(state.State.Image);
}
