using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace PointsMall.Api.Tests.Support;

/// <summary>Direct grain access for test set-up and for checking state behind the API's back.</summary>
internal static class GrainAccess
{
    public static IGrainFactory Grains(this WebApplicationFactory<Program> api)
        => api.Services.GetRequiredService<IGrainFactory>();
}
