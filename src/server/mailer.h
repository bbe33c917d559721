#pragma once
// The lab's mail, sent through the operator's `mail_command`.

#include <chrono>
#include <string>

#include "service/identities.h"

namespace qiusuo::server {

// A Mailer that runs `command` with /bin/sh -c for each message and writes the
// message ("To:", "Subject:", a blank line, the body) to its stdin, as `sendmail -t`
// reads it. A command that cannot start, exits non-zero or takes longer than
// `timeout` (it is then killed, with what it started) is a kUnavailable error the API
// answers with 503. A command that exits without reading its input is no danger to
// the caller: SIGPIPE is held back in the writing thread, whatever the process does
// with it; such a command's exit status decides.
Mailer MakeCommandMailer(std::string command,
                         std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace qiusuo::server
