namespace PointsMall.Actors;

/// <summary>Hands out typed references to grains. A reference is cheap and can be kept; the grain is activated on its first call.</summary>
public interface IGrainFactory
{
    TGrain GetGrain<TGrain>(string key) where TGrain : IGrain;
}
