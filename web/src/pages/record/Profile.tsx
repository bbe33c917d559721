import { useState } from "react";
import { api, type Member } from "../../api";
import { kindName, useT } from "../../i18n";
import { noteText } from "../../reasons";
import { Link } from "../../router";
import { ErrorLine, isNotFound, Loading, useAction, useLoad, useTitle, when } from "../../util";
import { HeatMap } from "./HeatMap";
import { AccountPanel } from "../account";
import { ConfirmButton } from "../ledger/ConfirmButton";

function EditProfile({ me, onSaved }: { me: Member; onSaved: (m: Member) => void }) {
  const { t } = useT();
  const [form, setForm] = useState({ name: me.name, skills: me.skills.join(", "), interests: me.interests.join(", ") });
  const [saved, setSaved] = useState(false);
  const action = useAction();
  const list = (s: string) => s.split(",").map((x) => x.trim()).filter(Boolean);
  return (
    <details className="card">
      <summary>{t("profile.edit")}</summary>
      <form
        aria-label={t("profile.edit")}
        onSubmit={(e) => {
          e.preventDefault();
          setSaved(false);
          void action.run(
            () => api.editMe({ name: form.name, skills: list(form.skills), interests: list(form.interests) }).then(onSaved),
            () => setSaved(true),
          );
        }}
      >
        <label>
          {t("profile.name")}
          <input name="profile-name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
        </label>
        <label>
          {t("profile.skills")}
          <input name="profile-skills" value={form.skills} onChange={(e) => setForm({ ...form, skills: e.target.value })} />
        </label>
        <label>
          {t("profile.interests")}
          <input name="profile-interests" value={form.interests} onChange={(e) => setForm({ ...form, interests: e.target.value })} />
        </label>
        <ErrorLine error={action.error} />
        <button type="submit" disabled={action.busy}>
          {t("common.save")}
        </button>
        {saved && <span role="status">{t("profile.saved")}</span>}
      </form>
    </details>
  );
}

export function Profile({ handle, me }: { handle: string; me: Member }) {
  const { t, lang } = useT();
  const member = useLoad(() => api.member(handle), [handle]);
  const record = useLoad(() => api.record(handle), [handle]);
  useTitle(t("record.title", { who: handle }));
  const r = record.data;
  const m = member.data;
  if (isNotFound(member.error)) return <Loading error={member.error} />;
  if (!r) return <Loading error={record.error} />;
  return (
    <section aria-labelledby="record-title">
      <h1 id="record-title">{t("record.title", { who: handle })}</h1>
      {m && (
        <p className="meta wrap">
          {m.name}
          {m.skills.length > 0 && <> · {t("profile.skills.show", { list: m.skills.join(", ") })}</>}
          {m.interests.length > 0 && <> · {t("profile.interests.show", { list: m.interests.join(", ") })}</>}
        </p>
      )}
      {handle === me.handle && m && <EditProfile me={m} onSaved={member.setData} />}
      {m && <AccountPanel handle={handle} me={me} />}
      <HeatMap entries={r.timeline} today={new Date()} />
      {r.timeline.length === 0 && <p>{t("record.empty")}</p>}
      <div className="columns">
        <div>
          <h2>{t("record.totals.kind")}</h2>
          <table>
            <tbody>
              {r.by_kind.map((k) => (
                <tr key={k.key}>
                  <th scope="row">{kindName(lang, k.key)}</th>
                  <td>{k.entries}</td>
                  <td>{k.quantity ? `${k.quantity} ${k.unit}` : ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div>
          <h2>{t("record.totals.project")}</h2>
          <table>
            <tbody>
              {r.by_project.map((k) => (
                <tr key={k.key}>
                  <th scope="row">
                    <Link to={`/projects/${k.key}`}>#{k.key}</Link>
                  </th>
                  <td>{k.entries}</td>
                  <td>{k.quantity ? `${k.quantity.toFixed(2)} ${k.unit}` : ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
      <h2>{t("record.timeline")}</h2>
      <ol className="timeline" reversed>
        {[...r.timeline].reverse().map((e) => (
          <li key={e.seq} data-kind={e.kind}>
            <span className="chip">{kindName(lang, e.kind)}</span> <span className="wrap">{noteText(lang, e.note)}</span>
            {e.project_id !== null && (
              <>
                {" "}
                · <Link to={`/projects/${e.project_id}`}>#{e.project_id}</Link>
              </>
            )}
            <span className="meta">
              {" "}
              · {when(e.at, lang)} · <Link to={`/ledger?seq=${e.seq}`}>#{e.seq}</Link>
              {e.self && <> · {t("ledger.self")}</>}
            </span>{" "}
            <ConfirmButton entry={e} me={me} />
          </li>
        ))}
      </ol>
    </section>
  );
}
