using System.Globalization;
using System.Net;
using System.Text;
using PointsMall.LoadTests.Running;

namespace PointsMall.LoadTests.Reports;

/// <summary>One self-contained HTML file: inline CSS and inline SVG charts (no script, no external asset).</summary>
public static class HtmlReport
{
    private const int Width = 860;
    private const int Height = 240;
    private const int Pad = 46;
    private static readonly string[] Palette = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#4b5563", "#ca8a04"];

    public static string Render(RunReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var p = report.Phase;
        var stats = p.Stats;
        var seconds = stats.Interval.TotalSeconds;
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
            .Append(E($"{p.Scenario} load test")).Append("</title><style>")
            .Append("body{font:14px system-ui,sans-serif;margin:24px;color:#111}table{border-collapse:collapse;margin:8px 0 20px}")
            .Append("td,th{border:1px solid #ddd;padding:4px 8px;text-align:right}td:first-child,th:first-child{text-align:left}")
            .Append(".ok{color:#15803d}.bad{color:#b91c1c}svg{background:#fafafa;border:1px solid #e5e7eb;margin:6px 0 18px}h2{margin-top:28px}")
            .Append("</style></head><body>");
        html.Append("<h1>").Append(E(p.Scenario)).Append(": <span class=\"").Append(report.Passed ? "ok\">PASSED" : "bad\">FAILED").Append("</span></h1><ul>");
        foreach (var line in ReportWriter.Markdown(report).Split('\n').Where(l => l.StartsWith("- ", StringComparison.Ordinal)).TakeWhile(l => !l.StartsWith("- ✅", StringComparison.Ordinal) && !l.StartsWith("- ❌", StringComparison.Ordinal)))
        {
            html.Append("<li>").Append(E(line[2..])).Append("</li>");
        }

        html.Append("</ul><h2>Steps</h2><table><tr><th>step</th><th>requests</th><th>OK</th><th>failed</th><th>RPS</th><th>min</th><th>mean</th><th>p50</th><th>p75</th><th>p95</th><th>p99</th><th>p99.9</th><th>max</th></tr>");
        foreach (var s in ReportWriter.AllSteps(report))
        {
            var l = s.Latency.Summary();
            html.Append(Inv($"<tr><td>{E(s.Name)}</td><td>{s.Requests}</td><td>{s.Ok}</td><td>{s.Failed}</td><td>{report.Rps(s):0.0}</td>"));
            foreach (var v in new[] { l.Min, l.Mean, l.P50, l.P75, l.P95, l.P99, l.P999, l.Max })
            {
                html.Append("<td>").Append(ReportWriter.Ms(v)).Append(" ms</td>");
            }

            html.Append("</tr>");
        }

        html.Append("</table>");

        // Throughput over time, one line per step plus dropped arrivals.
        var rpsSeries = stats.Steps.Select(s => (s.Name, Points: s.Intervals.OrderBy(i => i.Key).Select(i => (X: i.Key * seconds, Y: (i.Value.Ok + i.Value.Failed) / seconds)).ToList())).ToList();
        var maxInterval = stats.Steps.SelectMany(s => s.Intervals.Keys).DefaultIfEmpty(0).Max();
        var dropped = Enumerable.Range(0, maxInterval + 1).Select(i => (X: i * seconds, Y: stats.DroppedIn(i) / seconds)).ToList();
        if (stats.DroppedTotal > 0)
        {
            rpsSeries.Add(("dropped", dropped));
        }

        html.Append("<h2>Requests per second</h2>").Append(LineChart(rpsSeries, "s", "req/s"));

        // Latency percentiles over time for each step.
        foreach (var s in stats.Steps.Append(stats.Iterations))
        {
            var ordered = s.Intervals.OrderBy(i => i.Key).ToList();
            var series = new List<(string, List<(double X, double Y)>)>
            {
                ("p50", ordered.Select(i => (i.Key * seconds, i.Value.Latency.ValueAtPercentile(50) / 1000.0)).ToList()),
                ("p95", ordered.Select(i => (i.Key * seconds, i.Value.Latency.ValueAtPercentile(95) / 1000.0)).ToList()),
                ("p99", ordered.Select(i => (i.Key * seconds, i.Value.Latency.ValueAtPercentile(99) / 1000.0)).ToList()),
                ("max", ordered.Select(i => (i.Key * seconds, i.Value.Latency.Max / 1000.0)).ToList()),
            };
            html.Append("<h2>Latency: ").Append(E(s.Name)).Append("</h2>").Append(LineChart(series, "s", "ms"));
        }

        if (report.Server is { } server)
        {
            foreach (var node in server.Windows.GroupBy(w => w.Node))
            {
                var url = E(server.Nodes[node.Key].ToString());
                var memory = new List<(string, List<(double X, double Y)>)>
                {
                    ("working set MB", node.Select(w => (w.To.TotalMinutes, w.WorkingSetBytes / (1024 * 1024))).ToList()),
                    ("GC heap MB", node.Select(w => (w.To.TotalMinutes, w.GcHeapBytes / (1024 * 1024))).ToList()),
                };
                var pauses = new List<(string, List<(double X, double Y)>)>
                {
                    ("p99 ms", node.Select(w => (w.To.TotalMinutes, w.P99Micros / 1000.0)).ToList()),
                    ("GC pause ms in the window", node.Select(w => (w.To.TotalMinutes, w.GcPauseSeconds * 1000)).ToList()),
                };
                html.Append("<h2>Server memory: ").Append(url).Append("</h2>").Append(LineChart(memory, "min", "MB"))
                    .Append("<h2>Server p99 and GC pauses: ").Append(url).Append("</h2>").Append(LineChart(pauses, "min", "ms"));
            }
        }

        html.Append("<h2>Outcome mix</h2>").Append(OutcomeBars(stats.Steps));
        if (report.Thresholds.Count > 0)
        {
            html.Append("<h2>Thresholds</h2><ul>");
            foreach (var t in report.Thresholds)
            {
                html.Append("<li class=\"").Append(t.Passed ? "ok" : "bad").Append("\">").Append(t.Passed ? "✔ " : "✘ ").Append(E(t.Threshold.Text)).Append(" — ").Append(E(t.Observed)).Append("</li>");
            }

            html.Append("</ul>");
        }

        html.Append("<h2>Invariant audit</h2><ul>");
        foreach (var c in report.Audit?.Checks ?? [])
        {
            html.Append("<li class=\"").Append(c.Passed ? "ok" : "bad").Append("\">").Append(c.Passed ? "✔ " : "✘ ").Append(E(c.Name)).Append(" — ").Append(E(c.Detail)).Append("</li>");
        }

        if (report.Audit is null)
        {
            html.Append("<li>not run</li>");
        }

        return html.Append("</ul></body></html>").ToString();
    }

    /// <summary>An SVG line chart with axes, 4 gridlines and a legend.</summary>
    public static string LineChart(IReadOnlyList<(string Name, List<(double X, double Y)> Points)> series, string xUnit, string yUnit)
    {
        ArgumentNullException.ThrowIfNull(series);
        var all = series.SelectMany(s => s.Points).ToList();
        var maxX = Math.Max(1, all.Select(p => p.X).DefaultIfEmpty(0).Max());
        var maxY = Nice(all.Select(p => p.Y).DefaultIfEmpty(0).Max());
        var svg = new StringBuilder(Inv($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" role=\"img\">"));
        double X(double x) => Pad + (x / maxX * (Width - (2 * Pad)));
        double Y(double y) => Height - Pad + 10 - (y / maxY * (Height - Pad - 20));
        for (var g = 0; g <= 4; g++)
        {
            var v = maxY * g / 4;
            svg.Append(Inv($"<line x1=\"{Pad}\" x2=\"{Width - Pad}\" y1=\"{Y(v):0.#}\" y2=\"{Y(v):0.#}\" stroke=\"#e5e7eb\"/><text x=\"{Pad - 4}\" y=\"{Y(v) + 4:0.#}\" font-size=\"10\" text-anchor=\"end\">{v:0.##}</text>"));
        }

        svg.Append(Inv($"<text x=\"{Width - Pad}\" y=\"{Height - 8}\" font-size=\"10\" text-anchor=\"end\">{maxX:0.#} {xUnit}</text><text x=\"{Pad}\" y=\"{Height - 8}\" font-size=\"10\">0</text><text x=\"4\" y=\"12\" font-size=\"10\">{E(yUnit)}</text>"));
        for (var i = 0; i < series.Count; i++)
        {
            var (name, points) = series[i];
            var colour = Palette[i % Palette.Length];
            if (points.Count > 0)
            {
                var path = string.Join(' ', points.Select(p => Inv($"{X(p.X):0.#},{Y(p.Y):0.#}")));
                svg.Append(Inv($"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.6\" points=\"{path}\"/>"));
            }

            svg.Append(Inv($"<rect x=\"{Pad + 10 + (i * 130)}\" y=\"6\" width=\"10\" height=\"10\" fill=\"{colour}\"/><text x=\"{Pad + 24 + (i * 130)}\" y=\"15\" font-size=\"11\">{E(name)}</text>"));
        }

        return svg.Append("</svg>").ToString();
    }

    private static string OutcomeBars(IReadOnlyCollection<StepStats> steps)
    {
        var rows = steps.ToList();
        var height = 30 + (rows.Count * 34);
        var svg = new StringBuilder(Inv($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" viewBox=\"0 0 {Width} {height}\" role=\"img\">"));
        var keys = rows.SelectMany(s => s.Outcomes.Select(o => o.Key + (o.IsOk ? "" : " ✗"))).Distinct().ToList();
        for (var r = 0; r < rows.Count; r++)
        {
            var step = rows[r];
            var total = Math.Max(1, step.Requests);
            double x = 160;
            var y = 10 + (r * 34);
            svg.Append(Inv($"<text x=\"4\" y=\"{y + 16}\" font-size=\"12\">{E(step.Name)}</text>"));
            foreach (var o in step.Outcomes)
            {
                var w = (Width - 180.0) * o.Count / total;
                var colour = o.IsOk ? Palette[keys.IndexOf(o.Key) % 3 == 0 ? 2 : 0] : Palette[1 + (keys.IndexOf(o.Key + " ✗") % 2 * 3)];
                svg.Append(Inv($"<rect x=\"{x:0.#}\" y=\"{y}\" width=\"{Math.Max(w, 0.5):0.#}\" height=\"22\" fill=\"{colour}\" stroke=\"#fff\"><title>{E(o.Key)}: {o.Count}</title></rect>"));
                if (w > 70)
                {
                    svg.Append(Inv($"<text x=\"{x + 4:0.#}\" y=\"{y + 15}\" font-size=\"11\" fill=\"#fff\">{E(o.Key)} {100.0 * o.Count / total:0.#}%</text>"));
                }

                x += w;
            }
        }

        return svg.Append("</svg>").ToString();
    }

    private static double Nice(double max)
    {
        if (max <= 0)
        {
            return 1;
        }

        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(max)));
        return new[] { 1, 2, 2.5, 5, 10 }.Select(m => m * magnitude).First(v => v >= max);
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
