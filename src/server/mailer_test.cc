#include "server/mailer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace qiusuo::server {
namespace {

namespace fs = std::filesystem;

class MailerTest : public ::testing::Test {
 protected:
  // As RunServer does: a command that stops reading is an error, not the end.
  void SetUp() override { std::signal(SIGPIPE, SIG_IGN); }
  void TearDown() override { fs::remove_all(dir_); }

  std::string ReadAll(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  const fs::path dir_ = fs::temp_directory_path() / ("qiusuo-mailer-" + std::to_string(::getpid()));
};

TEST_F(MailerTest, WritesTheMessageToTheCommand) {
  fs::create_directories(dir_);
  const fs::path out = dir_ / "mail.txt";
  const Mailer mail = MakeCommandMailer("cat > '" + out.string() + "'");
  ASSERT_TRUE(mail("ada@example.org", "your code", "12345\n"));
  EXPECT_EQ(ReadAll(out), "To: ada@example.org\nSubject: your code\n\n12345\n");
}

TEST_F(MailerTest, ACommandThatFailsIsUnavailable) {
  const Mailer mail = MakeCommandMailer("cat >/dev/null; exit 3");
  const Status sent = mail("ada@example.org", "s", "b");
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().code, ErrorCode::kUnavailable);
}

TEST_F(MailerTest, ACommandThatExitsWithoutReadingNeverKillsTheCaller) {
  // Bigger than a pipe's buffer, so the write meets the closed pipe.
  const std::string body(1 << 20, 'x');
  const Status failed = MakeCommandMailer("exit 4")("ada@example.org", "s", body);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, ErrorCode::kUnavailable);
  // Exiting 0 without reading is the command's call to make.
  EXPECT_TRUE(MakeCommandMailer("exit 0")("ada@example.org", "s", body));
}

}  // namespace
}  // namespace qiusuo::server
