/* Claim tracker: the case diagram brought close to where the case is, and the progress of a monthly outlet list,
   polled until every outlet on it has been processed. */
(function () {
  "use strict";
  const MIN_SCALE = 0.8; // a long process fitted into the box is too small to read: zoom in on the highlight

  /** Once diagram.js has drawn the case's diagram, centre it on the highlighted activities at a readable scale. */
  function focusDiagram(host, attempts) {
    if (!host.viewer) {
      if (attempts > 0) setTimeout(() => focusDiagram(host, attempts - 1), 100);
      return;
    }
    const canvas = host.viewer.get("canvas");
    const registry = host.viewer.get("elementRegistry");
    const shapes = (host.dataset.highlight || "").split(",").map((id) => registry.get(id)).filter(Boolean);
    const box = canvas.viewbox();
    if (!shapes.length || box.scale >= MIN_SCALE) return;
    const cx = shapes.reduce((sum, s) => sum + s.x + s.width / 2, 0) / shapes.length;
    const cy = shapes.reduce((sum, s) => sum + s.y + s.height / 2, 0) / shapes.length;
    const width = box.outer.width / MIN_SCALE, height = box.outer.height / MIN_SCALE;
    canvas.viewbox({ x: cx - width / 2, y: cy - height / 2, width, height });
  }
  document.querySelectorAll(".case-diagram .diagram").forEach((host) => focusDiagram(host, 50));

  const host = document.getElementById("monthly");
  if (!host) return;
  const texts = JSON.parse(host.dataset.texts || "{}");
  const bar = KB.progress(document.getElementById("monthly-progress"));
  const table = document.querySelector("#monthly-outlets tbody");
  const count = document.getElementById("outlet-count");

  function cell(row, className, content) {
    const td = document.createElement("td");
    if (className) td.className = className;
    if (content instanceof Node) td.appendChild(content); else td.textContent = content;
    row.appendChild(td);
    return td;
  }

  function badge(done) {
    const span = document.createElement("span");
    span.className = "badge " + (done ? "ok" : "warn");
    span.textContent = done ? texts.yes : texts.no;
    return span;
  }

  function rowFor(outlet) {
    let row = table.querySelector(`tr[data-outlet="${CSS.escape(outlet.id)}"]`);
    if (row) return row;
    table.querySelectorAll("tr.empty-row").forEach((r) => r.remove());
    row = document.createElement("tr");
    row.dataset.outlet = outlet.id;
    const link = document.createElement("a");
    link.href = "/tracker/outlet/" + encodeURIComponent(outlet.id);
    link.textContent = outlet.id;
    cell(row, "", link);
    cell(row, "hide-phone", outlet.name || "—");
    cell(row, "state", "");
    cell(row, "tasks", "");
    table.appendChild(row);
    return row;
  }

  function show(data) {
    if (data.total === null) bar.busy(texts.waiting);
    else if (data.done) { bar.set(data.processed, data.total, texts.processed); bar.finish(texts.done + " " + data.processed + " / " + data.total); }
    else bar.set(data.processed, data.total, texts.processed);
    host.dataset.done = String(data.done);
    host.dataset.processed = String(data.processed);
    (data.outlets || []).forEach((outlet) => {
      const row = rowFor(outlet);
      const state = row.querySelector("td.state");
      state.replaceChildren(badge(outlet.processed));
      const tasks = row.querySelector("td.tasks");
      if (outlet.tasks.length) tasks.textContent = outlet.tasks.join("、");
    });
    if (count) count.textContent = String(table.querySelectorAll("tr[data-outlet]").length);
  }

  async function poll() {
    try {
      const data = await KB.api("GET", host.dataset.url);
      show(data);
      if (!data.done) setTimeout(poll, Number(host.dataset.poll) || 1500);
    } catch (e) {
      KB.toast(texts.failed, "error");
    }
  }

  const total = host.dataset.total === "" ? null : Number(host.dataset.total);
  show({ total, processed: Number(host.dataset.processed), done: host.dataset.done === "true", outlets: [] });
  if (host.dataset.done !== "true") setTimeout(poll, Number(host.dataset.poll) || 1500);
})();
