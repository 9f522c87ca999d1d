using Microsoft.Playwright;
using PointsMall.Web.Tests.Support;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace PointsMall.Web.Tests.Admin;

/// <summary>
/// A merchandiser shapes the catalogue from the console alone: a section, then a product with every field, an
/// uploaded picture and the featured flag; the shop shows it in its section, featured, with its details.
/// </summary>
public sealed class CatalogueTests(WebAppFixture app, ITestOutputHelper output) : IClassFixture<WebAppFixture>
{
    /// <summary>A 2×2 PNG (red, green, blue, white pixels): a real picture file to upload.</summary>
    private static readonly byte[] Png = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEklEQVR4nGP4z8DAAMIM/4EAAB/uBfsL2WiLAAAAAElFTkSuQmCC");

    [Fact]
    public async Task A_product_created_with_every_field_and_an_uploaded_picture_is_shown_in_its_section_and_featured()
    {
        var tag = Guid.NewGuid().ToString("n")[..4];
        var sectionName = $"数码 Digital {tag}";
        var productName = $"E2E 相机 Camera {tag}";
        var picture = Path.Combine(Path.GetTempPath(), $"camera-{tag}.png");
        await File.WriteAllBytesAsync(picture, Png);

        var admin = await app.NewPageAsync();
        await AdminConsole.SignInAsync(admin);
        await admin.GetByRole(AriaRole.Link, new() { Name = "商品分类 Sections" }).ClickAsync();
        await admin.GetByTestId("new-section").ClickAsync();
        await admin.GetByTestId("section-name").FillAsync(sectionName);
        await admin.Locator("dialog.modal").GetByRole(AriaRole.Button, new() { Name = "保存 Save" }).ClickAsync();
        var sectionRow = admin.GetByTestId("section-row").Filter(new() { HasText = sectionName });
        await Expect(sectionRow).ToBeVisibleAsync();
        var sectionId = await sectionRow.GetAttributeAsync("data-section-id");

        await AdminConsole.CreateProductAsync(admin, productName, "Physical", points: 800, stock: 12, async form =>
        {
            await form.GetByTestId("product-brand").FillAsync("Leica 徕卡");
            await form.GetByTestId("product-spec").FillAsync("24MP");
            await form.GetByTestId("product-model").FillAsync("Q3");
            await form.GetByTestId("product-colour").FillAsync("黑色 Black");
            await form.GetByTestId("product-section").SelectOptionAsync(sectionId!);
            await form.GetByTestId("product-priority").FillAsync("5000");
            await form.GetByTestId("product-featured").CheckAsync();
            await form.GetByTestId("product-image-upload").SetInputFilesAsync(picture);
            await Expect(form.GetByTestId("product-images")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("^/api/v1/images/[0-9a-f]{64}\\.png$"));
            await Expect(form.GetByTestId("product-image-previews").Locator("img")).ToHaveCountAsync(1);
        });

        var shopper = await app.NewPageAsync(width: 414, height: 896);
        await shopper.GotoAsync("/");
        var featured = shopper.GetByTestId("featured-grid").GetByTestId("product-card").Filter(new() { HasText = productName });
        await Expect(featured).ToBeVisibleAsync();
        await Expect(featured.Locator("img")).ToHaveAttributeAsync("src", new System.Text.RegularExpressions.Regex("^/api/v1/images/"));
        await shopper.GetByTestId("section-chips").GetByRole(AriaRole.Button, new() { Name = sectionName }).ClickAsync();
        var inSection = shopper.GetByTestId("product-grid").GetByTestId("product-card");
        await Expect(inSection).ToHaveCountAsync(1);
        await Expect(inSection).ToContainTextAsync(productName);
        await inSection.ClickAsync();
        var specs = shopper.GetByTestId("product-specs");
        await Expect(specs).ToContainTextAsync("Leica 徕卡");
        await Expect(specs).ToContainTextAsync("24MP");
        await Expect(specs).ToContainTextAsync("Q3");
        await Expect(specs).ToContainTextAsync("黑色 Black");
        await Expect(shopper.Locator(".detail .thumb img")).ToHaveJSPropertyAsync("naturalWidth", 2);
        output.WriteLine($"screenshot: {await WebAppFixture.ScreenshotAsync(shopper, "mall-product-with-picture")}");
        Assert.Empty(app.CspViolations);
    }
}
