#include "core/validate.h"

#include <gtest/gtest.h>

namespace qiusuo {
namespace {

TEST(Validate, Handles) {
  EXPECT_TRUE(ValidateHandle("handle", "ada"));
  EXPECT_TRUE(ValidateHandle("handle", "li-wei2"));
  for (const char* bad : {"", "a", "Ada", "1ada", "ada lovelace", "ada_l", "ädä",
                          "a23456789012345678901234567890123"}) {
    auto r = ValidateHandle("handle", bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().field, "handle");
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  }
}

TEST(Validate, TitlesAreOneNonEmptyLine) {
  EXPECT_TRUE(ValidateTitle("title", "Sparse attention for 长文本"));
  EXPECT_FALSE(ValidateTitle("title", "   "));
  EXPECT_FALSE(ValidateTitle("title", "two\nlines"));
  EXPECT_FALSE(ValidateTitle("title", std::string(kMaxTitle + 1, 'x')));
}

TEST(Validate, TextMustBeUtf8WithinItsLimit) {
  EXPECT_TRUE(ValidateText("pitch", "# Why\n\nBecause.\n", kMaxPitch));
  EXPECT_FALSE(ValidateText("pitch", "\xff\xfe", kMaxPitch));
  EXPECT_FALSE(ValidateText("pitch", "\xe4\xb8", kMaxPitch));  // truncated sequence
  auto r = ValidateText("pitch", std::string(kMaxPitch + 1, 'x'), kMaxPitch);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("limit"), std::string::npos);
}

TEST(Validate, Emails) {
  EXPECT_TRUE(ValidateEmail("email", "ada@lab.org"));
  for (const char* bad :
       {"ada", "@lab.org", "ada@lab", "ada@@lab.org", "a da@lab.org", "ada@lab."}) {
    EXPECT_FALSE(ValidateEmail("email", bad)) << bad;
  }
}

TEST(Validate, LabelsAreTrimmedAndDeduplicated) {
  auto labels = NormalizeLabels("looking_for", {" CUDA kernels ", "", "CUDA kernels", "data"});
  ASSERT_TRUE(labels);
  EXPECT_EQ(*labels, (std::vector<std::string>{"CUDA kernels", "data"}));
  EXPECT_FALSE(NormalizeLabels("skills", {std::string(kMaxListItem + 1, 'x')}));
  std::vector<std::string> too_many;
  for (std::size_t i = 0; i <= kMaxListItems; ++i) too_many.push_back("s" + std::to_string(i));
  EXPECT_FALSE(NormalizeLabels("skills", too_many));
}

TEST(Validate, ProfilesLowercaseEmails) {
  auto p = NormalizeProfile({"  Ada  ", {"Ada@Lab.org", "ada@lab.org"}, {"c++"}, {}});
  ASSERT_TRUE(p);
  EXPECT_EQ(p->name, "Ada");
  EXPECT_EQ(p->emails, std::vector<std::string>{"ada@lab.org"});
  EXPECT_FALSE(NormalizeProfile({"", {}, {}, {}}));
}

TEST(Validate, Passwords) {
  EXPECT_FALSE(ValidatePassword("password", "short"));
  EXPECT_TRUE(ValidatePassword("password", "long enough pass"));
}

}  // namespace
}  // namespace qiusuo
