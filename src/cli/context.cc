#include "cli/context.h"

#include <iostream>

namespace qiusuo::cli {

std::function<void()> Context::Run(std::function<Status()> fn) {
  return [this, fn = std::move(fn)] {
    result_ = client_.Load();
    if (result_) result_ = fn();
  };
}

std::function<void()> Context::RunLocal(std::function<Status()> fn) {
  return [this, fn = std::move(fn)] { result_ = fn(); };
}

void Context::Out(const json& doc, const std::function<void(const json&)>& human) const {
  if (globals_.json)
    std::cout << doc.dump(2) << "\n";
  else
    human(doc);
}

}  // namespace qiusuo::cli
