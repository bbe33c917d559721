#include "core/validate.h"

#include <algorithm>
#include <set>

namespace qiusuo {
namespace {

bool IsValidUtf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t extra = 0;
    if (c < 0x80)
      extra = 0;
    else if ((c >> 5) == 0x6)
      extra = 1;
    else if ((c >> 4) == 0xE)
      extra = 2;
    else if ((c >> 3) == 0x1E)
      extra = 3;
    else
      return false;
    for (std::size_t k = 1; k <= extra; ++k) {
      if (i + k >= s.size()) return false;
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return false;
    }
    i += extra + 1;
  }
  return true;
}

bool HasControl(std::string_view s, bool allow_newlines) {
  return std::any_of(s.begin(), s.end(), [&](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    if (allow_newlines && (c == '\n' || c == '\r' || c == '\t')) return false;
    return c < 0x20 || c == 0x7F;
  });
}

std::string Trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(first, last - first + 1));
}

}  // namespace

Status ValidateHandle(std::string_view field, std::string_view handle) {
  const bool ok = handle.size() >= 2 && handle.size() <= 32 && handle[0] >= 'a' &&
                  handle[0] <= 'z' && std::all_of(handle.begin(), handle.end(), [](char c) {
                    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
                  });
  if (!ok) {
    return InvalidArgument(std::string(field),
                           "a handle is 2 to 32 characters of a-z, 0-9 and '-', starting with a "
                           "letter (got '" +
                               std::string(handle.substr(0, 40)) + "')");
  }
  return {};
}

Status ValidateTitle(std::string_view field, std::string_view title) {
  if (Trim(title).empty()) {
    return InvalidArgument(std::string(field), std::string(field) + " must not be empty");
  }
  if (HasControl(title, false)) {
    return InvalidArgument(std::string(field),
                           std::string(field) + " must be one line without control characters");
  }
  return ValidateText(field, title, kMaxTitle);
}

Status ValidateText(std::string_view field, std::string_view text, std::size_t max_len) {
  if (text.size() > max_len) {
    return InvalidArgument(std::string(field),
                           std::string(field) + " is " + std::to_string(text.size()) +
                               " bytes; the limit is " + std::to_string(max_len));
  }
  if (!IsValidUtf8(text)) {
    return InvalidArgument(std::string(field), std::string(field) + " is not valid UTF-8");
  }
  if (HasControl(text, true)) {
    return InvalidArgument(std::string(field), std::string(field) + " contains control characters");
  }
  return {};
}

Status ValidatePassword(std::string_view field, std::string_view password) {
  if (password.size() < kMinPassword || password.size() > kMaxPassword) {
    return InvalidArgument(std::string(field), "a password is " + std::to_string(kMinPassword) +
                                                   " to " + std::to_string(kMaxPassword) +
                                                   " bytes long");
  }
  return {};
}

Status ValidateEmail(std::string_view field, std::string_view email) {
  const auto at = email.find('@');
  const bool ok = email.size() <= 254 && at != std::string_view::npos && at > 0 &&
                  email.find('.', at) != std::string_view::npos && email.back() != '.' &&
                  email.find('@', at + 1) == std::string_view::npos && !HasControl(email, false) &&
                  email.find(' ') == std::string_view::npos;
  if (!ok) {
    return InvalidArgument(
        std::string(field),
        "'" + std::string(email.substr(0, 60)) + "' is not an email address like name@example.org");
  }
  return {};
}

Result<std::vector<std::string>> NormalizeLabels(std::string_view field,
                                                 const std::vector<std::string>& labels) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& raw : labels) {
    std::string label = Trim(raw);
    if (label.empty()) continue;
    if (label.size() > kMaxListItem || HasControl(label, false) || !IsValidUtf8(label)) {
      return InvalidArgument(std::string(field), "each entry of " + std::string(field) +
                                                     " is one line of at most " +
                                                     std::to_string(kMaxListItem) + " bytes");
    }
    if (seen.insert(label).second) out.push_back(std::move(label));
  }
  if (out.size() > kMaxListItems) {
    return InvalidArgument(std::string(field), std::string(field) + " holds at most " +
                                                   std::to_string(kMaxListItems) + " entries");
  }
  return out;
}

Result<MemberProfile> NormalizeProfile(MemberProfile profile) {
  profile.name = Trim(profile.name);
  if (profile.name.empty()) return InvalidArgument("name", "name must not be empty");
  QS_TRY_STATUS(ValidateTitle("name", profile.name));
  std::vector<std::string> emails;
  for (const auto& email : profile.emails) {
    std::string e = Trim(email);
    std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return std::tolower(c); });
    QS_TRY_STATUS(ValidateEmail("emails", e));
    if (std::find(emails.begin(), emails.end(), e) == emails.end()) emails.push_back(e);
  }
  if (emails.size() > kMaxListItems) return InvalidArgument("emails", "at most 30 emails");
  profile.emails = std::move(emails);
  profile.skills = QS_TRY(NormalizeLabels("skills", profile.skills));
  profile.interests = QS_TRY(NormalizeLabels("interests", profile.interests));
  return profile;
}

}  // namespace qiusuo
