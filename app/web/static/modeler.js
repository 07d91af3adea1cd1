/* Modeler page: load the diagram into the editor of its kind (modeler_bpmn.js or modeler_dmn.js register in
   KB.modelerKinds), then deploy it through /engine-rest/deployment/create as a new version, or show the engine's
   parse errors in a list and on the elements they name. */
(function () {
  "use strict";
  const KB = window.KB;
  const T = window.MODELER_TEXT || {};
  const host = document.getElementById("modeler");
  if (!host) return;
  const kind = host.dataset.kind;
  const MODDLE = { bpmn: "/vendor/camunda-bpmn-moddle/resources/camunda.json",
                   dmn: "/vendor/camunda-dmn-moddle/resources/camunda.json" };
  const ID = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
  const state = { resource: host.dataset.resource, key: host.dataset.key, definitionId: host.dataset.definitionId,
                  isNew: !host.dataset.definitionId };
  const $ = (id) => document.getElementById(id);
  let editor = null;

  /** An id in a path, readable: definition ids are key:version:uuid. */
  function pathPart(id) { return encodeURIComponent(id).replace(/%3A/gi, ":"); }

  function fill(template, values) {
    return Object.entries(values).reduce((text, [k, v]) => text.split("{" + k + "}").join(v), template || "");
  }

  function statusCard() {
    const card = $("deploy-status");
    card.hidden = false;
    $("deploy-result").hidden = true;
    $("deploy-errors").hidden = true;
    $("deploy-errors").querySelector("ul").innerHTML = "";
    return card;
  }

  function showResult(message, kindClass, link) {
    const box = $("deploy-result");
    box.hidden = false;
    box.className = "deploy-result " + (kindClass || "");
    box.textContent = message + " ";
    if (link) {
      const a = document.createElement("a");
      a.href = link;
      a.id = "deployed-link";
      a.textContent = T.openCockpit;
      box.appendChild(a);
    }
  }

  /** The identity a new diagram is deployed under: the process or decision id, its name and the file name. */
  function newIdentity() {
    const key = $("new-key").value.trim();
    const name = $("new-name").value.trim();
    if (!ID.test(key) || !name) return null;
    let file = $("new-file").value.trim() || key;
    const extension = "." + kind;
    if (!file.toLowerCase().endsWith(extension)) file += extension;
    return { key, name, file };
  }

  function errorsOf(data) {
    const details = (data && data.details) || {};
    return Object.values(details).flatMap((entry) => entry.errors || []);
  }

  function idsOf(error) {
    if (error.elementIds && error.elementIds.length) return error.elementIds;
    return error.mainElementId ? [error.mainElementId] : [];
  }

  function listErrors(errors) {
    const box = $("deploy-errors");
    const list = box.querySelector("ul");
    errors.forEach((error) => {
      const li = document.createElement("li");
      const ids = idsOf(error);
      ids.forEach((id) => {
        const jump = document.createElement("button");
        jump.type = "button";
        jump.className = "link mono element-link";
        jump.textContent = id;
        jump.addEventListener("click", () => editor.focus(id));
        li.appendChild(jump);
        li.appendChild(document.createTextNode(" "));
      });
      const where = error.line ? " (" + fill(T.line, { line: error.line }) + ")" : "";
      li.appendChild(document.createTextNode(error.message + where));
      list.appendChild(li);
    });
    box.hidden = false;
    editor.markErrors(errors);
  }

  function deployed(result) {
    const found = Object.values(result.deployedProcessDefinitions || {})
      .concat(Object.values(result.deployedDecisionDefinitions || {}));
    if (!found.length) return { message: T.unchanged, link: null };
    const mine = found.find((d) => d.key === state.key) || found[0];
    state.definitionId = mine.id;
    state.key = mine.key;
    state.isNew = false;
    window.history.replaceState(null, "", "/modeler/" + kind + "/" + pathPart(mine.id));
    const subtitle = $("editor-subtitle");
    subtitle.textContent = state.resource + " · " + mine.key + " · " + fill(T.basedOn, { version: mine.version });
    const identity = $("deploy-as");
    if (identity) identity.hidden = true;
    let message = fill(T.deployed, { version: mine.version });
    if (found.length > 1) {
      message += " " + fill(T.deployedMany, { list: found.map((d) => d.key + " v" + d.version).join(", ") });
    }
    const link = kind === "bpmn" ? "/cockpit/definitions/" + pathPart(mine.id) : "/cockpit#decisions";
    return { message, link };
  }

  async function deploy() {
    const button = $("deploy");
    statusCard();
    editor.clearMarks();
    if (state.isNew) {
      const identity = newIdentity();
      if (!identity) { showResult(T.needKey, "error"); $("new-key").focus(); return; }
      editor.applyIdentity(identity.key, identity.name);
      state.key = identity.key;
      state.resource = identity.file;
    }
    const progressHost = $("deploy-progress");
    const progress = KB.progress(progressHost);
    progress.busy(T.deploying);
    button.disabled = true;
    try {
      const xml = await editor.save();
      const form = new FormData();
      form.append("deployment-name", state.resource.replace(/\.(bpmn|dmn)$/i, ""));
      form.append("deployment-source", host.dataset.source);
      form.append("enable-duplicate-filtering", "true");
      if (host.dataset.tenant) form.append("tenant-id", host.dataset.tenant);
      form.append("data", new Blob([xml], { type: "application/xml" }), state.resource);
      const result = await KB.api("POST", "/engine-rest/deployment/create", form);
      const outcome = deployed(result);
      progress.finish(outcome.message);
      progressHost.hidden = true;
      showResult(outcome.message, outcome.link ? "ok" : "", outcome.link);
      KB.toast(outcome.message);
    } catch (error) {
      progress.finish(T.refused);
      progressHost.hidden = true;
      const errors = errorsOf(error.data);
      if (error.status === 400 && errors.length) {
        listErrors(errors);
      } else {
        showResult(error.status === 403 ? T.forbidden : fill(T.failed, { message: error.message }), "error");
      }
    } finally {
      button.disabled = host.dataset.mayDeploy !== "true";
    }
  }

  async function download() {
    const xml = await editor.save();
    const name = state.resource || (state.isNew && newIdentity() ? newIdentity().file : "diagram." + kind);
    const url = URL.createObjectURL(new Blob([xml], { type: "application/xml" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  async function start() {
    try {
      const response = await fetch(MODDLE[kind], { credentials: "same-origin" });
      const moddle = await response.json();
      editor = await KB.modelerKinds[kind].open($("canvas"), $("initial-xml").value, moddle, state);
      KB.modeler = editor.modeler;  // for scripts and tests that drive the editor's API
      host.dataset.ready = "true";
    } catch (error) {
      statusCard();
      showResult(fill(T.loadFailed, { message: error.message || String(error) }), "error");
      return;
    }
    $("deploy").addEventListener("click", deploy);
    $("download").addEventListener("click", download);
  }

  start();
})();
