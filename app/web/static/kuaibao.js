/* Kuaibao pages: the session's CSRF token on every change, login and logout, small helpers shared by pages. */
(function () {
  "use strict";
  const KB = (window.KB = window.KB || {});
  KB.text = window.KB_TEXT || {};

  function cookie(name) {
    const found = document.cookie.split("; ").find((c) => c.startsWith(name + "="));
    return found ? decodeURIComponent(found.split("=")[1]) : "";
  }

  /** fetch() with the session cookie and, for changes, the CSRF header; JSON in and out. */
  KB.api = async function (method, path, body, extraHeaders) {
    const headers = Object.assign({ Accept: "application/json" }, extraHeaders || {});
    if (method !== "GET") headers["X-XSRF-TOKEN"] = cookie("XSRF-TOKEN") || document.body.dataset.csrf || "";
    let payload = body;
    if (body !== undefined && !(body instanceof FormData)) {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(body);
    }
    const response = await fetch(path, { method, headers, body: payload, credentials: "same-origin" });
    const text = await response.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch (e) { data = { message: text }; }
    if (!response.ok) {
      const error = new Error((data && data.message) || response.statusText);
      error.status = response.status;
      error.data = data;
      throw error;
    }
    return data;
  };

  KB.toast = function (message, kind) {
    const box = document.createElement("div");
    box.className = "toast " + (kind || "info");
    box.setAttribute("role", "status");
    box.textContent = message;
    document.body.appendChild(box);
    setTimeout(() => box.remove(), 4000);
  };

  /** A progress bar for long operations: KB.progress(element).set(done, total, label). */
  KB.progress = function (host) {
    host.hidden = false;
    host.innerHTML = '<div class="progress"><div class="bar"></div></div><span class="progress-label"></span>';
    const bar = host.querySelector(".bar");
    const label = host.querySelector(".progress-label");
    return {
      set(done, total, text) {
        const pct = total ? Math.round((100 * done) / total) : 0;
        bar.style.width = pct + "%";
        label.textContent = (text || "") + " " + done + " / " + total;
      },
      busy(text) { bar.classList.add("indeterminate"); label.textContent = text || KB.text.working; },
      finish(text) { bar.classList.remove("indeterminate"); bar.style.width = "100%"; label.textContent = text || KB.text.done; },
    };
  };

  const login = document.getElementById("login-form");
  if (login) {
    login.addEventListener("submit", async (event) => {
      event.preventDefault();
      const error = document.getElementById("login-error");
      error.hidden = true;
      try {
        await KB.api("POST", "/login", { username: login.username.value, password: login.password.value });
        window.location.assign(login.dataset.next || "/");
      } catch (e) {
        error.textContent = e.status === 429 ? KB.text.tooMany : e.status === 401 ? KB.text.loginFailed : KB.text.networkError;
        error.hidden = false;
      }
    });
  }

  const logout = document.getElementById("logout");
  if (logout) {
    logout.addEventListener("click", async () => {
      try { await KB.api("POST", "/logout"); } finally { window.location.assign("/login"); }
    });
  }

  document.querySelectorAll("form[data-confirm]").forEach((form) =>
    form.addEventListener("submit", (event) => { if (!window.confirm(form.dataset.confirm)) event.preventDefault(); }));
})();
