// Accounts: signing up and in, tokens, sign-up codes.
#include <iostream>

#include "cli/input.h"
#include "cli/print.h"
#include "cli/table.h"
#include "cli/verbs/verbs.h"

namespace qiusuo::cli {
namespace {

struct AccountOptions {
  std::string handle, name, invite_code, token_name;
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
    QS_TRY_STATUS(client.SaveLogin(session["token"]));
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
    const json session = QS_TRY(
        client.Call("POST", "/api/v1/sessions", {{"handle", o.handle}, {"password", password}}));
    QS_TRY_STATUS(client.SaveLogin(session["token"]));
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

  app.add_subcommand("signup-invite", "make a one-time sign-up code for an invite-only lab")
      ->callback(ctx.Run([&]() -> Status {
        ctx.Out(QS_TRY(client.Call("POST", "/api/v1/signup-invites")),
                [](const json& r) { std::cout << r["invite_code"].get<std::string>() << "\n"; });
        return {};
      }));
}

}  // namespace qiusuo::cli
