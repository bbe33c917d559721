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

TEST_F(MailerTest, ACommandThatFailsSaysHowInItsError) {
  const Status sent = MakeCommandMailer("cat >/dev/null; exit 3")("ada@example.org", "s", "b");
  ASSERT_FALSE(sent);
  EXPECT_NE(sent.error().message.find("exit status 3"), std::string::npos) << sent.error().message;
  EXPECT_NE(sent.error().message.find("tell the operator"), std::string::npos);
}

// `true` exits at once without reading; with SIGPIPE's default action a careless
// write would kill this very test process (exit 141).
TEST_F(MailerTest, ACommandThatExitsAtOnceIsHarmlessEvenWhereSigpipeKills) {
  std::signal(SIGPIPE, SIG_DFL);
  const std::string body(1 << 20, 'x');
  for (int attempt = 0; attempt < 20; ++attempt) {
    EXPECT_TRUE(MakeCommandMailer("true")("ada@example.org", "s", body));
    const Status failed = MakeCommandMailer("false")("ada@example.org", "s", body);
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().code, ErrorCode::kUnavailable);
  }
  std::signal(SIGPIPE, SIG_IGN);
}

// True while `pid` runs (a zombie waiting for its parent counts as ended).
bool Running(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!std::getline(stat, text)) return false;
  const auto paren = text.rfind(')');
  return paren != std::string::npos && paren + 2 < text.size() && text[paren + 2] != 'Z' &&
         text[paren + 2] != 'X';
}

TEST_F(MailerTest, ACommandThatHangsIsEndedWithWhatItStartedAndIsUnavailable) {
  fs::create_directories(dir_);
  const fs::path pid_file = dir_ / "sleeper.pid";
  // It reads its input, then hangs in a child of its own.
  const Mailer mail =
      MakeCommandMailer("cat >/dev/null; sleep 300 & echo $! > '" + pid_file.string() + "'; wait",
                        std::chrono::milliseconds(300));
  const Status sent = mail("ada@example.org", "s", "b");
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(sent.error().message.find("took longer"), std::string::npos) << sent.error().message;
  const pid_t sleeper = std::stoi(ReadAll(pid_file));
  ASSERT_GT(sleeper, 0);
  // Killed with its group; init reaps it in its own time, so a zombie is fine.
  for (int look = 0; look < 100 && Running(sleeper); ++look) ::usleep(20'000);
  EXPECT_FALSE(Running(sleeper)) << "the mail command's child outlived it";
}

TEST_F(MailerTest, ACommandThatNeverReadsAndNeverExitsIsEndedToo) {
  // More than a pipe holds: the write itself has to give up at the deadline.
  const std::string body(1 << 20, 'x');
  const Status sent =
      MakeCommandMailer("sleep 300", std::chrono::milliseconds(300))("ada@example.org", "s", body);
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace qiusuo::server
