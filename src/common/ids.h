#pragma once
// Strong id types: a MemberId cannot be passed where a ProjectId is expected.

#include <compare>
#include <cstdint>
#include <functional>

namespace qiusuo {

template <typename Tag>
struct StrongId {
  std::int64_t value = 0;

  constexpr StrongId() = default;
  constexpr explicit StrongId(std::int64_t v) : value(v) {}
  constexpr bool valid() const { return value > 0; }
  friend constexpr auto operator<=>(StrongId, StrongId) = default;
};

using MemberId = StrongId<struct MemberTag>;
using IdeaId = StrongId<struct IdeaTag>;
using ProjectId = StrongId<struct ProjectTag>;
using TaskId = StrongId<struct TaskTag>;
using TokenId = StrongId<struct TokenTag>;

}  // namespace qiusuo

template <typename Tag>
struct std::hash<qiusuo::StrongId<Tag>> {
  std::size_t operator()(qiusuo::StrongId<Tag> id) const noexcept {
    return std::hash<std::int64_t>{}(id.value);
  }
};
