using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using PointsMall.Api.Tests.Orders;
using PointsMall.Api.Tests.Support;
using Xunit;

namespace PointsMall.Api.Tests.Catalog;

/// <summary>The catalogue as merchandisers shape it: sections, featured products and display priority, uploaded pictures.</summary>
public sealed class SectionsAndImagesTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    /// <summary>The smallest valid PNG: a 1×1 transparent pixel.</summary>
    private static readonly byte[] Pixel = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==");

    [Fact]
    public async Task Merchandisers_keep_sections_that_shoppers_browse_by()
    {
        using var admin = await api.AdminClientAsync();
        var name = "数码 Digital " + Guid.NewGuid().ToString("n")[..4];
        var created = await ShopKit.JsonAsync(await admin.PostAsJsonAsync("/api/v1/admin/sections", new { name, order = 1 }));
        var again = await ShopKit.JsonAsync(await admin.PostAsJsonAsync("/api/v1/admin/sections", new { name, order = 1 }));
        var sectionId = created.GetProperty("id").GetString()!;
        Assert.Equal(sectionId, again.GetProperty("id").GetString());
        var other = (await ShopKit.JsonAsync(await admin.PostAsJsonAsync("/api/v1/admin/sections", new { name = name + " 2", order = 2 }))).GetProperty("id").GetString()!;

        var inSection = await ShopKit.CreateProductAsync(admin, new { name = "Camera", category = "Virtual", pointsPrice = 10, stock = 5, sectionId });
        await ShopKit.CreateProductAsync(admin, new { name = "Kettle", category = "Virtual", pointsPrice = 10, stock = 5, sectionId = other });
        var noSuch = await ShopKit.AssertProblemAsync(
            await admin.PostAsJsonAsync("/api/v1/admin/products", new { name = "Lost", pointsPrice = 10, stock = 5, sectionId = "s-none" }), HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(noSuch.GetProperty("errors").TryGetProperty("sectionId", out _));

        var anonymous = api.CreateClient();
        var sections = await ShopKit.GetJsonAsync(anonymous, "/api/v1/sections");
        Assert.Equal([sectionId, other], sections.EnumerateArray().Select(s => s.GetProperty("id").GetString()).Where(id => id == sectionId || id == other));
        var browsed = await ShopKit.GetJsonAsync(anonymous, $"/api/v1/products?section={sectionId}");
        Assert.Equal(inSection, Assert.Single(browsed.GetProperty("items").EnumerateArray()).GetProperty("id").GetString());

        await ShopKit.AssertProblemAsync(await admin.PutAsJsonAsync($"/api/v1/admin/sections/{other}", new { name = name.ToUpperInvariant(), order = 2 }), HttpStatusCode.Conflict, "conflict");
        var renamed = await ShopKit.JsonAsync(await admin.PutAsJsonAsync($"/api/v1/admin/sections/{other}", new { name = "家居 Home", order = 0 }));
        Assert.Equal("家居 Home", renamed.GetProperty("name").GetString());
        await ShopKit.AssertProblemAsync(await admin.PutAsJsonAsync("/api/v1/admin/sections/s-none", new { name = "x" }), HttpStatusCode.NotFound, "not_found");
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/v1/admin/sections/{sectionId}")).StatusCode);
        await ShopKit.AssertProblemAsync(await admin.DeleteAsync($"/api/v1/admin/sections/{sectionId}"), HttpStatusCode.NotFound, "not_found");
        Assert.DoesNotContain(sectionId, (await ShopKit.GetJsonAsync(anonymous, "/api/v1/sections")).EnumerateArray().Select(s => s.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task The_recommended_order_puts_featured_products_first_then_the_higher_priority()
    {
        using var admin = await api.AdminClientAsync();
        var tag = Guid.NewGuid().ToString("n")[..6];
        var plain = await ShopKit.CreateProductAsync(admin, new { name = $"{tag} plain", category = "Virtual", pointsPrice = 10, stock = 5 });
        var high = await ShopKit.CreateProductAsync(admin, new { name = $"{tag} high", category = "Virtual", pointsPrice = 10, stock = 5, priority = 50 });
        var featured = await ShopKit.CreateProductAsync(admin, new { name = $"{tag} featured", category = "Virtual", pointsPrice = 10, stock = 5, featured = true, priority = 1 });

        var recommended = await ShopKit.GetJsonAsync(api.CreateClient(), $"/api/v1/products?q={tag}&sort=recommended");
        var featuredOnly = await ShopKit.GetJsonAsync(api.CreateClient(), $"/api/v1/products?q={tag}&featured=true");

        Assert.Equal([featured, high, plain], recommended.GetProperty("items").EnumerateArray().Select(p => p.GetProperty("id").GetString()));
        var only = Assert.Single(featuredOnly.GetProperty("items").EnumerateArray());
        Assert.Equal((featured, true, 1), (only.GetProperty("id").GetString(), only.GetProperty("featured").GetBoolean(), only.GetProperty("priority").GetInt32()));
        await ShopKit.AssertProblemAsync(
            await admin.PostAsJsonAsync("/api/v1/admin/products", new { name = "x", pointsPrice = 10, stock = 5, priority = 10_000 }), HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task An_uploaded_picture_is_served_by_its_hash_and_cached_for_good()
    {
        using var admin = await api.AdminClientAsync();

        var uploaded = await ShopKit.JsonAsync(await UploadAsync(admin, Pixel, "image/png"));
        var url = uploaded.GetProperty("url").GetString()!;
        var again = await ShopKit.JsonAsync(await UploadAsync(admin, Pixel, "application/octet-stream"));
        Assert.Equal(url, again.GetProperty("url").GetString());
        Assert.Matches("^/api/v1/images/[0-9a-f]{64}\\.png$", url);

        var anonymous = api.CreateClient();
        var served = await anonymous.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal("image/png", served.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Pixel, await served.Content.ReadAsByteArrayAsync());
        Assert.True(served.Headers.CacheControl is { Public: true } cache && cache.MaxAge >= TimeSpan.FromDays(365), served.Headers.CacheControl?.ToString());
        using var revalidate = new HttpRequestMessage(HttpMethod.Get, url);
        revalidate.Headers.IfNoneMatch.Add(served.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await anonymous.SendAsync(revalidate)).StatusCode);

        await ShopKit.AssertProblemAsync(await anonymous.GetAsync("/api/v1/images/" + new string('a', 64) + ".png"), HttpStatusCode.NotFound, "not_found");
        await ShopKit.AssertProblemAsync(await anonymous.GetAsync("/api/v1/images/..%2fsecrets"), HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Uploads_that_are_not_pictures_or_too_large_are_refused_and_nothing_is_stored()
    {
        using var admin = await api.AdminClientAsync();
        var script = "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>"u8.ToArray();

        await ShopKit.AssertProblemAsync(await UploadAsync(admin, script, "image/png"), HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
        await ShopKit.AssertProblemAsync(await UploadAsync(admin, [], "image/png"), HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
        var huge = new byte[2 * 1024 * 1024 + 1];
        Pixel.CopyTo(huge, 0);
        await ShopKit.AssertProblemAsync(await UploadAsync(admin, huge, "image/png"), HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        var (_, member) = await api.MemberWithPointsAsync(0);
        await ShopKit.AssertProblemAsync(await UploadAsync(member, Pixel, "image/png"), HttpStatusCode.Forbidden, "forbidden");
    }

    private static async Task<HttpResponseMessage> UploadAsync(HttpClient client, byte[] data, string type)
    {
        using var content = new ByteArrayContent(data);
        content.Headers.ContentType = new MediaTypeHeaderValue(type);
        return await client.PostAsync("/api/v1/admin/images", content);
    }
}
