/* The BPMN editor of the Modeler page: bpmn-js's Modeler with the Camunda moddle extension (so camunda:
   attributes and extension elements survive a round trip), a small properties panel for the attributes the engine
   reads, and deploy errors drawn on the elements they name. */
(function () {
  "use strict";
  const KB = (window.KB = window.KB || {});
  const T = window.MODELER_TEXT || {};
  const LABELS = T.fields || {};

  // What the panel edits, by element type ("*": every element). `special` fields have their own reader and writer.
  const FIELDS = [
    { key: "id", label: "id", types: ["*"], readOnly: true },
    { key: "name", label: "name", types: ["*"] },
    { key: "camunda:assignee", label: "assignee", types: ["bpmn:UserTask"] },
    { key: "camunda:candidateGroups", label: "candidateGroups", types: ["bpmn:UserTask"] },
    { key: "camunda:candidateUsers", label: "candidateUsers", types: ["bpmn:UserTask"] },
    { key: "camunda:dueDate", label: "dueDate", types: ["bpmn:UserTask"] },
    { key: "camunda:topic", label: "topic", types: ["bpmn:ServiceTask", "bpmn:SendTask"], special: "topic" },
    { key: "calledElement", label: "calledElement", types: ["bpmn:CallActivity"] },
    { key: "camunda:decisionRef", label: "decisionRef", types: ["bpmn:BusinessRuleTask"] },
    { key: "camunda:resultVariable", label: "resultVariable", types: ["bpmn:BusinessRuleTask"] },
    { key: "conditionExpression", label: "condition", types: ["bpmn:SequenceFlow"], special: "condition" },
    { key: "camunda:historyTimeToLive", label: "historyTimeToLive", types: ["bpmn:Process"] },
    { key: "camunda:candidateStarterGroups", label: "candidateStarterGroups", types: ["bpmn:Process"] },
    { key: "camunda:versionTag", label: "versionTag", types: ["bpmn:Process"] },
  ];

  function applies(field, bo) {
    return field.types.some((type) => type === "*" || bo.$instanceOf(type));
  }

  function read(field, bo) {
    if (field.special === "condition") return (bo.conditionExpression && bo.conditionExpression.body) || "";
    const value = bo.get(field.key);
    return value === undefined || value === null ? "" : String(value);
  }

  function write(modeler, element, field, value) {
    const modeling = modeler.get("modeling");
    const blank = value === "" ? undefined : value;
    if (field.special === "condition") {
      const expression = blank === undefined ? undefined
        : modeler.get("moddle").create("bpmn:FormalExpression", { body: blank });
      modeling.updateProperties(element, { conditionExpression: expression });
    } else if (field.special === "topic") {
      modeling.updateProperties(element, { "camunda:type": blank === undefined ? undefined : "external",
                                           "camunda:topic": blank });
    } else {
      modeling.updateProperties(element, { [field.key]: blank });
    }
  }

  function panel(modeler) {
    const fields = document.getElementById("properties-fields");
    const title = document.getElementById("properties-title");
    if (!fields) return;
    const canvas = modeler.get("canvas");
    let shown = null;

    function render(element) {
      shown = element;
      const bo = element.businessObject;
      title.textContent = element === canvas.getRootElement() ? T.process : (bo.name || bo.id);
      fields.innerHTML = "";
      FIELDS.filter((field) => applies(field, bo)).forEach((field) => {
        const label = document.createElement("label");
        label.textContent = LABELS[field.label] || field.label;
        const input = document.createElement(field.special === "condition" ? "textarea" : "input");
        if (field.special === "condition") input.rows = 2;
        input.value = read(field, bo);
        input.dataset.field = field.key;
        input.readOnly = !!field.readOnly;
        input.addEventListener("change", () => write(modeler, element, field, input.value));
        label.appendChild(input);
        fields.appendChild(label);
      });
    }

    function target(element) {
      return element && element.type === "label" ? element.labelTarget : element;
    }

    modeler.on("selection.changed", (event) => {
      const selected = event.newSelection.length === 1 ? target(event.newSelection[0]) : null;
      render(selected || canvas.getRootElement());
    });
    modeler.on("element.changed", (event) => {
      if (shown && target(event.element) === shown && !fields.contains(document.activeElement)) render(shown);
    });
    render(canvas.getRootElement());
  }

  /** A phone turned sideways (or a window resized) shows the whole diagram again; a height change alone (the
      on-screen keyboard while a name is typed) leaves the view alone. */
  function refitWhenWidthChanges(container, canvas) {
    let width = container.clientWidth;
    let timer = null;
    window.addEventListener("resize", () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        if (container.clientWidth === width) return;
        width = container.clientWidth;
        canvas.resized();
        canvas.zoom("fit-viewport", "auto");
      }, 120);
    });
  }

  async function open(container, xml, moddle) {
    const modeler = new window.BpmnJS({ container, moddleExtensions: { camunda: moddle } });
    await modeler.importXML(xml);
    const canvas = modeler.get("canvas");
    canvas.zoom("fit-viewport", "auto");
    refitWhenWidthChanges(container, canvas);
    panel(modeler);
    let marked = [];

    return {
      modeler,
      async save() { return (await modeler.saveXML({ format: true })).xml; },

      /** Red outline and a note on every element an error names (the process itself has no shape). */
      markErrors(errors) {
        const registry = modeler.get("elementRegistry");
        const overlays = modeler.get("overlays");
        errors.forEach((error) => {
          const ids = error.elementIds && error.elementIds.length ? error.elementIds : [error.mainElementId];
          ids.filter(Boolean).forEach((id) => {
            const element = registry.get(id);
            if (!element || element === canvas.getRootElement()) return;
            canvas.addMarker(id, "has-error");
            marked.push(id);
            const note = document.createElement("div");
            note.className = "element-error";
            note.textContent = error.message;
            overlays.add(id, "deploy-error", { position: { bottom: -6, left: 0 }, scale: { min: 1 }, html: note });
          });
        });
      },

      clearMarks() {
        modeler.get("overlays").remove({ type: "deploy-error" });
        marked.forEach((id) => { if (modeler.get("elementRegistry").get(id)) canvas.removeMarker(id, "has-error"); });
        marked = [];
      },

      focus(id) {
        const element = modeler.get("elementRegistry").get(id);
        if (!element || element === canvas.getRootElement()) return;
        canvas.scrollToElement(element);
        modeler.get("selection").select(element);
      },

      /** A new diagram's process takes the id and name it is deployed under. */
      applyIdentity(key, name) {
        modeler.get("modeling").updateProperties(canvas.getRootElement(), { id: key, name });
      },
    };
  }

  KB.modelerKinds = Object.assign(KB.modelerKinds || {}, { bpmn: { open } });
})();
