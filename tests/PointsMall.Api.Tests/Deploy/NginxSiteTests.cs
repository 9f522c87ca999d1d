using Xunit;

namespace PointsMall.Api.Tests.Deploy;

/// <summary>deploy/nginx/pointsmall.conf is a valid site for nginx (checked with nginx -t, as CI does).</summary>
public sealed class NginxSiteTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("pointsmall-nginx-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task The_site_passes_nginx_config_test()
    {
        var nginx = DeployFiles.FindTool("nginx", "/usr/sbin/nginx")
            ?? throw new InvalidOperationException("nginx is not installed (apt-get install nginx); CI installs it.");

        var (exitCode, output) = await TestAsync(nginx, await WithTestCertificateAsync(File.ReadAllText(DeployFiles.PathOf("nginx/pointsmall.conf"))));

        Assert.True(exitCode == 0, $"nginx -t failed ({exitCode}):\n{output}");
        Assert.Contains("test is successful", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_site_fronts_several_nodes_and_guards_the_storm_endpoints()
    {
        var site = File.ReadAllText(DeployFiles.PathOf("nginx/pointsmall.conf"));

        var upstream = site[site.IndexOf("upstream pointsmall_api", StringComparison.Ordinal)..];
        upstream = upstream[..upstream.IndexOf('}', StringComparison.Ordinal)];
        Assert.True(upstream.Split('\n').Count(l => l.TrimStart().StartsWith("server ", StringComparison.Ordinal)) >= 2, "the upstream lists at least two API nodes");
        Assert.Contains("keepalive ", upstream, StringComparison.Ordinal);
        Assert.Matches(@"limit_req_zone \$binary_remote_addr zone=pointsmall_storm", site);
        Assert.Matches(@"location ~ \^/api/v1/\(redemptions\|lotteries/\[\^/\]\+/draws\)\$ \{\s+limit_req zone=pointsmall_storm", site);
        Assert.Contains("proxy_set_header X-Forwarded-For $remote_addr;", site, StringComparison.Ordinal);
        Assert.Contains("proxy_set_header X-Forwarded-Proto $scheme;", site, StringComparison.Ordinal);
        Assert.Matches(@"client_max_body_size \d+[km];", site);
        Assert.Matches(@"proxy_read_timeout \d+s;", site);
        Assert.Matches(@"location = /dashboard/Trace \{\s+proxy_pass http://pointsmall_api;\s+proxy_buffering off;", site);

        // TLS: plain HTTP only redirects, HTTPS with modern protocols only, and browsers told to keep to it.
        Assert.Matches(@"listen 80;(?:(?!listen 443)[\s\S])*location / \{\s+return 301 https://\$host\$request_uri;", site);
        Assert.Contains("listen 443 ssl http2;", site, StringComparison.Ordinal);
        Assert.Contains("ssl_protocols TLSv1.2 TLSv1.3;", site, StringComparison.Ordinal);
        Assert.Matches(@"add_header Strict-Transport-Security ""max-age=\d{8,}; includeSubDomains"" always;", site);

        // And the checker itself is not a rubber stamp: a broken site fails it.
        var nginx = DeployFiles.FindTool("nginx", "/usr/sbin/nginx");
        if (nginx is not null)
        {
            var (exitCode, _) = await TestAsync(nginx, await WithTestCertificateAsync(site.Replace("limit_req zone=pointsmall_storm", "limit_req zone=no_such_zone", StringComparison.Ordinal)));
            Assert.NotEqual(0, exitCode);
        }
    }

    /// <summary>The site with its certificate paths pointed at a self-signed pair made here: nginx -t loads them.</summary>
    private async Task<string> WithTestCertificateAsync(string site)
    {
        var (cert, key) = (Path.Combine(_directory, "cert.pem"), Path.Combine(_directory, "key.pem"));
        if (!File.Exists(cert))
        {
            var openssl = DeployFiles.FindTool("openssl", "/usr/bin/openssl")
                ?? throw new InvalidOperationException("openssl is not installed (apt-get install openssl); CI installs it.");
            var (exitCode, output) = await DeployFiles.RunAsync(
                openssl, ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost", "-keyout", key, "-out", cert], TimeSpan.FromSeconds(60));
            Assert.True(exitCode == 0, $"openssl could not make a test certificate:\n{output}");
        }

        return System.Text.RegularExpressions.Regex.Replace(
            System.Text.RegularExpressions.Regex.Replace(site, @"ssl_certificate \S+;", $"ssl_certificate {cert};"), @"ssl_certificate_key \S+;", $"ssl_certificate_key {key};");
    }

    /// <summary>nginx -t on a minimal main config that includes the site, with every writable path in a temp folder.</summary>
    private async Task<(int ExitCode, string Output)> TestAsync(string nginx, string site)
    {
        var sitePath = Path.Combine(_directory, $"site-{Guid.NewGuid():n}.conf");
        await File.WriteAllTextAsync(sitePath, site);
        var main = Path.Combine(_directory, "nginx.conf");
        await File.WriteAllTextAsync(main, $$"""
            pid {{_directory}}/nginx.pid;
            error_log {{_directory}}/error.log;
            events {}
            http {
                access_log off;
                client_body_temp_path {{_directory}}/client_body;
                proxy_temp_path {{_directory}}/proxy;
                fastcgi_temp_path {{_directory}}/fastcgi;
                uwsgi_temp_path {{_directory}}/uwsgi;
                scgi_temp_path {{_directory}}/scgi;
                include {{sitePath}};
            }
            """);
        return await DeployFiles.RunAsync(nginx, ["-t", "-p", _directory + "/", "-c", main, "-e", Path.Combine(_directory, "error.log")], TimeSpan.FromSeconds(30));
    }
}
