#include "http/static_files.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace qiusuo::http {
namespace fs = std::filesystem;

namespace {

std::string TypeOf(const fs::path& p) {
  const std::string ext = p.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json" || ext == ".map") return "application/json";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".woff2") return "font/woff2";
  if (ext == ".txt") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

// What every page of the UI may do: its own scripts, styles and API, nothing else.
void Harden(Response& r) {
  r.headers.emplace_back("Content-Security-Policy",
                         "default-src 'self'; img-src 'self' data:; style-src 'self' "
                         "'unsafe-inline'; frame-ancestors 'none'; base-uri 'self'; "
                         "form-action 'self'");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Referrer-Policy", "same-origin");
}

}  // namespace

StaticFiles::StaticFiles(std::string root) : root_(std::move(root)) {}

Response StaticFiles::Serve(const Request& req) const {
  Response r;
  if (req.method != "GET" && req.method != "HEAD") {
    r.status = 405;
    r.content_type = "text/plain; charset=utf-8";
    r.body = "only GET here; the API is under /api/v1/\n";
    r.headers.emplace_back("Allow", "GET, HEAD");
    return r;
  }
  std::error_code ec;
  const fs::path root = root_.empty() ? fs::path() : fs::weakly_canonical(root_, ec);
  if (root.empty() || !fs::exists(root / "index.html")) {
    r.status = 503;
    r.content_type = "text/html; charset=utf-8";
    r.body =
        "<!doctype html><title>Qiusuo</title><p>The web UI is not built. Run <code>make "
        "web</code> (or <code>make demo</code>), or set <code>web_root</code> in qiusuo.toml. "
        "The API is at <a href=\"/api/v1/openapi.json\">/api/v1/</a>.</p>\n";
    return r;
  }
  // Only files under the root: the path is resolved and must stay inside it.
  fs::path file = fs::weakly_canonical(root / fs::path(req.path).relative_path(), ec);
  const auto [end, _] = std::mismatch(root.begin(), root.end(), file.begin(), file.end());
  const bool inside = !ec && end == root.end();
  const bool asset = inside && fs::is_regular_file(file, ec);
  if (!asset) {
    // Missing assets are 404s; anything else is a route of the UI.
    if (req.path.starts_with("/assets/")) {
      r.status = 404;
      r.content_type = "text/plain; charset=utf-8";
      r.body = "no such file\n";
      return r;
    }
    file = root / "index.html";
  }
  std::ifstream in(file, std::ios::binary);
  std::ostringstream body;
  body << in.rdbuf();
  r.body = req.method == "HEAD" ? "" : body.str();
  r.content_type = TypeOf(file);
  // Vite names assets by their content's hash: they never change. index.html does.
  r.headers.emplace_back("Cache-Control", req.path.starts_with("/assets/") && asset
                                              ? "public, max-age=31536000, immutable"
                                              : "no-cache");
  Harden(r);
  return r;
}

}  // namespace qiusuo::http
