#pragma once
// The lab's records as plain values. Pure: no I/O, no clock; times and ids come in.

#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/ids.h"

namespace qiusuo {

// A person in the lab. The only capability beyond member is steward (DESIGN.md rule 1):
// a steward runs the server and funds rewards, and has no say over who works on what.
struct Member {
  MemberId id;
  std::string handle;
  std::string name;
  std::vector<std::string> emails;
  std::vector<std::string> skills;
  std::vector<std::string> interests;
  bool steward = false;
  UnixSeconds joined_at = 0;
};

// What a member may edit about themselves.
struct MemberProfile {
  std::string name;
  std::vector<std::string> emails;
  std::vector<std::string> skills;
  std::vector<std::string> interests;
};

struct Idea {
  IdeaId id;
  MemberId author;
  std::string author_handle;
  std::string title;
  std::string pitch;  // markdown
  UnixSeconds created_at = 0;
  std::vector<std::string> backers;  // handles, public by design
};

struct Project {
  ProjectId id;
  std::string title;
  std::string pitch;  // markdown
  std::optional<IdeaId> idea;
  MemberId initiator;
  std::string initiator_handle;
  std::vector<std::string> looking_for;  // open roles: "CUDA kernels", "data cleaning"
  UnixSeconds created_at = 0;
  std::vector<std::string> backers;
};

// What a backing points at. Backing is public and costs nothing; it feeds a
// project's scheduling weight later (rule 4).
enum class BackingTarget { kIdea, kProject };

}  // namespace qiusuo
