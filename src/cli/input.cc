#include "cli/input.h"

#include <termios.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <sstream>

namespace qiusuo::cli {

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream f(path == "-" ? "/dev/stdin" : path);
  if (!f) return InvalidArgument("file", "cannot read " + path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

Result<std::string> ReadPassword(bool from_stdin, const std::string& prompt) {
  std::string password;
  if (from_stdin || !isatty(STDIN_FILENO)) {
    if (!std::getline(std::cin, password)) {
      return InvalidArgument("password", "no password on standard input");
    }
    return password;
  }
  std::cerr << prompt << std::flush;
  termios old{};
  tcgetattr(STDIN_FILENO, &old);
  termios quiet = old;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  std::getline(std::cin, password);
  tcsetattr(STDIN_FILENO, TCSANOW, &old);
  std::cerr << "\n";
  return password;
}

std::string Ask(const std::string& prompt) {
  std::cerr << prompt << std::flush;
  std::string line;
  std::getline(std::cin, line);
  return line;
}

}  // namespace qiusuo::cli
