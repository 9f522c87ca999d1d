namespace PointsMall.Api.Web;

public static class WebUi
{
    // Serves the shopper mall and the admin console (wwwroot) here.
    public static WebApplication MapWebUi(this WebApplication app) => app;
}
