/* Cockpit: retry the selected failed jobs and external tasks one by one (each a PUT …/retries through
   /engine-rest), with a progress bar and the failures listed per item; one refusal does not stop the rest. */
(function () {
  "use strict";
  const KB = window.KB;
  const T = window.COCKPIT_TEXT || {};
  const RETRIES = 1;

  function fill(template, values) {
    return Object.entries(values).reduce((text, [k, v]) => text.split("{" + k + "}").join(v), template || "");
  }

  function reason(error) {
    if (error.status === 403) return T.forbidden;
    if (error.status === 404) return T.missing;
    return error.message || String(error.status || "");
  }

  function setUp(bar) {
    const list = bar.parentElement;
    const items = () => Array.from(list.querySelectorAll("input[data-item]:not(:disabled)"));
    const all = bar.querySelector("[data-select-all]");
    const button = bar.querySelector("[data-retry-selected]");
    const failures = bar.querySelector("[data-failures]");
    const update = () => { button.disabled = !items().some((box) => box.checked); };
    if (!items().length) { bar.hidden = true; return; }
    all.addEventListener("change", () => { items().forEach((box) => { box.checked = all.checked; }); update(); });
    list.addEventListener("change", (event) => { if (event.target.matches("input[data-item]")) update(); });

    button.addEventListener("click", async () => {
      const chosen = items().filter((box) => box.checked);
      if (!chosen.length) return;
      button.disabled = true;
      all.disabled = true;
      failures.hidden = true;
      failures.innerHTML = "";
      const progress = KB.progress(bar.querySelector("[data-progress]"));
      let ok = 0, failed = 0;
      progress.set(0, chosen.length, T.retrying);
      for (const box of chosen) {
        try {
          await KB.api("PUT", box.dataset.url, { retries: RETRIES });
          ok += 1;
          box.checked = false;
          box.disabled = true;
          box.hidden = true;
          box.closest("tr").classList.add("retried");
          const mark = document.createElement("span");
          mark.className = "badge ok retried-mark";
          mark.textContent = "✓";
          mark.title = T.retried;
          mark.setAttribute("aria-label", T.retried);
          box.insertAdjacentElement("afterend", mark);
        } catch (error) {
          failed += 1;
          const li = document.createElement("li");
          li.textContent = fill(T.failedItem, { item: box.dataset.label, message: reason(error) });
          failures.appendChild(li);
          failures.hidden = false;
        }
        progress.set(ok + failed, chosen.length, T.retrying);
      }
      progress.finish(fill(T.finished, { ok, failed }));
      const again = document.createElement("a");
      again.href = window.location.href;
      again.className = "refresh";
      again.textContent = T.refresh;
      bar.querySelector("[data-progress]").appendChild(again);
      all.disabled = false;
      all.checked = false;
      update();
      KB.toast(fill(T.finished, { ok, failed }), failed ? "error" : "info");
    });
  }

  document.querySelectorAll("[data-batch]").forEach(setUp);
})();
