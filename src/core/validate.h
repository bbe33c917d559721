#pragma once
// Input rules shared by every face (HTTP, CLI, demo). Each returns an error that
// names the field and says what a valid value looks like.

#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "core/model.h"

namespace qiusuo {

inline constexpr std::size_t kMaxTitle = 200;
inline constexpr std::size_t kMaxPitch = 20000;
inline constexpr std::size_t kMaxListItems = 30;
inline constexpr std::size_t kMaxListItem = 80;
inline constexpr std::size_t kMinPassword = 10;
inline constexpr std::size_t kMaxPassword = 1024;

// 2 to 32 characters: lowercase letters, digits and '-', starting with a letter.
Status ValidateHandle(std::string_view field, std::string_view handle);
Status ValidateTitle(std::string_view field, std::string_view title);
Status ValidateText(std::string_view field, std::string_view text, std::size_t max_len);
Status ValidatePassword(std::string_view field, std::string_view password);
Status ValidateEmail(std::string_view field, std::string_view email);
// A short list of short labels (skills, interests, open roles); trims and de-duplicates.
Result<std::vector<std::string>> NormalizeLabels(std::string_view field,
                                                 const std::vector<std::string>& labels);
Result<MemberProfile> NormalizeProfile(MemberProfile profile);

}  // namespace qiusuo
