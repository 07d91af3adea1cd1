/* Tasklist: light touches on server-rendered pages. A field's refusal message goes once the field is edited;
   a choice in the filters applies at once; a form is sent only once. */
(function () {
  "use strict";

  document.querySelectorAll(".tl-field").forEach((field) => {
    const input = field.querySelector("input, select, textarea");
    const message = field.querySelector(".field-error");
    if (!input || !message) return;
    const clear = () => {
      input.classList.remove("invalid");
      input.removeAttribute("aria-invalid");
      message.hidden = true;
    };
    input.addEventListener("input", clear, { once: true });
    input.addEventListener("change", clear, { once: true });
  });

  const filters = document.getElementById("tl-filter-form");
  if (filters) {
    filters.querySelectorAll("select").forEach((select) =>
      select.addEventListener("change", () => filters.requestSubmit()));
  }

  document.querySelectorAll("form.tl-form").forEach((form) => {
    const button = form.querySelector("button[type=submit]");
    if (!button) return;
    form.addEventListener("submit", () => setTimeout(() => { button.disabled = true; }, 0));
    window.addEventListener("pageshow", () => { button.disabled = false; });  // back to a page kept in memory
  });

  /* The case's diagram opens on the current task, readable, rather than the whole (long) process shrunk. */
  const diagram = document.querySelector(".diagram[data-highlight]");
  if (diagram && diagram.dataset.highlight) {
    let tries = 0;
    const focus = () => {
      if (!diagram.viewer) { if (++tries < 60) setTimeout(focus, 100); return; }
      const canvas = diagram.viewer.get("canvas");
      const element = diagram.viewer.get("elementRegistry").get(diagram.dataset.highlight.split(",")[0]);
      if (!element || canvas.viewbox().scale >= 0.85) return;
      const width = diagram.clientWidth / 0.85, height = diagram.clientHeight / 0.85;
      canvas.viewbox({ x: element.x + element.width / 2 - width / 2, y: element.y + element.height / 2 - height / 2, width, height });
    };
    focus();
  }

  const error = document.querySelector(".tl-field.has-error input, .tl-field.has-error select, .tl-field.has-error textarea");
  if (error) error.focus({ preventScroll: false });
})();
