# Included by CMakeLists.txt (uses cli_test, gr, data, graphs): what a graph does, seen.
# Approved files live in golden/ and data/; re-approve after reviewing a change with
#   GRAPH_RUNNER_APPROVE=1 ctest --test-dir BUILD -R 'golden|describe'   (see check.cmake)
set(golden ${CMAKE_CURRENT_SOURCE_DIR}/golden)

# dot: one approved picture per example graph (a new graphs/*.toml needs its golden file:
# the test fails with "no approved file yet" until it is approved).
foreach(graph ${example_graphs})
  get_filename_component(stem ${graph} NAME_WE)
  cli_test(dot.golden.${stem} STDOUT_BASELINE ${golden}/dot/${stem}.dot ENV "GRAPH_DIR=${graphs}"
    COMMAND dot ${graph})
endforeach()
# Annotated with a run's figures (approved metrics files, so the picture is exact) ...
cli_test(dot.golden.quickstart_with_metrics STDOUT_BASELINE ${golden}/dot/quickstart.metrics.dot
  COMMAND dot ${graphs}/quickstart.toml --with-metrics ${golden}/metrics/quickstart.json)
cli_test(dot.golden.errors_route_with_metrics STDOUT_BASELINE ${golden}/dot/errors-route.metrics.dot
  COMMAND dot ${graphs}/errors-route.toml --with-metrics ${golden}/metrics/errors-route.json)
# ... and straight from a run: `run --metrics-json` then `dot --with-metrics` on its file.
set(metrics_file ${CMAKE_CURRENT_BINARY_DIR}/work/dot.metrics_round_trip.run/m.json)
cli_test(dot.metrics_round_trip.run FILE m.json FILE_MATCH "\"records_out\": 90995"
  COMMAND run ${graphs}/quickstart.toml --quiet --metrics-json m.json)
cli_test(dot.metrics_round_trip.draw
  STDOUT "\n  \"positive\" -> \"scaled\" .label=\"90,995 records\""
         "\n  \"numbers\" -> \"positive\" .label=\"100,000 records\"" "busy [0-9.]+%"
         "label=\"quickstart\\\\ncompleted: 100,000 records in [0-9.]+ s\""
  COMMAND dot ${graphs}/quickstart.toml --with-metrics ${metrics_file})
set_tests_properties(cli.dot.metrics_round_trip.run PROPERTIES FIXTURES_SETUP dot_metrics)
set_tests_properties(cli.dot.metrics_round_trip.draw PROPERTIES FIXTURES_REQUIRED dot_metrics)
cli_test(dot.metrics_of_another_graph STDERR "warning: [^\n]*has no figures for node 'north'"
  STDOUT "\\(no figures\\)"
  COMMAND dot ${graphs}/fan-out-fan-in.toml --with-metrics ${golden}/metrics/quickstart.json)
cli_test(dot.metrics_not_json EXIT 2 STDERR "--with-metrics: '[^']*quickstart\\.toml' is not JSON"
  COMMAND dot ${graphs}/quickstart.toml --with-metrics ${graphs}/quickstart.toml)
cli_test(dot.metrics_missing EXIT 2 STDERR "--with-metrics: cannot read 'no-such\\.json'"
  COMMAND dot ${graphs}/quickstart.toml --with-metrics no-such.json)
cli_test(dot.unknown_format EXIT 2 STDERR "cannot tell the format of 'graph\\.jpg'" NO_FILE graph.jpg
  COMMAND dot ${graphs}/quickstart.toml -o graph.jpg)
cli_test(dot.dot_file FILE graph.gv FILE_MATCH "^digraph \"quickstart\" {\n"
  COMMAND dot ${graphs}/quickstart.toml -o graph.gv)
# Without Graphviz on PATH a picture cannot be rendered: say so, exit 1, write nothing.
cli_test(dot.svg_without_graphviz EXIT 1 NO_FILE graph.svg
  STDERR "cannot write 'graph\\.svg': rendering svg needs Graphviz's `dot` program, which is not on PATH"
         "hint: install graphviz"
  ENV PATH=${CMAKE_CURRENT_BINARY_DIR}/work/no-such-folder
  COMMAND dot ${graphs}/quickstart.toml -o graph.svg)
if(GRAPHVIZ_DOT)
  cli_test(dot.png FILE graph.png FILE_MATCH "^.PNG" COMMAND dot ${graphs}/fan-out-fan-in.toml -o graph.png)
  cli_test(dot.svg_with_metrics FILE graph.svg FILE_MATCH "^<\\?xml" "<svg " "90,995 records" "busy "
    COMMAND dot ${graphs}/quickstart.toml --with-metrics ${golden}/metrics/quickstart.json -o graph.svg)
endif()

# plugins describe: text and JSON baselines; plugins --json is valid JSON describing every
# plugin --names lists, each parameter typed and documented.
cli_test(plugins.describe_filter_json NORMALIZE_LIBRARIES STDOUT_BASELINE ${data}/describe_filter.json
  COMMAND plugins describe filter --json)
cli_test(plugins.describe_route NORMALIZE_LIBRARIES STDOUT_BASELINE ${data}/describe_route.txt
  COMMAND plugins describe route)
cli_test(plugins.describe_route_json NORMALIZE_LIBRARIES STDOUT_BASELINE ${data}/describe_route.json
  COMMAND plugins describe route --json)
cli_test(plugins.names STDOUT "^aggregate\nbatch\n" "\ncount\n" "\nfilter\n" "\ngenerate\n" "\nmap\n" COMMAND plugins --names)
add_test(NAME cli.plugins.json_describes_every_plugin
  COMMAND ${CMAKE_COMMAND} -DGRAPH_RUNNER=${gr} -P ${CMAKE_CURRENT_SOURCE_DIR}/plugins_json.cmake)

# --help of every subcommand shows examples.
foreach(command run validate test dot plugins "plugins describe" completion man new-plugin)
  string(REPLACE " " "_" id "${command}")
  separate_arguments(words UNIX_COMMAND "${command}")
  cli_test(usage.${id}_help_has_examples STDOUT "Example" COMMAND ${words} --help)
endforeach()

# Bash completion, sourced into bash and asked as bash would ask it.
find_program(BASH_PROGRAM bash)
if(BASH_PROGRAM)
  add_test(NAME cli.completion.bash
    COMMAND ${BASH_PROGRAM} ${CMAKE_CURRENT_SOURCE_DIR}/completion.sh ${gr} ${CMAKE_CURRENT_BINARY_DIR}/work/completion)
  set_tests_properties(cli.completion.bash PROPERTIES TIMEOUT 60)
endif()
cli_test(completion.unknown_shell EXIT 2 STDERR "fish" COMMAND completion fish)

# The man page: groff-clean, and every command and option of the --help texts is in it.
if(BASH_PROGRAM)
  add_test(NAME cli.man.covers_every_option
    COMMAND ${BASH_PROGRAM} ${CMAKE_CURRENT_SOURCE_DIR}/man_page.sh ${gr} ${CMAKE_CURRENT_BINARY_DIR}/work/man)
  set_tests_properties(cli.man.covers_every_option PROPERTIES TIMEOUT 60)
endif()

# validate --instantiate: plugin code runs only with it; errors at the parameter, exit 2.
cli_test(validate.bad_map_expression_passes_plain_validate STDOUT "bad_map_expression\\.toml: ok \\(3 nodes\\)"
  COMMAND validate ${data}/bad_map_expression.toml)
cli_test(validate.instantiate_compiles_map_expression EXIT 2
  STDERR "bad_map_expression\\.toml:10:7: error: node 'scaled' \\(plugin 'map'\\): set\\.value: column [^\n]*\n"
         "\n1 error\\(s\\)\n$"
  COMMAND validate --instantiate ${data}/bad_map_expression.toml)
cli_test(validate.instantiate_compiles_filter_expression EXIT 2
  STDERR "bad_expression\\.toml:9:9: error: node 'broken' \\(plugin 'filter'\\): where: column 9: expected an expression"
  COMMAND validate ${data}/bad_expression.toml --instantiate)
cli_test(validate.missing_input_passes_plain_validate STDOUT "missing_csv\\.toml: ok \\(2 nodes\\)" NO_FILE out
  COMMAND validate ${data}/missing_csv.toml)
cli_test(validate.instantiate_opens_input EXIT 2 NO_FILE out
  STDERR "missing_csv\\.toml:6:8: error: node 'users' \\(plugin 'csv'\\): cannot open 'no/such/users\\.csv': No such file"
  COMMAND validate --instantiate ${data}/missing_csv.toml)
cli_test(validate.instantiate_ok_writes_nothing NO_FILE out
  STDOUT_EXACT "${data}/instantiates.toml: ok (4 nodes, all instantiated)"
  COMMAND validate --instantiate ${data}/instantiates.toml)
# Every example graph constructs (GRAPH_DIR: their input files exist). A Redis source logs in
# when it is constructed, so the redis-* examples need a server: tests/cli/redis (scenario
# exactly_once) checks validate --instantiate against one, and bad_server without one.
foreach(graph ${example_graphs})
  get_filename_component(stem ${graph} NAME_WE)
  if(stem MATCHES "^redis-")
    continue()
  endif()
  cli_test(example.${stem}.instantiates STDOUT "${stem}\\.toml: ok \\([0-9]+ nodes, all instantiated\\)" NO_FILE out
    ENV "GRAPH_DIR=${graphs}" "OUT_DIR=out" COMMAND validate --instantiate ${graph})
endforeach()
