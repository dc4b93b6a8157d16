# issue 16: the http_server source with real HTTP clients on loopback (http_server_test.py):
# exactly once with 200 after the write, the wait for the sinks, 503 + Retry-After under
# backpressure, refusals (413/400/401/404/405/411/415), slow and idle clients, SIGINT under
# load, TLS, hostile input (1000 idle connections, header floods, truncated bodies, content
# types; RSS bounded), RSS flat under backpressure. Each scenario is a test of its own.
foreach(scenario exactly_once end_to_end_waits backpressure refusals slow_clients sigint_under_load tls
    hostile rss_backpressure)
  add_test(NAME cli.http_server.${scenario}
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/http_server_test.py ${gr}
      ${CMAKE_CURRENT_BINARY_DIR}/work/http_server.${scenario} ${scenario})
  set_tests_properties(cli.http_server.${scenario} PROPERTIES TIMEOUT 120)
endforeach()
