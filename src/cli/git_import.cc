#include "cli/git_import.h"

#include <git2.h>

#include <memory>

namespace qiusuo::cli {
namespace {

std::string GitError(const std::string& what) {
  const git_error* e = git_error_last();
  return what + ": " + (e && e->message ? e->message : "unknown libgit2 error");
}

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
template <typename T, void (*Free)(T*)>
using Owned = std::unique_ptr<T, Deleter<T, Free>>;

using Repo = Owned<git_repository, git_repository_free>;
using Walk = Owned<git_revwalk, git_revwalk_free>;
using Commit = Owned<git_commit, git_commit_free>;
using Tree = Owned<git_tree, git_tree_free>;
using Diff = Owned<git_diff, git_diff_free>;
using Stats = Owned<git_diff_stats, git_diff_stats_free>;

struct Libgit2 {
  Libgit2() { git_libgit2_init(); }
  ~Libgit2() { git_libgit2_shutdown(); }
  Libgit2(const Libgit2&) = delete;
  Libgit2& operator=(const Libgit2&) = delete;
};

Result<std::int64_t> LinesChanged(git_repository* repo, git_commit* commit) {
  if (git_commit_parentcount(commit) > 1) return 0;
  git_tree* raw_tree = nullptr;
  if (git_commit_tree(&raw_tree, commit) != 0) return Internal(GitError("reading a tree"));
  const Tree tree(raw_tree);
  Tree parent_tree;
  if (git_commit_parentcount(commit) == 1) {
    git_commit* raw_parent = nullptr;
    if (git_commit_parent(&raw_parent, commit, 0) != 0)
      return Internal(GitError("reading a parent"));
    const Commit parent(raw_parent);
    git_tree* raw = nullptr;
    if (git_commit_tree(&raw, parent.get()) != 0) return Internal(GitError("reading a tree"));
    parent_tree.reset(raw);
  }
  git_diff* raw_diff = nullptr;
  if (git_diff_tree_to_tree(&raw_diff, repo, parent_tree.get(), tree.get(), nullptr) != 0)
    return Internal(GitError("diffing a commit"));
  const Diff diff(raw_diff);
  git_diff_stats* raw_stats = nullptr;
  if (git_diff_get_stats(&raw_stats, diff.get()) != 0) return Internal(GitError("diff stats"));
  const Stats stats(raw_stats);
  return static_cast<std::int64_t>(git_diff_stats_insertions(stats.get()) +
                                   git_diff_stats_deletions(stats.get()));
}

}  // namespace

Result<std::vector<CommitRecord>> ReadGitHistory(
    const std::string& path, const std::function<void(std::size_t, std::size_t)>& progress) {
  const Libgit2 lib;
  git_repository* raw_repo = nullptr;
  if (git_repository_open_ext(&raw_repo, path.c_str(), 0, nullptr) != 0)
    return NotFound(GitError("cannot open a git repository at " + path));
  const Repo repo(raw_repo);
  git_revwalk* raw_walk = nullptr;
  if (git_revwalk_new(&raw_walk, repo.get()) != 0) return Internal(GitError("revwalk"));
  const Walk walk(raw_walk);
  git_revwalk_sorting(walk.get(), GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME | GIT_SORT_REVERSE);
  if (git_revwalk_push_head(walk.get()) != 0)
    return FailedPrecondition(GitError(path + " has no commits on HEAD"));
  std::vector<git_oid> oids;
  git_oid oid;
  while (git_revwalk_next(&oid, walk.get()) == 0) oids.push_back(oid);
  std::vector<CommitRecord> out;
  out.reserve(oids.size());
  for (const git_oid& id : oids) {
    git_commit* raw = nullptr;
    if (git_commit_lookup(&raw, repo.get(), &id) != 0)
      return Internal(GitError("reading a commit"));
    const Commit commit(raw);
    const git_signature* author = git_commit_author(commit.get());
    CommitRecord r;
    r.sha = git_oid_tostr_s(&id);
    r.author_name = author && author->name ? author->name : "";
    r.author_email = author && author->email ? author->email : "";
    r.at = author ? static_cast<UnixSeconds>(author->when.time) : git_commit_time(commit.get());
    const char* summary = git_commit_summary(commit.get());
    r.headline = summary ? summary : "";
    if (r.headline.size() > 200) r.headline.resize(200);
    r.lines = QS_TRY(LinesChanged(repo.get(), commit.get()));
    out.push_back(std::move(r));
    if (progress) progress(out.size(), oids.size());
  }
  return out;
}

}  // namespace qiusuo::cli
