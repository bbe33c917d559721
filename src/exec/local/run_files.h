#pragma once
// The files of a run directory, shared by the server side of the local executor and
// the supervisor (`qiusuo-shim`). What each file means:
//
//   spec.json   what to run; written by the server before it launches the supervisor
//   claim       created (O_EXCL) by the supervisor before it does anything, holding
//               its pid; or by the server, holding "lost", when it gives up on a
//               supervisor that never came: exactly one of them wins, so a run is
//               never both declared lost and started
//   pgid        the job's process group
//   stop        a stop asked for before the supervisor was up; it checks on start
//   exit.json   how the run ended, written atomically and durably by the supervisor

#include <string>
#include <string_view>

#include "common/error.h"

namespace qiusuo::run_files {

// exit.json's "reason" for a run the supervisor ended itself (besides "exited" and
// "cannot start: ..."); the server reads them back as RunEnd.
inline constexpr std::string_view kReasonStopped = "stopped";
inline constexpr std::string_view kReasonTimeLimit = "time limit";
inline constexpr std::string_view kReasonExited = "exited";

Result<std::string> ReadAll(const std::string& path);
// Writes PATH (mode 0600).
Status Write(const std::string& path, const std::string& content);
// Writes to PATH.tmp, fsyncs it, renames it over PATH and fsyncs the directory, so
// readers see all of it or nothing, and a crash of the machine loses none of it.
Status WriteAtomically(const std::string& path, const std::string& content);
bool Exists(const std::string& path);
// Creates the file if nobody has; false if it was there already (or cannot be made).
bool CreateExclusive(const std::string& path);
// CreateExclusive, then writes `content` into it.
bool Claim(const std::string& path, const std::string& content);

}  // namespace qiusuo::run_files
