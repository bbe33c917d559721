#pragma once
// The web UI's files (web/dist, built by Vite), served at / beside the API: any
// path that is not a file gets index.html, so the UI's own routes survive a reload.

#include <string>

#include "http/message.h"

namespace qiusuo::http {

class StaticFiles {
 public:
  // `root` may be empty or missing: every page then explains how to build the UI.
  explicit StaticFiles(std::string root);
  Response Serve(const Request& request) const;
  const std::string& root() const { return root_; }

 private:
  std::string root_;
};

}  // namespace qiusuo::http
