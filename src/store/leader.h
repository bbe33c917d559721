#pragma once
// Which server process runs the lab's scheduler. Replicas of a server on one
// PostgreSQL database all serve the API, but only one may schedule, or two would
// start the same job twice. The leader is the process holding a session-level
// advisory lock on a connection of its own (postgres/pg_store.h) for as long as it
// lives; the others try again on each pass, and one takes over when the leader's
// connection closes (it stopped, crashed, or lost the database). A SQLite lab is
// served by one process (the file is the server's alone), which always leads.

#include <memory>

namespace qiusuo {

class Leadership {
 public:
  virtual ~Leadership() = default;
  // Whether this process leads now: keeps a lead it holds while its connection is
  // alive, else tries to take it without waiting. Never throws.
  virtual bool Lead() = 0;
};

// Always leads: one process per lab (SQLite, and tests).
class SoleLeadership final : public Leadership {
 public:
  bool Lead() override { return true; }
};

}  // namespace qiusuo
