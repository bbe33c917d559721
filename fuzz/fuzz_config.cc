// The server's config reader (server/config.h, LoadServerConfig): any bytes as
// qiusuo.toml. It reads a path, so each input goes to one file in a private temp
// directory first.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "server/config.h"

namespace {
std::string dir, path;
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  char tmpl[] = "/tmp/qiusuo-fuzz-config-XXXXXX";
  if (!mkdtemp(tmpl)) std::abort();
  dir = tmpl;
  path = dir + "/qiusuo.toml";
  std::atexit([] {
    std::remove(path.c_str());
    rmdir(dir.c_str());
  });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (!file) std::abort();
  if (size && std::fwrite(data, 1, size, file) != size) std::abort();
  std::fclose(file);
  (void)qiusuo::server::LoadServerConfig(path);
  return 0;
}
