"""A random graph (graph_gen.Graph) as a graph-runner TOML file (random_graphs.py)."""
import json


def _toml_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v)  # a JSON string of ASCII is a TOML basic string
    if isinstance(v, list) and v and isinstance(v[0], tuple):  # an inline table, in this order
        return "{ " + ", ".join(f"{k} = {_toml_value(x)}" for k, x in v) + " }"
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    raise TypeError(v)


def to_toml(g, out_dir):
    """The graph file; sink `NAME` writes OUT_DIR/NAME.jsonl."""
    lines = [f"# random graph, seed {g.seed}" + (" (SIGINT mid-run)" if g.sigint else ""), "[graph]"]
    lines += [f"{k} = {_toml_value(v)}" for k, v in g.settings.items()]
    for node in g.nodes.values():
        lines += ["", f"[{node.kind}s.{node.name}]", f"plugin = {_toml_value(node.plugin)}"]
        if node.inputs:
            names = [s if p == "out" else f"{s}.{p}" for s, p in node.inputs]
            lines.append(f"inputs = {_toml_value(names)}")
        params = dict(node.params)
        if node.kind == "sink":
            params["path"] = f"{out_dir}/{node.name}.jsonl"
        lines += [f"{k} = {_toml_value(v)}" for k, v in params.items()]
        lines += [f"{k} = {_toml_value(v)}" for k, v in node.reserved.items()]
    return "\n".join(lines) + "\n"
