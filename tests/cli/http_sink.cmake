# The http sink against a recording server on loopback (http_sink_test.py starts it on a free
# port): delivery, retries with Retry-After, 4xx under on_error, timeouts, gzip and headers,
# TLS, concurrency; service_restart: the demo service (tools/demo_service.py) killed mid-run and
# started again on its port, nothing lost. Included by CMakeLists.txt (uses gr).
find_package(Python3 COMPONENTS Interpreter REQUIRED)
foreach(case delivery transient retry_after_date route_400 drop_400 fail_400 timeout gzip_headers_secret csv_put
    tls concurrency sigint_during_retries service_restart bad_url)
  add_test(NAME cli.http_sink.${case}
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/http_sink_test.py ${gr}
      ${CMAKE_CURRENT_BINARY_DIR}/work/http_sink.${case} ${case})
  set_tests_properties(cli.http_sink.${case} PROPERTIES TIMEOUT 120)
endforeach()

# Adaptive concurrency (concurrency = { min, max }) of a blocking http sink against a service
# whose latency rises past its capacity: the limit settles near it (adaptive_http_test.py).
add_test(NAME cli.http_sink.adaptive_concurrency
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/adaptive_http_test.py ${gr}
    ${CMAKE_CURRENT_BINARY_DIR}/work/http_sink.adaptive_concurrency)
set_tests_properties(cli.http_sink.adaptive_concurrency PROPERTIES TIMEOUT 120)
