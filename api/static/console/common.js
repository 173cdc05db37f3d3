// Shared by the agent console and the back office: the signed-in session, api calls, safe elements.
// Plain JavaScript, no build step. Customer text is only ever inserted as text (textContent), never as HTML.
"use strict";

const $ = (id) => document.getElementById(id);
const session = { token: sessionStorage.getItem("agentToken"), onSignedOut: () => {} };

class ApiFailure extends Error {
  constructor(status, body) {
    super((body && (typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail))) || `HTTP ${status}`);
    this.status = status; this.body = body || {};
  }
}

async function api(path, options = {}) {
  const headers = { "Content-Type": "application/json", ...(session.token ? { Authorization: `Bearer ${session.token}` } : {}) };
  const response = await fetch(path, { ...options, headers });
  if (response.status === 401 && path !== "/api/agent/login") { signedOut(); throw new ApiFailure(401, { detail: "Signed out" }); }
  const body = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) throw new ApiFailure(response.status, body);
  return body;
}

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

// A link from the content becomes clickable only as a web or e-mail address: never javascript: or data:
function safeHref(link) {
  try { const url = new URL(link, location.href); return ["http:", "https:", "mailto:"].includes(url.protocol) ? url.href : null; }
  catch (_) { return null; }
}

function signedOut() {
  session.token = null; sessionStorage.removeItem("agentToken");
  session.onSignedOut();
  $("app").hidden = true; $("signin").hidden = false;
}

// Wires the page's sign-in form and sign-out button; `start` runs once signed in (now, or after the form). `login` adds to
// the sign-in request: the console starts its agent Available ({ presence: "online" }), the back office leaves it be.
function signInWith(start, login = {}) {
  $("signin-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    try {
      const signed = await api("/api/agent/login", { method: "POST",
        body: JSON.stringify({ ...login, email: form.get("email"), password: form.get("password") }) });
      session.token = signed.token; sessionStorage.setItem("agentToken", signed.token);
      $("signin-error").textContent = "";
      await start();
    } catch (error) { $("signin-error").textContent = error.message; }
  });
  $("signout").addEventListener("click", async () => {
    try { await api("/api/agent/logout", { method: "POST" }); } catch (_) { /* signed out anyway */ }
    signedOut();
  });
  if (session.token) start().catch(signedOut); else signedOut();
}
