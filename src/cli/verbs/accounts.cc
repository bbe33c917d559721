// Accounts: signing up and in, tokens, sign-up codes.
#include <unistd.h>

#include <iostream>

#include "cli/input.h"
#include "cli/print.h"
#include "cli/table.h"
#include "cli/verbs/verbs.h"
#include "http/message.h"

namespace qiusuo::cli {
namespace {

struct AccountOptions {
  std::string handle, name, invite_code, token_name, code, whose;
  std::vector<std::string> emails, skills, interests;
  bool password_stdin = false;
  std::int64_t token_id = 0;
};

}  // namespace

void AddAccountVerbs(CLI::App& app, Context& ctx) {
  AccountOptions& o = ctx.Keep<AccountOptions>();
  Client& client = ctx.client();
  auto* signup = app.add_subcommand("signup", "create your account on the server and sign in");
  signup->add_option("--handle", o.handle, "your handle: 2-32 of a-z 0-9 -");
  signup->add_option("--name", o.name, "your name as others see it");
  signup->add_option("--email", o.emails, "an email of yours (repeatable)");
  signup->add_option("--skill", o.skills, "a skill (repeatable)");
  signup->add_option("--interest", o.interests, "a research interest (repeatable)");
  signup->add_option("--invite", o.invite_code, "a sign-up code, for invite-only labs");
  signup->add_flag("--password-stdin", o.password_stdin, "read the password from stdin");
  signup->callback(ctx.Run([&]() -> Status {
    if (o.handle.empty()) o.handle = Ask("handle: ");
    const std::string password =
        QS_TRY(ReadPassword(o.password_stdin, "password (10+ characters): "));
    json body = {{"handle", o.handle},
                 {"password", password},
                 {"emails", o.emails},
                 {"skills", o.skills},
                 {"interests", o.interests}};
    if (!o.name.empty()) body["name"] = o.name;
    if (!o.invite_code.empty()) body["invite_code"] = o.invite_code;
    QS_TRY(client.Call("POST", "/api/v1/members", body));
    const json session = QS_TRY(
        client.Call("POST", "/api/v1/sessions", {{"handle", o.handle}, {"password", password}}));
    QS_TRY_STATUS(client.SaveLogin(session["token"], session.value("client", "")));
    ctx.Out(session["member"], [&](const json&) {
      std::cout << "Welcome, @" << o.handle << ". Signed in to " << client.Server() << ".\n";
    });
    return {};
  }));

  auto* login = app.add_subcommand("login", "sign in and keep the token in your config file");
  login->add_option("--handle", o.handle, "your handle");
  login->add_flag("--password-stdin", o.password_stdin, "read the password from stdin");
  login->callback(ctx.Run([&]() -> Status {
    if (o.handle.empty()) o.handle = Ask("handle: ");
    const std::string password = QS_TRY(ReadPassword(o.password_stdin, "password: "));
    // The secret this machine got from its last sign-in lets the right password through
    // brakes that strangers' wrong ones set.
    const json session = QS_TRY(client.Call(
        "POST", "/api/v1/sessions",
        {{"handle", o.handle}, {"password", password}, {"client", client.KnownClient()}}));
    QS_TRY_STATUS(client.SaveLogin(session["token"], session.value("client", "")));
    ctx.Out(session["member"], [&](const json&) {
      std::cout << "Signed in to " << client.Server() << " as @" << o.handle << " (token saved in "
                << client.config_path() << ").\n";
    });
    return {};
  }));

  auto* logout = app.add_subcommand("logout", "revoke this machine's token and forget it");
  logout->callback(ctx.Run([&]() -> Status {
    QS_TRY(client.Call("DELETE", "/api/v1/sessions/current"));
    QS_TRY_STATUS(client.SaveLogin(""));
    if (!ctx.json_output()) std::cout << "Signed out.\n";
    return {};
  }));

  auto* whoami = app.add_subcommand("whoami", "who the saved token belongs to");
  whoami->callback(ctx.Run([&]() -> Status {
    const json me = QS_TRY(client.Call("GET", "/api/v1/me"));
    ctx.Out(me, [&](const json& m) {
      std::cout << "@" << m["handle"].get<std::string>() << " (" << m["name"].get<std::string>()
                << ")" << (m["steward"].get<bool>() ? ", steward" : "") << " on " << client.Server()
                << "\n";
    });
    return {};
  }));

  auto* token = app.add_subcommand("token", "your API tokens");
  token->require_subcommand(1);
  token->add_subcommand("list", "list your tokens")->callback(ctx.Run([&]() -> Status {
    ctx.Out(QS_TRY(AllPages(client, "/api/v1/tokens")), [](const json& list) {
      std::vector<std::vector<std::string>> rows;
      for (const auto& t : list["items"]) {
        rows.push_back(
            {std::to_string(t["id"].get<std::int64_t>()), t["name"], Date(t["created_at"]),
             t["revoked_at"].is_null() ? (t["current"].get<bool>() ? "live (this one)" : "live")
                                       : "revoked"});
      }
      PrintTable(std::cout, {"ID", "NAME", "CREATED", "STATUS"}, rows);
    });
    return {};
  }));
  auto* token_create =
      token->add_subcommand("create", "make a named token for scripts (printed once)");
  token_create->add_option("--name", o.token_name, "what it is for");
  token_create->callback(ctx.Run([&]() -> Status {
    const json t = QS_TRY(client.Call("POST", "/api/v1/tokens", {{"name", o.token_name}}));
    ctx.Out(t, [](const json& t) { std::cout << t["token"].get<std::string>() << "\n"; });
    return {};
  }));
  auto* token_revoke = token->add_subcommand("revoke", "revoke one of your tokens");
  token_revoke->add_option("ID", o.token_id, "token id (see token list)")->required();
  token_revoke->callback(ctx.Run([&]() -> Status {
    ctx.Out(QS_TRY(client.Call("DELETE", "/api/v1/tokens/" + std::to_string(o.token_id))),
            [&](const json&) { std::cout << "Revoked token " << o.token_id << ".\n"; });
    return {};
  }));

  auto* passwd = app.add_subcommand(
      "passwd", "change your password (ends your other sessions and API tokens)");
  passwd->add_flag("--password-stdin", o.password_stdin,
                   "read the current and the new password from stdin, one a line");
  passwd->callback(ctx.Run([&]() -> Status {
    const std::string current = QS_TRY(ReadPassword(o.password_stdin, "current password: "));
    const std::string fresh =
        QS_TRY(ReadPassword(o.password_stdin, "new password (10+ characters): "));
    if (!o.password_stdin && isatty(STDIN_FILENO)) {
      if (QS_TRY(ReadPassword(false, "new password again: ")) != fresh) {
        return InvalidArgument("new_password", "the two new passwords differ; run passwd again");
      }
    }
    const json r = QS_TRY(client.Call("POST", "/api/v1/me/password",
                                      {{"current_password", current}, {"new_password", fresh}}));
    ctx.Out(r, [](const json& r) {
      std::cout << "Password changed; " << r["ended_sessions"].get<std::int64_t>()
                << " other session(s) and token(s) ended.\n";
    });
    return {};
  }));

  auto* reset = app.add_subcommand("reset-password", "reset a forgotten password with a code");
  reset->require_subcommand(1);
  auto* reset_request =
      reset->add_subcommand("request", "have a one-time code mailed to your proven addresses");
  reset_request->add_option("--handle", o.handle, "your handle")->required();
  reset_request->callback(ctx.Run([&]() -> Status {
    ctx.Out(QS_TRY(client.Call("POST", "/api/v1/password-resets", {{"handle", o.handle}})),
            [&](const json&) {
              std::cout << "If @" << o.handle
                        << " has a proven address, a code is on its way there.\n";
            });
    return {};
  }));
  auto* reset_issue = reset->add_subcommand(
      "issue", "stewards: a one-time code for a member the lab cannot mail (printed once)");
  reset_issue->add_option("HANDLE", o.handle, "whose password")->required();
  reset_issue->callback(ctx.Run([&]() -> Status {
    const json r = QS_TRY(
        client.Call("POST", "/api/v1/members/" + http::UrlEncode(o.handle) + "/password-reset"));
    ctx.Out(r, [](const json& r) {
      std::cout << r["code"].get<std::string>() << "\n";
      std::cerr << "Give this code to @" << r["handle"].get<std::string>()
                << " in person; it works once, until " << Date(r["expires_at"])
                << ". They run: qiusuo reset-password use --handle "
                << r["handle"].get<std::string>() << " --code CODE\n";
    });
    return {};
  }));
  auto* reset_use = reset->add_subcommand("use", "choose a new password with a reset code");
  reset_use->add_option("--handle", o.handle, "your handle")->required();
  reset_use->add_option("--code", o.code, "the code (qsr_...)")->required();
  reset_use->add_flag("--password-stdin", o.password_stdin, "read the new password from stdin");
  reset_use->callback(ctx.Run([&]() -> Status {
    const std::string fresh =
        QS_TRY(ReadPassword(o.password_stdin, "new password (10+ characters): "));
    ctx.Out(QS_TRY(client.Call("POST", "/api/v1/password-resets/use",
                               {{"handle", o.handle}, {"code", o.code}, {"new_password", fresh}})),
            [&](const json&) {
              std::cout << "Password of @" << o.handle
                        << " set; every session ended. Sign in with `qiusuo login`.\n";
            });
    return {};
  }));

  auto* session = app.add_subcommand("session", "signed-in sessions and API tokens");
  session->require_subcommand(1);
  auto* session_list =
      session->add_subcommand("list", "live sessions of yours, or (stewards) a member's");
  session_list->add_option("HANDLE", o.whose, "whose (default: yours)");
  session_list->callback(ctx.Run([&]() -> Status {
    if (o.whose.empty()) o.whose = QS_TRY(client.Call("GET", "/api/v1/me"))["handle"];
    ctx.Out(QS_TRY(client.Call("GET", "/api/v1/members/" + http::UrlEncode(o.whose) + "/sessions")),
            [](const json& list) {
              std::vector<std::vector<std::string>> rows;
              for (const auto& t : list["items"]) {
                rows.push_back({std::to_string(t["id"].get<std::int64_t>()),
                                t["session"].get<bool>() ? "session" : "api token", t["name"],
                                Date(t["created_at"]), Date(t["last_used_at"]),
                                t["expires_at"].is_null() ? "never" : Date(t["expires_at"]),
                                t["current"].get<bool>() ? "this one" : ""});
              }
              PrintTable(std::cout, {"ID", "KIND", "NAME", "CREATED", "LAST USED", "EXPIRES", ""},
                         rows);
            });
    return {};
  }));
  auto* session_end = session->add_subcommand(
      "end", "end your other sessions and tokens, or (stewards) all of a member's");
  session_end->add_option("HANDLE", o.whose, "whose (default: yours, keeping this one)");
  session_end->callback(ctx.Run([&]() -> Status {
    if (o.whose.empty()) o.whose = QS_TRY(client.Call("GET", "/api/v1/me"))["handle"];
    ctx.Out(
        QS_TRY(client.Call("DELETE", "/api/v1/members/" + http::UrlEncode(o.whose) + "/sessions")),
        [&](const json& r) {
          std::cout << "Ended " << r["ended"].get<std::int64_t>() << " session(s) and token(s) of @"
                    << o.whose << ".\n";
        });
    return {};
  }));

  app.add_subcommand("signup-invite", "make a one-time sign-up code for an invite-only lab")
      ->callback(ctx.Run([&]() -> Status {
        ctx.Out(QS_TRY(client.Call("POST", "/api/v1/signup-invites")),
                [](const json& r) { std::cout << r["invite_code"].get<std::string>() << "\n"; });
        return {};
      }));
}

}  // namespace qiusuo::cli
