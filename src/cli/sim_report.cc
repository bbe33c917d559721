#include "cli/sim_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace qiusuo::cli {
namespace {

constexpr const char* kPalette[] = {"#2563eb", "#dc2626", "#16a34a", "#d97706",
                                    "#7c3aed", "#0891b2", "#db2777", "#65a30d",
                                    "#475569", "#ea580c", "#0d9488", "#9333ea"};
const char* Color(std::size_t i) { return kPalette[i % (sizeof kPalette / sizeof *kPalette)]; }

std::string Num(double v, int digits = 1) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

// 90 -> "1.5 min", 7200 -> "2.0 h", 259200 -> "3.0 d".
std::string Duration(double seconds) {
  if (seconds < 60) return Num(seconds, 0) + " s";
  if (seconds < 3600) return Num(seconds / 60, seconds < 600 ? 1 : 0) + " min";
  if (seconds < 86400 * 2) return Num(seconds / 3600, seconds < 36000 ? 1 : 0) + " h";
  return Num(seconds / 86400, seconds < 864000 ? 1 : 0) + " d";
}

std::string Escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '&')
      out += "&amp;";
    else if (c == '"')
      out += "&quot;";
    else
      out += c;
  }
  return out;
}

struct Series {
  std::string name;
  std::vector<std::pair<double, double>> points;
  const char* color;
};

// A line chart: x and y ranges from the data unless given; optional log10 x axis.
std::string LineChart(const std::string& title, const std::string& x_label,
                      const std::string& y_label, const std::vector<Series>& series, bool log_x,
                      double y_max_hint = -1) {
  const double w = 560, h = 300, left = 60, right = 140, top = 30, bottom = 45;
  double x0 = 1e300, x1 = -1e300, y1 = y_max_hint > 0 ? y_max_hint : 0;
  for (const auto& s : series) {
    for (auto [x, y] : s.points) {
      const double xv = log_x ? std::log10(std::max(x, 1.0)) : x;
      x0 = std::min(x0, xv);
      x1 = std::max(x1, xv);
      if (y_max_hint <= 0) y1 = std::max(y1, y);
    }
  }
  if (x1 <= x0) x1 = x0 + 1;
  if (y1 <= 0) y1 = 1;
  auto px = [&](double x) {
    return left +
           ((log_x ? std::log10(std::max(x, 1.0)) : x) - x0) / (x1 - x0) * (w - left - right);
  };
  auto py = [&](double y) { return top + (1 - y / y1) * (h - top - bottom); };
  std::ostringstream svg;
  svg << "<figure><svg viewBox='0 0 " << w << " " << h << "' role='img' aria-label='"
      << Escape(title) << "'>"
      << "<text x='" << left << "' y='18' class='t'>" << Escape(title) << "</text>";
  for (int i = 0; i <= 4; ++i) {
    const double y = y1 * i / 4;
    svg << "<line x1='" << left << "' x2='" << w - right << "' y1='" << py(y) << "' y2='" << py(y)
        << "' class='g'/><text x='" << left - 6 << "' y='" << py(y) + 4 << "' class='yl'>"
        << Num(y, y1 < 10 ? 2 : 0) << "</text>";
  }
  for (int i = 0; i <= 4; ++i) {
    const double xv = x0 + (x1 - x0) * i / 4;
    const double label = log_x ? std::pow(10, xv) : xv;
    const double xp = left + (xv - x0) / (x1 - x0) * (w - left - right);
    svg << "<text x='" << xp << "' y='" << h - bottom + 16 << "' class='xl'>"
        << (log_x ? Duration(label) : Num(label, label < 10 ? 1 : 0)) << "</text>";
  }
  svg << "<text x='" << (left + w - right) / 2 << "' y='" << h - 6 << "' class='xl'>"
      << Escape(x_label) << "</text><text x='12' y='" << (top + h - bottom) / 2
      << "' class='yl' transform='rotate(-90 12 " << (top + h - bottom) / 2 << ")'>"
      << Escape(y_label) << "</text>";
  for (std::size_t i = 0; i < series.size(); ++i) {
    const auto& s = series[i];
    svg << "<polyline fill='none' stroke-width='1.6' stroke='" << s.color << "' points='";
    for (auto [x, y] : s.points) svg << Num(px(x), 1) << "," << Num(py(y), 1) << " ";
    const double row = top + static_cast<double>(i) * 18;
    svg << "'/><rect x='" << w - right + 10 << "' y='" << row << "' width='12' height='12' fill='"
        << s.color << "'/><text x='" << w - right + 28 << "' y='" << row + 10 << "' class='lg'>"
        << Escape(s.name) << "</text>";
  }
  svg << "</svg></figure>";
  return svg.str();
}

// GPUs held by each project over time, stacked.
std::string StackChart(const std::string& title, const sched::SimResult& r,
                       const sched::Trace& trace, int total_gpus) {
  const double w = 380, h = 220, left = 44, right = 10, top = 26, bottom = 30;
  const auto& bins = r.timeline;
  if (bins.empty()) return {};
  const double t0 = static_cast<double>(bins.front().start);
  const double t1 = std::max(t0 + 1, static_cast<double>(bins.back().start));
  auto px = [&](double t) { return left + (t - t0) / (t1 - t0) * (w - left - right); };
  auto py = [&](double g) { return top + (1 - g / total_gpus) * (h - top - bottom); };
  std::ostringstream svg;
  svg << "<figure><svg viewBox='0 0 " << w << " " << h << "' role='img' aria-label='"
      << Escape(title) << "'><text x='" << left << "' y='16' class='t'>" << Escape(title)
      << "</text>";
  const std::size_t projects = bins.front().project_gpus.size();
  std::vector<double> base(bins.size(), 0.0);
  for (std::size_t p = 0; p < projects; ++p) {
    std::ostringstream upper, lower;
    for (std::size_t b = 0; b < bins.size(); ++b) {
      upper << Num(px(static_cast<double>(bins[b].start)), 1) << ","
            << Num(py(base[b] + bins[b].project_gpus[p]), 1) << " ";
    }
    for (std::size_t b = bins.size(); b-- > 0;) {
      lower << Num(px(static_cast<double>(bins[b].start)), 1) << "," << Num(py(base[b]), 1) << " ";
    }
    for (std::size_t b = 0; b < bins.size(); ++b) base[b] += bins[b].project_gpus[p];
    svg << "<polygon fill='" << Color(p) << "' fill-opacity='0.8' points='" << upper.str()
        << lower.str() << "'><title>"
        << Escape(p < trace.projects.size() ? trace.projects[p] : std::to_string(p))
        << "</title></polygon>";
  }
  svg << "<line x1='" << left << "' x2='" << w - right << "' y1='" << py(total_gpus) << "' y2='"
      << py(total_gpus) << "' class='g'/><text x='" << left - 4 << "' y='" << py(total_gpus) + 4
      << "' class='yl'>" << total_gpus << "</text><text x='" << left - 4 << "' y='" << py(0) + 4
      << "' class='yl'>0</text></svg></figure>";
  return svg.str();
}

}  // namespace

std::string RenderSimReport(const std::string& title, const sched::Trace& trace, int total_gpus,
                            const std::vector<sched::SimResult>& results,
                            const std::vector<sched::Summary>& summaries) {
  std::ostringstream html;
  html << "<!doctype html><html lang='en'><head><meta charset='utf-8'><meta name='viewport' "
          "content='width=device-width,initial-scale=1'><title>qiusuo simulate: "
       << Escape(title)
       << "</title><style>body{font:14px "
          "system-ui,sans-serif;margin:24px;color:#111;max-width:1200px}"
          "table{border-collapse:collapse;margin:12px 0}td,th{padding:4px 8px;border-bottom:1px "
          "solid "
          "#ddd;text-align:right}th:first-child,td:first-child{text-align:left}figure{display:"
          "inline-block;"
          "margin:8px;width:560px;max-width:100%}svg{width:100%;height:auto}.t{font-weight:600;"
          "font-size:13px}"
          ".g{stroke:#e5e7eb}"
          ".xl{font-size:10px;text-anchor:middle;fill:#555}.yl{font-size:10px;text-anchor:end;fill:"
          "#555}"
          ".lg{font-size:11px}.small figure{width:380px}</style></head><body>"
       << "<h1>Scheduling replay</h1><p>" << Escape(title) << ": " << trace.jobs.size() << " jobs ("
       << trace.format << " format, " << trace.projects.size() << " projects) on " << total_gpus
       << " GPUs.</p><table><tr><th>policy</th><th>avg JCT "
          "h</th><th>p50</th><th>p95</th><th>p99</th>"
          "<th>avg queue h</th><th>max queue h</th><th>utilization</th><th>preemptions</th>"
          "<th>lost GPU-h</th><th>FTF max</th><th>FTF Jain</th></tr>";
  for (const auto& s : summaries) {
    html << "<tr><td>" << Escape(s.policy) << "</td><td>" << Num(s.avg_jct_s / 3600, 2)
         << "</td><td>" << Num(s.p50_jct_s / 3600, 2) << "</td><td>" << Num(s.p95_jct_s / 3600, 1)
         << "</td><td>" << Num(s.p99_jct_s / 3600, 1) << "</td><td>" << Num(s.avg_queue_s / 3600, 2)
         << "</td><td>" << Num(s.max_queue_s / 3600, 1) << "</td><td>"
         << Num(100 * s.utilization, 1) << "%</td><td>" << s.preemptions << "</td><td>"
         << Num(s.lost_gpu_hours, 1) << "</td><td>" << Num(s.ftf_max, 2) << "</td><td>"
         << Num(s.ftf_jain, 3) << "</td></tr>";
  }
  html << "</table>";

  std::vector<Series> cdf, util, queue;
  for (std::size_t i = 0; i < results.size(); ++i) {
    const auto& r = results[i];
    std::vector<double> jct;
    jct.reserve(r.jobs.size());
    for (const auto& o : r.jobs) jct.push_back(static_cast<double>(o.finish - o.submit));
    std::sort(jct.begin(), jct.end());
    Series s{r.policy, {}, Color(i)};
    const std::size_t step = std::max<std::size_t>(1, jct.size() / 200);
    for (std::size_t k = 0; k < jct.size(); k += step) {
      s.points.emplace_back(jct[k], static_cast<double>(k + 1) / static_cast<double>(jct.size()));
    }
    if (!jct.empty()) s.points.emplace_back(jct.back(), 1.0);
    cdf.push_back(std::move(s));
    Series u{r.policy, {}, Color(i)}, q{r.policy, {}, Color(i)};
    for (const auto& b : r.timeline) {
      const double day = static_cast<double>(b.start - r.first_submit) / 86400.0;
      u.points.emplace_back(day, b.busy_gpus / total_gpus);
      q.points.emplace_back(day, b.queued);
    }
    util.push_back(std::move(u));
    queue.push_back(std::move(q));
  }
  html << "<h2>Job completion time</h2>"
       << LineChart("JCT CDF (log scale)", "job completion time", "fraction of jobs", cdf, true,
                    1.0)
       << "<h2>Over time</h2>"
       << LineChart("GPU utilization", "days since first submit", "busy / total", util, false, 1.0)
       << LineChart("Jobs waiting", "days since first submit", "pending jobs", queue, false)
       << "<h2>GPUs per project over time</h2><div class='small'>";
  for (const auto& r : results) html << StackChart(r.policy, r, trace, total_gpus);
  html << "</div><p>Projects, in stacking order: ";
  for (std::size_t p = 0; p < trace.projects.size(); ++p) {
    html << "<span style='color:" << Color(p) << "'>&#9632;</span> " << Escape(trace.projects[p])
         << " ";
  }
  html << "</p><p>Finish-time fairness (Themis): a project's mean JCT here over its mean JCT alone "
          "on max(GPUs/N, its largest job) GPUs; 1 is as good as its fair share "
          "alone.</p></body></html>\n";
  return html.str();
}

}  // namespace qiusuo::cli
