/* Show a BPMN diagram (bpmn-js navigated viewer, served from /vendor): highlight activities, put badges on them.
   <div class="diagram" data-xml-url="/engine-rest/process-definition/ID/xml" data-highlight="a,b"
        data-badges='{"task1": {"count": 3, "incidents": 1}}'></div> */
(function () {
  "use strict";
  const KB = (window.KB = window.KB || {});

  KB.showDiagram = async function (host) {
    if (!window.BpmnJS) { host.textContent = ""; return null; }
    const viewer = new window.BpmnJS({ container: host });
    try {
      const definition = await KB.api("GET", host.dataset.xmlUrl);
      await viewer.importXML(definition.bpmn20Xml);
      viewer.get("canvas").zoom("fit-viewport", "auto");
      const canvas = viewer.get("canvas");
      const registry = viewer.get("elementRegistry");
      (host.dataset.highlight || "").split(",").filter(Boolean).forEach((id) => {
        if (registry.get(id)) canvas.addMarker(id, "highlight");
      });
      const badges = host.dataset.badges ? JSON.parse(host.dataset.badges) : {};
      const overlays = viewer.get("overlays");
      Object.entries(badges).forEach(([id, badge]) => {
        if (!registry.get(id)) return;
        if (badge.count) {
          overlays.add(id, { position: { bottom: 8, left: -8 }, html: `<span class="diagram-badge" title="${badge.title || ""}">${badge.count}</span>` });
        }
        if (badge.incidents) {
          overlays.add(id, { position: { bottom: 8, right: 12 }, html: `<span class="diagram-badge incident">${badge.incidents}</span>` });
        }
      });
      host.viewer = viewer;
      let width = host.clientWidth;
      window.addEventListener("resize", () => {  // a phone turned, a window resized: fit the diagram again
        if (host.clientWidth === width || !host.clientWidth || !host.clientHeight) return;
        width = host.clientWidth;
        canvas.resized();
        canvas.zoom("fit-viewport", "auto");
      });
      return viewer;
    } catch (e) {
      host.innerHTML = '<p class="empty">' + (e.message || "") + "</p>";
      return null;
    }
  };

  document.querySelectorAll(".diagram[data-xml-url]").forEach((host) => KB.showDiagram(host));
})();
