// The website chat widget: one script tag, no build step.
//   <script src="https://support.example/widget/widget.js" data-color="#0b5cad" defer></script>
// Options (data-*): api (default: where this script came from), language (default: <html lang>),
// title (and title-cs, title-pl, title-lv, title-en: the title in that language; default: the shop's name, GET /api/shop),
// color, color-scheme ("light": no dark scheme), greeting. The widget's own labels follow the conversation's language, not only the page's. It lives in a shadow
// root so the shop's styles and ours never mix.
// Everything people write is inserted as text (textContent), never as HTML.
(function () {
  "use strict";
  const script = document.currentScript;
  const options = script ? script.dataset : {};
  const API = (options.api || new URL(script.src, location.href).origin).replace(/\/$/, "");
  const NAMES = { cs: "Čeština", pl: "Polski", lv: "Latviešu", en: "English", sk: "Slovenčina", lt: "Lietuvių", de: "Deutsch" };  // for the picker, each in its own language
  const pageLanguage = (options.language || document.documentElement.lang || "en").slice(0, 2).toLowerCase();
  const TEXT = {
    cs: { title: "zákaznická podpora", open: "Otevřít chat", unread: "Otevřít chat (nepřečtené zprávy: {n})", mute: "Ztlumit zvuky",
      close: "Zavřít chat", hide: "Skrýt chat", placeholder: "Napište zprávu…", send: "Odeslat", typing: "píše…",
      greeting: "Dobrý den! Napište, s čím vám můžeme pomoci.", offline: "Nedaří se nám spojit se serverem. Zprávu máme uloženou a odešleme ji, jakmile to půjde.",
      source: "Zdroj", language: "Jazyk", queue: "Jste ve frontě na {n}. místě – brzy se vám někdo z kolegů bude věnovat.", you: "Vy",
      bot: "Asistent", privacy: "Ochrana osobních údajů", sending: "odesílá se…", slow: "Píšete rychleji, než stíháme číst. Zprávu odešleme za {s} s.",
      online: "Kolegové jsou teď online", nobodyOnline: "Teď nikdo z kolegů není online – odpovíme e-mailem do {h} h",
      queueOffline: "Jste ve frontě na {n}. místě – teď ale nikdo z kolegů není online.", back: "Zpět k asistentovi", attach: "Přiložit fotku nebo PDF", attachFailed: "Soubor se nepodařilo odeslat: {reason}", ticket: "Požadavek {number} – odpovíme na {email} do {h} h", mail: "Poslat přepis chatu e-mailem", mailLabel: "Váš e-mail", mailSend: "Poslat přepis", mailCancel: "Zrušit",
      mailSent: "Přepis chatu jsme poslali na {email}.", mailFailed: "Přepis se teď nepodařilo odeslat, zkuste to prosím později.", mailLater: "Přepis jsme už několikrát posílali, další půjde za {m} min.", mailInvalid: "Tohle nevypadá jako e-mailová adresa.",
      comment: "Je něco, co bychom mohli zlepšit? (nepovinné)", skip: "Přeskočit" },
    pl: { title: "obsługa klienta", open: "Otwórz czat", unread: "Otwórz czat (nieprzeczytane wiadomości: {n})", mute: "Wycisz dźwięki",
      close: "Zamknij czat", hide: "Ukryj czat", placeholder: "Napisz wiadomość…", send: "Wyślij", typing: "pisze…",
      greeting: "Dzień dobry! Napisz, w czym możemy pomóc.", offline: "Nie możemy połączyć się z serwerem. Wiadomość jest zapisana i wyślemy ją, gdy tylko się da.",
      source: "Źródło", language: "Język", queue: "Jesteś na {n}. miejscu w kolejce – konsultant wkrótce się tobą zajmie.", you: "Ty",
      bot: "Asystent", privacy: "Polityka prywatności", sending: "wysyłanie…", slow: "Piszesz szybciej, niż nadążamy czytać. Wyślemy wiadomość za {s} s.",
      online: "Konsultanci są teraz dostępni", nobodyOnline: "Teraz nikt nie jest dostępny – odpowiemy e-mailem w ciągu {h} h",
      queueOffline: "Jesteś na {n}. miejscu w kolejce – ale teraz nikt nie jest dostępny.", back: "Wróć do asystenta", attach: "Dołącz zdjęcie lub PDF", attachFailed: "Nie udało się wysłać pliku: {reason}", ticket: "Zgłoszenie {number} – odpowiemy na {email} w ciągu {h} h", mail: "Wyślij zapis czatu e-mailem", mailLabel: "Twój e-mail", mailSend: "Wyślij zapis", mailCancel: "Anuluj",
      mailSent: "Zapis czatu wysłaliśmy na {email}.", mailFailed: "Nie udało się teraz wysłać zapisu, spróbuj później.", mailLater: "Zapis był już wysyłany kilka razy, kolejny będzie możliwy za {m} min.", mailInvalid: "To nie wygląda na adres e-mail.",
      comment: "Czy jest coś, co możemy poprawić? (opcjonalnie)", skip: "Pomiń" },
    lv: { title: "klientu atbalsts", open: "Atvērt tērzēšanu", unread: "Atvērt tērzēšanu (nelasītas ziņas: {n})", mute: "Izslēgt skaņas",
      close: "Aizvērt tērzēšanu", hide: "Paslēpt tērzēšanu", placeholder: "Uzrakstiet ziņu…", send: "Sūtīt", typing: "raksta…",
      greeting: "Labdien! Uzrakstiet, kā varam palīdzēt.", offline: "Neizdodas sazināties ar serveri. Ziņa ir saglabāta, un mēs to nosūtīsim, tiklīdz varēsim.",
      source: "Avots", language: "Valoda", queue: "Jūs esat {n}. vietā rindā – konsultants drīz ar jums sazināsies.", you: "Jūs",
      bot: "Asistents", privacy: "Privātuma politika", sending: "sūta…", slow: "Jūs rakstāt ātrāk, nekā paspējam izlasīt. Ziņu nosūtīsim pēc {s} s.",
      online: "Konsultanti šobrīd ir tiešsaistē", nobodyOnline: "Pašlaik neviens nav tiešsaistē – atbildēsim pa e-pastu {h} h laikā",
      queueOffline: "Jūs esat {n}. vietā rindā – taču pašlaik neviens nav tiešsaistē.", back: "Atpakaļ pie asistenta", attach: "Pievienot foto vai PDF", attachFailed: "Failu neizdevās nosūtīt: {reason}", ticket: "Pieteikums {number} – atbildēsim uz {email} {h} h laikā", mail: "Nosūtīt tērzēšanas ierakstu e-pastā", mailLabel: "Jūsu e-pasts", mailSend: "Sūtīt ierakstu", mailCancel: "Atcelt",
      mailSent: "Tērzēšanas ierakstu nosūtījām uz {email}.", mailFailed: "Ierakstu pašlaik neizdevās nosūtīt, lūdzu, mēģiniet vēlāk.", mailLater: "Ieraksts jau nosūtīts vairākas reizes, nākamo varēs nosūtīt pēc {m} min.", mailInvalid: "Tas neizskatās pēc e-pasta adreses.",
      comment: "Vai ir kaut kas, ko varam darīt labāk? (nav obligāti)", skip: "Izlaist" },
    en: { title: "customer care", open: "Open chat", unread: "Open chat (unread messages: {n})", mute: "Mute sounds",
      close: "Close chat", hide: "Hide chat", placeholder: "Write a message…", send: "Send", typing: "is typing…",
      greeting: "Hello! Tell us how we can help.", offline: "We can't reach the service right now. Your message is saved and will be sent as soon as we can.",
      source: "Source", language: "Language", queue: "You are number {n} in the queue – a colleague will be with you shortly.", you: "You",
      bot: "Assistant", privacy: "Privacy policy", sending: "sending…", slow: "You're writing faster than we can read. We'll send your message in {s} s.",
      online: "Our team is online now", nobodyOnline: "Nobody's online now – we reply by e-mail within {h} h",
      queueOffline: "You are number {n} in the queue – but nobody's online right now.", back: "Back to the assistant", attach: "Attach a photo or PDF", attachFailed: "The file could not be sent: {reason}", ticket: "Ticket {number} – we'll reply to {email} within {h} h", mail: "E-mail me this chat", mailLabel: "Your e-mail", mailSend: "Send the chat", mailCancel: "Cancel",
      mailSent: "We've sent the chat to {email}.", mailFailed: "The chat could not be sent right now; please try again later.", mailLater: "The chat has been sent a few times already; you can send it again in {m} min.", mailInvalid: "That doesn't look like an e-mail address.",
      comment: "Is there anything we could do better? (optional)", skip: "Skip" },
  };
  const KEY = `shopbot:${API}`;
  const store = {
    load() { try { return JSON.parse(localStorage.getItem(KEY)) || {}; } catch (_) { return {}; } },
    save(data) { localStorage.setItem(KEY, JSON.stringify({ ...store.load(), ...data })); },
  };
  // waiting: the place in the queue while waiting for a person; ticket: the e-mail ticket the chat left; availability:
  // whether a colleague is online (GET /api/availability); notice: why a message waits (rate limit); unread: replies that
  // came while the widget was minimised (stored with the last message id seen, `seen`, so a reload keeps the count)
  // rating: the colleague's score a comment is offered for ({ handoff, score })
  // language: the page's until the customer picks one; GET /api/shop then says which ones the shop serves (offerLanguages)
  const state = { language: store.load().language || (TEXT[pageLanguage] ? pageLanguage : "en"), lastId: 0, languages: [], shopName: "",
    socket: null, retry: 1000, flushing: false, pollTimer: null, typingTimer: null, lastTyping: 0,
    waiting: null, ticket: null, availability: null, notice: "", unread: 0, live: false, audio: null, rating: null };
  const t = (key) => (TEXT[state.language] || TEXT.en)[key];  // a language the widget has no labels in (sk) reads English

  // --- the interface ---------------------------------------------------------------------------------
  const host = document.createElement("div");
  host.id = "shopbot-widget";
  document.body.append(host);
  const root = host.attachShadow({ mode: "open" });
  const color = /^#([0-9a-f]{3}|[0-9a-f]{4}|[0-9a-f]{6}|[0-9a-f]{8})$/i.test(options.color || "") ? options.color : "#0b5cad";
  // A shop's brand colour may be light (#ffd400): text on it turns dark, and text on white in it is darkened until it reads
  // (WCAG contrast 4.5:1), so no colour a shop picks makes the widget unreadable. In the dark scheme the same text is
  // lightened until it reads on the dark bubbles (a dark brand such as #24303f would vanish there).
  const rgb = (hex) => { const h = hex.length <= 5 ? [...hex.slice(1, 4)].map((c) => c + c).join("") : hex.slice(1, 7); return [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16)); };
  const luminance = ([r, g, b]) => [r, g, b].map((c) => c / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4))
    .reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i], 0);
  const contrast = (a, b) => { const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x); return (light + 0.05) / (dark + 0.05); };
  const WHITE = [255, 255, 255], DARK = { panel: "#1f2023", log: "#16171a", bubble: "#2a2c31" };
  const onColor = contrast(rgb(color), WHITE) >= 4.5 ? "#fff" : "#111";
  // The brand colour, moved towards black (on white) or white (on a dark background) until it reads there
  const readableOn = (background) => {
    const lighten = luminance(background) < 0.18;
    let c = rgb(color);
    while (contrast(c, background) < 4.5) c = c.map((v) => (lighten ? Math.ceil(v + (255 - v) * 0.15) : Math.floor(v * 0.85)));
    return `rgb(${c.join(",")})`;
  };
  const ink = readableOn(WHITE), darkInk = readableOn(rgb(DARK.bubble));  // the lightest of the dark backgrounds
  // data-color-scheme="light" keeps a shop's always-light pages' widget light; otherwise it follows the visitor's setting
  const dark = options.colorScheme === "light" ? "" : `
    @media (prefers-color-scheme: dark) {
      :host { color: #e8eaed; }
      .panel { background: ${DARK.panel}; box-shadow: 0 4px 24px #000c; }
      .log { background: ${DARK.log}; }
      .bot, .agent { background: ${DARK.bubble}; border-color: #4a4d55; }
      .agent { border-color: #5cb867; }
      .system, .who, .status { color: #b9bdc5; }
      .system.ticket { color: #c8ecca; background: #1d2e1f; border-color: #5cb867; }
      .source a { color: ${darkInk}; }
      .choices button, .back { border-color: ${darkInk}; color: ${darkInk}; background: ${DARK.bubble}; }
      .choices button[aria-pressed="true"] { background: ${darkInk}; color: ${DARK.bubble}; }
      .offline { background: #3d3200; color: #ffe08a; }
      form { border-top-color: #4a4d55; }
      textarea, form .attach, .small-form input, .small-form .skip { background: ${DARK.bubble}; color: #e8eaed; border-color: #6b6f78; }
      .form-error { color: #ff8a80; }
    }`;
  // The styles as a constructed style sheet, not a <style> element: pages whose Content-Security-Policy has no
  // 'unsafe-inline' (the demo page's, and many shops') keep the widget styled. Older browsers get the element.
  const css = `
    :host { all: initial; font-family: system-ui, sans-serif; font-size: 15px; color: #111; }
    [hidden] { display: none !important; }
    button, input, select, textarea { font: inherit; }
    .badge { position: absolute; top: -4px; right: -4px; min-width: 20px; height: 20px; padding: 0 5px; box-sizing: border-box;
      border-radius: 10px; background: #c62828; color: #fff; font-size: 12px; font-weight: 700; line-height: 20px; text-align: center; }
    .mute[aria-pressed="false"] .slash { display: none; }
    .launcher { position: fixed; right: 16px; bottom: 16px; width: 56px; height: 56px; border-radius: 50%; border: 0;
      background: ${color}; color: ${onColor}; display: grid; place-items: center; cursor: pointer; box-shadow: 0 2px 8px #0004; z-index: 2147483646; }
    .panel { position: fixed; right: 16px; bottom: 84px; width: min(380px, calc(100vw - 32px)); height: min(600px, calc(100vh - 110px));
      display: flex; flex-direction: column; background: #fff; border-radius: 12px; box-shadow: 0 4px 24px #0005; overflow: hidden; z-index: 2147483647; }
    @media (max-width: 480px) { .panel { right: 0; bottom: 0; width: 100vw; height: 100dvh; border-radius: 0; } }
    header { background: ${color}; color: ${onColor}; display: flex; align-items: center; gap: 8px; padding: 10px 12px; }
    .heading { flex: 1; min-width: 0; }
    header h2 { font-size: 16px; margin: 0; }
    .availability { font-size: 12px; margin: 2px 0 0; }
    header select { background: #fff; color: #111; border-radius: 4px; border: 0; padding: 2px; }
    header button { background: transparent; color: ${onColor}; border: 0; font-size: 22px; cursor: pointer; min-width: 44px; min-height: 44px; }
    .log { flex: 1; overflow-y: auto; padding: 12px; display: flex; flex-direction: column; gap: 8px; background: #f6f7f9; }
    .msg { max-width: 85%; padding: 8px 10px; border-radius: 10px; white-space: pre-wrap; overflow-wrap: anywhere; }
    .customer { align-self: flex-end; background: ${color}; color: ${onColor}; }
    .bot, .agent { align-self: flex-start; background: #fff; border: 1px solid #ddd; }
    .agent { border-color: #2e7d32; }
    .system { align-self: center; color: #444; font-style: italic; font-size: 13px; text-align: center; }
    .system.ticket { font-style: normal; color: #1b4d1e; background: #eef7ee; border: 1px solid #2e7d32; border-radius: 8px; padding: 6px 10px; }
    .who { display: block; font-size: 12px; color: #555; margin-bottom: 2px; }
    .customer .who { color: inherit; opacity: .85; }
    .pending { opacity: .7; }
    .source { display: block; margin-top: 4px; font-size: 13px; }
    .source a { color: ${ink}; }
    .choices { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 6px; }
    .choices button { border: 1px solid ${ink}; color: ${ink}; background: #fff; border-radius: 16px; padding: 6px 12px; cursor: pointer; min-height: 36px; }
    .system .choices { justify-content: center; }  /* a colleague's rating, under the centred question */
    .choices button:disabled { opacity: .5; cursor: default; }
    .choices button[aria-pressed="true"] { opacity: 1; background: ${ink}; color: #fff; }  /* the score given: readable as the border is */
    .statusbar { display: flex; align-items: center; gap: 8px; padding: 4px 12px; min-height: 18px; }
    .privacy { display: inline-block; margin-top: 2px; font-size: 12px; color: inherit; }  /* the header's text colour: readable on its background */
    .status { flex: 1; font-size: 13px; color: #444; }
    .back { flex: none; border: 1px solid ${ink}; color: ${ink}; background: #fff; border-radius: 16px; padding: 4px 12px;
      cursor: pointer; min-height: 36px; }
    .offline { background: #fff3cd; color: #5c4400; padding: 8px 12px; font-size: 13px; }
    form { display: flex; gap: 6px; padding: 8px; border-top: 1px solid #ddd; }
    textarea { flex: 1; resize: none; border: 1px solid #aaa; border-radius: 8px; padding: 8px; min-height: 40px; max-height: 120px; }
    form button { background: ${color}; color: ${onColor}; border: 0; border-radius: 8px; padding: 0 14px; cursor: pointer; min-height: 44px; }
    form .attach { background: #fff; color: #333; border: 1px solid #aaa; padding: 0 10px; }
    .file-link { display: block; margin-top: 4px; color: inherit; }
    .mail { flex: none; background: transparent; color: inherit; border: 0; min-width: 44px; min-height: 44px; cursor: pointer; }
    .small-form { flex-wrap: wrap; align-items: center; }  /* a question above the composer: the transcript's address, a comment */
    .small-form label { flex-basis: 100%; font-size: 13px; }
    .small-form input { flex: 1; min-width: 0; border: 1px solid #aaa; border-radius: 8px; padding: 8px; min-height: 26px; }
    .small-form .mail-cancel { background: transparent; color: inherit; font-size: 20px; min-width: 44px; padding: 0; }
    .small-form .skip { background: #fff; color: #333; border: 1px solid #aaa; }
    .form-error { flex-basis: 100%; margin: 0; font-size: 13px; color: #b00020; }
    .form-error:empty { display: none; }
    button:focus-visible, select:focus-visible, textarea:focus-visible, a:focus-visible { outline: 3px solid #f90; outline-offset: 2px; }
    .log:focus-visible { outline: 3px solid #f90; outline-offset: -3px; }  /* a tab stop: scrolled by keys when no button is left in it */
    .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  ${dark}`;
  root.innerHTML = `
    <button class="launcher" type="button" aria-expanded="false"><svg viewBox="0 0 24 24" width="28" height="28" aria-hidden="true"><path fill="currentColor" d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/></svg><span class="badge" aria-hidden="true" hidden></span></button>
    <section class="panel" role="dialog" hidden>
      <header>
        <div class="heading"><h2></h2><p class="availability" aria-live="polite" hidden></p><a class="privacy" target="_blank" rel="noopener" hidden></a></div>
        <label class="visually-hidden" for="shopbot-language"></label>
        <select id="shopbot-language"></select>
        <button class="mute" type="button" aria-pressed="false"><svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true"><path fill="currentColor" d="M3 9v6h4l5 4V5L7 9H3zm13.5 3A4.5 4.5 0 0 0 14 8v8a4.5 4.5 0 0 0 2.5-4z"/><path class="slash" stroke="currentColor" stroke-width="2" d="M3 3l18 18"/></svg></button>
        <button class="close" type="button">×</button>
      </header>
      <div class="offline" role="alert" hidden></div>
      <div class="log" role="log" aria-live="polite" tabindex="0"></div>
      <div class="statusbar">
        <div class="status" aria-live="polite"></div>
        <button class="back" type="button" hidden></button>
        <button class="mail" type="button" hidden><svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true"><path fill="none" stroke="currentColor" stroke-width="2" d="M3 6h18v12H3zM3 6l9 7 9-7"/></svg></button>
      </div>
      <form class="comment-form small-form" hidden novalidate>
        <label for="shopbot-comment"></label>
        <textarea id="shopbot-comment" rows="2" maxlength="2000"></textarea>
        <button type="submit"></button>
        <button class="skip" type="button"></button>
        <p class="comment-error form-error" role="alert"></p>
      </form>
      <form class="mail-form small-form" hidden novalidate>
        <label for="shopbot-mail"></label>
        <input id="shopbot-mail" type="email" autocomplete="email" maxlength="254" required>
        <button type="submit"></button>
        <button class="mail-cancel" type="button">×</button>
        <p class="mail-error form-error" role="alert"></p>
      </form>
      <form class="composer">
        <label class="visually-hidden" for="shopbot-input"></label>
        <button class="attach" type="button"><svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true"><path fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" d="M20 11.5l-8 8a5 5 0 0 1-7-7l8.5-8.5a3.5 3.5 0 0 1 5 5L10 17.5a2 2 0 0 1-3-3l7.5-7.5"/></svg></button>
        <input class="file" type="file" accept="image/jpeg,image/png,image/gif,image/webp,application/pdf" hidden>
        <textarea id="shopbot-input" rows="1" maxlength="2000"></textarea>
        <button type="submit"></button>
      </form>
    </section>`;
  if (root.adoptedStyleSheets !== undefined && "replaceSync" in CSSStyleSheet.prototype) {
    const sheet = new CSSStyleSheet(); sheet.replaceSync(css); root.adoptedStyleSheets = [sheet];
  } else { const style = document.createElement("style"); style.textContent = css; root.prepend(style); }
  const $ = (selector) => root.querySelector(selector);
  const ui = { launcher: $(".launcher"), badge: $(".badge"), mute: $(".mute"), panel: $(".panel"), title: $("header h2"), availability: $(".availability"), language: $("select"),
    close: $(".close"), offline: $(".offline"), log: $(".log"), status: $(".status"), back: $(".back"), privacy: $(".privacy"), form: $("form.composer"), input: $("#shopbot-input"),
    send: $('form.composer button[type="submit"]'), attach: $(".attach"), file: $(".file"),
    mail: $(".mail"), mailForm: $(".mail-form"), mailInput: $("#shopbot-mail"), mailCancel: $(".mail-cancel"), mailError: $(".mail-error"),
    commentForm: $(".comment-form"), comment: $("#shopbot-comment"), skip: $(".comment-form .skip"), commentError: $(".comment-error") };
  // The page's title in the conversation's language (data-title-lv …), else its one title, else the shop's name with
  // ours ("<name> – klientu atbalsts", GET /api/shop), else ours alone
  function title() {
    const own = options[`title${state.language[0].toUpperCase()}${state.language[1]}`];
    const ours = t("title");
    return own || options.title || (state.shopName ? `${state.shopName} – ${ours}` : ours[0].toUpperCase() + ours.slice(1));
  }

  // Everything the widget itself says, in the conversation's language: set again on every switch, also on bubbles shown
  // earlier (who wrote, "Source:", the greeting), which carry data-label with their text's key
  function labels() {
    ui.panel.lang = state.language; ui.launcher.lang = state.language;
    ui.title.textContent = title();
    ui.panel.setAttribute("aria-label", ui.title.textContent);
    root.querySelectorAll("[data-label]").forEach((node) => {
      node.textContent = node.dataset.label === "source" ? `${t("source")}: ` : t(node.dataset.label);
      node.lang = state.language;
    });
    if (ui.greeting && !options.greeting) ui.greeting.lang = state.language;
    ui.offline.textContent = t("offline");
    renderUnread();
    ui.mute.setAttribute("aria-label", t("mute"));
    ui.close.setAttribute("aria-label", t("close"));
    root.querySelector('label[for="shopbot-language"]').textContent = t("language");
    root.querySelector('label[for="shopbot-input"]').textContent = t("placeholder");
    ui.input.placeholder = t("placeholder");
    ui.send.textContent = t("send");
    ui.attach.setAttribute("aria-label", t("attach")); ui.attach.title = t("attach");
    ui.back.textContent = t("back");
    ui.mail.setAttribute("aria-label", t("mail")); ui.mail.title = t("mail");
    root.querySelector('label[for="shopbot-mail"]').textContent = t("mailLabel");
    ui.mailForm.querySelector('button[type="submit"]').textContent = t("mailSend");
    ui.mailCancel.setAttribute("aria-label", t("mailCancel"));
    root.querySelector('label[for="shopbot-comment"]').textContent = t("comment");
    ui.commentForm.querySelector('button[type="submit"]').textContent = t("send");
    ui.skip.textContent = t("skip");
    ui.privacy.textContent = t("privacy");
    if (![...ui.language.options].some((o) => o.value === state.language)) {  // the bot answers in a language the shop does not offer
      const option = new Option(NAMES[state.language] || state.language.toUpperCase(), state.language); option.lang = state.language; ui.language.append(option);
    }
    ui.language.value = state.language;
    renderAvailability();
    renderStatus();
  }

  function open(shown) {
    ui.panel.hidden = !shown;
    ui.launcher.setAttribute("aria-expanded", String(shown));
    renderUnread();  // the launcher's name: open, or hide while the panel is open
    store.save({ open: shown });
    if (shown) { seen(); ui.input.focus(); scrollDown(); checkAvailability(); } else ui.launcher.focus();
  }
  ui.launcher.addEventListener("click", () => { open(ui.panel.hidden); wakeAudio(); });

  // --- replies that came while minimised: a count on the launcher (and in its name), in the page's title, a quiet tone ---
  function renderUnread() {
    const n = state.unread;
    ui.badge.hidden = !n; ui.badge.textContent = n ? String(n) : "";
    ui.launcher.setAttribute("aria-label", !ui.panel.hidden ? t("hide") : n ? t("unread").replace("{n}", n) : t("open"));
    const title = document.title.replace(/^\(\d+\) /, "");
    document.title = n ? `(${n}) ${title}` : title;
  }
  function seen() { state.unread = 0; store.save({ seen: state.lastId }); renderUnread(); }
  // A reply from the bot or a colleague the customer has not seen yet: counted while minimised; heard only as it arrives,
  // not when a reload shows it again
  function noticeReply(message) {
    if (!["agent", "bot"].includes(message.sender)) return;
    if (!ui.panel.hidden) { store.save({ seen: message.id }); return; }
    if (message.id <= (store.load().seen || 0)) return;
    state.unread += 1; renderUnread();
    if (state.live) chime();
  }

  // Browsers start audio only after a gesture on the page: the launcher's click wakes the one context the widget keeps
  function wakeAudio() {
    try {
      state.audio = state.audio || new (window.AudioContext || window.webkitAudioContext)();
      if (state.audio.state === "suspended") state.audio.resume();
    } catch (_) { /* no Web Audio: the count and the title still tell */ }
  }
  function chime() {
    if (store.load().muted) return;
    wakeAudio();
    if (!state.audio) return;
    const audio = state.audio; const now = audio.currentTime;
    const tone = audio.createOscillator(); const gain = audio.createGain();
    tone.type = "sine"; tone.frequency.setValueAtTime(660, now); tone.frequency.setValueAtTime(880, now + 0.09);  // two soft notes
    gain.gain.setValueAtTime(0.0001, now); gain.gain.exponentialRampToValueAtTime(0.06, now + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, now + 0.3);
    tone.connect(gain); gain.connect(audio.destination);
    tone.start(now); tone.stop(now + 0.32);
  }
  function renderMute() { ui.mute.setAttribute("aria-pressed", String(Boolean(store.load().muted))); }
  ui.mute.addEventListener("click", () => { store.save({ muted: !store.load().muted }); renderMute(); });
  ui.close.addEventListener("click", () => open(false));
  root.addEventListener("keydown", (event) => { if (event.key === "Escape" && !ui.panel.hidden) open(false); });

  // --- api -----------------------------------------------------------------------------------------------
  class Unreachable extends Error {}
  // `body` goes as JSON; a `file` goes as it is, the request's whole body (a photo the customer picked)
  async function call(path, { method = "GET", body, file } = {}) {
    const saved = store.load();
    let response;
    try {
      const type = file ? file.type || "application/octet-stream" : "application/json";
      response = await fetch(API + path, { method, headers: { "Content-Type": type, ...(saved.token ? { Authorization: `Bearer ${saved.token}` } : {}) },
        body: file || (body === undefined ? undefined : JSON.stringify(body)) });
    } catch (_) { throw new Unreachable("network"); }
    if (response.status >= 500) throw new Unreachable(String(response.status));
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      // the api's reason: a sentence, or for a refused field (422) the first of the list it names, "at most 2000 characters"
      const reason = typeof data.detail === "string" ? data.detail : Array.isArray(data.detail) && data.detail[0] && data.detail[0].msg;
      const error = new Error(reason || response.statusText);
      error.status = response.status;
      error.retryAfter = Number(data.retry_after || response.headers.get("Retry-After")) || 5;
      throw error;
    }
    return data;
  }

  async function conversation() {
    const saved = store.load();
    if (saved.id && saved.token) return saved;
    const created = await call("/api/conversations", { method: "POST", body: { language: state.language, visitor_token: saved.visitor || null } });
    store.save({ id: created.id, token: created.token, visitor: created.visitor_token, seen: 0 });
    connect();
    return store.load();
  }

  // --- messages ------------------------------------------------------------------------------------------
  function scrollDown() { ui.log.scrollTop = ui.log.scrollHeight; }

  // A source's link becomes clickable only as a web or e-mail address: never javascript: or data: (a link is data)
  function safeHref(link) {
    try { const url = new URL(link, location.href); return ["http:", "https:", "mailto:"].includes(url.protocol) ? url.href : null; }
    catch (_) { return null; }
  }

  // A message bubble: `who` is a label key (you, bot) or an agent's name; `lang` the language its text is in
  function bubble(sender, text, who, lang) {
    const node = document.createElement("div");
    node.className = `msg ${sender}`;
    node.lang = lang || state.language;
    if (who) {
      const label = document.createElement("span"); label.className = "who";
      if (["you", "bot"].includes(who)) { label.dataset.label = who; label.lang = state.language; label.textContent = t(who); } else label.textContent = who;
      node.append(label);
    }
    node.append(document.createTextNode(text));
    ui.log.append(node);
    return node;
  }

  // The bot and the api answer in the language they detected: the widget's own labels follow it
  function follow(language) {
    if (!language || language === state.language) return;
    state.language = language;
    store.save({ language });
    labels();
  }

  function render(message) {
    if (message.id <= state.lastId) return;
    state.lastId = message.id;
    if (message.sender === "customer") {
      const pending = [...ui.log.querySelectorAll(".customer.pending")].find((n) => n.dataset.text === message.text);
      if (pending) { pending.classList.remove("pending"); pending.removeAttribute("aria-busy"); if (message.language) pending.lang = message.language; return; }
    }
    if (message.sender === "agent") showTyping(false);
    noticeReply(message);
    if (message.data && message.data.ticket) setTicket(message.data.ticket);
    if (message.sender !== "customer" && message.language) follow(message.language);
    const who = { customer: "you", bot: "bot", agent: message.agent || "", system: "" }[message.sender];
    const node = bubble(message.sender, message.text, who, message.language);
    if (message.data && message.data.ticket) node.classList.add("ticket");  // the e-mail ticket the chat left: kept in view
    if (message.attachment) node.append(fileLink(message.attachment));
    if (message.source) {
      const source = document.createElement("span"); source.className = "source";
      const prefix = document.createElement("span"); prefix.dataset.label = "source"; prefix.textContent = `${t("source")}: `;
      source.append(prefix);
      const href = message.source.link ? safeHref(message.source.link) : null;
      const link = document.createElement(href ? "a" : "span");
      link.textContent = message.source.title;
      if (href) { link.href = href; link.target = "_blank"; link.rel = "noopener"; }
      source.append(link); node.append(source);
    }
    if (message.buttons && message.buttons.length) {
      ui.log.querySelectorAll(".choices button").forEach((b) => { b.disabled = true; });  // only the latest choices stay live
      const choices = document.createElement("div"); choices.className = "choices";
      const handoff = message.data && message.data.rate_handoff;  // the rating of a colleague's help, asked when they left
      for (const choice of message.buttons) {
        const button = document.createElement("button"); button.type = "button"; button.textContent = choice.title;
        button.addEventListener("click", () => {
          choices.querySelectorAll("button").forEach((b) => { b.disabled = true; b.removeAttribute("aria-pressed"); });
          ui.input.focus();  // the pressed button is disabled now: keep the keyboard in the chat, not on the page's body
          if (handoff) { button.setAttribute("aria-pressed", "true"); rateColleague(handoff, choice.payload, choices); } else send(choice.title, choice.payload);
        });
        choices.append(button);
      }
      node.append(choices);
    }
    scrollDown();
  }

  // A colleague's help is rated through the api, not the bot (the chat may be closed, and the bot was paused while they
  // had it); the thanks it earns is shown at once
  async function putRating(handoff, body) {
    const rated = await call(`/api/conversations/${store.load().id}/handoffs/${handoff}/rating`, { method: "PUT", body });
    rated.messages.forEach(render);
  }
  // The same buttons pressed again after a reload change the rating. A refusal says why and frees the buttons.
  async function rateColleague(handoff, score, choices) {
    try {
      await putRating(handoff, { score: Number(score) });
      setOffline(false);
      showCommentForm({ handoff, score: Number(score) });
    } catch (error) {
      choices.querySelectorAll("button").forEach((b) => { b.disabled = false; b.removeAttribute("aria-pressed"); });
      if (error instanceof Unreachable) setOffline(true); else { state.notice = error.message; renderStatus(); }
    }
  }

  // After the score, an optional comment, as the bot asks after its own rating: sent with the same score (the api keeps one
  // rating per handoff); Enter sends, Escape or "Skip" leaves it. A refusal (the api's 2000 characters) says why, in place.
  function showCommentForm(rating) {
    state.rating = rating;
    ui.commentForm.hidden = !rating; ui.commentError.textContent = "";
    renderStatus();
    scrollDown();  // the form takes room from the log: the question and the thanks stay in view
    if (rating) ui.comment.focus(); else ui.input.focus();
  }
  ui.skip.addEventListener("click", () => showCommentForm(null));
  ui.comment.addEventListener("input", () => { ui.commentError.textContent = ""; });
  ui.comment.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); ui.commentForm.requestSubmit(); }
    else if (event.key === "Escape") { event.preventDefault(); event.stopPropagation(); showCommentForm(null); }  // the chat stays open
  });
  ui.commentForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const comment = ui.comment.value.trim();
    if (!state.rating) return;
    if (!comment) { showCommentForm(null); return; }
    try {
      await putRating(state.rating.handoff, { score: state.rating.score, comment });
      ui.comment.value = "";
      showCommentForm(null);
    } catch (error) {
      ui.commentError.textContent = error instanceof Unreachable ? t("offline") : error.message;
    }
  });

  async function catchUp() {
    const saved = store.load();
    if (!saved.id) return;
    try {
      const transcript = await call(`/api/conversations/${saved.id}/messages?after=${state.lastId}`);
      transcript.messages.forEach(render);
      setQueue(transcript.state === "waiting" ? transcript.queue_position : null);
      setTicket(transcript.ticket);
      if (transcript.availability) { state.availability = transcript.availability; renderAvailability(); }
      setOffline(false);
    } catch (error) {
      if (error instanceof Unreachable) { setOffline(true); return; }
      if ([401, 403, 404].includes(error.status)) store.save({ id: null, token: null });  // the conversation is gone: start afresh
    }
  }

  // --- files: a photo of a broken product, an invoice (the api keeps JPEG, PNG, GIF, WebP and PDF, judged by their bytes) ---
  // The file is the request's body; it is not kept for a retry like a text is (files are too big for localStorage), so a
  // failure says why at once and the customer picks it again.
  async function attach(file) {
    state.notice = ""; renderStatus();
    try {
      const saved = await conversation();
      await call(`/api/conversations/${saved.id}/attachments?name=${encodeURIComponent(file.name)}`, { method: "POST", file });
      setOffline(false);
      await catchUp();
    } catch (error) {
      state.notice = t("attachFailed").replace("{reason}", error instanceof Unreachable ? t("offline") : error.message); renderStatus();
    }
  }
  ui.attach.addEventListener("click", () => ui.file.click());
  ui.file.addEventListener("change", () => { const [file] = ui.file.files; ui.file.value = ""; if (file) attach(file); });

  // A sent file, offered back to its sender as a download (read with the conversation's token: files are not public)
  function fileLink(attachment) {
    const link = document.createElement("a");
    link.className = "file-link"; link.href = "#"; link.textContent = `${attachment.name} (${Math.max(1, Math.round(attachment.size / 1024))} kB)`;
    link.addEventListener("click", async (event) => {
      event.preventDefault();
      const saved = store.load();
      const response = await fetch(`${API}/api/conversations/${saved.id}/attachments/${attachment.id}`, { headers: { Authorization: `Bearer ${saved.token}` } });
      if (!response.ok) return;
      const save = document.createElement("a"); save.href = URL.createObjectURL(await response.blob()); save.download = attachment.name; save.click();
      setTimeout(() => URL.revokeObjectURL(save.href), 10000);
    });
    return link;
  }

  // --- sending: an outbox that survives reloads and outages ---------------------------------------------------
  function outbox() { return store.load().outbox || []; }

  function send(text, payload) {
    // client_id lets the api drop a resend of a message that did arrive before the connection broke
    const id = (crypto.randomUUID && crypto.randomUUID()) || `${Date.now()}-${Math.random()}`;
    const item = payload && payload.startsWith("/") ? { text, payload, client_id: id } : { text: payload || text, client_id: id };
    store.save({ outbox: [...outbox(), item] });
    const node = bubble("customer", item.text, "you");
    node.classList.add("pending"); node.dataset.text = item.text; node.setAttribute("aria-busy", "true");
    scrollDown();
    flush();
  }

  async function flush() {
    if (state.flushing) return;
    state.flushing = true;
    try {
      while (outbox().length) {
        const item = outbox()[0];
        showTyping(true, t("bot"));
        try {
          const saved = await conversation();
          await call(`/api/conversations/${saved.id}/messages`, { method: "POST", body: item });
          store.save({ outbox: outbox().slice(1) });
          setOffline(false); state.retry = 1000; state.notice = "";
          await catchUp();
        } catch (error) {
          if (error instanceof Unreachable) {
            setOffline(true);
            setTimeout(flush, state.retry);
            state.retry = Math.min(state.retry * 2, 10000);
            return;
          }
          if (error.status === 429) {  // rate limited: the message stays in the outbox and goes when allowed
            state.notice = t("slow").replace("{s}", error.retryAfter); renderStatus();
            setTimeout(flush, error.retryAfter * 1000);
            return;
          }
          store.save({ outbox: outbox().slice(1) });  // refused (e.g. too long): say why, give the text back
          const pending = [...ui.log.querySelectorAll(".customer.pending")].find((n) => n.dataset.text === item.text);
          if (pending) pending.remove();
          if (!item.payload) ui.input.value = item.text;
          ui.status.textContent = error.message;
        } finally { showTyping(false); }
      }
    } finally { state.flushing = false; }
  }

  function setOffline(offline) { ui.offline.hidden = !offline; ui.offline.textContent = t("offline"); }

  // --- where the customer stands: the status line (why a message waits, the place in the queue, the e-mail ticket) and,
  // in the header, whether anyone is online; the way back to the bot is offered while waiting
  function statusText() {
    if (state.notice) return state.notice;
    if (state.waiting) return t(state.availability && !state.availability.agents_online ? "queueOffline" : "queue").replace("{n}", state.waiting);
    if (state.ticket) return t("ticket").replace("{number}", state.ticket.number).replace("{email}", state.ticket.email).replace("{h}", state.ticket.reply_hours);
    return "";
  }
  // Live regions: a text is set only when it changes, so a screen reader does not repeat the same place in the queue
  function say(node, text) { if (node.textContent !== text) node.textContent = text; }
  function renderStatus() {
    const atBottom = ui.log.scrollHeight - ui.log.scrollTop - ui.log.clientHeight < 8;  // a taller bar must not hide the last message
    say(ui.status, statusText()); ui.back.hidden = !state.waiting;
    ui.mail.hidden = !store.load().id || !ui.mailForm.hidden;  // a transcript once there is a conversation
    if (atBottom) scrollDown();
  }
  function setQueue(position) { state.waiting = position || null; renderStatus(); }
  function setTicket(ticket) { state.ticket = ticket || null; renderStatus(); }

  function renderAvailability() {
    const known = state.availability;
    ui.availability.hidden = !known;
    if (known) say(ui.availability, known.agents_online ? t("online") : t("nobodyOnline").replace("{h}", known.reply_hours));
    renderStatus();  // a place in the queue reads differently with nobody online
  }
  // The shop's name heads the panel unless the page gives a title; its privacy policy is a link away (GET /api/shop).
  function showShop(shop) {
    state.shopName = shop.name;
    labels();
    if (shop.privacy_url && /^(https?:\/\/|\/)/.test(shop.privacy_url)) { ui.privacy.href = shop.privacy_url; ui.privacy.hidden = false; }
  }
  // The picker offers the languages the shop serves, by name; a page or a stored choice outside them starts in the
  // shop's default. A conversation the bot answers in another language still switches the labels (follow).
  function offerLanguages(languages, fallback) {
    state.languages = languages;
    ui.language.replaceChildren(...languages.map((l) => { const option = new Option(NAMES[l] || l.toUpperCase(), l); option.lang = l; return option; }));
    if (!languages.includes(state.language)) state.language = fallback;
    labels();
  }
  async function loadShop() {
    try { const shop = await call("/api/shop"); showShop(shop); offerLanguages(shop.languages, shop.default_language); } catch (_) { /* the page's language stays */ }
  }
  async function checkAvailability() {
    try { state.availability = await call("/api/availability"); renderAvailability(); } catch (_) { /* the header keeps what it knew */ }
  }

  ui.back.addEventListener("click", async () => {
    const saved = store.load();
    if (!saved.id) return;
    ui.back.disabled = true;
    try {
      const left = await call(`/api/conversations/${saved.id}/handoff`, { method: "DELETE" });
      left.messages.forEach(render);
      setQueue(null);
      ui.input.focus();
    } catch (error) {
      if (error instanceof Unreachable) setOffline(true);
      else await catchUp();  // e.g. a colleague took the chat meanwhile: show where it stands now
    } finally { ui.back.disabled = false; }
  });

  // --- the transcript by e-mail, on request: the address is asked each time, never kept in the browser ---------------
  function showMailForm(shown) {
    ui.mailForm.hidden = !shown; ui.mailError.textContent = "";
    renderStatus();
    scrollDown();  // the form takes room from the log: the latest message stays in view
    if (shown) ui.mailInput.focus(); else ui.input.focus();
  }
  ui.mail.addEventListener("click", () => showMailForm(true));
  ui.mailCancel.addEventListener("click", () => showMailForm(false));
  ui.mailInput.addEventListener("input", () => { ui.mailError.textContent = ""; });
  ui.mailForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const email = ui.mailInput.value.trim();
    if (!ui.mailInput.checkValidity() || !email) { ui.mailError.textContent = t("mailInvalid"); return; }
    const saved = store.load();
    try {
      await call(`/api/conversations/${saved.id}/transcript`, { method: "POST", body: { email } });
      state.notice = t("mailSent").replace("{email}", email);
      ui.mailInput.value = "";
      showMailForm(false);
    } catch (error) {
      ui.mailError.textContent = error instanceof Unreachable ? t("mailFailed")
        : error.status === 429 ? t("mailLater").replace("{m}", Math.ceil(error.retryAfter / 60))
        : error.status === 422 ? t("mailInvalid") : error.message;
    }
  });

  function showTyping(active, who) {
    clearTimeout(state.typingTimer);
    if (!active) { renderStatus(); return; }
    ui.status.textContent = `${who || ""} ${t("typing")}`.trim();
    state.typingTimer = setTimeout(() => showTyping(false), 6000);  // clears itself
  }

  ui.form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = ui.input.value.trim();
    if (!text) return;
    ui.input.value = ""; renderStatus();
    send(text);
  });
  ui.input.addEventListener("keydown", (event) => { if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); ui.form.requestSubmit(); } });
  ui.input.addEventListener("input", () => {
    const now = Date.now();
    if (now - state.lastTyping < 2000 || !state.socket || state.socket.readyState !== WebSocket.OPEN) return;
    state.lastTyping = now;
    state.socket.send(JSON.stringify({ type: "typing", active: true }));
  });

  ui.language.addEventListener("change", async () => {
    state.language = ui.language.value;
    store.save({ language: state.language });
    labels();
    const saved = store.load();
    if (saved.id) { try { await call(`/api/conversations/${saved.id}/language`, { method: "PUT", body: { language: state.language } }); } catch (_) { /* next message carries it */ } }
  });

  // --- live updates, with polling while the socket is down ---------------------------------------------------
  function connect() {
    const saved = store.load();
    if (!saved.id || (state.socket && state.socket.readyState <= WebSocket.OPEN)) return;
    const socket = new WebSocket(`${API.replace(/^http/, "ws")}/api/conversations/${saved.id}/ws`);
    state.socket = socket;
    socket.onopen = () => socket.send(JSON.stringify({ type: "auth", token: saved.token }));
    socket.onmessage = (event) => {
      const data = JSON.parse(event.data);
      if (data.type === "ready") { state.retry = 1000; clearInterval(state.pollTimer); state.pollTimer = null; catchUp(); flush(); }
      else if (data.type === "message") render(data);
      else if (data.type === "typing" && data.sender === "agent") showTyping(data.active, data.agent);
      else if (data.type === "queue") setQueue(data.position);
      else if (data.type === "state" && data.state !== "waiting") setQueue(null);
    };
    socket.onclose = (event) => {
      state.socket = null;
      if (event.code === 4401) { store.save({ id: null, token: null }); return; }
      if (!state.pollTimer) state.pollTimer = setInterval(() => { catchUp(); if (outbox().length) flush(); }, 4000);
      setTimeout(connect, Math.min(state.retry *= 2, 15000));
    };
  }

  // --- start: restore the conversation this browser already has --------------------------------------------------
  offerLanguages([state.language], state.language);
  loadShop();
  setInterval(() => { if (!ui.panel.hidden) checkAvailability(); }, 60000);  // someone may come online, or leave
  const saved = store.load();
  ui.greeting = bubble("bot", "", "bot");  // the widget's own greeting follows the language too, unless the shop wrote one
  const greeting = document.createElement("span");
  if (options.greeting) greeting.textContent = options.greeting; else { greeting.dataset.label = "greeting"; greeting.textContent = t("greeting"); }
  ui.greeting.append(greeting);
  for (const item of outbox()) { const node = bubble("customer", item.text, "you"); node.classList.add("pending"); node.dataset.text = item.text; }
  // A conversation from before the count was kept: what it holds counts as seen until the widget is next opened
  if (saved.id && saved.seen === undefined) store.save({ seen: Number.MAX_SAFE_INTEGER });
  renderMute();
  if (saved.id) { catchUp().then(() => { state.live = true; connect(); flush(); }); } else state.live = true;
  if (saved.open) open(true); else checkAvailability();  // opening checks it too
  window.addEventListener("storage", (event) => { if (event.key === KEY) catchUp(); });  // another tab wrote
})();
