#pragma once
// Reads a git repository's history with libgit2 for `qiusuo import git`.

#include <functional>
#include <string>
#include <vector>

#include "common/error.h"
#include "service/identities.h"

namespace qiusuo::cli {

// Every commit reachable from HEAD, oldest first, with lines changed against the
// first parent (0 for merges, whose lines their branches' commits already count).
// `progress(done, total)` is called as commits are read.
Result<std::vector<CommitRecord>> ReadGitHistory(
    const std::string& path, const std::function<void(std::size_t, std::size_t)>& progress);

}  // namespace qiusuo::cli
