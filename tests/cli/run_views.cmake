# What `run` shows of a graph (issue 4): the views' pure parts unit-tested, then each view
# end to end: the summary table, --metrics-json snapshots, --metrics-listen scraped over
# HTTP, --progress/--quiet, --log-level/--log-format. Included by CMakeLists.txt (cli_test,
# ${gr}, ${data}, ${graphs} come from there).

file(GLOB cli_unit_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/unit/*.cpp)
if(cli_unit_sources AND TARGET graph_runner_cli_views)
  find_package(nlohmann_json 3 REQUIRED)
  add_executable(cli_tests ${cli_unit_sources})
  target_link_libraries(cli_tests PRIVATE graph_runner_cli_views graph_runner_graph_test nlohmann_json::nlohmann_json
    Catch2::Catch2WithMain graph_runner_warnings)
  catch_discover_tests(cli_tests TEST_PREFIX "cli.unit.")
endif()

# The summary table (approved baseline): times, busy % and rates change from run to run and
# are masked; every count, name and column is compared.
cli_test(run.summary_table STDERR_BASELINE ${data}/summary_quickstart.txt
  MASK " +[0-9.]+%" " +[0-9.]+(us|ms|s)" " [0-9.]+ s" "[0-9.]+[kMG]? records/s"
  COMMAND run ${graphs}/quickstart.toml)

# --metrics-json: snapshots every --metrics-interval, with times, while the graph runs.
# (no "[" in a regex: CMake would join the arguments after it; "." stands for it)
cli_test(run.metrics_json_snapshots EXIT 124 FILE metrics.json
  FILE_MATCH "\"snapshot_interval_seconds\": 0\\.25,\n" "\"started_at\": \"20[0-9-]+T[0-9:.]+Z\""
             "\"snapshots\": .\n +{\n +\"seconds\": 0\\.[23][0-9]*,\n +\"time\": \"20[0-9-]+T[0-9:.]+Z\","
             "\"records_per_second\": [0-9]" "\"show\": {\n +\"records_in\": [1-9]"
  COMMAND run ${data}/endless.toml --quiet --timeout 1.5 --metrics-interval 0.25 --metrics-json metrics.json)
cli_test(run.metrics_interval_must_be_positive EXIT 2 STDERR "metrics-interval"
  COMMAND run ${graphs}/quickstart.toml --metrics-interval 0)

# --metrics-listen: a bad address is a usage error; a running graph is scraped over HTTP
# (python3's urllib) and its exposition text parsed line by line.
cli_test(run.metrics_listen_bad_port EXIT 2 STDERR "--metrics-listen" "0 to 65535"
  COMMAND run ${graphs}/quickstart.toml --metrics-listen 127.0.0.1:99999)
cli_test(run.progress_excludes_quiet EXIT 2 STDERR "progress" COMMAND run ${graphs}/quickstart.toml --progress --quiet)
cli_test(run.log_format_must_be_known EXIT 2 STDERR "log-format" COMMAND run ${graphs}/quickstart.toml --log-format xml)
cli_test(run.log_level_must_be_known EXIT 2 STDERR "log-level" COMMAND run ${graphs}/quickstart.toml --log-level loud)
find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND)
  add_test(NAME cli.run.metrics_endpoint_scraped
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/metrics_scrape.py ${gr} ${data}/endless.toml)
  add_test(NAME cli.run.log_levels_and_formats
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/log_lines.py ${gr} ${graphs}/quickstart.toml
      numbers positive scaled total)
  # issue 20: slow-loris and idle clients neither stall a scrape nor delay the run's exit
  add_test(NAME cli.run.metrics_server_not_held_by_clients
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/metrics_hostile_clients.py ${gr} ${data}/endless.toml)
  set_tests_properties(cli.run.metrics_endpoint_scraped cli.run.log_levels_and_formats
    cli.run.metrics_server_not_held_by_clients PROPERTIES TIMEOUT 120)

  # --ui (issue 19): the live page's HTTP side without a browser (figures, loopback by
  # default, Host check, no Graphviz), then the page itself in headless Chromium over
  # WebDriver; skipped (77) only where chromium/chromium-driver are not installed. The
  # screenshot is kept in the test's folder to look at.
  add_test(NAME cli.run.live_page_serves_figures
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/live_page_json.py ${gr} ${data}/live_page.toml)
  set(live_page_work ${CMAKE_CURRENT_BINARY_DIR}/work/live_page_in_chromium)
  file(MAKE_DIRECTORY ${live_page_work})
  add_test(NAME cli.run.live_page_in_chromium
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/live_page_browser.py ${gr} ${data}/live_page.toml
      ${live_page_work}/live-page.png)
  set_tests_properties(cli.run.live_page_serves_figures cli.run.live_page_in_chromium PROPERTIES TIMEOUT 120)
  # Chromium takes both cores for a few seconds; a rate-limited run watched by it must not
  # share them with a parallel build of other tests' load.
  set_tests_properties(cli.run.live_page_in_chromium PROPERTIES SKIP_RETURN_CODE 77 PROCESSORS 2)
endif()
cli_test(run.ui_bad_address EXIT 2 STDERR "--ui" "0 to 65535" COMMAND run ${graphs}/quickstart.toml --ui 127.0.0.1:70000)
cli_test(run.ui_linger_needs_ui EXIT 2 STDERR "--ui-linger" "requires --ui"
  COMMAND run ${graphs}/quickstart.toml --ui-linger 5)

# --log-format json: every line of stderr is a JSON object, the outcome and totals included.
cli_test(run.json_log_every_line_is_an_object EXIT 1
  STDERR "^({[^\n]*}\n)+$" "\"level\":\"error\",\"node\":null,\"msg\":\"run failed: node 'flaky'"
         "\"level\":\"info\",\"node\":null,\"msg\":\"[0-9]+ records in "
  COMMAND run ${data}/failing.toml --log-format json)
