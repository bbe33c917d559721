#pragma once
// The lab's mail, sent through the operator's `mail_command`.

#include <string>

#include "service/identities.h"

namespace qiusuo::server {

// A Mailer that runs `command` with /bin/sh -c for each message and writes the
// message ("To:", "Subject:", a blank line, the body) to its stdin, as `sendmail -t`
// reads it. A command that cannot start or exits non-zero is a kUnavailable error
// (the API answers 503). Writing to a command that exited without reading its input
// fails with EPIPE, which needs SIGPIPE ignored (RunServer ignores it) rather than
// killing the process.
Mailer MakeCommandMailer(std::string command);

}  // namespace qiusuo::server
