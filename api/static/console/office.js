// The back office for editors and admins (common.js first): knowledge entries, unanswered questions, analytics.
"use strict";

let LANGS = ["en"];  // the languages the shop serves, from GET /api/shop when the page starts
const state = { me: null, entry: null, files: [], listScroll: 0 };

const percent = (share) => (share === null || share === undefined ? "–" : `${Math.round(share * 100)} %`);
const duration = (s) => (s === null || s === undefined ? "–" : s < 90 ? `${Math.round(s)} s` : `${Math.round(s / 60)} min`);

async function start() {
  state.me = await api("/api/agent/me");
  $("signin").hidden = true; $("app").hidden = false;
  $("me").textContent = `${state.me.name} (${state.me.role})`;
  if (state.me.role === "agent") {
    $("app").replaceChildren(el("p", "The back office is for editors and admins. Ask an admin for the editor role.", "error"));
    return;
  }
  LANGS = (await api("/api/shop")).languages;
  $("languages").replaceChildren(...languageFields());
  document.querySelectorAll("select.served-languages").forEach(offerServed);
  state.files = await api("/api/editor/files");
  $("entry-form").elements.file.replaceChildren(...state.files.map((name) => el("option", name)));
  await searchEntries();
}

// --- tabs ------------------------------------------------------------------------------------------
document.querySelectorAll("[data-tab]").forEach((button) => button.addEventListener("click", () => showTab(button.dataset.tab)));

async function showTab(name) {
  document.querySelectorAll("[data-tab]").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.tab === name)));
  for (const id of ["knowledge", "unanswered", "analytics"]) $(id).hidden = id !== name;
  if (name === "unanswered") await showUnanswered();
  if (name === "analytics") await showAnalytics();
}

// --- knowledge entries -----------------------------------------------------------------------------
$("entry-search").addEventListener("submit", (event) => { event.preventDefault(); searchEntries(); });

async function searchEntries() {
  const form = new FormData($("entry-search"));
  const entries = await api(`/api/editor/entries?${new URLSearchParams({ q: form.get("q"), language: form.get("language") })}`);
  $("entry-count").textContent = `${entries.length} entries`;
  $("entry-list").replaceChildren(...entries.map((entry) => {
    const li = el("li"); li.tabIndex = 0; li.setAttribute("role", "button");
    li.append(el("strong", entry.title), el("div", `${entry.kind === "manual" ? "manual section · " : ""}${entry.id} · ${entry.file}`, "meta"));
    if (entry.missing_languages.length) li.append(el("div", `missing: ${entry.missing_languages.join(", ")}`, "missing"));
    const open = () => openEntry(entry.id);
    li.addEventListener("click", open);
    li.addEventListener("keydown", (event) => { if (event.key === "Enter" || event.key === " ") { event.preventDefault(); open(); } });
    return li;
  }));
}

function languageFields() {
  return LANGS.map((lang) => {
    const set = el("fieldset", null, "language"); set.dataset.lang = lang;
    set.append(el("legend", lang.toUpperCase()));
    const question = el("label", "Question"); const q = el("input"); q.name = `${lang}.question`; question.append(q);
    const alternatives = el("label", "Other phrasings (one per line)", "faq-only"); const a = el("textarea"); a.name = `${lang}.alternatives`; a.rows = 6; alternatives.append(a);
    const answer = el("label", "Answer"); const t = el("textarea"); t.name = `${lang}.answer`; t.rows = 4; answer.append(t);
    set.append(question, el("p", null, "field-error"), alternatives, el("p", null, "field-error"), answer, el("p", null, "field-error"));
    set.querySelectorAll(".field-error").forEach((p, i) => { p.dataset.field = `${lang}.${["question", "alternatives", "answer"][i]}`; });
    return set;
  });
}

// A language picker offers the languages the shop serves (and "all" where it had it).
function offerServed(select) {
  const all = select.querySelector('option[value=""]');
  select.replaceChildren(...(all ? [all] : []), ...LANGS.map((lang) => el("option", lang)));
}

const entryPath = (id) => `/api/editor/entries/${id.split("/").map(encodeURIComponent).join("/")}`;  // manual ids hold a /

const LABELS = { faq: ["Question", "Answer"], manual: ["Section title", "Section text"] };

function fillForm(entry, { isNew, file, kind = "faq" }) {
  const form = $("entry-form");
  form.classList.toggle("manual", kind === "manual");
  form.querySelectorAll("fieldset.language").forEach((set) => {
    const [question, , answer] = set.querySelectorAll("label");
    question.firstChild.textContent = LABELS[kind][0]; answer.firstChild.textContent = LABELS[kind][1];
  });
  form.elements.id.value = entry.id || ""; form.elements.id.readOnly = !isNew;
  form.elements.file.value = file || state.files[0] || ""; form.elements.file.disabled = !isNew;
  form.elements.tags.value = (entry.tags || []).join(", ");
  form.elements.product.value = entry.product || ""; form.elements.link.value = entry.link || "";
  for (const lang of LANGS) {
    const text = entry[lang] || {};
    form.elements[`${lang}.question`].value = text.question || "";
    form.elements[`${lang}.alternatives`].value = (text.alternatives || []).join("\n");
    form.elements[`${lang}.answer`].value = text.answer || "";
  }
  clearProblems(); showMissing();
  $("entry-title").textContent = isNew ? "New entry" : kind === "manual" ? `Manual section ${entry.id}` : `Entry ${entry.id}`;
  $("reload-entry").hidden = true; form.hidden = false;
  showEntryView("detail");
}

// On a phone the knowledge tab shows the list or the open entry; the list comes back where the editor left it
// (a wider screen shows both, and its window does not scroll, so this changes nothing there)
function showEntryView(view) {
  if (view === $("knowledge").dataset.view) return;
  if (view === "detail") state.listScroll = window.scrollY;
  $("knowledge").dataset.view = view;
  window.scrollTo(0, view === "detail" ? 0 : state.listScroll || 0);
}
$("to-entries").addEventListener("click", () => showEntryView("list"));

function formEntry() {
  const form = $("entry-form");
  const entry = { id: form.elements.id.value.trim(), tags: form.elements.tags.value.split(",").map((t) => t.trim()).filter(Boolean),
    product: form.elements.product.value.trim() || null, link: form.elements.link.value.trim() || null };
  for (const lang of LANGS) {
    entry[lang] = { question: form.elements[`${lang}.question`].value, answer: form.elements[`${lang}.answer`].value,
      alternatives: form.elements[`${lang}.alternatives`].value.split("\n").map((a) => a.trim()).filter(Boolean) };
  }
  return entry;
}

function showMissing() {
  const entry = formEntry();
  const missing = LANGS.filter((lang) => !entry[lang].question.trim() || !entry[lang].answer.trim());
  $("missing").textContent = missing.length ? `Still missing: ${missing.join(", ")}` : "Every language the shop serves is there.";
}
$("entry-form").addEventListener("input", showMissing);

function clearProblems() {
  document.querySelectorAll(".field-error").forEach((p) => { p.textContent = ""; });
  document.querySelectorAll("[aria-invalid]").forEach((input) => input.removeAttribute("aria-invalid"));
  $("entry-message").textContent = "";
}

function showProblems(problems) {
  for (const problem of problems) {
    const slot = document.querySelector(`.field-error[data-field="${CSS.escape(problem.field)}"]`);
    if (slot) slot.textContent = problem.message;
    const input = $("entry-form").elements[problem.field];
    if (input) input.setAttribute("aria-invalid", "true");
  }
}

async function openEntry(id) {
  const found = await api(entryPath(id));
  state.entry = found;
  fillForm(found.entry, { isNew: false, file: found.file, kind: found.kind });
  $("index-status").textContent = "";
}

$("new-entry").addEventListener("click", () => { state.entry = null; fillForm({}, { isNew: true }); });

$("entry-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  clearProblems();
  const body = { entry: formEntry() };
  if (state.entry) body.version = state.entry.version; else body.file = $("entry-form").elements.file.value;
  $("save").disabled = true;
  $("index-status").textContent = "Saving… the bot learns the change, which takes a few seconds.";
  try {
    const saved = state.entry
      ? await api(entryPath(state.entry.id), { method: "PUT", body: JSON.stringify(body) })
      : await api("/api/editor/entries", { method: "POST", body: JSON.stringify(body) });
    state.entry = saved;
    fillForm(saved.entry, { isNew: false, file: saved.file, kind: saved.kind });
    const problems = (saved.index && saved.index.problems) || [];
    $("index-status").textContent = problems.length
      ? `Saved, but other files have problems, so the bot still answers from the last good index: ${problems.join("; ")}`
      : `Saved to ${saved.file}. The bot answers from it now (${saved.index ? saved.index.entries : "?"} entries).`;
    await searchEntries();
  } catch (error) {
    $("index-status").textContent = "";
    $("entry-message").textContent = error.message;
    if (error.body && error.body.problems) showProblems(error.body.problems);
    if (error.status === 409) { state.conflict = error.body.current; $("reload-entry").hidden = false; }
  } finally { $("save").disabled = false; }
});

$("reload-entry").addEventListener("click", () => { if (state.entry) openEntry(state.entry.id); });

$("preview").addEventListener("click", async () => {
  const question = $("preview-question").value.trim();
  if (!question) return;
  const result = await api("/api/editor/preview", { method: "POST", body: JSON.stringify({ question, language: $("preview-language").value }) });
  const words = { answer: "The bot would answer with the first entry.", clarify: "The bot would offer these as choices.", no_answer: "The bot would say it has no answer and offer a person." };
  $("preview-decision").textContent = words[result.decision] || result.decision;
  $("preview-hits").hidden = !result.hits.length;
  $("preview-hits").tBodies[0].replaceChildren(...result.hits.map((hit, i) => {
    const row = el("tr");
    row.append(el("td", i + 1), el("td", hit.entry_id), el("td", hit.title + (hit.cross_lingual ? ` (${hit.language})` : "")),
      el("td", hit.fused.toFixed(3)), el("td", hit.retrievers.join(", ") || "classifiers"));
    return row;
  }));
});

// --- unanswered questions --------------------------------------------------------------------------
$("unanswered-filter").addEventListener("submit", (event) => { event.preventDefault(); showUnanswered(); });

function filterQuery(formId) {
  const form = new FormData($(formId));
  const params = new URLSearchParams({ days: form.get("days") });
  if (form.get("language")) params.set("language", form.get("language"));
  return params;
}

const REASONS = { no_answer: "no answer", clarify: "only choices", out_of_scope: "outside our topics", low_confidence: "answered unsure",
  handoff: "handed to a person", bad_rating: "rated badly" };

function slug(text) {
  return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").split("-").slice(0, 5).join("-");
}

function draftFrom(group) {
  const entry = { id: group.suggested_id || slug((group.phrasings.en || [group.question])[0]) };
  for (const lang of LANGS) {
    const phrasings = group.phrasings[lang] || [];
    entry[lang] = { question: phrasings[0] || "", alternatives: phrasings.slice(1), answer: "" };
  }
  return entry;
}

const GROUPS_PER_PAGE = 50;

// The groups arrive a page at a time, the largest first; "Show more" fetches the next page.
async function showUnanswered({ more = false } = {}) {
  const shown = more ? $("groups").querySelectorAll("li.group").length : 0;
  if (!more) $("groups").replaceChildren(el("li", "Loading…", "meta"));
  $("unanswered").setAttribute("aria-busy", "true");
  let page;
  try {
    page = await api(`/api/back-office/unanswered?${filterQuery("unanswered-filter")}&offset=${shown}&limit=${GROUPS_PER_PAGE}`);
  } finally {
    $("unanswered").removeAttribute("aria-busy");
  }
  $("groups-note").textContent = page.grouped < page.questions
    ? `Grouped the ${page.grouped} most recent of ${page.questions} questions.` : "";
  if (!page.count) { $("groups").replaceChildren(el("li", "Nothing unanswered in this period.")); $("groups-more").hidden = true; return; }
  const items = page.data.map(groupItem);
  if (more) $("groups").append(...items); else $("groups").replaceChildren(...items);
  $("groups-more").hidden = shown + page.data.length >= page.count;
}
$("groups-more").addEventListener("click", () => showUnanswered({ more: true }));

function groupItem(group) {
  const li = el("li", null, "group");
  const languages = Object.entries(group.languages).map(([l, n]) => `${l} ${n}`).join(" · ");
  const reasons = Object.entries(group.reasons).map(([r, n]) => `${REASONS[r] || r} ${n}`).join(" · ");
  li.append(el("strong", `${group.size}× ${group.question}`), el("div", `${languages} — ${reasons}`, "meta"));
  const examples = el("ul"); examples.append(...group.examples.map((text) => el("li", text))); li.append(examples);
  if (group.near_entries.length) li.append(el("div", `closest entries: ${group.near_entries.join(", ")}`, "meta"));
  const create = el("button", "Create an entry from these"); create.type = "button";
  create.addEventListener("click", async () => {
    await showTab("knowledge"); state.entry = null; fillForm(draftFrom(group), { isNew: true, file: group.suggested_file });
  });
  li.append(create);
  return li;
}

// --- analytics -------------------------------------------------------------------------------------
$("analytics-filter").addEventListener("submit", (event) => { event.preventDefault(); showAnalytics(); });

// A bar per day; each series is [value of a day, css class], drawn over each other (the first is the tallest).
// The value axis on the left is labelled at each of `ticks` (values between 0 and `top`), with a grid line.
function barChart(days, series, { top, ticks, label, format }) {
  const width = 640, height = 160, pad = 20, axis = 40;
  const svgNs = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(svgNs, "svg");
  svg.setAttribute("viewBox", `0 0 ${width + axis} ${height + pad}`); svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", days.map((d) => `${d.day}: ${label(d)}`).join("; ") || "no data");
  const y = (value) => height - (value / top) * height + 4;  // 4: room for the top label
  for (const tick of ticks) {
    const line = document.createElementNS(svgNs, "line");
    line.setAttribute("x1", axis); line.setAttribute("x2", width + axis); line.setAttribute("y1", y(tick)); line.setAttribute("y2", y(tick));
    line.setAttribute("class", "grid"); svg.append(line);
    const text = document.createElementNS(svgNs, "text");
    text.setAttribute("x", axis - 4); text.setAttribute("y", Math.max(10, y(tick) + 3)); text.setAttribute("text-anchor", "end");
    text.setAttribute("class", "axis"); text.textContent = format(tick); svg.append(text);
  }
  const step = days.length ? width / days.length : width;
  days.forEach((day, i) => {
    for (const [value, cls] of series(day)) {
      if (value === null || value === undefined) continue;
      const rect = document.createElementNS(svgNs, "rect");
      rect.setAttribute("x", axis + i * step + 2); rect.setAttribute("width", Math.max(2, step - 4));
      rect.setAttribute("y", y(value)); rect.setAttribute("height", y(0) - y(value)); rect.setAttribute("class", cls);
      const title = document.createElementNS(svgNs, "title"); title.textContent = `${day.day}: ${format(value)}`; rect.append(title);
      svg.append(rect);
    }
    const text = document.createElementNS(svgNs, "text");
    text.setAttribute("x", axis + i * step + step / 2); text.setAttribute("y", height + 18); text.setAttribute("text-anchor", "middle");
    text.textContent = day.day.slice(5); svg.append(text);
  });
  return svg;
}

// Whole numbers from 0 to `top` for a count axis: 0, the middle (when it is a whole number) and the top.
const countTicks = (top) => [...new Set([0, top % 2 === 0 ? top / 2 : null, top].filter((t) => t !== null))];

// "2 min", and how many customers nobody took: a median of the taken ones alone hides those who gave up waiting.
function waitFigure(waiting) {
  const taken = waiting.taken ? duration(waiting.median_seconds) : "–";
  return waiting.not_taken ? `${taken} (${waiting.not_taken} never taken)` : taken;
}

async function showAnalytics() {
  const params = filterQuery("analytics-filter");
  const figures = await api(`/api/back-office/analytics?${params}`);
  const total = figures.total;
  const kpis = [["Conversations", total.conversations], ["Resolved by the bot", percent(total.resolved_by_bot)],
    ["Handed to a person", percent(total.handoff_rate)], ["Median wait for a person", waitFigure(total.waiting)],
    ["CSAT (4–5 ★)", percent(total.csat)], ["Questions answered outright", total.questions ? percent(total.answered / total.questions) : "–"]];
  $("kpis").replaceChildren(...kpis.flatMap(([name, value]) => { const box = el("div", null, "kpi"); box.append(el("dt", name), el("dd", value)); return [box]; }));
  const most = Math.max(1, ...figures.days.map((d) => d.conversations));
  $("per-day-chart").replaceChildren(barChart(figures.days, (d) => [[d.conversations, "bar"], [d.handed_over, "bar handed"]], {
    top: most, ticks: countTicks(most), format: String,
    label: (d) => `${d.conversations} conversations, ${d.handed_over} handed over` }));
  $("csat-chart").replaceChildren(barChart(figures.days, (d) => [[d.csat, "bar csat"]], {
    top: 1, ticks: [0, 0.5, 1], format: percent, label: (d) => (d.ratings ? `CSAT ${percent(d.csat)} of ${d.ratings} ratings` : "no ratings") }));
  $("per-language").tBodies[0].replaceChildren(...Object.entries(figures.languages).map(([lang, f]) => {
    const row = el("tr");
    row.append(el("td", lang), el("td", f.conversations), el("td", percent(f.resolved_by_bot)), el("td", percent(f.handoff_rate)),
      el("td", waitFigure(f.waiting)), el("td", percent(f.csat)), el("td", f.mean_rating ?? "–"));
    return row;
  }));
  $("per-agent").tBodies[0].replaceChildren(...figures.agents.map((a) => {
    const row = el("tr");
    row.append(el("td", a.agent), el("td", a.ratings), el("td", a.mean_rating ?? "–"), el("td", percent(a.csat)));
    return row;
  }));
  $("reasons").replaceChildren(...Object.entries(total.handoff_reasons).map(([reason, n]) => el("li", `${reason}: ${n}`)));
  $("top-questions").replaceChildren(...total.top_questions.map((q) => el("li", `${q.title || q.entry_id} (${q.entry_id}): ${q.count}`)));
  $("missing-topics").replaceChildren(...figures.missing_topics.map((g) => el("li", `${g.size}× ${g.question}`)));
  const isAdmin = state.me.role === "admin";
  for (const [id, name] of [["export-messages", "messages"], ["export-ratings", "ratings"]]) {
    $(id).hidden = !isAdmin;
    $(id).onclick = async (event) => { event.preventDefault(); await download(`/api/admin/export/${name}.csv?${params}`, `${name}.csv`); };
  }
}

async function download(path, name) {
  const response = await fetch(path, { headers: { Authorization: `Bearer ${session.token}` } });
  const link = el("a"); link.href = URL.createObjectURL(await response.blob()); link.download = name; link.click();
  URL.revokeObjectURL(link.href);
}

signInWith(start);
