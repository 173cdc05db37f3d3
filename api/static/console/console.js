// The agent console (common.js first): queue, chats, tickets, ratings, the admin's team page.
"use strict";

// unread: per conversation, the customer's messages that came while it was not on screen; ratings: the customer's ratings
// of the agents' help in the conversation on screen, by handoff
const state = { me: null, selected: null, detail: null, lastId: 0, ratings: {},
  waiting: 0, unread: {}, canned: [], socket: null, retry: 1000, typingTimer: null, lastTypingSent: 0, ticket: null };

function minutes(seconds) { return seconds < 60 ? `${Math.round(seconds)} s` : `${Math.round(seconds / 60)} min`; }

// --- signing in and out --------------------------------------------------------------------------
session.onSignedOut = () => { if (state.socket) { state.socket.onclose = null; state.socket.close(); state.socket = null; } };

async function start() {
  state.me = await api("/api/agent/me");
  $("signin").hidden = true; $("app").hidden = false;
  $("me").textContent = `${state.me.name} (${state.me.role})`;
  $("presence").value = state.me.presence;
  $("admin-link").hidden = state.me.role !== "admin";
  $("office-link").hidden = state.me.role === "agent";
  connect();
  await Promise.all([refreshLists(), refreshTickets(), refreshRatings()]);
}

$("presence").addEventListener("change", async (event) => {
  state.me = await api("/api/agent/presence", { method: "PUT", body: JSON.stringify({ presence: event.target.value }) });
});

// --- being told at once: sound, browser notification, count in the tab title -----------------------
$("notify").addEventListener("click", () => { if ("Notification" in window) Notification.requestPermission(); });

function chime() {
  try {
    const audio = new (window.AudioContext || window.webkitAudioContext)();
    const tone = audio.createOscillator(); const gain = audio.createGain();
    tone.frequency.value = 880; gain.gain.value = 0.1; tone.connect(gain); gain.connect(audio.destination);
    tone.start(); tone.stop(audio.currentTime + 0.25);
  } catch (_) { /* no audio device */ }
}

// The tab's title counts what needs the agent: customers waiting and messages not yet read
function renderTitle() {
  const count = state.waiting + Object.values(state.unread).reduce((sum, n) => sum + n, 0);
  document.title = count ? `(${count}) Agent console` : "Agent console";
}

function onScreen(conversationId) { return conversationId === state.selected && !document.hidden; }

// A customer's message in a chat the agent is not looking at: counted on its list item and in the title, with a chime
function unreadMessage(conversationId) {
  if (onScreen(conversationId)) return;
  state.unread[conversationId] = (state.unread[conversationId] || 0) + 1;
  renderTitle();
  chime();
}

function markRead(conversationId) {
  if (!state.unread[conversationId]) return;
  delete state.unread[conversationId];
  renderTitle();
  const badge = document.querySelector(`li[data-conversation="${conversationId}"] .unread`);
  if (badge) badge.hidden = true;
}
document.addEventListener("visibilitychange", () => { if (!document.hidden && state.selected) markRead(state.selected); });

function announce(waiting) {
  $("queue-count").textContent = waiting;
  if (waiting > state.waiting) {
    chime();
    if ("Notification" in window && Notification.permission === "granted") new Notification("A customer is waiting", { body: `${waiting} in the queue` });
  }
  state.waiting = waiting;
  renderTitle();
}

// --- lists -----------------------------------------------------------------------------------------
function listItem(item, onSelect, current) {
  const li = el("li"); li.tabIndex = 0; li.setAttribute("role", "button");
  if (current) li.setAttribute("aria-current", "true");
  li.append(...item);
  li.addEventListener("click", onSelect);
  li.addEventListener("keydown", (event) => { if (event.key === "Enter" || event.key === " ") { event.preventDefault(); onSelect(); } });
  return li;
}

// Told apart at a glance: who (their e-mail address when they wrote one), how many unread, the latest message and who wrote it
function conversationItem(row) {
  const unread = state.unread[row.conversation_id] || 0;
  const badge = el("span", unread, "count unread"); badge.hidden = !unread;
  badge.setAttribute("role", "img"); badge.setAttribute("aria-label", `${unread} unread`);  // read out as "2 unread", not "2"
  const who = el("strong", `${row.contact || `Visitor ${row.conversation_id.slice(0, 6)}`} · ${(row.language || "?").toUpperCase()} `);
  const latest = row.last_sender === "agent" ? `${row.last_agent || "Agent"}: ${row.last_message}` : row.last_message || "";
  const parts = [who, badge, el("div", latest, "last"),
    el("div", `${row.state === "waiting" ? `waiting ${minutes(row.waiting_seconds)} · #${row.position}` : `with ${row.note.agent || "an agent"}`} · ${row.note.reason}`, "meta")];
  const li = listItem(parts, () => select(row.conversation_id), row.conversation_id === state.selected);
  li.dataset.conversation = row.conversation_id;
  return li;
}

async function refreshLists() {
  const [queue, active] = await Promise.all([api("/api/agent/queue"), api("/api/agent/conversations")]);
  $("queue").replaceChildren(...queue.map(conversationItem));
  $("active").replaceChildren(...active.map(conversationItem));
  announce(queue.length);
  const open = state.detail && state.selected === state.detail.id ? state.detail : null;
  if (open && open.state === "waiting" && !queue.some((row) => row.conversation_id === open.id)) {
    render(await api(`/api/agent/conversations/${open.id}`));  // it left the queue (a ticket, or back to the bot): nothing to take
  }
}

async function refreshTickets() {
  const tickets = await api("/api/agent/tickets");
  $("tickets").replaceChildren(...tickets.map((t) => listItem(
    [el("strong", `${t.number || "#" + t.id} · ${t.kind} · ${t.status}`), el("div", t.problem || t.email || "", "last"),
      el("div", t.due_on ? `due ${t.due_on}` : (t.email || ""), "meta")], () => showTicket(t), state.ticket && state.ticket.id === t.id)));
}

async function refreshRatings() {
  const ratings = await api("/api/agent/ratings");
  $("ratings").replaceChildren(...ratings.map((r) => listItem(
    [el("strong", "★".repeat(r.score) + "☆".repeat(5 - r.score)), el("div", r.comment || "", "last")], () => select(r.conversation_id))));
}

// --- one conversation --------------------------------------------------------------------------------
// Why a person is needed, in the agent's words
const REASONS = { requested: "Asked for a person", angry: "Upset", bot_failed: "The bot could not answer", complaint: "Complaint" };

// The handoff note speaks to agents: what the customer wants in their words, what they gave, what the bot offered and answered
function noteView(detail) {
  const box = el("div");
  if (!detail.note) { box.append(el("p", "No handoff: the bot handled this conversation.")); return box; }
  const s = detail.note.summary || {};
  const dl = el("dl");
  const row = (label, value) => { if (value) dl.append(el("dt", label), el("dd", value)); };
  const list = (label, items) => { if (items.length) { const ul = el("ul"); ul.append(...items.map((i) => el("li", i))); dl.append(el("dt", label), el("dd")); dl.lastChild.append(ul); } };
  row("Reason", REASONS[detail.note.reason] || detail.note.reason);
  list("Customer wants", (s.wants || (s.last_question ? [s.last_question] : [])).map((text) => `“${text}”`));
  row("Order", s.order_number);
  row("E-mail", s.email);
  row("Language", (s.language || detail.language || "").toUpperCase());
  list("Choices shown", (s.choices || []).map((c) => `${c.offered.join(" · ")} → ${c.picked ? `picked “${c.picked}”` : "picked none"}`));
  list("Answered", (s.answers || []).map((a) => `“${a.question || "?"}” from “${a.entry}”`));
  row("Claim so far", Object.entries(s.collected || {}).filter(([k]) => k !== "complaint_order")
    .map(([k, v]) => `${k.replace("complaint_", "")}: ${v}`).join("; "));
  row("Upset messages", s.angry_messages ? String(s.angry_messages) : "");
  box.append(el("strong", "Handoff note"), dl);
  return box;
}

// The question the widget asked when an agent let go ("How did … help you?" in the customer's language, with 1-5 buttons)
// is a system line here, which the customer's score and comment fill in as they come
function ratingText(handoff) {
  const rating = state.ratings[handoff];
  if (!rating) return "Asked the customer to rate the help (1–5): not rated yet";
  return `Asked the customer to rate the help (1–5): rated ${rating.score} / 5${rating.comment ? `, “${rating.comment}”` : ""}`;
}

function showRating(rating) {
  state.ratings[rating.handoff_id] = rating;
  const line = document.querySelector(`#transcript li.rating[data-handoff="${rating.handoff_id}"] .said`);
  if (line) line.textContent = ratingText(rating.handoff_id);
}

function messageView(message) {
  const who = message.sender === "agent" ? (message.agent || "Agent") : message.sender;
  const li = el("li", null, message.sender);
  li.dataset.id = message.id;
  const handoff = message.data && message.data.rate_handoff;
  if (handoff) { li.classList.add("rating"); li.dataset.handoff = handoff; }
  li.append(el("span", `${who} · ${new Date(message.created_at).toLocaleTimeString()}`, "who"), el("span", handoff ? ratingText(handoff) : message.text, "said"));
  if (message.source) {
    const cite = el("span", null, "who");
    cite.append(el("span", "Source: "));
    const href = message.source.link ? safeHref(message.source.link) : null;
    if (href) { const a = el("a", message.source.title); a.href = href; a.target = "_blank"; a.rel = "noopener"; cite.append(a); }
    else cite.append(el("span", message.source.title));
    li.append(cite);
  }
  if (message.attachment) li.append(attachmentView(message.attachment));
  return li;
}

// A customer's photo is shown in the transcript, a PDF offered as a download; both are read with the agent's session
// (the files are not public), as blobs, so the page's policy allows them as `blob:` only.
function attachmentView(attachment) {
  const box = el("span", null, "attachment");
  const path = `/api/agent/conversations/${state.selected}/attachments/${attachment.id}`;
  const link = el("a", `${attachment.name} (${Math.max(1, Math.round(attachment.size / 1024))} kB)`);
  link.href = "#";
  const load = async () => {
    const response = await fetch(path, { headers: { Authorization: `Bearer ${session.token}` } });
    if (!response.ok) throw new ApiFailure(response.status, null);
    return URL.createObjectURL(await response.blob());
  };
  link.addEventListener("click", async (event) => {
    event.preventDefault();
    const url = await load();
    const save = el("a"); save.href = url; save.download = attachment.name; save.click();
  });
  box.append(link);
  if (attachment.type.startsWith("image/")) {
    load().then((url) => { const img = el("img"); img.src = url; img.alt = `Photo from the customer: ${attachment.name}`; box.prepend(img); })
      .catch(() => {});
  }
  return box;
}

function append(message) {
  if (message.id <= state.lastId) return;
  $("transcript").append(messageView(message));
  state.lastId = message.id;
  $("transcript").lastElementChild.scrollIntoView({ block: "end" });
}

function holdsIt(detail) { return detail.state === "agent" && detail.note && detail.note.agent === state.me.name; }

function render(detail) {
  state.detail = detail;
  $("note").replaceChildren(noteView(detail));
  $("transcript").replaceChildren(); state.lastId = 0;
  state.ratings = Object.fromEntries(detail.ratings.map((rating) => [rating.handoff_id, rating]));
  detail.messages.forEach(append);
  $("take").disabled = detail.state !== "waiting";
  $("handback").disabled = $("close").disabled = !holdsIt(detail);
  $("reply").disabled = $("composer").querySelector("button").disabled = !holdsIt(detail);
}

async function select(conversationId) {
  state.selected = conversationId; state.ticket = null;
  markRead(conversationId);
  showOnly("chat"); $("chat-error").textContent = "";
  render(await api(`/api/agent/conversations/${conversationId}`));
  state.canned = await api(`/api/agent/canned?language=${state.detail.language || "en"}`);
  await refreshLists();
}

async function act(path) {
  $("chat-error").textContent = "";
  try { render(await api(`/api/agent/conversations/${state.selected}/${path}`, { method: "POST" })); }
  catch (error) { $("chat-error").textContent = error.message; }
  await refreshLists();
}
$("take").addEventListener("click", () => act("take"));
$("handback").addEventListener("click", () => act("handback"));
$("close").addEventListener("click", () => act("close"));

$("composer").addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = $("reply").value.trim();
  if (!text) return;
  try {
    append(await api(`/api/agent/conversations/${state.selected}/messages`, { method: "POST", body: JSON.stringify({ text }) }));
    $("reply").value = ""; sendTyping(false);
  } catch (error) { $("chat-error").textContent = error.message; }
});

$("reply").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); $("composer").requestSubmit(); return; }
  if (event.key !== "Tab") return;
  const box = event.target; const before = box.value.slice(0, box.selectionStart);
  const word = before.split(/\s/).pop();
  const canned = state.canned.find((c) => c.shortcut === word);
  if (!canned) return;
  event.preventDefault();
  box.value = before.slice(0, before.length - word.length) + canned.text + box.value.slice(box.selectionStart);
});

$("reply").addEventListener("input", () => sendTyping(true));

function sendTyping(active) {
  const now = Date.now();
  if (active && now - state.lastTypingSent < 2000) return;
  state.lastTypingSent = active ? now : 0;
  if (state.socket && state.socket.readyState === WebSocket.OPEN && state.selected) {
    state.socket.send(JSON.stringify({ type: "typing", conversation_id: state.selected, active }));
  }
}

function showTyping(active) {
  clearTimeout(state.typingTimer);
  $("typing").hidden = !active;
  if (active) state.typingTimer = setTimeout(() => { $("typing").hidden = true; }, 6000);  // clears itself
}

// --- tickets ------------------------------------------------------------------------------------------
function showTicket(ticket) {
  state.ticket = ticket; state.selected = null;
  showOnly("ticket"); $("ticket-error").textContent = "";
  const dl = el("dl");
  const row = (label, value) => { if (value) dl.append(el("dt", label), el("dd", value)); };
  row("Ticket", ticket.number || `#${ticket.id}`); row("Kind", ticket.kind); row("Status", ticket.status);
  row("Language", (ticket.language || "").toUpperCase()); row("E-mail", ticket.email); row("Order", ticket.order_number);
  row("Problem", ticket.problem); row("Wanted", ticket.resolution); row("Due", ticket.due_on); row("Answer", ticket.answer);
  $("ticket-details").replaceChildren(el("strong", "Ticket"), dl);
}

$("ticket-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = $("ticket-reply").value.trim();
  if (!text || !state.ticket) return;
  try {
    showTicket(await api(`/api/agent/tickets/${state.ticket.id}/reply`, { method: "POST", body: JSON.stringify({ text }) }));
    $("ticket-reply").value = "";
  } catch (error) { $("ticket-error").textContent = error.message; }
  await refreshTickets();
});

// --- admins: the team and the canned responses ----------------------------------------------------------
// One section on the right; on a phone it takes the screen instead of the list ("detail"), and the back button returns
function showOnly(section) {
  for (const id of ["chat", "ticket", "admin"]) $(id).hidden = id !== section;
  $("app").dataset.view = section ? "detail" : "list";
}

// Back to the list (a phone's only way there): nothing stays open, so a message in the chat just left counts as unread
$("to-list").addEventListener("click", async () => {
  state.selected = null; state.ticket = null; state.detail = null;
  showOnly(null);
  await Promise.all([refreshLists(), refreshTickets()]);
});

async function refreshAdmin() {
  const [team, canned, shop] = await Promise.all([api("/api/admin/agents"), api("/api/agent/canned"), api("/api/shop")]);
  $("canned-form").elements.language.replaceChildren(...shop.languages.map((lang) => el("option", lang)));  // the shop's languages
  $("team").replaceChildren(...team.map((agent) => {
    const li = el("li", `${agent.name} <${agent.email}> · ${agent.role} · ${agent.presence}`);
    if (agent.id !== state.me.id) {
      const disable = el("button", "Disable"); disable.type = "button";
      disable.addEventListener("click", () => adminCall(`/api/admin/agents/${agent.id}`, { method: "DELETE" }));
      li.append(disable);
    }
    return li;
  }));
  $("canned").replaceChildren(...canned.map((c) => {
    const li = el("li", `${c.language} · ${c.shortcut} · ${c.text}`);
    const remove = el("button", "Delete"); remove.type = "button";
    remove.addEventListener("click", () => adminCall(`/api/admin/canned/${c.id}`, { method: "DELETE" }));
    li.append(remove);
    return li;
  }));
}

async function adminCall(path, options) {
  $("admin-error").textContent = "";
  try { await api(path, options); await refreshAdmin(); return true; }
  catch (error) { $("admin-error").textContent = error.message; return false; }
}

$("show-admin").addEventListener("click", async () => { state.selected = null; state.ticket = null; showOnly("admin"); await refreshAdmin(); });

for (const [form, path] of [["agent-form", "/api/admin/agents"], ["canned-form", "/api/admin/canned"]]) {
  $(form).addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = Object.fromEntries(new FormData(event.target));
    if (await adminCall(path, { method: "POST", body: JSON.stringify(body) })) event.target.reset();
  });
}

// --- live updates -------------------------------------------------------------------------------------
function connect() {
  const socket = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/api/agent/ws`);
  state.socket = socket;
  socket.onopen = () => { socket.send(JSON.stringify({ type: "auth", token: session.token })); };
  socket.onmessage = (event) => {
    const data = JSON.parse(event.data);
    if (data.type === "ready") { $("connection").textContent = "Live"; state.retry = 1000; refreshLists(); }
    else if (data.type === "queue_changed") refreshLists();
    else if (data.type === "tickets_changed") refreshTickets();
    else if (data.type === "message") {
      if (data.conversation_id === state.selected) { append(data); if (data.sender === "customer") showTyping(false); }
      if (data.sender === "customer") unreadMessage(data.conversation_id);
      if (["customer", "agent"].includes(data.sender)) refreshLists();  // each item shows the latest message
    }
    else if (data.type === "typing" && data.conversation_id === state.selected) showTyping(data.active);
    else if (data.type === "rating") {  // a customer rated this agent's help in a chat they let go of
      if (data.conversation_id === state.selected) showRating(data);
      refreshRatings();
    }
  };
  socket.onclose = (event) => {
    if (event.code === 4401) { signedOut(); return; }
    $("connection").textContent = "Reconnecting…";
    setTimeout(() => { if (session.token) connect(); }, state.retry);
    state.retry = Math.min(state.retry * 2, 15000);
  };
}

signInWith(start, { presence: "online" });  // an agent who signs in is there to take chats, unless they choose Away
