/* The DMN editor of the Modeler page: dmn-js's Modeler with the Camunda moddle extension, opened at the table of
   the decision the page is about (a file may hold several: tabs switch between them and the requirements
   diagram), and deploy errors named on the decisions they concern. */
(function () {
  "use strict";
  const KB = (window.KB = window.KB || {});
  const T = window.MODELER_TEXT || {};

  /** dmn-js's own labels (When, Then, Hit policy…) in the page's language; unknown ones stay as they are. */
  function translate(template, replacements) {
    const text = (T.dmn || {})[template] || template;
    const given = replacements || {};
    return text.replace(/{([^}]+)}/g, (whole, key) => (key in given ? given[key] : whole));
  }

  function tabs(modeler) {
    const nav = document.getElementById("views");
    if (!nav) return;
    const active = modeler.getActiveView();
    nav.innerHTML = "";
    modeler.getViews().forEach((view) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "view-tab" + (active && view.element === active.element ? " active" : "");
      button.dataset.view = view.element.id;
      button.textContent = view.type === "drd" ? T.drd : (view.element.name || view.element.id);
      button.addEventListener("click", () => modeler.open(view));
      nav.appendChild(button);
    });
  }

  function decisionsOf(modeler) {
    return (modeler.getDefinitions().drgElement || []).filter((e) => e.$instanceOf("dmn:Decision"));
  }

  async function open(container, xml, moddle, state) {
    // given per view: dmn-js takes additionalModules only from a view's own options, not from `common`
    const words = { additionalModules: [{ translate: ["value", translate] }] };
    const modeler = new window.DmnJS({ container, moddleExtensions: { camunda: moddle }, drd: words,
                                       decisionTable: words, literalExpression: words, boxedExpression: words });
    await modeler.importXML(xml);
    const views = modeler.getViews();
    const wanted = views.find((v) => v.type !== "drd" && v.element.id === state.key)
      || views.find((v) => v.type === "decisionTable") || views[0];
    if (wanted) await modeler.open(wanted);
    modeler.on("views.changed", () => tabs(modeler));
    tabs(modeler);
    let marked = [];

    function drd() {
      const view = modeler.getActiveView();
      return view && view.type === "drd" ? modeler.getActiveViewer() : null;
    }

    return {
      modeler,
      async save() { return (await modeler.saveXML({ format: true })).xml; },

      /** Mark the named decisions' tabs, and their shapes when the requirements diagram is open. */
      markErrors(errors) {
        const ids = errors.flatMap((e) => (e.elementIds && e.elementIds.length ? e.elementIds : [e.mainElementId]))
          .filter(Boolean);
        document.querySelectorAll("#views .view-tab").forEach((tab) => {
          if (ids.includes(tab.dataset.view)) tab.classList.add("has-error");
        });
        const viewer = drd();
        if (!viewer) return;
        const registry = viewer.get("elementRegistry");
        ids.forEach((id) => {
          if (!registry.get(id)) return;
          viewer.get("canvas").addMarker(id, "has-error");
          marked.push(id);
        });
      },

      clearMarks() {
        document.querySelectorAll("#views .view-tab.has-error").forEach((tab) => tab.classList.remove("has-error"));
        const viewer = drd();
        if (viewer) {
          marked.filter((id) => viewer.get("elementRegistry").get(id))
            .forEach((id) => viewer.get("canvas").removeMarker(id, "has-error"));
        }
        marked = [];
      },

      focus(id) {
        const view = modeler.getViews().find((v) => v.element.id === id);
        if (view) modeler.open(view);
      },

      /** A new table's decision takes the id and name it is deployed under. */
      applyIdentity(key, name) {
        const decision = decisionsOf(modeler)[0];
        if (!decision) return;
        decision.id = key;
        decision.name = name;
        tabs(modeler);
      },
    };
  }

  KB.modelerKinds = Object.assign(KB.modelerKinds || {}, { dmn: { open } });
})();
