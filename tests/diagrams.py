"""Small scenario diagrams built in code (with a diagram interchange section, as the Modeler writes)."""
from __future__ import annotations

import re
from xml.sax.saxutils import escape, quoteattr

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
        'xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="Definitions_{pid}" targetNamespace="http://bpmn.io/schema/bpmn">\n')


def process(pid: str, nodes: list[tuple[str, str, str]], flows: list[tuple[str, str, str | None]],
            name: str | None = None) -> bytes:
    """nodes: (tag, id, inner/attrs xml); flows: (source, target, condition or None). Lays shapes out in a row."""
    incoming: dict[str, list[str]] = {}
    outgoing: dict[str, list[str]] = {}
    flow_xml = []
    for i, (src, dst, cond) in enumerate(flows):
        fid = f"Flow_{i}"
        outgoing.setdefault(src, []).append(fid)
        incoming.setdefault(dst, []).append(fid)
        body = (f'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{escape(cond)}</bpmn:conditionExpression>'
                if cond else "")
        flow_xml.append(f'<bpmn:sequenceFlow id="{fid}" sourceRef="{src}" targetRef="{dst}">{body}</bpmn:sequenceFlow>')
    node_xml, shapes = [], []
    for i, (tag, nid, extra) in enumerate(nodes):
        attrs, _, inner = extra.partition("|")
        refs = "".join(f"<bpmn:incoming>{f}</bpmn:incoming>" for f in incoming.get(nid, [])) + \
            "".join(f"<bpmn:outgoing>{f}</bpmn:outgoing>" for f in outgoing.get(nid, []))
        # XSD order: documentation and extension elements, then the flows, then the rest
        head = "".join(re.findall(r"<bpmn:documentation>.*?</bpmn:documentation>|"
                                  r"<bpmn:extensionElements>.*?</bpmn:extensionElements>", inner, re.S))
        tail = re.sub(r"<bpmn:documentation>.*?</bpmn:documentation>|"
                      r"<bpmn:extensionElements>.*?</bpmn:extensionElements>", "", inner, flags=re.S)
        node_xml.append(f'<bpmn:{tag} id="{nid}" {attrs}>{head}{refs}{tail}</bpmn:{tag}>')
        x, y = 150 + 130 * (i % 12), 100 + 120 * (i // 12)
        size = (36, 36) if tag.endswith("Event") else ((50, 50) if tag.endswith("Gateway") else (100, 80))
        shapes.append(f'<bpmndi:BPMNShape id="{nid}_di" bpmnElement="{nid}"><dc:Bounds x="{x}" y="{y}" '
                      f'width="{size[0]}" height="{size[1]}" /></bpmndi:BPMNShape>')
    edges = [f'<bpmndi:BPMNEdge id="Flow_{i}_di" bpmnElement="Flow_{i}"><di:waypoint x="0" y="0" />'
             f'<di:waypoint x="1" y="1" /></bpmndi:BPMNEdge>' for i in range(len(flows))]
    name_attr = f" name={quoteattr(name)}" if name else ""
    return (HEAD.format(pid=pid) + f'<bpmn:process id="{pid}"{name_attr} isExecutable="true">'
            + "".join(node_xml) + "".join(flow_xml) + "</bpmn:process>"
            + f'<bpmndi:BPMNDiagram id="Diagram_{pid}"><bpmndi:BPMNPlane id="Plane_{pid}" bpmnElement="{pid}">'
            + "".join(shapes) + "".join(edges) + "</bpmndi:BPMNPlane></bpmndi:BPMNDiagram></bpmn:definitions>"
            ).encode()


def script_process(pid: str, script: str, script_format: str = "python") -> bytes:
    """start -> script task 'the_script' -> end."""
    return process(pid, [("startEvent", "start", ""),
                         ("scriptTask", "the_script", f'name="Run" scriptFormat="{script_format}"|'
                                                      f"<bpmn:script>{escape(script)}</bpmn:script>"),
                         ("endEvent", "end", "")],
                   [("start", "the_script", None), ("the_script", "end", None)])


def user_task_process(pid: str, attrs: str = 'camunda:candidateGroups="workers"') -> bytes:
    """start -> user task 'work' -> end."""
    return process(pid, [("startEvent", "start", ""), ("userTask", "work", f'name="Work" {attrs}'),
                         ("endEvent", "end", "")],
                   [("start", "work", None), ("work", "end", None)])


def parallel_process(pid: str, branches: int, group: str = "workers") -> bytes:
    """start -> fork -> N user tasks -> join -> end."""
    nodes = [("startEvent", "start", ""), ("parallelGateway", "fork", "")]
    flows: list[tuple[str, str, str | None]] = [("start", "fork", None)]
    for i in range(branches):
        nodes.append(("userTask", f"branch_{i}", f'name="Branch {i}" camunda:candidateGroups="{group}"'))
        flows += [("fork", f"branch_{i}", None), (f"branch_{i}", "join", None)]
    nodes += [("parallelGateway", "join", ""), ("endEvent", "end", "")]
    flows.append(("join", "end", None))
    return process(pid, nodes, flows)


def service_process(pid: str, topic: str) -> bytes:
    """start -> external service task 'call' (topic) -> user task 'check' -> end."""
    return process(pid, [("startEvent", "start", ""),
                         ("serviceTask", "call", f'name="Call" camunda:type="external" camunda:topic="{topic}"'),
                         ("userTask", "check", 'name="Check" camunda:candidateGroups="workers"'),
                         ("endEvent", "end", "")],
                   [("start", "call", None), ("call", "check", None), ("check", "end", None)])


def error_boundary_process(pid: str, topic: str, code: str = "NOT_FOUND") -> bytes:
    """start -> external 'call' (topic) -> user task 'check' -> end; an error boundary event on 'call' catching
    `code` leads to user task 'handle' -> end."""
    xml = process(pid, [
        ("startEvent", "start", ""),
        ("serviceTask", "call", f'name="Call" camunda:type="external" camunda:topic="{topic}"'),
        ("boundaryEvent", "caught", 'attachedToRef="call"|<bpmn:errorEventDefinition errorRef="E" />'),
        ("userTask", "check", 'name="Check" camunda:candidateGroups="workers"'),
        ("userTask", "handle", 'name="Handle" camunda:candidateGroups="workers"'),
        ("endEvent", "end", ""), ("endEvent", "end_handled", "")],
        [("start", "call", None), ("call", "check", None), ("check", "end", None),
         ("caught", "handle", None), ("handle", "end_handled", None)])
    return xml.replace(f'<bpmn:process id="{pid}"'.encode(),
                       f'<bpmn:error id="E" name="{code}" errorCode="{code}" /><bpmn:process id="{pid}"'.encode())
