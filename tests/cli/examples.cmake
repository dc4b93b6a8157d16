# Included by CMakeLists.txt (uses gr, graphs, example_graphs): every example graph runs and
# produces what was approved, tests/cli/golden/examples/STEM.txt (see example_run.py): its
# count lines, its summary counts, all batches acknowledged, its output files (line count and
# sorted sha256), and the invariants of the run's --metrics-json. A new graphs/*.toml fails
# with "no approved file yet" until its digest is reviewed and approved:
#   GRAPH_RUNNER_APPROVE=1 ctest --test-dir BUILD -R 'example\.STEM\.runs'   (then review git diff)
# Below, per example, what varies from run to run (masked, then checked by a balance) and
# what else to check.
find_package(Python3 COMPONENTS Interpreter REQUIRED)
set(example_golden ${CMAKE_CURRENT_SOURCE_DIR}/golden/examples)
set(example_data ${graphs}/data)
set(count_line_mask [=[[0-9]+ records, checksum [0-9a-f]+]=])

# Sensors at three rates: which records arrive is fixed, their order and batches are not.
set(example_concurrent-processor --file hot-readings.jsonl
  --balance "north.out + south.out + west.out = validate.in"
  --balance "split.out = hot.in + normal.in")
set(example_csv-to-jsonl --file users.jsonl)
# Reshaping (docs/reshaping.md): small outputs, checked line by line against approved files
# (golden/examples/STEM.NAME).
set(example_csv-users-to-jsonl --file users-without-email.jsonl --expect users-without-email.jsonl)
set(example_access-log-parse --file access.jsonl access-rejected.jsonl --expect access.jsonl access-rejected.jsonl
  --balance "parse.in = parsed.in + parse.routed" --balance "parse.routed = 3")
# chaos draws by (seed, record position, attempt): which batches fail, and how many tries it
# takes, are the same in every run, whatever the order of the calls.
set(example_errors-drop
  --balance "numbers.out = total.in + flaky.dropped" --balance "flaky.errors = flaky.dropped"
  --balance "flaky.dropped >= 1")
set(example_errors-fail)
set(example_errors-retry --balance "flaky.retries >= 1")
# Single records fail by (seed, position): exact counts, and the balance.
set(example_errors-route --balance "numbers.out = good.in + flaky.routed" --balance "rejects.in = flaky.routed")
# Paced at 1,000/s into batches by size or time: every event is sent once, whatever the batches.
set(example_event-batching --file sent-events.jsonl
  --exactly-once sent-events.jsonl:id ${example_data}/events.jsonl:id)
# The stdout sink's five sample records depend on which source's batch comes first.
set(example_fan-out-fan-in --stdout-mask [[^{.*}$]])
# Rate-limited, blocking: every line of the three inputs is uploaded once. The count's
# checksum covers the `file` field, an absolute path that depends on the checkout's folder.
# The upload is a POST per batch to the demo service (tools/demo_service.py, /upload), which
# answers the first requests 500 and 429 (Retry-After: 1): it received every line once, in
# requests of 100 records (the graph's batch_size), and each uploaded record has its receipt.
set(example_multi-stage-upload --http-service UPLOAD_URL=/upload:500,429 --received received.jsonl
  --request-records 100 --file uploaded.jsonl received.jsonl --stdout-mask ${count_line_mask}
  --exactly-once uploaded.jsonl:line ${example_data}/logs/api.log ${example_data}/logs/worker.log ${example_data}/events.jsonl
  --exactly-once received.jsonl:line ${example_data}/logs/api.log ${example_data}/logs/worker.log ${example_data}/events.jsonl
  --balance "receipts.in = audit.in" --balance "upload.retries = 2")
# The demo service (tools/demo_service.py, /ingest) answers the first requests 503 and 429
# (Retry-After: 1): every event reaches it once, after the retries.
set(example_http-upload --http-service UPLOAD_URL=/ingest:503,429 --received received.jsonl --file received.jsonl
  --exactly-once received.jsonl:id ${example_data}/events.jsonl:id --balance "upload.retries = 2"
  --balance "upload.in = events.out")
set(example_quickstart)
# Aggregates: one result per group, each listed in the digest (the results are the point).
# The invariants check that every record was aggregated or dropped (the `aggregated` gauge).
set(example_events-per-country --show-file events-per-country.jsonl)
set(example_events-per-status --show-file events-per-status.jsonl)
set(example_api-posts --file api-posts.jsonl --expect api-posts.jsonl)
set(example_normalize-status --show-file status-counts.jsonl --file status-unconvertible.jsonl
  --balance "normalize.in = per_status.in + normalize.routed")
set(example_webhook-ingest --file webhook-events.jsonl --balance "stored.in = big.out"
  --post incoming ${example_data}/events.jsonl ${example_data}/webhook-batch.json)
# A private redis-server (Unix socket) for the run; the stream source's batches depend on timing.
set(example_redis-round-trip --redis --vary-batches)
# The demo service's user lookup (tools/demo_service.py, /users) answers the first request 503
# (Retry-After: 1), then decides by id: which users are kept is fixed, the batches' order is not.
# What it received (users-looked-up.jsonl: the id and email of each user) is in the digest.
set(example_user-filter --http-service USER_SERVICE_URL=/users:503 --received users-looked-up.jsonl
  --file rich-users.jsonl no-balance.jsonl users-looked-up.jsonl
  --balance "no_balance.out = unknown.in" --balance "lookup.retries = 1" --balance "rich.in = lookup.out"
  --balance "no_balance.in = lookup.out")

foreach(graph ${example_graphs})
  get_filename_component(stem ${graph} NAME_WE)
  set(workdir ${CMAKE_CURRENT_BINARY_DIR}/work/example.${stem}.runs)
  file(MAKE_DIRECTORY ${workdir})
  add_test(NAME cli.example.${stem}.runs
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/example_run.py ${gr} ${graph}
      ${example_golden}/${stem}.txt ${workdir} ${example_${stem}}
    WORKING_DIRECTORY ${workdir})
  set_tests_properties(cli.example.${stem}.runs PROPERTIES TIMEOUT 60)
endforeach()
