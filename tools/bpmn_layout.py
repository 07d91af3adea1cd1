"""Draw a BPMN file's diagram from a text grid: a development helper for workflows/*.bpmn.

The BPMN files are the source of truth and are committed; this tool only (re)writes the parts that are
tedious by hand, in place:

- `bpmn:incoming` / `bpmn:outgoing` of every flow node, from the sequence flows' sourceRef/targetRef;
- the `bpmndi:BPMNDiagram`: a BPMNShape per flow node, placed on the grid below (events 36x36, tasks and
  call activities 100x80, gateways 50x50), boundary events on the bottom border of their task, and a
  BPMNEdge per sequence flow with orthogonal waypoints from shape border to shape border.

Usage:
    .venv/bin/python tools/bpmn_layout.py workflows/injury_claim.bpmn [...]      # rewrite in place
    .venv/bin/python tools/bpmn_layout.py --svg /tmp/preview workflows/*.bpmn    # also draw a rough SVG

A grid is one text block per process id: one line per row, one whitespace-separated cell per column,
`.` for an empty cell, a flow node id otherwise. Boundary events are not in the grid. After a change of
the flows, run the tool and check its warnings (an edge that crosses a shape it does not connect).
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from xml.sax.saxutils import escape

from lxml import etree

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
NS = {"bpmn": BPMN, "bpmndi": BPMNDI, "dc": DC, "di": DI}

COL, ROW = 150, 130          # grid pitch
X0, Y0 = 170, 100            # centre of cell (0, 0)
GATEWAYS = {"exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway"}
EVENTS = {"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"}
ACTIVITIES = {"task", "userTask", "serviceTask", "businessRuleTask", "scriptTask", "sendTask", "receiveTask",
              "manualTask", "callActivity", "subProcess"}

GRIDS = {
    "monthly_outlet_list": """
        start read_settings register_list gw_any enrol_outlets end_done
        . . . . end_none
    """,
    "outlet_enrolment": """
        . . . . . record_out_of_scope notify_out_of_scope end_out_of_scope
        start read_settings load_outlet eligibility gw_eligible determine_employer submit_application review_enrolment gw_approved register_enrolment submit_roster file_roster publish_status end_enrolled
        . . . . . . . send_reminder end_reminded
        . . . . . . . escalate_to_postal urge_outlet end_urged
    """,
    "contribution": """
        start read_settings load_outlet rate_table province_wage assess_premium confirm_assessment gw_confirmed collect_premium record_payment gw_paid end_paid
        . . . . . . . . . . . end_arrears
    """,
    "personnel_change": """
        start read_settings check_change file_change gw_accepted apply_change end_filed
        . . . . . end_refused
    """,
    "injury_claim": """
        . . . . close_refused end_refused . . . . . . . . . . . . . close_not_injury end_not_injury
        start read_settings check_deadline gw_deadline review_claim gw_materials . . . gw_accepted accept_claim investigate gw_pending . . gw_resumed decide_claim deliver gw_decision call_appraisal call_benefits end_benefits
        . . . . . . request_materials wait_materials accept_supplemented . . . . wait_conclusion resume_clock . . . . end_no_disability
        . . . . . flag_acceptance_overdue supervise_acceptance end_acceptance_supervised . . . . . . . . . flag_decision_overdue supervise_decision end_decision_supervised
    """,
    "disability_appraisal": """
        start read_settings accept_application expert_appraisal record_conclusion ask_reappraisal gw_reappraisal end_final
        . . . . . . . provincial_reappraisal record_reappraisal end_reappraised
    """,
    "benefit_payment": """
        start read_settings determine_payer grade_table care_table average_wage lump_sums confirm_base_wage compute_benefits approve_benefits gw_approved record_fund_payment gw_employer_items end_fund_only
        . . . . . . . . . . . . . pay_employer_items record_employer_payment end_paid
    """,
}


@dataclass
class Box:
    id: str
    kind: str            # localname of the flow node
    x: float
    y: float
    w: float
    h: float

    @property
    def cx(self):
        return self.x + self.w / 2

    @property
    def cy(self):
        return self.y + self.h / 2

    @property
    def right(self):
        return self.x + self.w

    @property
    def bottom(self):
        return self.y + self.h

    @property
    def gateway(self):
        return self.kind in GATEWAYS


def size(kind: str) -> tuple[int, int]:
    if kind in EVENTS:
        return 36, 36
    if kind in GATEWAYS:
        return 50, 50
    return 100, 80


def parse_grid(text: str) -> dict[str, tuple[int, int]]:
    cells = {}
    rows = [line.split() for line in text.strip("\n").splitlines() if line.strip()]
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            if cell != ".":
                if cell in cells:
                    raise SystemExit(f"{cell} appears twice in the grid")
                cells[cell] = (c, r)
    return cells


def local(node) -> str:
    return etree.QName(node).localname


def route(s: Box, t: Box) -> list[tuple[float, float]]:
    """Orthogonal waypoints from the border of s to the border of t."""
    if s.kind == "boundaryEvent":
        if t.cy > s.bottom:
            return [(s.cx, s.bottom), (s.cx, t.cy), (t.x, t.cy)]
        return [(s.right, s.cy), (t.x, s.cy)] if abs(t.cy - s.cy) < 1 else [(s.cx, s.y), (s.cx, t.cy), (t.x, t.cy)]
    down = t.cy > s.cy
    if abs(s.cy - t.cy) < 1:
        if t.x >= s.right:
            return [(s.right, s.cy), (t.x, t.cy)]
        lane = s.cy - ROW / 2                     # a back edge runs above the row, between the rows
        return [(s.cx, s.y), (s.cx, lane), (t.cx, lane), (t.cx, t.y)]
    if abs(s.cx - t.cx) < 1:
        return [(s.cx, s.bottom), (t.cx, t.y)] if down else [(s.cx, s.y), (t.cx, t.bottom)]
    if s.gateway and t.cx > s.cx:
        return [(s.cx, s.bottom if down else s.y), (s.cx, t.cy), (t.x, t.cy)]
    if t.gateway and t.cx > s.cx:
        return [(s.right, s.cy), (t.cx, s.cy), (t.cx, t.y if down else t.bottom)]
    if t.cx > s.cx:
        xm = t.x - (COL - 100) / 2
        return [(s.right, s.cy), (xm, s.cy), (xm, t.cy), (t.x, t.cy)]
    lane = (s.cy + t.cy) / 2
    return [(s.cx, s.bottom if down else s.y), (s.cx, lane), (t.cx, lane), (t.cx, t.y if down else t.bottom)]


def crosses(points, box: Box) -> bool:
    """Does an orthogonal polyline pass through the interior of box?"""
    for (x1, y1), (x2, y2) in pairwise(points):
        if x1 == x2 and box.x < x1 < box.right and max(min(y1, y2), box.y) < min(max(y1, y2), box.bottom):
            return True
        if y1 == y2 and box.y < y1 < box.bottom and max(min(x1, x2), box.x) < min(max(x1, x2), box.right):
            return True
    return False


def layout(path: Path) -> tuple[dict[str, Box], dict[str, list], list[str]]:
    tree = etree.parse(str(path), etree.XMLParser(remove_blank_text=True))
    root = tree.getroot()
    [process] = root.findall(f"{{{BPMN}}}process")
    pid = process.get("id")
    grid = parse_grid(GRIDS[pid])
    flows = process.findall(f"{{{BPMN}}}sequenceFlow")
    nodes = [n for n in process if local(n) in GATEWAYS | EVENTS | ACTIVITIES]
    warnings = []

    # incoming / outgoing, in the order the XSD wants: after documentation and extensionElements
    for n in nodes:
        for old in n.findall(f"{{{BPMN}}}incoming") + n.findall(f"{{{BPMN}}}outgoing"):
            n.remove(old)
        head = [c for c in n if local(c) in ("documentation", "extensionElements")]
        at = n.index(head[-1]) + 1 if head else 0
        refs = [("incoming", f.get("id")) for f in flows if f.get("targetRef") == n.get("id")]
        refs += [("outgoing", f.get("id")) for f in flows if f.get("sourceRef") == n.get("id")]
        for i, (tag, fid) in enumerate(refs):
            el = etree.Element(f"{{{BPMN}}}{tag}")
            el.text = fid
            n.insert(at + i, el)

    boxes: dict[str, Box] = {}
    for n in nodes:
        nid, kind = n.get("id"), local(n)
        if kind == "boundaryEvent":
            continue
        if nid not in grid:
            raise SystemExit(f"{path}: {nid} is not in the grid of {pid}")
        c, r = grid[nid]
        w, h = size(kind)
        boxes[nid] = Box(nid, kind, X0 + c * COL - w / 2, Y0 + r * ROW - h / 2, w, h)
    for extra in set(grid) - set(boxes):
        warnings.append(f"{pid}: grid cell {extra} is not a flow node")
    # boundary events on the bottom border; the one whose path goes furthest down sits leftmost
    by_host: dict[str, list] = {}
    for n in nodes:
        if local(n) == "boundaryEvent":
            by_host.setdefault(n.get("attachedToRef"), []).append(n)
    targets = {f.get("sourceRef"): f.get("targetRef") for f in flows}
    for host_id, events in by_host.items():
        host = boxes[host_id]
        events.sort(key=lambda e: -boxes[targets[e.get("id")]].cy if e.get("id") in targets else 0)
        for i, e in enumerate(events):
            cx = host.x + host.w * (2 * i + 1) / (2 * len(events))
            boxes[e.get("id")] = Box(e.get("id"), "boundaryEvent", cx - 18, host.bottom - 18, 36, 36)

    edges = {}
    for f in flows:
        s, t = boxes[f.get("sourceRef")], boxes[f.get("targetRef")]
        points = route(s, t)
        edges[f.get("id")] = points
        for other in boxes.values():
            if other.id not in (s.id, t.id) and other.kind != "boundaryEvent" and crosses(points, other):
                warnings.append(f"{pid}: {f.get('id')} crosses {other.id}")
    ids = list(boxes)
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            A, B = boxes[a], boxes[b]
            if "boundaryEvent" in (A.kind, B.kind):
                continue
            if A.x < B.right and B.x < A.right and A.y < B.bottom and B.y < A.bottom:
                warnings.append(f"{pid}: {a} overlaps {b}")

    # replace the diagram
    for old in root.findall(f"{{{BPMNDI}}}BPMNDiagram"):
        root.remove(old)
    diagram = etree.SubElement(root, f"{{{BPMNDI}}}BPMNDiagram", id=f"BPMNDiagram_{pid}")
    plane = etree.SubElement(diagram, f"{{{BPMNDI}}}BPMNPlane", id=f"BPMNPlane_{pid}", bpmnElement=pid)
    num = lambda v: str(int(v)) if float(v).is_integer() else str(v)
    for n in nodes:
        b = boxes[n.get("id")]
        shape = etree.SubElement(plane, f"{{{BPMNDI}}}BPMNShape", id=f"{b.id}_di", bpmnElement=b.id)
        if b.kind == "exclusiveGateway":
            shape.set("isMarkerVisible", "true")
        etree.SubElement(shape, f"{{{DC}}}Bounds", x=num(b.x), y=num(b.y), width=num(b.w), height=num(b.h))
    for f in flows:
        edge = etree.SubElement(plane, f"{{{BPMNDI}}}BPMNEdge", id=f"{f.get('id')}_di", bpmnElement=f.get("id"))
        for x, y in edges[f.get("id")]:
            etree.SubElement(edge, f"{{{DI}}}waypoint", x=num(x), y=num(y))
    etree.indent(root, space="  ")
    path.write_bytes(b'<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(root, encoding="UTF-8") + b"\n")
    return boxes, edges, warnings


def svg(boxes: dict[str, Box], edges: dict[str, list], names: dict[str, str]) -> str:
    width = max(b.right for b in boxes.values()) + 60
    height = max(b.bottom for b in boxes.values()) + 60
    out = [(f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-size="9" '
            f'font-family="sans-serif"><rect width="100%" height="100%" fill="white"/>')]
    for points in edges.values():
        d = " ".join(f"{x},{y}" for x, y in points)
        out.append(f'<polyline points="{d}" fill="none" stroke="#555"/>')
        x2, y2 = points[-1]
        out.append(f'<circle cx="{x2}" cy="{y2}" r="3" fill="#555"/>')
    for b in boxes.values():
        label = escape(names.get(b.id) or b.id)
        if b.kind in EVENTS:
            out.append(f'<circle cx="{b.cx}" cy="{b.cy}" r="18" fill="white" stroke="black" '
                       f'stroke-width="{3 if b.kind == "endEvent" else 1}"/>')
            out.append(f'<text x="{b.cx}" y="{b.bottom + 11}" text-anchor="middle">{label}</text>')
        elif b.gateway:
            out.append(f'<polygon points="{b.cx},{b.y} {b.right},{b.cy} {b.cx},{b.bottom} {b.x},{b.cy}" fill="white" '
                       'stroke="black"/>')
            out.append(f'<text x="{b.cx}" y="{b.y - 4}" text-anchor="middle">{label}</text>')
        else:
            out.append(f'<rect x="{b.x}" y="{b.y}" width="{b.w}" height="{b.h}" rx="8" fill="white" stroke="black"/>')
            out.append(f'<text x="{b.cx}" y="{b.cy + 3}" text-anchor="middle">{label[:12]}</text>')
    out.append("</svg>")
    return "\n".join(out)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--svg", type=Path, help="folder for rough SVG previews")
    args = parser.parse_args(argv)
    status = 0
    for path in args.files:
        boxes, edges, warnings = layout(path)
        for w in warnings:
            print(f"warning: {w}", file=sys.stderr)
            status = 1
        if args.svg:
            args.svg.mkdir(parents=True, exist_ok=True)
            names = {n.get("id"): n.get("name") for n in etree.parse(str(path)).iter() if n.get("name")}
            (args.svg / f"{path.stem}.svg").write_text(svg(boxes, edges, names), encoding="utf-8")
        print(f"{path}: {len(boxes)} shapes, {len(edges)} edges")
    return status


if __name__ == "__main__":
    sys.exit(main())
