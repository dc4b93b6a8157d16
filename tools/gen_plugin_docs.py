#!/usr/bin/env python3
"""Writes the plugin reference of docs/graph-language.md from the plugins' own schemas.

The reference sits between two marker lines of the document:

    <!-- BEGIN GENERATED: plugins (tools/gen_plugin_docs.py) -->
    <!-- END GENERATED: plugins -->

It is rebuilt from `graph-runner plugins --json` (the descriptors every plugin declares: kind,
summary, concurrency, ports, parameters with type, default, range and description), so the
docs cannot drift from the code. Hand-written notes on a plugin live inside the generated part
between `<!-- notes: KIND NAME -->` and `<!-- /notes -->` (names are unique per kind only: the
source and the sink `csv`); they are kept, under the plugin's table.

    tools/gen_plugin_docs.py --graph-runner build/dev/bin/graph-runner docs/graph-language.md
    tools/gen_plugin_docs.py --graph-runner ... --check docs/graph-language.md   # CTest: exit 1 when stale
"""
import argparse
import json
import os
import re
import subprocess
import sys

BEGIN = "<!-- BEGIN GENERATED: plugins (tools/gen_plugin_docs.py) -->"
END = "<!-- END GENERATED: plugins -->"
NOTES = re.compile(r"<!-- notes: ((?:source|stage|sink) [a-z][a-z0-9_]*) -->\n(.*?)<!-- /notes -->\n", re.S)
KINDS = [("source", "Sources"), ("stage", "Stages"), ("sink", "Sinks")]


def toml_value(v):
    """A default as a graph file writes it (the JSON of `plugins --json` keeps the type)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        text = repr(v)
        return text if any(c in text for c in ".einf") else text + ".0"
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{}" if not v else "{ " + ", ".join(f"{k} = {toml_value(x)}" for k, x in v.items()) + " }"
    return str(v)


TYPE_WORDS = {"bool": "bool", "int": "int", "number": "number", "string": "string",
              "string_list": "list of strings", "string_map": "table of strings"}


def type_cell(p):
    text = TYPE_WORDS.get(p["type"], p["type"])
    lo, hi = p["min"], p["max"]
    if lo is not None and hi is not None:
        text += f", {toml_value(lo)}..{toml_value(hi)}"
    elif lo is not None:
        text += f" ≥ {toml_value(lo)}"
    elif hi is not None:
        text += f" ≤ {toml_value(hi)}"
    if p["choices"]:
        text += ": " + " or ".join(f'`"{c}"`' for c in p["choices"])
    return text


def cell(text):
    return text.replace("|", "\\|").replace("\n", " ")


def plugin_section(p, notes):
    traits = []
    if p["single_instance"]:
        traits.append("single instance: `concurrency` is always 1")
    elif p["thread_safe"] and p["kind"] != "source":
        traits.append("thread-safe")
    heading = f"#### `{p['name']}`" + (f" ({', '.join(traits)})" if traits else "")
    out = [heading, "", p["summary"][0].upper() + p["summary"][1:] + ".", ""]
    for old in p["deprecated_names"]:
        out += [f"Formerly `{old}`: that name still works in this release, with a warning, and goes away "
                "in the next.", ""]
    extra_ports = [x["name"] for x in p["ports"] if x["name"] not in ("out", "errors")]
    if p["ports_from_param"]:
        declared = "".join(f"`{x}`, " for x in extra_ports)
        out += [f"Output ports: one per key of `{p['ports_from_param']}`, {declared}and `errors` "
                "(with `on_error = \"route\"`). It has no `out` port: an input names one of these as `NODE.PORT`.", ""]
    elif extra_ports:
        out += ["Output ports: `out`, " + ", ".join(f"`{x}`" for x in extra_ports) +
                " and `errors` (with `on_error = \"route\"`).", ""]
    if p["parameters"]:
        out += ["| parameter | type | default | meaning |", "|---|---|---|---|"]
        for q in p["parameters"]:
            default = "(required)" if q["required"] else (f"`{toml_value(q['default'])}`" if q["default"] is not None else "")
            out.append(f"| `{q['name']}` | {cell(type_cell(q))} | {cell(default)} | {cell(q['description'])} |")
    else:
        out.append("No parameters.")
    out.append("")
    key = f"{p['kind']} {p['name']}"
    if key in notes:
        out += [f"<!-- notes: {key} -->", notes[key].rstrip("\n"), "<!-- /notes -->", ""]
    return out


def generate(plugins, notes):
    lines = [BEGIN, "<!-- Do not edit by hand outside the notes blocks: run tools/gen_plugin_docs.py. -->", ""]
    for kind, title in KINDS:
        group = sorted((p for p in plugins if p["kind"] == kind), key=lambda p: p["name"])
        if not group:
            continue
        lines += [f"### {title}", ""]
        for p in group:
            lines += plugin_section(p, notes)
    lines.append(END)
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--graph-runner", required=True, help="the graph-runner executable")
    ap.add_argument("--check", action="store_true", help="do not write; exit 1 when the document is stale")
    ap.add_argument("doc", help="docs/graph-language.md")
    args = ap.parse_args()

    # Only the built-in plugin folder: a user's GRAPH_RUNNER_PLUGIN_PATH must not leak in.
    env = dict(os.environ, GRAPH_RUNNER_PLUGIN_PATH="")
    listing = subprocess.run([args.graph_runner, "plugins", "--json"], env=env, check=True,
                             stdout=subprocess.PIPE).stdout
    plugins = json.loads(listing)

    with open(args.doc, encoding="utf-8") as f:
        text = f.read()
    begin, end = text.find(BEGIN), text.find(END)
    if begin < 0 or end < begin:
        sys.exit(f"{args.doc}: the markers are missing:\n  {BEGIN}\n  {END}")
    current = text[begin:end + len(END)]
    notes = {name: body for name, body in NOTES.findall(current)}
    unknown = sorted(set(notes) - {f"{p.get('kind')} {p['name']}" for p in plugins})
    if unknown:
        sys.exit(f"{args.doc}: notes for plugins that do not exist: {', '.join(unknown)}")
    updated = text[:begin] + generate(plugins, notes) + text[end + len(END):]

    if args.check:
        if updated != text:
            rel = os.path.relpath(args.doc)
            print(f"{rel} is stale: its plugin reference differs from the plugins' schemas.\n"
                  f"Run `tools/gen_plugin_docs.py --graph-runner {args.graph_runner} {rel}` "
                  f"(or `make docs`) to regenerate it.", file=sys.stderr)
            import difflib
            sys.stderr.writelines(difflib.unified_diff(text.splitlines(True), updated.splitlines(True),
                                                       args.doc, "generated", n=1))
            return 1
        print(f"{args.doc}: plugin reference up to date ({len(plugins)} plugins)")
        return 0
    if updated != text:
        with open(args.doc, "w", encoding="utf-8") as f:
            f.write(updated)
        print(f"{args.doc}: plugin reference regenerated ({len(plugins)} plugins)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
