// Layso's pages: actions go to the JSON API with the session cookie; the
// live part of a page (section[data-panel]) is redrawn by the server
// whenever the event stream says something changed.
"use strict";

// What to say when the server's answer carries no Vietnamese words of its
// own (an old server, or a proxy's error page).
const REASONS = {
  unauthorized: "Phiên đăng nhập đã hết, hãy đăng nhập lại",
  internal: "Lỗi máy chủ. Mời thử lại.",
};

function say(text, kind) {
  const box = document.getElementById("message");
  if (!box) return;
  box.className = kind || "";
  box.textContent = text || "";
}

// Sends `body` to `url`; returns the answer's JSON (null for none) or
// throws with the server's reason in Vietnamese.
async function post(url, body) {
  return send(url, "POST", body);
}

async function send(url, method, body) {
  let response;
  try {
    response = await fetch(url, {
      method,
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body || {}),
    });
  } catch (e) {
    throw new Error("Không liên lạc được với máy chủ");
  }
  if (response.status === 204) return null;
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch (e) {
    // Not ours: a proxy's page. Said below by its status.
  }
  if (response.ok) return json;
  // A session that ended sends the page to the login, which says why; a
  // refused sign-in stays on the form with its reason.
  if (response.status === 401 && url !== "/api/v1/auth/login") {
    location.href = "/login";
  }
  const reason = (json && (json.message_vi || REASONS[json.code])) ||
    `Không thực hiện được (máy chủ trả lời ${response.status})`;
  throw new Error(reason);
}

// ---- the live part ----
let pending = false;
let refreshing = false;

async function refresh() {
  const panel = document.querySelector("section[data-panel]");
  if (!panel) return;
  if (document.querySelector("dialog[open]") || refreshing) {
    pending = true;
    return;
  }
  refreshing = true;
  pending = false;
  try {
    const response = await fetch(panel.dataset.panel, { headers: { accept: "text/html" } });
    if (response.redirected && new URL(response.url).pathname === "/login") {
      location.href = "/login";
      return;
    }
    if (response.ok) {
      const html = await response.text();
      // A dialog opened meanwhile: drawing now would throw it away.
      if (document.querySelector("dialog[open]")) {
        pending = true;
        return;
      }
      const focused = document.activeElement && document.activeElement.dataset.key;
      panel.innerHTML = html;
      tick();
      if (focused) {
        const again = panel.querySelector(`[data-key="${focused}"]`);
        if (again && !again.disabled) again.focus();
      }
    }
  } catch (e) {
    // The stream's own reconnection says the server is away.
  } finally {
    refreshing = false;
    if (pending && !document.querySelector("dialog[open]")) setTimeout(refresh, 50);
  }
}

let soon = null;
function refreshSoon() {
  if (soon) return;
  soon = setTimeout(() => { soon = null; refresh(); }, 60);
}

function live() {
  if (!document.querySelector("section[data-panel]")) return;
  const offline = document.getElementById("offline");
  let wait = 500;
  let beat = null;
  const connect = () => {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}/api/v1/events`);
    socket.onopen = () => {
      wait = 500;
      offline.hidden = true;
      document.body.dataset.live = "yes";
      refresh();
      beat = setInterval(() => socket.send('{"type":"heartbeat"}'), 3000);
    };
    socket.onmessage = (frame) => {
      const message = JSON.parse(frame.data);
      if (message.type === "event" || message.type === "queue" || message.type === "resync") {
        refreshSoon();
      }
    };
    socket.onclose = () => {
      clearInterval(beat);
      document.body.dataset.live = "no";
      offline.hidden = false;
      // Signed out (session ended, account locked): back to the login,
      // rather than "offline" for ever.
      fetch("/api/v1/auth/me").then((r) => {
        if (r.status === 401) location.href = "/login";
      }).catch(() => {});
      setTimeout(connect, wait);
      wait = Math.min(wait * 2, 5000);
    };
  };
  connect();
}

// ---- running timers ----
function tick() {
  const now = Date.now();
  for (const el of document.querySelectorAll("[data-since]")) {
    const secs = Math.max(0, Math.floor((now - Number(el.dataset.since)) / 1000));
    const h = Math.floor(secs / 3600);
    const m = Math.floor(secs / 60) % 60;
    const s = String(secs % 60).padStart(2, "0");
    el.textContent = h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
  }
}

// ---- actions ----
async function act(button) {
  if (button.disabled) return;
  if (button.dataset.confirm && !confirm(button.dataset.confirm)) return;
  button.disabled = true;
  try {
    const answer = await post(button.dataset.post, {});
    if (answer === null && button.dataset.post.endsWith("/call-next")) {
      say("Không còn ai đang chờ.", "info");
    } else {
      say("");
    }
    if (!document.querySelector("section[data-panel]")) location.reload();
  } catch (e) {
    say(e.message);
  } finally {
    button.disabled = false;
    refresh();
  }
}

// The fields of a dialog's form as the API's JSON.
function body(form) {
  const out = {};
  for (const field of form.elements) {
    if (!field.name) continue;
    if (field.type === "checkbox") out[field.name] = field.checked;
    else if (field.dataset.number !== undefined) out[field.name] = Number(field.value);
    else out[field.name] = field.value.trim();
  }
  return out;
}

document.addEventListener("click", (e) => {
  const target = e.target.closest("button");
  if (!target) return;
  if (target.dataset.post) act(target);
  else if (target.dataset.dialog) {
    const dialog = document.getElementById(target.dataset.dialog);
    if (dialog && !target.disabled) {
      say("");
      dialog.showModal();
    }
  } else if (target.dataset.close !== undefined) {
    const dialog = target.closest("dialog");
    if (dialog) dialog.close();
  } else if (target.dataset.logout !== undefined) {
    post("/api/v1/auth/logout", {}).catch(() => {}).finally(() => { location.href = "/login"; });
  }
});

document.addEventListener("submit", async (e) => {
  const form = e.target;
  if (form.id === "login") {
    e.preventDefault();
    const data = body(form);
    const request = { username: data.username, password: form.elements.password.value };
    if (data.counter_id) request.counter_id = Number(data.counter_id);
    if (data.office_id) request.office_id = Number(data.office_id);
    try {
      const answer = await post("/api/v1/auth/login", request);
      if (answer.user.role === "staff" && !answer.counter_id) {
        // A clerk without a counter has nothing to do: ask for it.
        await post("/api/v1/auth/logout", {}).catch(() => {});
        say("Mời chọn quầy bạn làm việc hôm nay, rồi đăng nhập lại.");
        form.elements.counter_id.focus();
        return;
      }
      if (answer.counter_id) localStorage.setItem("layso-counter", String(answer.counter_id));
      location.href = "/";
    } catch (err) {
      say(err.message);
    }
    return;
  }
  if (form.classList.contains("service")) {
    e.preventDefault();
    serviceForm(form);
    return;
  }
  if (form.classList.contains("api")) {
    e.preventDefault();
    sendForm(form);
    return;
  }
  const dialog = form.closest("dialog");
  if (!dialog || !form.dataset.url) return;
  if (e.submitter && e.submitter.value === "cancel") return; // method=dialog closes it
  e.preventDefault();
  if (!form.reportValidity()) return;
  let request = body(form);
  if (form.id === "call-form") {
    // A number not in the line is said at the field; the dialog stays.
    const field = form.elements.ticket_number;
    try {
      request = callBody(form);
    } catch (err) {
      field.setCustomValidity(err.message);
      field.reportValidity();
      field.addEventListener("input", () => field.setCustomValidity(""), { once: true });
      return;
    }
  }
  try {
    await post(form.dataset.url, request);
    dialog.close();
    say("");
  } catch (err) {
    say(err.message);
    dialog.close();
  }
  refresh();
});

// The browser's own checks speak its own language ("Please fill out this
// field"): every field found invalid says it in Vietnamese instead, its
// data-invalid or a general word, until it is changed.
document.addEventListener("invalid", (e) => {
  const field = e.target;
  if (field.validity.customError) return;
  field.setCustomValidity(field.dataset.invalid ||
    (field.validity.valueMissing ? "Mời điền ô này." : "Giá trị chưa hợp lệ."));
  field.addEventListener("input", () => field.setCustomValidity(""), { once: true });
}, true);

// "Call a given number": the clerk types the number (A012, a012, or 12
// when only one waiting ticket has it); the API wants the ticket's id.
function callBody(form) {
  const typed = form.elements.ticket_number.value.trim().toUpperCase();
  const options = [...document.querySelectorAll("#call-numbers option")];
  const digits = (text) => text.replace(/^[A-Z]*/, "").replace(/^0+/, "");
  let found = options.filter((o) => o.value.toUpperCase() === typed);
  if (found.length === 0 && /^[0-9]+$/.test(typed)) {
    found = options.filter((o) => digits(o.value.toUpperCase()) === digits(typed));
  }
  if (found.length !== 1) {
    throw new Error(found.length > 1
      ? `Có nhiều vé mang số ${typed}: hãy gõ cả chữ đầu, ví dụ ${found[0].value}.`
      : `Số ${typed} không có trong hàng chờ của quầy.`);
  }
  return { ticket_id: Number(found[0].dataset.id), reason: form.elements.reason.value.trim() };
}

document.addEventListener("close", () => { if (pending) refresh(); }, true);

// ---- keyboard ----
document.addEventListener("keydown", (e) => {
  if (e.ctrlKey || e.altKey || e.metaKey) return;
  const tag = (e.target.tagName || "").toLowerCase();
  if (["input", "select", "textarea"].includes(tag)) return;
  if (document.querySelector("dialog[open]")) return;
  const button = document.querySelector(`section[data-panel] [data-key="${e.key.toLowerCase()}"]`);
  if (button && !button.disabled) {
    e.preventDefault();
    button.click();
  }
});

// ---- admin: forms that send JSON ----

// What is wrong with the form's fields, in Vietnamese (empty: nothing).
function problems(form) {
  const found = [];
  for (const field of form.elements) {
    if (!field.name || field.disabled) continue;
    const bad = !field.checkValidity() ||
      (field.dataset.contains && field.dataset.contains.split("|").some((p) => !field.value.includes(p)));
    if (bad) found.push(field.dataset.invalid || `Ô “${field.name}” chưa hợp lệ.`);
  }
  return found;
}

// A counter's form: its services are the ticked ones, by their order.
function counterBody(form) {
  const f = form.elements;
  const services = [...form.querySelectorAll('input[name="service"]:checked')].map((box) => ({
    service_id: Number(box.value),
    order: Number(f[`order-${box.value}`].value),
    weight: Number(f[`weight-${box.value}`].value),
  }));
  services.sort((a, b) => a.order - b.order);
  const out = {
    name: f.name.value.trim(),
    selection: f.selection.value,
    services: services.map(({ service_id, weight }) => ({ service_id, weight })),
  };
  if (f.number) out.number = Number(f.number.value);
  return out;
}

function formBody(form) {
  if (form.classList.contains("counter")) return counterBody(form);
  const out = {};
  for (const field of form.elements) {
    if (!field.name || field.type === "submit") continue;
    if (field.type === "checkbox" && field.dataset.list !== undefined) {
      out[field.name] = out[field.name] || [];
      if (field.checked) out[field.name].push(Number(field.value));
    } else if (field.type === "checkbox") out[field.name] = field.checked;
    else if (field.dataset.nullable !== undefined && field.value === "") out[field.name] = null;
    else if (field.dataset.number !== undefined || field.type === "number") out[field.name] = Number(field.value);
    else if (field.type === "password") out[field.name] = field.value;
    else out[field.name] = field.value.trim();
  }
  return out;
}

async function sendForm(form) {
  const wrong = problems(form);
  if (form.classList.contains("counter") && !form.querySelector('input[name="service"]:checked')) {
    wrong.push("Quầy phải phục vụ ít nhất một lĩnh vực.");
  }
  if (wrong.length) {
    say(wrong.join(" "));
    return;
  }
  try {
    const answer = await send(form.dataset.url, form.dataset.method || "POST", formBody(form));
    if (form.dataset.token !== undefined && answer && answer.token) {
      document.getElementById("token-value").textContent = answer.token;
      document.getElementById("new-token").hidden = false;
      say("Đã ghép nối thiết bị. Chép mã bên dưới vào thiết bị.", "info");
      return;
    }
    sessionStorage.setItem("layso-message", form.dataset.done || "Đã lưu.");
    location.reload();
  } catch (err) {
    const dialog = form.closest("dialog");
    if (dialog) dialog.close();
    say(err.message);
  }
}

// ---- admin: a service, new or changed ----
function serviceForm(form) {
  const f = form.elements;
  const problems = [];
  const code = f.code.value.trim();
  const name = f.name.value.trim();
  const prefix = f.prefix.value.trim().toUpperCase();
  const first = Number(f.first.value);
  const last = Number(f.last.value);
  const cap = f.daily_cap.value.trim();
  if (!/^[A-Za-z0-9_-]{1,16}$/.test(code)) problems.push("Mã: 1–16 chữ cái không dấu, chữ số, - hoặc _.");
  if (!name) problems.push("Tên lĩnh vực không được để trống.");
  if (!/^[A-Z]{0,2}$/.test(prefix)) problems.push("Chữ đầu số: tối đa 2 chữ A–Z.");
  if (!(Number.isInteger(first) && first >= 1 && first <= 99999)) problems.push("Số đầu: từ 1 đến 99999.");
  if (!(Number.isInteger(last) && last >= first && last <= 99999)) problems.push("Số cuối: không nhỏ hơn số đầu, tối đa 99999.");
  if (cap && !(Number(cap) >= 1)) problems.push("Tối đa mỗi ngày: từ 1 trở lên, hoặc để trống.");
  const days = [...form.querySelectorAll('input[name="day"]:checked')].map((d) => Number(d.value));
  if (days.length === 0) problems.push("Chọn ít nhất một ngày trong tuần.");
  const hours = [];
  for (const part of f.hours.value.split(",")) {
    const m = part.trim().match(/^(\d\d:\d\d)\s*-\s*(\d\d:\d\d)$/);
    if (!m || m[1] >= m[2]) {
      problems.push(`Giờ cấp số "${part.trim()}": viết như 07:30-11:15, giờ kết thúc sau giờ bắt đầu.`);
      continue;
    }
    hours.push({ days, from: m[1], to: m[2] });
  }
  if (problems.length) {
    say(problems.join(" "));
    return;
  }
  const request = {
    code, name,
    numbering: { prefix, first, last },
    daily_cap: cap ? Number(cap) : null,
    accepts_priority: f.accepts_priority.checked,
    hours,
  };
  const adding = (form.dataset.method || "POST") === "POST";
  send(form.dataset.url, form.dataset.method || "POST", request)
    .then((service) => {
      const done = adding ? "Đã thêm lĩnh vực" : "Đã lưu lĩnh vực";
      sessionStorage.setItem("layso-message", `${done} “${service.name}”.`);
      location.reload();
    })
    .catch((err) => say(err.message));
}

document.addEventListener("DOMContentLoaded", () => {
  // The counter last used in this browser, for the clerk who sits here.
  const login = document.getElementById("login");
  const last = localStorage.getItem("layso-counter");
  if (login && last && login.elements.counter_id.querySelector(`option[value="${last}"]`)) {
    login.elements.counter_id.value = last;
  }
  const kept = sessionStorage.getItem("layso-message");
  if (kept) {
    sessionStorage.removeItem("layso-message");
    say(kept, "info");
  }
  live();
  tick();
  setInterval(tick, 1000);
  // What no event announces (a device falling silent) still shows.
  const panel = document.querySelector("section[data-panel][data-every]");
  if (panel) setInterval(refresh, Number(panel.dataset.every) * 1000);
});
