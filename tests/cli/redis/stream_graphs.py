"""Graph files for the Redis Streams tests, written into the test's folder."""
import json
import os


def reader_graph(path, port, out, consumer="c1", extra_source="", stages="", sink_input="events",
                 batch_size=256, max_in_flight=16, stream="s", group="g", extra_sink=""):
    """redis_stream (source) -> [stages] -> jsonl OUT (one line per record, with the entry id as _id)."""
    text = f"""
[graph]
batch_size = {batch_size}
max_in_flight = {max_in_flight}
shutdown_grace_ms = 5000

[sources.events]
plugin = "redis_stream"
port = {port}
stream = "{stream}"
group = "{group}"
consumer = "{consumer}"
create_group = true
id_field = "_id"
blocking = true
{extra_source}
{stages}
[sinks.out]
plugin = "jsonl"
inputs = ["{sink_input}"]
path = "{out}"
{extra_sink}
"""
    with open(path, "w") as f:
        f.write(text)
    return path


def writer_graph(path, port, count, extra_sink="", stream="s"):
    """generate COUNT -> redis_stream sink."""
    text = f"""
[sources.numbers]
plugin = "generate"
count = {count}

[sinks.stream]
plugin = "redis_stream"
inputs = ["numbers"]
port = {port}
stream = "{stream}"
{extra_sink}
"""
    with open(path, "w") as f:
        f.write(text)
    return path


def read_jsonl(path):
    """The records of a jsonl file; a torn last line (a killed writer) is left out."""
    records = []
    if not os.path.exists(path):
        return records
    with open(path) as f:
        for line in f:
            if line.endswith("\n"):
                records.append(json.loads(line))
    return records
